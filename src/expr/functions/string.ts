import { type DataType, describeType, isCharacterString, isInteger, T } from '../../types/data-type.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import { EvaluationError, type Evaluator, type Value } from '../value.ts';
import { anyNullable, strict } from './definition.ts';

export type Kind = 'string' | 'int';

/** Checks argument kinds (character strings or exact integers) and counts. */
export function expect(
  name: string,
  args: readonly BoundExpr[],
  ctx: BindContext,
  kinds: readonly Kind[],
  optional = 0,
): void {
  if (args.length < kinds.length - optional || args.length > kinds.length) {
    const count = optional ? `${kinds.length - optional} to ${kinds.length}` : `${kinds.length}`;
    ctx.fail(`${name} takes ${count} arguments, got ${args.length}`);
  }
  args.forEach((arg, i) => {
    const kind = kinds[i];
    if (arg.type.kind === 'NULL') return;
    if (kind === 'string' && !isCharacterString(arg.type)) {
      ctx.fail(
        `argument ${i + 1} of ${name} must be a character string, got ${describeType(arg.type)}`,
        'CAST it AS STRING',
      );
    }
    if (kind === 'int' && !isInteger(arg.type))
      ctx.fail(`argument ${i + 1} of ${name} must be an integer, got ${describeType(arg.type)}`);
  });
}

export function toNumber(value: Value): number {
  return typeof value === 'bigint' ? Number(value) : (value as number);
}

export function stringFunction(
  name: string,
  kinds: readonly Kind[],
  type: (args: readonly BoundExpr[]) => DataType,
  apply: (...values: never[]) => Value,
  optional = 0,
): ScalarFunction {
  return {
    name,
    signatures: [`${name}(${kinds.map((k) => (k === 'string' ? 'STRING' : 'INT')).join(', ')})`],
    bind(args, ctx) {
      expect(name, args, ctx, kinds, optional);
      return { args, type: type(args) };
    },
    compile: (args) => strict(apply)(args),
  };
}

/** A string result as long as the first argument (UPPER, TRIM, SUBSTRING keep the declared length). */
const sameString = (args: readonly BoundExpr[]): DataType => {
  const first = args[0]?.type;
  return first && isCharacterString(first) ? T.varchar(first.length, anyNullable(args)) : T.string(anyNullable(args));
};
const string = (args: readonly BoundExpr[]) => T.string(anyNullable(args));
const int = (args: readonly BoundExpr[]) => T.int(anyNullable(args));

/** Both CONCAT(a, b, ...) and a || b: NULL if any argument is NULL. */
function concat(name: string): ScalarFunction {
  return {
    name,
    signatures: [`${name}(STRING, STRING...)`],
    bind(args, ctx) {
      if (args.length < 1) ctx.fail(`${name} needs at least one argument`);
      expect(
        name,
        args,
        ctx,
        args.map(() => 'string'),
      );
      return { args, type: T.string(anyNullable(args)) };
    },
    compile: (args) => strict((...parts: string[]) => parts.join(''))(args),
  };
}

export const CONCAT = concat('CONCAT');
export const CONCAT_OPERATOR = { ...concat('||'), name: 'CONCAT_OPERATOR' };

/** CONCAT_WS(separator, s1, s2, ...): skips NULL strings; NULL only when the separator is. */
export const CONCAT_WS: ScalarFunction = {
  name: 'CONCAT_WS',
  signatures: ['CONCAT_WS(STRING, STRING...)'],
  bind(args, ctx) {
    if (args.length < 2) ctx.fail('CONCAT_WS needs a separator and at least one string');
    expect(
      'CONCAT_WS',
      args,
      ctx,
      args.map(() => 'string'),
    );
    return { args, type: T.string(args[0]?.type.nullable ?? true) };
  },
  compile(args) {
    const [separator, ...parts] = args as [Evaluator, ...Evaluator[]];
    return (row) => {
      const sep = separator(row);
      if (sep === null) return null;
      const values: string[] = [];
      for (const part of parts) {
        const value = part(row);
        if (value !== null) values.push(value as string);
      }
      return values.join(sep as string);
    };
  },
};

export const UPPER = stringFunction('UPPER', ['string'], sameString, (s: string) => s.toUpperCase());
export const LOWER = stringFunction('LOWER', ['string'], sameString, (s: string) => s.toLowerCase());

