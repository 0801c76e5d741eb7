import {
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  isLeapYear,
  isoDayOfWeek,
  localFields,
  localToInstant,
  type TimeZone,
  timestampOfDay,
} from './temporal.ts';
import {
  MICROS_PER_MINUTE,
  NANOS_PER_HOUR,
  NANOS_PER_MILLI,
  NANOS_PER_MINUTE,
  NANOS_PER_SECOND,
  plusMicros,
  type TimeValue,
} from './time-value.ts';

/**
 * Java date patterns ('yyyy-MM-dd HH:mm:ss.SSS', 'EEE, d MMM yyyy') over wall-clock TimeValues,
 * English names, in one of the two flavours Flink 1.18 uses:
 *
 * - 'simple': java.text.SimpleDateFormat, lenient (Flink's DateTimeUtils for UNIX_TIMESTAMP,
 *   FROM_UNIXTIME, TO_DATE(string, format), DATE_FORMAT(DATE | STRING, format)). 'S' is the
 *   millisecond field as a number ('SSS' → '045', 'S' → '45'), 'u' the ISO day of the week;
 *   parsing reads numbers greedily (a field directly followed by another field takes exactly its
 *   letter count), accepts month and day names in any case, lets out-of-range fields carry over
 *   ('2025-02-30' → 2025-03-02, as a lenient Calendar does) and ignores text after the pattern.
 * - 'java-time': java.time.format.DateTimeFormatter.ofPattern with the SMART resolver (Flink's
 *   DATE_FORMAT(TIMESTAMP | TIMESTAMP_LTZ, format) and TO_TIMESTAMP(string, format)). 'S…S' is the
 *   fraction of the second to that many digits ('SSSSSSSSS' → nanoseconds), 'u' the year, '[…]' an
 *   optional section; parsing is strict (fixed widths, names as written, the whole text), a day
 *   past the month's end becomes its last day, and zone letters cannot be formatted (a TIMESTAMP
 *   has no zone). Flink's TO_TIMESTAMP falls back to java.sql.Timestamp.valueOf when this fails.
 */
export type DateFormatStyle = 'simple' | 'java-time';

