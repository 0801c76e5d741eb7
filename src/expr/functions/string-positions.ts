import { isCharacterString, MAX_LENGTH, T } from '../../types/data-type.ts';
import type { BoundExpr, ScalarFunction } from '../bound.ts';
import { EvaluationError } from '../value.ts';
import { anyNullable } from './definition.ts';
import { codePoints, stringFunction, toNumber } from './string.ts';

// Functions that cut, place and search strings by position, as Flink 1.18's SqlFunctionUtils and
// StringCallGen define them. LEFT, RIGHT, LOCATE, INSTR and REVERSE count characters (code points,
// as Flink's BinaryStringData does); OVERLAY counts UTF-16 units (Flink runs it on a Java String).

const int = (args: readonly BoundExpr[]) => T.int(anyNullable(args));

/** Flink's ARG0_VARCHAR_FORCE_NULLABLE: VARCHAR of the first argument's length, always nullable. */
const firstAsVarchar = (args: readonly BoundExpr[]) => {
  const first = args[0]?.type;
  return T.varchar(first && isCharacterString(first) ? first.length : MAX_LENGTH, true);
};

/** LEFT(s, n): the first n characters; '' when n <= 0. */
export const LEFT = stringFunction('LEFT', ['string', 'int'], firstAsVarchar, (s: string, n: number | bigint) => {
  const count = toNumber(n);
  return count <= 0 ? '' : codePoints(s).slice(0, count).join('');
});

/** RIGHT(s, n): the last n characters; '' when n <= 0. */
export const RIGHT = stringFunction('RIGHT', ['string', 'int'], firstAsVarchar, (s: string, n: number | bigint) => {
  const count = toNumber(n);
  if (count <= 0) return '';
  const chars = codePoints(s);
  return count >= chars.length ? s : chars.slice(chars.length - count).join('');
});

/** Flink's BinaryStringData.indexOf: 0-based character index of `needle` at or after `from`, -1 if absent. */
function indexOfChars(haystack: readonly string[], needle: readonly string[], from: number): number {
  if (needle.length === 0) return 0;
  for (let i = Math.max(from, 0); i + needle.length <= haystack.length; i++) {
    let j = 0;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** LOCATE(needle, haystack[, from]): 1-based position of the first occurrence at or after `from`, 0 if none. */
export const LOCATE = stringFunction(
  'LOCATE',
  ['string', 'string', 'int'],
  int,
  (needle: string, haystack: string, from?: number | bigint) =>
    indexOfChars(codePoints(haystack), codePoints(needle), (from === undefined ? 1 : toNumber(from)) - 1) + 1,
  1,
);

/**
 * INSTR(s, sub[, start[, nth]]): 1-based position of the nth occurrence of sub searching from start;
 * a negative start searches backwards from the end; 0 when not found.
 */
export const INSTR = stringFunction(
  'INSTR',
  ['string', 'string', 'int', 'int'],
  int,
  (s: string, sub: string, start?: number | bigint, nth?: number | bigint) => {
    const appearance = nth === undefined ? 1 : toNumber(nth);
    if (appearance <= 0)
      throw new EvaluationError('INVALID_ARGUMENT', `INSTR's nth appearance must be positive, got ${appearance}`);
    return instr(codePoints(s), codePoints(sub), start === undefined ? 1 : toNumber(start), appearance);
  },
  2,
);

function instr(s: readonly string[], sub: readonly string[], start: number, nth: number): number {
  if (start === 0) return 0;
  if (start < 0) {
    const position = instr([...s].reverse(), [...sub].reverse(), -start, nth);
    return position === 0 ? 0 : s.length + 2 - position - sub.length;
  }
  let from = start;
  let index = 0;
  for (let i = 0; i < nth; i++) {
    index = indexOfChars(s, sub, from - 1) + 1;
    if (index === 0) return 0;
    from = index + 1;
  }
  return index;
}

/** REVERSE(s): the characters in reverse order. */
export const REVERSE = stringFunction(
  'REVERSE',
  ['string'],
  () => T.string(true),
  (s: string) => codePoints(s).reverse().join(''),
);

/** REPEAT(s, n): s n times; '' when n <= 0. */
export const REPEAT = stringFunction(
  'REPEAT',
  ['string', 'int'],
  (args) => T.string(anyNullable(args)),
  (s: string, n: number | bigint) => {
    const times = toNumber(n);
    if (times <= 0) return '';
    if (s.length * times > MAX_LENGTH)
      throw new EvaluationError('INVALID_ARGUMENT', `REPEAT would build a string longer than ${MAX_LENGTH} characters`);
    return s.repeat(times);
  },
);

/**
 * OVERLAY(s PLACING r FROM start [FOR length]): s with `length` (default r's length) characters from
 * `start` replaced by r; s unchanged when start is outside 1..length of s.
 */
export const OVERLAY: ScalarFunction = {
  ...stringFunction(
    'OVERLAY',
    ['string', 'string', 'int', 'int'],
    overlayType,
    (s: string, r: string, start: number | bigint, length?: number | bigint) => {
      const from = toNumber(start);
      const count = length === undefined ? r.length : toNumber(length);
      if (from <= 0 || from > s.length) return s;
      const tail = from + count <= s.length && count > 0 ? s.slice(from - 1 + count) : '';
      return s.slice(0, from - 1) + r + tail;
    },
    1,
  ),
  signatures: ['OVERLAY(STRING PLACING STRING FROM INT [FOR INT])'],
};

/** Calcite's DYADIC_STRING_SUM_PRECISION_NULLABLE_VARYING: VARCHAR of the two lengths summed. */
function overlayType(args: readonly BoundExpr[]) {
  const length = (arg: BoundExpr | undefined) =>
    arg && isCharacterString(arg.type) ? arg.type.length : arg?.type.kind === 'NULL' ? 0 : MAX_LENGTH;
  return T.varchar(Math.min(MAX_LENGTH, length(args[0]) + length(args[1])), anyNullable(args));
}

/** ASCII(s): the first byte of s in UTF-8 as a signed Java byte; 0 for ''. */
export const ASCII = stringFunction('ASCII', ['string'], int, (s: string) => {
  if (s === '') return 0;
  const first = Buffer.from(codePoints(s)[0] as string, 'utf8')[0] as number;
  return (first << 24) >> 24;
});

/** CHR(n): the character with code n modulo 256 (Latin-1); '' for a negative n. */
export const CHR = stringFunction(
  'CHR',
  ['int'],
  () => T.string(true),
  (n: number | bigint) => {
    const code = typeof n === 'bigint' ? n : BigInt(n);
    return code < 0n ? '' : String.fromCharCode(Number(code & 0xffn));
  },
);