function trimmer(name: string, leading: boolean, trailing: boolean): ScalarFunction {
  return stringFunction(
    name,
    ['string', 'string'],
    sameString,
    (s: string, characters: string) => {
      const remove = characterSet(characters);
      let start = 0;
      let end = s.length;
      if (leading) while (start < end && remove.has(s[start] as string)) start++;
      if (trailing) while (end > start && remove.has(s[end - 1] as string)) end--;
      return s.slice(start, end);
    },
    1,
  );
}

let lastCharacters = ' ';
let lastSet = new Set([' ']);

/** The characters to trim as a set, reused while the same characters come again (the usual case). */
function characterSet(characters: string): Set<string> {
  if (characters !== lastCharacters) {
    lastCharacters = characters;
    lastSet = new Set(characters);
  }
  return lastSet;
}

export const TRIM = withDefaultSecondArgument(trimmer('TRIM', true, true), ' ');
export const LTRIM = withDefaultSecondArgument(trimmer('LTRIM', true, false), ' ');
export const RTRIM = withDefaultSecondArgument(trimmer('RTRIM', false, true), ' ');

function withDefaultSecondArgument(fn: ScalarFunction, fallback: string): ScalarFunction {
  return {
    ...fn,
    bind(args, ctx) {
      const full =
        args.length === 1 ? [...args, { kind: 'literal', value: fallback, type: T.char(1, false) } as BoundExpr] : args;
      return fn.bind(full, ctx);
    },
  };
}

/** Code points of a string: CHAR_LENGTH and SUBSTRING count characters, not UTF-16 units. */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

export const CHAR_LENGTH = stringFunction('CHAR_LENGTH', ['string'], int, (s: string) => codePoints(s).length);
export const CHARACTER_LENGTH = { ...CHAR_LENGTH, name: 'CHARACTER_LENGTH' };

/**
 * SUBSTRING(s, start[, length]): 1-based; a negative start counts from the end ('' when that is before
 * the start); NULL for a negative length (Flink's BinaryStringDataUtil.substringSQL).
 */
export const SUBSTRING: ScalarFunction = {
  ...stringFunction('SUBSTRING', ['string', 'int', 'int'], sameString, () => null, 1),
  compile(args) {
    return strict((s: string, start: number | bigint, length?: number | bigint) => {
      const count = length === undefined ? Number.MAX_SAFE_INTEGER : toNumber(length);
      if (count < 0) return null;
      const chars = codePoints(s);
      const position = toNumber(start);
      const from = position > 0 ? position - 1 : position < 0 ? chars.length + position : 0;
      if (from < 0 || from >= chars.length) return '';
      return chars.slice(from, from + count).join('');
    })(args);
  },
};
export const SUBSTR = { ...SUBSTRING, name: 'SUBSTR' };

export const REPLACE = stringFunction(
  'REPLACE',
  ['string', 'string', 'string'],
  string,
  (s: string, search: string, replacement: string) => (search === '' ? s : s.split(search).join(replacement)),
);

/** POSITION(needle IN haystack) and LOCATE: 1-based index of the first occurrence, 0 when absent. */
export const POSITION = stringFunction('POSITION', ['string', 'string'], int, (needle: string, haystack: string) => {
  const index = haystack.indexOf(needle);
  return index < 0 ? 0 : codePoints(haystack.slice(0, index)).length + 1;
});

/** SPLIT_INDEX(s, delimiter, index): the index-th (0-based) piece; NULL when out of range. */
export const SPLIT_INDEX = stringFunction(
  'SPLIT_INDEX',
  ['string', 'string', 'int'],
  () => T.string(true),
  (s: string, delimiter: string, index: number | bigint) => {
    const i = toNumber(index);
    if (i < 0) return null;
    const pieces = delimiter === '' ? [s] : s.split(delimiter);
    return i < pieces.length ? (pieces[i] as string) : null;
  },
);

/** LPAD/RPAD as Flink's SqlFunctionUtils: NULL for a negative length or an empty pad, UTF-16 units as Java counts. */
function padder(name: string, left: boolean): ScalarFunction {
  return stringFunction(
    name,
    ['string', 'int', 'string'],
    string,
    (s: string, length: number | bigint, pad: string) => {
      const target = toNumber(length);
      if (target < 0 || pad === '') return null;
      if (s.length >= target) return s.slice(0, target);
      const fill = pad.repeat(Math.ceil((target - s.length) / pad.length)).slice(0, target - s.length);
      return left ? fill + s : s + fill;
    },
  );
}

