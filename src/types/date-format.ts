import { daysFromCivil, daysInMonth, localFields, localMicros, MICROS_PER_SECOND } from './temporal.ts';

/**
 * Java SimpleDateFormat patterns ('yyyy-MM-dd HH:mm:ss.SSS', 'EEE, d MMM yyyy'), as DATE_FORMAT,
 * TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP and FROM_UNIXTIME take them, over wall-clock microseconds.
 */
export interface DateFormat {
  readonly pattern: string;
  /** `offsetMicros` is only used by the zone letters z, Z and X. */
  format(localMicros: number, offsetMicros?: number): string;
  /** Wall-clock microseconds of the text, or null when it does not match the pattern. */
  parse(text: string): number | null;
}

type Token =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'field'; readonly letter: string; readonly count: number };

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
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const LETTERS = new Set([...'GyYMLdDEuaHkKhmsSzZXwWF']);
const NUMERIC = new Set([...'yYdDuHkKhmsSwWF']);

const cache = new Map<string, DateFormat>();

export function compileDateFormat(pattern: string): DateFormat {
  let compiled = cache.get(pattern);
  if (!compiled) {
    compiled = build(pattern);
    if (cache.size > 500) cache.clear();
    cache.set(pattern, compiled);
  }
  return compiled;
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ kind: 'literal', text: "'" });
        i += 2;
        continue;
      }
      let text = '';
      i++;
      while (i < pattern.length) {
        if (pattern[i] === "'") {
          if (pattern[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          break;
        }
        text += pattern[i];
        i++;
      }
      if (i >= pattern.length) throw new Error(`unterminated quote in date format '${pattern}'`);
      i++;
      tokens.push({ kind: 'literal', text });
    } else if (/[A-Za-z]/.test(c)) {
      if (!LETTERS.has(c)) throw new Error(`illegal pattern character '${c}' in date format '${pattern}'`);
      let count = 1;
      while (pattern[i + count] === c) count++;
      tokens.push({ kind: 'field', letter: c, count });
      i += count;
    } else {
      tokens.push({ kind: 'literal', text: c });
      i++;
    }
  }
  return tokens;
}

function pad(value: number, width: number): string {
  const text = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${text}` : text;
}

function offsetText(offsetMicros: number, colon: boolean): string {
  const minutes = Math.round(offsetMicros / 60_000_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${colon ? ':' : ''}${pad(abs % 60, 2)}`;
}

function build(pattern: string): DateFormat {
  const tokens = tokenize(pattern);
  return {
    pattern,
    format(micros, offset = 0) {
      const f = localFields(micros);
      const dow = (((f.days + 3) % 7) + 7) % 7; // Monday = 0
      let out = '';
      for (const token of tokens) {
        if (token.kind === 'literal') {
          out += token.text;
          continue;
        }
        const n = token.count;
        switch (token.letter) {
          case 'G':
            out += f.year > 0 ? 'AD' : 'BC';
            break;
          case 'y':
          case 'Y':
            out += n === 2 ? pad(f.year % 100, 2) : pad(f.year, n);
            break;
          case 'M':
          case 'L':
            out +=
              n >= 4 ? MONTHS[f.month - 1] : n === 3 ? (MONTHS[f.month - 1] as string).slice(0, 3) : pad(f.month, n);
            break;
          case 'd':
            out += pad(f.day, n);
            break;
          case 'D':
            out += pad(f.days - daysFromCivil(f.year, 1, 1) + 1, n);
            break;
          case 'E':
            out += n >= 4 ? DAYS[dow] : (DAYS[dow] as string).slice(0, 3);
            break;
          case 'u':
            out += pad(dow + 1, n);
            break;
          case 'a':
            out += f.hour < 12 ? 'AM' : 'PM';
            break;
          case 'H':
            out += pad(f.hour, n);
            break;
          case 'k':
            out += pad(f.hour === 0 ? 24 : f.hour, n);
            break;
          case 'K':
            out += pad(f.hour % 12, n);
            break;
          case 'h':
            out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, n);
            break;
          case 'm':
            out += pad(f.minute, n);
            break;
          case 's':
            out += pad(f.second, n);
            break;
          case 'S':
            // SimpleDateFormat prints milliseconds as a number padded to the count.
            out += pad(Math.floor(f.micro / 1000), n);
            break;
          case 'z':
            out += offset === 0 ? 'UTC' : `GMT${offsetText(offset, true)}`;
            break;
          case 'Z':
            out += offsetText(offset, false);
            break;
          case 'X':
            out += offset === 0 ? 'Z' : offsetText(offset, n >= 3);
            break;
          case 'w':
          case 'W':
          case 'F':
            out += pad(Math.floor((f.day - 1) / 7) + 1, n);
            break;
        }
      }
      return out;
    },
    parse(text) {
      return parseWith(tokens, text);
    },
  };
}