export interface DateFormat {
  readonly pattern: string;
  readonly style: DateFormatStyle;
  /**
   * The text of a wall-clock time. The zone letters z, Z and X ('simple' only) print
   * `offsetMicros` (default 0) and 'z' prints `zoneName` as given, else 'UTC' or 'GMT+08:00'.
   */
  format(local: TimeValue, offsetMicros?: number, zoneName?: string): string;
  /**
   * The wall-clock time of the text, or null when it does not match the pattern or lies outside
   * Flink's range. An offset in the text ('Z', 'X') moves a 'simple' result to UTC wall-clock time,
   * as a UTC-zoned SimpleDateFormat reads it; 'java-time' ignores it, as Flink's TO_TIMESTAMP does.
   */
  parse(text: string): TimeValue | null;
  /** The instant of the text: its own offset if it has one, else its wall-clock time in `zone`. */
  parseInstant(text: string, zone: TimeZone): TimeValue | null;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const SHORT_MONTHS = MONTHS.map((name) => name.slice(0, 3));
const NARROW_MONTHS = MONTHS.map((name) => name.slice(0, 1));
/** Monday first, as ISO numbers them (1-7). */
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SHORT_DAYS = DAYS.map((name) => name.slice(0, 3));
const NARROW_DAYS = DAYS.map((name) => name.slice(0, 1));
const QUARTER_NAMES = ['1st quarter', '2nd quarter', '3rd quarter', '4th quarter'];

const SIMPLE_LETTERS = 'GyYMLwWDdFEuaHkKhmsSzZX';
/** Letters DateTimeFormatter.ofPattern knows, with the most of each it accepts. */
const JAVA_TIME_MAX_COUNT: Readonly<Record<string, number>> = {
  G: 5,
  u: 19,
  y: 19,
  Y: 19,
  Q: 5,
  q: 5,
  M: 5,
  L: 5,
  w: 2,
  W: 1,
  d: 2,
  D: 3,
  F: 1,
  E: 5,
  e: 5,
  c: 5,
  a: 1,
  h: 2,
  K: 2,
  k: 2,
  H: 2,
  m: 2,
  s: 2,
  S: 9,
  A: 19,
  n: 19,
  N: 19,
  V: 2,
  v: 4,
  z: 4,
  O: 4,
  X: 5,
  x: 5,
  Z: 5,
};
const ZONE_LETTERS = 'VvzOXxZ';

interface Literal {
  readonly kind: 'literal';
  readonly text: string;
}
interface Field {
  readonly kind: 'field';
  readonly letter: string;
  readonly count: number;
}
interface Optional {
  readonly kind: 'optional';
  readonly tokens: readonly Token[];
}
type Token = Literal | Field | Optional;

const caches: Record<DateFormatStyle, Map<string, DateFormat>> = { simple: new Map(), 'java-time': new Map() };
const MAX_CACHED_PATTERNS = 1000;

/** A compiled pattern, cached per style; throws for a letter the style does not know. */
export function compileDateFormat(pattern: string, style: DateFormatStyle = 'simple'): DateFormat {
  const cache = caches[style];
  let compiled = cache.get(pattern);
  if (!compiled) {
    compiled = new CompiledFormat(pattern, style);
    if (cache.size >= MAX_CACHED_PATTERNS) cache.clear();
    cache.set(pattern, compiled);
  }
  return compiled;
}

// ─── patterns ────────────────────────────────────────────────────────────────────────────────────

function tokenize(pattern: string, style: DateFormatStyle): Token[] {
  const javaTime = style === 'java-time';
  const root: Token[] = [];
  const stack: Token[][] = [root];
  let current = root;
  const literal = (text: string) => {
    const last = current[current.length - 1];
    if (last?.kind === 'literal') current[current.length - 1] = { kind: 'literal', text: last.text + text };
    else current.push({ kind: 'literal', text });
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        literal("'");
        i += 2;
        continue;
      }
      let text = '';
      i++;
      for (;;) {
        if (i >= pattern.length) throw new Error(`date format '${pattern}' has an unterminated quote`);
        if (pattern[i] === "'") {
          if (pattern[i + 1] !== "'") break;
          text += "'";
          i += 2;
        } else {
          text += pattern[i];
          i++;
        }
      }
      i++;
      literal(text);
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
      let count = 1;
      while (pattern[i + count] === c) count++;
      if (javaTime) {
        const max = JAVA_TIME_MAX_COUNT[c];
        if (max === undefined) throw new Error(`date format '${pattern}': unknown pattern letter '${c}'`);
        if (count > max || (c === 'V' && count !== 2) || (c === 'O' && count !== 1 && count !== 4)) {
          throw new Error(`date format '${pattern}': too many pattern letters '${c.repeat(count)}'`);
        }
      } else if (!SIMPLE_LETTERS.includes(c)) {
        throw new Error(`date format '${pattern}': illegal pattern character '${c}'`);
      }
      current.push({ kind: 'field', letter: c, count });
      i += count;
    } else if (javaTime && c === '[') {
      const section: Token[] = [];
      current.push({ kind: 'optional', tokens: section });
      stack.push(section);
      current = section;
      i++;
    } else if (javaTime && c === ']') {
      if (stack.length === 1) throw new Error(`date format '${pattern}' has ']' without a '[' before it`);
      stack.pop();
      current = stack[stack.length - 1] as Token[];
      i++;
    } else if (javaTime && (c === '{' || c === '}' || c === '#')) {
      throw new Error(`date format '${pattern}': reserved character '${c}'`);
    } else {
      literal(c);
      i++;
    }
  }
  return root;
}