export const LPAD = padder('LPAD', true);
export const RPAD = padder('RPAD', false);

/**
 * INITCAP(s): Calcite's initcap, which Flink calls: a word is a run of ASCII letters and digits; its
 * first letter is upper-cased and the rest lower-cased; any other character separates words.
 */
export const INITCAP = stringFunction('INITCAP', ['string'], sameString, (s: string) => {
  let out = '';
  let start = true;
  for (const c of s) {
    const lower = c >= 'a' && c <= 'z';
    const upper = c >= 'A' && c <= 'Z';
    const digit = c >= '0' && c <= '9';
    if (start) {
      out += lower ? c.toUpperCase() : c;
      start = !(lower || upper || digit);
    } else {
      out += upper ? c.toLowerCase() : c;
      start = !(lower || upper || digit);
    }
  }
  return out;
});

const regexCache = new Map<string, RegExp | null>();

/** A Java regular expression as a JS one (the common subset is the same syntax); null when it does not compile. */
export function javaRegex(pattern: string, flags: string): RegExp | null {
  const key = `${flags}/${pattern}`;
  let regex = regexCache.get(key);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern, flags);
    } catch {
      regex = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, regex);
  }
  return regex;
}

/**
 * REGEXP_REPLACE(s, regex, replacement): the replacement is literal text (Flink quotes it, so `$1` is not a
 * group reference); NULL when the regex does not compile, as Flink logs the error and returns NULL.
 */
export const REGEXP_REPLACE = stringFunction(
  'REGEXP_REPLACE',
  ['string', 'string', 'string'],
  string,
  (s: string, pattern: string, replacement: string) => {
    const regex = javaRegex(pattern, 'gu');
    return regex ? s.replace(regex, () => replacement) : null;
  },
);

/** REGEXP_EXTRACT(s, regex[, group]): the group (default 0, the whole match) of the first match; NULL without one. */
export const REGEXP_EXTRACT = stringFunction(
  'REGEXP_EXTRACT',
  ['string', 'string', 'int'],
  () => T.string(true),
  (s: string, pattern: string, group?: number | bigint) => {
    const match = javaRegex(pattern, 'u')?.exec(s);
    if (!match) return null;
    return match[group === undefined ? 0 : toNumber(group)] ?? null;
  },
  1,
);

/** REGEXP(s, regex): whether any part of s matches; FALSE for an empty or invalid regex, as in Flink. */
export const REGEXP = stringFunction(
  'REGEXP',
  ['string', 'string'],
  (args) => T.boolean(anyNullable(args)),
  (s: string, pattern: string) => (pattern === '' ? false : (javaRegex(pattern, 'u')?.test(s) ?? false)),
);

/** `s LIKE pattern [ESCAPE c]`: % any run, _ one character. */
export const LIKE: ScalarFunction = {
  name: 'LIKE',
  signatures: ["STRING LIKE STRING [ESCAPE 'c']"],
  bind(args, ctx) {
    expect('LIKE', args, ctx, ['string', 'string', 'string'], 1);
    return { args, type: T.boolean(anyNullable(args)) };
  },
  compile: (args) =>
    strict((s: string, pattern: string, escapeChar?: string) => {
      if (escapeChar !== undefined && codePoints(escapeChar).length !== 1) {
        throw new EvaluationError('INVALID_ARGUMENT', `LIKE ESCAPE must be one character, got '${escapeChar}'`);
      }
      return likeRegex(pattern, escapeChar).test(s);
    })(args),
};

const likeCache = new Map<string, RegExp>();

function likeRegex(pattern: string, escapeChar: string | undefined): RegExp {
  const key = `${escapeChar ?? ''}\u0000${pattern}`;
  let regex = likeCache.get(key);
  if (regex) return regex;
  let source = '';
  const chars = codePoints(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (escapeChar !== undefined && c === escapeChar) {
      const next = chars[++i];
      if (next === undefined)
        throw new EvaluationError('INVALID_ARGUMENT', `LIKE pattern '${pattern}' ends with the escape character`);
      source += escapeRegex(next);
    } else if (c === '%') {
      source += '.*';
    } else if (c === '_') {
      source += '.';
    } else {
      source += escapeRegex(c);
    }
  }
  regex = new RegExp(`^${source}$`, 'su');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(key, regex);
  return regex;
}

/** Text as a regular expression that matches exactly it. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