function parseWith(tokens: readonly Token[], text: string): number | null {
  let position = 0;
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micro = 0;
  let pm: boolean | undefined;
  let hour12: number | undefined;
  let offset = 0;
  let hasOffset = false;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] as Token;
    if (token.kind === 'literal') {
      if (!text.startsWith(token.text, position)) return null;
      position += token.text.length;
      continue;
    }
    const next = tokens[t + 1];
    const adjacentNumber =
      next?.kind === 'field' &&
      (NUMERIC.has(next.letter) || ((next.letter === 'M' || next.letter === 'L') && next.count < 3));
    const readNumber = (): number | null => {
      const width = adjacentNumber ? token.count : undefined;
      const match = (width ? new RegExp(`^\\d{${width}}`) : /^\d+/).exec(text.slice(position));
      if (!match) return null;
      position += match[0].length;
      return Number(match[0]);
    };
    const readWord = (words: readonly string[]): number | null => {
      const rest = text.slice(position).toLowerCase();
      for (const [i, word] of words.entries()) {
        for (const form of [word, word.slice(0, 3)]) {
          if (rest.startsWith(form.toLowerCase())) {
            position += form.length;
            return i;
          }
        }
      }
      return null;
    };
    let value: number | null;
    switch (token.letter) {
      case 'y':
      case 'Y':
        value = readNumber();
        if (value === null) return null;
        year = token.count === 2 && value < 100 ? 2000 + value : value;
        break;
      case 'M':
      case 'L':
        value = token.count >= 3 ? readWord(MONTHS) : readNumber();
        if (value === null) return null;
        month = token.count >= 3 ? value + 1 : value;
        break;
      case 'd':
        value = readNumber();
        if (value === null) return null;
        day = value;
        break;
      case 'E':
        if (readWord(DAYS) === null) return null;
        break;
      case 'a': {
        const rest = text.slice(position, position + 2).toUpperCase();
        if (rest !== 'AM' && rest !== 'PM') return null;
        pm = rest === 'PM';
        position += 2;
        break;
      }
      case 'H':
      case 'k':
        value = readNumber();
        if (value === null) return null;
        hour = token.letter === 'k' && value === 24 ? 0 : value;
        break;
      case 'h':
      case 'K':
        value = readNumber();
        if (value === null) return null;
        hour12 = token.letter === 'h' && value === 12 ? 0 : value;
        break;
      case 'm':
        value = readNumber();
        if (value === null) return null;
        minute = value;
        break;
      case 's':
        value = readNumber();
        if (value === null) return null;
        second = value;
        break;
      case 'S': {
        const match = /^\d+/.exec(text.slice(position));
        if (!match) return null;
        const digits = adjacentNumber ? match[0].slice(0, token.count) : match[0];
        position += digits.length;
        micro = Number(digits.padEnd(6, '0').slice(0, 6));
        break;
      }
      case 'Z':
      case 'X':
      case 'z': {
        const match = /^(?:Z|UTC|GMT)?(?:([+-])(\d{2}):?(\d{2})?)?/.exec(text.slice(position));
        if (!match || match[0] === '') return null;
        position += match[0].length;
        hasOffset = true;
        offset = match[1]
          ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0)) * 60 * MICROS_PER_SECOND
          : 0;
        break;
      }
      default:
        if (readNumber() === null) return null;
    }
  }
  if (position !== text.length) return null;
  if (hour12 !== undefined) hour = hour12 + (pm ? 12 : 0);
  else if (pm && hour < 12) hour += 12;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
    return null;
  const local = localMicros(year, month, day, hour, minute, second, micro);
  return hasOffset ? local - offset : local;
}