function pad(value: number, width: number): string {
  const text = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${text}` : text;
}

function offsetText(offsetMicros: number, colon: boolean, withMinutes = true): string {
  const minutes = Math.trunc(offsetMicros / MICROS_PER_MINUTE);
  const abs = Math.abs(minutes);
  const hours = `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}`;
  return withMinutes ? `${hours}${colon ? ':' : ''}${pad(abs % 60, 2)}` : hours;
}

/** Sunday-based day of the week, 0-6 (java.util's US week: Sunday first, week 1 holds January 1st). */
function sundayIndex(days: number): number {
  return isoDayOfWeek(days) % 7;
}

/** Week-based year and week of year for the US week definition ('Y' and 'w' in en-US). */
function usWeek(days: number): { weekYear: number; week: number } {
  const sunday = days - sundayIndex(days);
  const weekYear = civilFromDays(sunday + 6).year;
  const jan1 = daysFromCivil(weekYear, 1, 1);
  const firstSunday = jan1 - sundayIndex(jan1);
  return { weekYear, week: (sunday - firstSunday) / 7 + 1 };
}

/** Fields of one wall-clock value, with the derived ones computed on demand. */
class Moment {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Nanoseconds within the second. */
  readonly nano: number;
  readonly days: number;

  constructor(local: TimeValue) {
    const f = localFields(local);
    this.year = f.year;
    this.month = f.month;
    this.day = f.day;
    this.hour = f.hour;
    this.minute = f.minute;
    this.second = f.second;
    this.nano = f.nano;
    this.days = f.days;
  }

  get yearOfEra(): number {
    return this.year > 0 ? this.year : 1 - this.year;
  }
  get isoDow(): number {
    return isoDayOfWeek(this.days);
  }
  get dayOfYear(): number {
    return this.days - daysFromCivil(this.year, 1, 1) + 1;
  }
  get weekOfMonth(): number {
    return Math.floor((this.day - 1 + sundayIndex(this.days - this.day + 1)) / 7) + 1;
  }
}

function monthText(month: number, count: number): string {
  const names = count >= 5 ? NARROW_MONTHS : count === 4 ? MONTHS : SHORT_MONTHS;
  return names[month - 1] as string;
}

function dayText(isoDow: number, count: number): string {
  const names = count >= 5 ? NARROW_DAYS : count === 4 ? DAYS : SHORT_DAYS;
  return names[isoDow - 1] as string;
}

/** SimpleDateFormat's text of one field. */
function formatSimple(m: Moment, letter: string, n: number, offset: number, zoneName: string | undefined): string {
  switch (letter) {
    case 'G':
      return m.year > 0 ? 'AD' : 'BC';
    case 'y':
      return n === 2 ? pad(m.yearOfEra % 100, 2) : pad(m.yearOfEra, n);
    case 'Y': {
      const { weekYear } = usWeek(m.days);
      return n === 2 ? pad(weekYear % 100, 2) : pad(weekYear, n);
    }
    case 'M':
    case 'L':
      return n >= 3 ? monthText(m.month, Math.min(n, 4)) : pad(m.month, n);
    case 'w':
      return pad(usWeek(m.days).week, n);
    case 'W':
      return pad(m.weekOfMonth, n);
    case 'D':
      return pad(m.dayOfYear, n);
    case 'd':
      return pad(m.day, n);
    case 'F':
      return pad(Math.floor((m.day - 1) / 7) + 1, n);
    case 'E':
      return dayText(m.isoDow, n >= 4 ? 4 : 3);
    case 'u':
      return pad(m.isoDow, n);
    case 'a':
      return m.hour < 12 ? 'AM' : 'PM';
    case 'H':
      return pad(m.hour, n);
    case 'k':
      return pad(m.hour === 0 ? 24 : m.hour, n);
    case 'K':
      return pad(m.hour % 12, n);
    case 'h':
      return pad(m.hour % 12 === 0 ? 12 : m.hour % 12, n);
    case 'm':
      return pad(m.minute, n);
    case 's':
      return pad(m.second, n);
    case 'S':
      return pad(Math.floor(m.nano / NANOS_PER_MILLI), n);
    case 'z':
      return zoneName ?? (offset === 0 ? 'UTC' : `GMT${offsetText(offset, true)}`);
    case 'Z':
      return offsetText(offset, false);
    default: // 'X': ISO 8601, hours only for one letter
      return offset === 0 ? 'Z' : offsetText(offset, n >= 3, n >= 2);
  }
}

/** A year as DateTimeFormatter prints 'y'/'u'/'Y' with `n` letters. */
function javaTimeYear(value: number, n: number): string {
  if (n === 2) return pad(((value % 100) + 100) % 100, 2);
  const text = pad(value, n);
  return n >= 4 && value > 0 && text.length > n ? `+${text}` : text;
}

function eraText(year: number, n: number): string {
  if (n === 4) return year > 0 ? 'Anno Domini' : 'Before Christ';
  if (n === 5) return year > 0 ? 'A' : 'B';
  return year > 0 ? 'AD' : 'BC';
}

function quarterText(quarter: number, n: number): string {
  if (n === 2) return pad(quarter, 2);
  if (n === 3) return `Q${quarter}`;
  if (n === 4) return QUARTER_NAMES[quarter - 1] as string;
  return String(quarter);
}

/** DateTimeFormatter's text of one field (English, US week rules for Y/w/W/e/c). */
function formatJavaTime(m: Moment, letter: string, n: number, pattern: string): string {
  switch (letter) {
    case 'G':
      return eraText(m.year, n);
    case 'y':
      return javaTimeYear(m.yearOfEra, n);
    case 'u':
      return javaTimeYear(m.year, n);
    case 'Y':
      return javaTimeYear(usWeek(m.days).weekYear, n);
    case 'Q':
    case 'q':
      return quarterText(Math.floor((m.month + 2) / 3), n);
    case 'M':
    case 'L':
      return n >= 3 ? monthText(m.month, n) : pad(m.month, n);
    case 'w':
      return pad(usWeek(m.days).week, n);
    case 'W':
      return String(m.weekOfMonth);
    case 'd':
      return pad(m.day, n);
    case 'D':
      return pad(m.dayOfYear, n);
    case 'F': // ALIGNED_DAY_OF_WEEK_IN_MONTH on the Java 8-18 that Flink 1.18 runs on
      return String(((m.day - 1) % 7) + 1);
    case 'E':
      return dayText(m.isoDow, Math.max(n, 3));
    case 'e':
    case 'c':
      return n <= 2 ? pad(sundayIndex(m.days) + 1, n) : dayText(m.isoDow, n);
    case 'a':
      return m.hour < 12 ? 'AM' : 'PM';
    case 'H':
      return pad(m.hour, n);
    case 'k':
      return pad(m.hour === 0 ? 24 : m.hour, n);
    case 'K':
      return pad(m.hour % 12, n);
    case 'h':
      return pad(m.hour % 12 === 0 ? 12 : m.hour % 12, n);
    case 'm':
      return pad(m.minute, n);
    case 's':
      return pad(m.second, n);
    case 'S':
      return String(m.nano).padStart(9, '0').slice(0, n);
    case 'n':
      return pad(m.nano, n);
    case 'A':
      return pad(((m.hour * 60 + m.minute) * 60 + m.second) * 1000 + Math.floor(m.nano / NANOS_PER_MILLI), n);
    case 'N':
      return pad(m.hour * NANOS_PER_HOUR + m.minute * NANOS_PER_MINUTE + m.second * NANOS_PER_SECOND + m.nano, n);
    default:
      throw new Error(
        `date format '${pattern}': pattern letter '${letter}' needs a time zone, which a TIMESTAMP does not have`,
      );
  }
}

// ─── parsing ─────────────────────────────────────────────────────────────────────────────────────

/** Fields read from text; unset ones take Flink's defaults (1970-01-01 00:00:00). */
interface Parsed {
  pos: number;
  year?: number;
  twoDigitYear?: boolean;
  bc?: boolean;
  month?: number;
  day?: number;
  dayOfYear?: number;
  dow?: number;
  hour?: number;
  hour12?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  millis?: number;
  nanos?: number;
  offset?: number;
}

/** SimpleDateFormat reads 'yy' within 80 years before and 20 after now. */
const CENTURY_START = new Date().getUTCFullYear() - 80;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Widths of a java.time numeric field: [min, max], or undefined for a text field. */
function javaTimeWidth(letter: string, n: number): [number, number] | undefined {
  switch (letter) {
    case 'y':
    case 'u':
    case 'Y':
      return n === 2 ? [2, 2] : n >= 4 ? [n, n] : [n, 19];
    case 'M':
    case 'L':
    case 'Q':
    case 'q':
      return n >= 3 ? undefined : n === 2 ? [2, 2] : [1, 19];
    case 'E':
    case 'G':
    case 'a':
      return undefined;
    case 'e':
    case 'c':
      return n >= 3 ? undefined : n === 2 ? [2, 2] : [1, 1];
    case 'D':
      return n === 3 ? [3, 3] : n === 2 ? [2, 3] : [1, 19];
    case 'S':
      return [n, n];
    case 'n':
    case 'A':
    case 'N':
      return [n, 19];
    case 'W':
    case 'F':
      return [1, 19];
    default:
      return ZONE_LETTERS.includes(letter) ? undefined : n === 2 ? [2, 2] : [1, 19];
  }
}

/** Index of the longest entry of `names` found at `pos` (-1 for none), and its length. */
function matchName(text: string, pos: number, names: readonly string[], ignoreCase: boolean): [number, number] {
  let best = -1;
  let length = 0;
  for (const [i, name] of names.entries()) {
    if (name.length <= length) continue;
    const candidate = text.slice(pos, pos + name.length);
    if (ignoreCase ? candidate.toLowerCase() === name.toLowerCase() : candidate === name) {
      best = i;
      length = name.length;
    }
  }
  return [best, length];
}

const GMT_OFFSET = /^(?:GMT|UTC|UT)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?/i;

/** A zone in text: 'Z' (X), [+-]hh[[:]mm], GMT/UTC with an optional offset. Sets `offset`. */
function parseZone(text: string, p: Parsed, letter: string, n: number, javaTime: boolean): boolean {
  const rest = text.slice(p.pos);
  if ((letter === 'X' || (letter === 'Z' && javaTime && n === 5)) && rest.startsWith('Z')) {
    p.offset = 0;
    p.pos += 1;
    return true;
  }
  if (!javaTime || 'zOVv'.includes(letter) || (letter === 'Z' && n === 4)) {
    const gmt = GMT_OFFSET.exec(rest);
    if (gmt) {
      const hours = Number(gmt[2] ?? 0);
      const minutes = Number(gmt[3] ?? 0);
      if (hours > 23 || minutes > 59) return false;
      p.offset = (gmt[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * MICROS_PER_MINUTE;
      p.pos += gmt[0].length;
      return true;
    }
    if (javaTime && (letter === 'V' || letter === 'z')) {
      const id = /^[A-Za-z][A-Za-z0-9_/+-]*/.exec(rest);
      if (!id) return false;
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: id[0] });
      } catch {
        return false;
      }
      p.pos += id[0].length; // a region id: read and left out, as TO_TIMESTAMP leaves any zone out
      return true;
    }
  }
  const colon = letter === 'X' || letter === 'x' ? n === 3 || n === 5 : letter === 'Z' && n >= 4;
  const withMinutes = !((letter === 'X' || letter === 'x') && n === 1);
  const shape = withMinutes ? (colon ? /^([+-])(\d{2}):(\d{2})/ : /^([+-])(\d{2})(\d{2})/) : /^([+-])(\d{2})(\d{2})?/;
  const match = shape.exec(rest);
  if (!match) return false;
  const hours = Number(match[2]);
  const minutes = Number(match[3] ?? 0);
  if (hours > 23 || minutes > 59) return false;
  p.offset = (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * MICROS_PER_MINUTE;
  p.pos += match[0].length;
  return true;
}

/** Reads SimpleDateFormat fields; false when the text does not match. */
function parseSimple(tokens: readonly Token[], text: string, p: Parsed): boolean {
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] as Token;
    if (token.kind === 'literal') {
      if (!text.startsWith(token.text, p.pos)) return false;
      p.pos += token.text.length;
      continue;
    }
    if (token.kind === 'optional') return false; // not in this style
    const { letter, count } = token;
    // Every field skips spaces and tabs before it.
    while (p.pos < text.length && (text[p.pos] === ' ' || text[p.pos] === '\t')) p.pos++;
    if (p.pos >= text.length) return false;
    const textual = 'GEazZX'.includes(letter) || ((letter === 'M' || letter === 'L') && count >= 3);
    if (textual) {
      let index: number;
      let length = 0;
      switch (letter) {
        case 'G':
          [index, length] = matchName(text, p.pos, ['AD', 'BC'], true);
          if (index < 0) return false;
          p.bc = index === 1;
          break;
        case 'E':
          [index, length] = matchName(text, p.pos, [...DAYS, ...SHORT_DAYS], true);
          if (index < 0) return false;
          p.dow = (index % 7) + 1;
          break;
        case 'a':
          [index, length] = matchName(text, p.pos, ['AM', 'PM'], true);
          if (index < 0) return false;
          p.pm = index === 1;
          break;
        case 'M':
        case 'L':
          [index, length] = matchName(text, p.pos, [...MONTHS, ...SHORT_MONTHS], true);
          if (index < 0) return false;
          p.month = (index % 12) + 1;
          break;
        default:
          if (!parseZone(text, p, letter, count, false)) return false;
      }
      p.pos += length;
      continue;
    }
    // A number: exactly `count` characters when another field follows directly, else all digits.
    const limit = tokens[t + 1]?.kind === 'field' ? p.pos + count : text.length;
    if (limit > text.length) return false;
    const start = p.pos;
    let end = start;
    const negative = text[end] === '-';
    if (negative) end++;
    const digitsStart = end;
    while (end < limit && isDigit(text.charCodeAt(end))) end++;
    if (end === digitsStart) return false;
    const magnitude = Number(text.slice(digitsStart, end));
    const value = negative ? -magnitude : magnitude;
    p.pos = end;
    switch (letter) {
      case 'y':
      case 'Y':
        p.year = value;
        p.twoDigitYear = count <= 2 && end - start === 2 && !negative;
        break;
      case 'M':
      case 'L':
        p.month = value;
        break;
      case 'd':
        p.day = value;
        break;
      case 'D':
        p.dayOfYear = value;
        break;
      case 'u':
        p.dow = value;
        break;
      case 'H':
        p.hour = value;
        break;
      case 'k':
        p.hour = value === 24 ? 0 : value;
        break;
      case 'K':
        p.hour12 = value;
        break;
      case 'h':
        p.hour12 = value === 12 ? 0 : value;
        break;
      case 'm':
        p.minute = value;
        break;
      case 's':
        p.second = value;
        break;
      case 'S':
        p.millis = value;
        break;
      // w, W, F: read and left out, as a Calendar does once a date is given.
    }
  }
  return true;
}

function javaTimeNames(letter: string, count: number): readonly string[] {
  switch (letter) {
    case 'G':
      return count === 4 ? ['Anno Domini', 'Before Christ'] : count === 5 ? ['A', 'B'] : ['AD', 'BC'];
    case 'a':
      return ['AM', 'PM'];
    case 'M':
    case 'L':
      return count === 3 ? SHORT_MONTHS : count === 4 ? MONTHS : NARROW_MONTHS;
    case 'Q':
    case 'q':
      return count === 3 ? ['Q1', 'Q2', 'Q3', 'Q4'] : QUARTER_NAMES;
    default: // E, e, c
      return count === 4 ? DAYS : count === 5 ? NARROW_DAYS : SHORT_DAYS;
  }
}

/** Reads DateTimeFormatter fields strictly; false when the text does not match. */
function parseJavaTime(tokens: readonly Token[], text: string, p: Parsed): boolean {
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] as Token;
    if (token.kind === 'literal') {
      if (!text.startsWith(token.text, p.pos)) return false;
      p.pos += token.text.length;
      continue;
    }
    if (token.kind === 'optional') {
      const saved = { ...p };
      if (!parseJavaTime(token.tokens, text, p)) {
        for (const key of Object.keys(p) as (keyof Parsed)[]) delete p[key];
        Object.assign(p, saved);
      }
      continue;
    }
    const { letter, count } = token;
    const width = javaTimeWidth(letter, count);
    if (width === undefined) {
      if (ZONE_LETTERS.includes(letter)) {
        if (!parseZone(text, p, letter, count, true)) return false;
        continue;
      }
      const [index, length] = matchName(text, p.pos, javaTimeNames(letter, count), false);
      if (index < 0) return false;
      p.pos += length;
      if (letter === 'G') p.bc = index === 1;
      else if (letter === 'a') p.pm = index === 1;
      else if (letter === 'M' || letter === 'L') p.month = index + 1;
      else if (letter === 'E' || letter === 'e' || letter === 'c') p.dow = index + 1;
      continue;
    }
    // Adjacent value parsing: a variable-width field leaves the digits of the fixed-width fields right after it.
    let reserved = 0;
    if (width[0] !== width[1]) {
      for (let u = t + 1; u < tokens.length; u++) {
        const next = tokens[u] as Token;
        const nextWidth = next.kind === 'field' ? javaTimeWidth(next.letter, next.count) : undefined;
        if (nextWidth === undefined || nextWidth[0] !== nextWidth[1]) break;
        reserved += nextWidth[0];
      }
    }
    let available = 0;
    while (available < 19 && isDigit(text.charCodeAt(p.pos + available))) available++;
    const take = Math.min(width[1], available - reserved);
    if (take < width[0]) return false;
    const digits = text.slice(p.pos, p.pos + take);
    p.pos += take;
    const value = Number(digits);
    switch (letter) {
      case 'y':
      case 'u':
      case 'Y':
        p.year = count === 2 ? 2000 + value : value;
        if (letter === 'u') p.bc = false;
        break;
      case 'M':
      case 'L':
        p.month = value;
        break;
      case 'd':
        p.day = value;
        break;
      case 'D':
        p.dayOfYear = value;
        break;
      case 'H':
        p.hour = value;
        break;
      case 'k':
        if (value < 1 || value > 24) return false;
        p.hour = value === 24 ? 0 : value;
        break;
      case 'h':
        if (value < 1 || value > 12) return false;
        p.hour12 = value === 12 ? 0 : value;
        break;
      case 'K':
        if (value > 11) return false;
        p.hour12 = value;
        break;
      case 'm':
        p.minute = value;
        break;
      case 's':
        p.second = value;
        break;
      case 'S':
        p.nanos = Number(digits.padEnd(9, '0'));
        break;
      case 'n':
        p.nanos = value;
        break;
      case 'e':
      case 'c':
        p.dow = ((value + 5) % 7) + 1; // Sunday = 1 in the US week
        break;
      // Q, w, W, F, A, N: read and left out of the result.
    }
  }
  return true;
}

/** SimpleDateFormat's lenient Calendar: fields past their range carry over; null outside Flink's range. */
function resolveSimple(p: Parsed): TimeValue | null {
  let year = p.year ?? 1970;
  if (p.twoDigitYear) {
    const start = CENTURY_START % 100;
    year += Math.floor(CENTURY_START / 100) * 100 + (year < start ? 100 : 0);
  }
  if (p.bc) year = 1 - year;
  let days: number;
  if (p.dayOfYear !== undefined && p.month === undefined && p.day === undefined) {
    days = daysFromCivil(year, 1, 1) + p.dayOfYear - 1;
  } else {
    const month0 = (p.month ?? 1) - 1;
    const carry = Math.floor(month0 / 12);
    days = daysFromCivil(year + carry, month0 - carry * 12 + 1, 1) + (p.day ?? 1) - 1;
  }
  const hour = p.hour12 !== undefined ? p.hour12 + (p.pm ? 12 : 0) : (p.hour ?? 0);
  return timestampOfDay(days, hour, p.minute ?? 0, p.second ?? 0, (p.millis ?? 0) * NANOS_PER_MILLI);
}

/** java.time's SMART resolver (then Flink's defaults for missing fields); null on a bad field or outside Flink's range. */
function resolveJavaTime(p: Parsed): TimeValue | null {
  let year = p.year ?? 1970;
  if (p.bc) year = 1 - year;
  let days: number;
  if (p.dayOfYear !== undefined && p.month === undefined && p.day === undefined) {
    if (p.dayOfYear < 1 || p.dayOfYear > (isLeapYear(year) ? 366 : 365)) return null;
    days = daysFromCivil(year, 1, 1) + p.dayOfYear - 1;
  } else {
    const month = p.month ?? 1;
    const day = p.day ?? 1;
    if (month < 1 || month > 12 || day < 1 || day > 31) return null;
    days = daysFromCivil(year, month, Math.min(day, daysInMonth(year, month)));
  }
  // A day of the week must agree with the date it comes with.
  if (p.dow !== undefined && p.year !== undefined && isoDayOfWeek(days) !== p.dow) return null;
  let hour: number;
  if (p.hour12 !== undefined) {
    hour = p.hour12 + (p.pm ? 12 : 0);
    if (p.hour !== undefined && p.hour !== hour) return null;
  } else {
    hour = p.hour ?? 0;
    if (p.pm !== undefined && p.hour !== undefined && p.pm !== hour >= 12) return null;
  }
  const minute = p.minute ?? 0;
  const second = p.second ?? 0;
  const nanos = p.nanos ?? 0;
  if (hour === 24 && minute === 0 && second === 0 && nanos === 0) return timestampOfDay(days + 1, 0, 0, 0, 0);
  if (hour > 23 || minute > 59 || second > 59 || nanos > 999_999_999) return null;
  return timestampOfDay(days, hour, minute, second, nanos);
}

class CompiledFormat implements DateFormat {
  private readonly tokens: readonly Token[];
  /** The tokens with optional sections opened: formatting prints them, a wall-clock time has every field. */
  private readonly printed: readonly (Literal | Field)[];

  constructor(
    readonly pattern: string,
    readonly style: DateFormatStyle,
  ) {
    this.tokens = tokenize(pattern, style);
    const printed: (Literal | Field)[] = [];
    const flatten = (tokens: readonly Token[]) => {
      for (const token of tokens) {
        if (token.kind === 'optional') flatten(token.tokens);
        else printed.push(token);
      }
    };
    flatten(this.tokens);
    this.printed = printed;
  }

  format(local: TimeValue, offsetMicros = 0, zoneName?: string): string {
    const moment = new Moment(local);
    const javaTime = this.style === 'java-time';
    let out = '';
    for (const token of this.printed) {
      if (token.kind === 'literal') out += token.text;
      else if (javaTime) out += formatJavaTime(moment, token.letter, token.count, this.pattern);
      else out += formatSimple(moment, token.letter, token.count, offsetMicros, zoneName);
    }
    return out;
  }

  private read(text: string): { local: TimeValue; offset: number | undefined } | null {
    const parsed: Parsed = { pos: 0 };
    let local: TimeValue | null;
    if (this.style === 'simple') {
      // SimpleDateFormat.parse(String) succeeds on a matching prefix and ignores the rest.
      if (!parseSimple(this.tokens, text, parsed)) return null;
      local = resolveSimple(parsed);
    } else {
      if (!parseJavaTime(this.tokens, text, parsed) || parsed.pos !== text.length) return null;
      local = resolveJavaTime(parsed);
    }
    return local === null ? null : { local, offset: parsed.offset };
  }

  parse(text: string): TimeValue | null {
    const result = this.read(text);
    if (!result) return null;
    return result.offset === undefined || this.style === 'java-time'
      ? result.local
      : plusMicros(result.local, -result.offset);
  }

  parseInstant(text: string, zone: TimeZone): TimeValue | null {
    const result = this.read(text);
    if (!result) return null;
    return result.offset === undefined ? localToInstant(zone, result.local) : plusMicros(result.local, -result.offset);
  }
}
