/**
 * Declared connector options, in the manner of Flink's FactoryUtil: each factory lists the keys it
 * understands with their types and defaults; validation consumes them and rejects what is left over.
 * Each option also says how Rivulet handles it (`handling`), so that none is accepted and ignored.
 */
export type OptionType = 'string' | 'int' | 'boolean' | 'duration' | 'enum' | 'long';

/**
 * How Rivulet handles an option Flink defines:
 * - `used`: the connector reads it and does what Flink does (the default);
 * - `met`: what the option asks for always holds here, so nothing needs to read it (`why` says so);
 * - `warned`: it cannot mean anything in one process (parallelism): accepted with one warning line
 *   per job when given, unless its value is one of `unless` (what one process does anyway);
 * - `rejected`: refused whenever given, with `why` and a `hint`.
 */
export type OptionHandling =
  | { readonly kind: 'used' }
  | { readonly kind: 'met'; readonly why: string }
  | { readonly kind: 'warned'; readonly why: string; readonly unless?: readonly string[] }
  | { readonly kind: 'rejected'; readonly why: string; readonly hint: string };

/** Values Flink accepts for an option and Rivulet refuses, with why and what to do instead. */
export interface RefusedValues {
  readonly values: readonly string[];
  readonly why: string;
  readonly hint: string;
}

export interface OptionSpec {
  readonly key: string;
  readonly type: OptionType;
  readonly required?: boolean;
  readonly default?: string;
  /** The accepted values of an enum option, as written (compared case-insensitively). */
  readonly values?: readonly string[];
  /** Never printed: EXPLAIN, errors, REST and logs show `******` instead. */
  readonly sensitive?: boolean;
  /** A prefix such as `properties.`: every key that starts with it is accepted as a string. */
  readonly prefix?: boolean;
  readonly description: string;
  readonly handling: OptionHandling;
  /** Values of the option that are refused (each must be among `values` of an enum). */
  readonly refused?: RefusedValues;
}

export type OptionValue = string | number | boolean;

const USED: OptionHandling = { kind: 'used' };

type More = Partial<Omit<OptionSpec, 'key' | 'type' | 'description'>>;

function spec(key: string, type: OptionType, description: string, more: More): OptionSpec {
  return { key, type, description, handling: USED, ...more };
}

export const opt = {
  string: (key: string, description: string, more: More = {}): OptionSpec => spec(key, 'string', description, more),
  int: (key: string, description: string, more: More = {}): OptionSpec => spec(key, 'int', description, more),
  long: (key: string, description: string, more: More = {}): OptionSpec => spec(key, 'long', description, more),
  boolean: (key: string, description: string, more: More = {}): OptionSpec => spec(key, 'boolean', description, more),
  duration: (key: string, description: string, more: More = {}): OptionSpec => spec(key, 'duration', description, more),
  enumOf: (key: string, values: readonly string[], description: string, more: More = {}): OptionSpec =>
    spec(key, 'enum', description, { values, ...more }),
  prefix: (key: string, description: string, more: More = {}): OptionSpec =>
    spec(key, 'string', description, { prefix: true, ...more }),
} as const;

/** Handlings for declarations: `met(why)`, `warned(why, unless)`, `rejected(why, hint)`. */
export const handled = {
  met: (why: string): OptionHandling => ({ kind: 'met', why }),
  warned: (why: string, unless?: readonly string[]): OptionHandling => ({ kind: 'warned', why, unless }),
  rejected: (why: string, hint: string): OptionHandling => ({ kind: 'rejected', why, hint }),
} as const;

/**
 * `sink.parallelism` and `scan.parallelism`: a sink is written from every subtask of its job
 * (`parallelism.default`), a source is read by the job's one task or router, so a parallelism of
 * their own cannot be set apart; accepted as 1 silently, otherwise with one warning line.
 */
export const sinkParallelism = opt.int('sink.parallelism', 'parallelism of the sink', {
  handling: handled.warned(
    "the sink is written from every subtask of its job ('parallelism.default'), with no parallelism of its own",
    ['1'],
  ),
});
export const scanParallelism = opt.int('scan.parallelism', 'parallelism of the source', {
  handling: handled.warned(
    "a source is read by one task of its job (a parallel job's router), with no parallelism of its own",
    ['1'],
  ),
});

/** `spec` accepted with the values Rivulet follows (`met`, saying why), and refused with `values`. */
export function followed(
  spec: OptionSpec,
  met: string,
  values: readonly string[],
  why: string,
  hint: string,
): OptionSpec {
  return { ...spec, handling: handled.met(met), refused: { values, why, hint } };
}

/**
 * Why option `key` (of `spec`) given as `value` has no effect, as `'key' = 'value' has no effect:
 * …`; undefined when it needs no warning.
 */
export function optionWarning(spec: OptionSpec, key: string, value: string): string | undefined {
  const { handling } = spec;
  if (handling.kind !== 'warned') return undefined;
  if (handling.unless?.some((v) => v.toLowerCase() === value.trim().toLowerCase())) return undefined;
  const shown = spec.sensitive || isSensitiveKey(key) ? REDACTED : value;
  return `'${key}' = '${shown}' has no effect: ${handling.why}`;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  nano: 1e-6,
  nanos: 1e-6,
  nanosecond: 1e-6,
  nanoseconds: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  micro: 1e-3,
  micros: 1e-3,
  microsecond: 1e-3,
  microseconds: 1e-3,
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** Flink's duration syntax: `10s`, `1 min`, `500ms`, `2h`; a bare number is milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([a-zµ]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1 : DURATION_UNITS[unit];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}

/** Parses one option's text by its declared type; returns an explanation when it does not fit. */
export function parseOptionValue(spec: OptionSpec, text: string): OptionValue | { error: string } {
  switch (spec.type) {
    case 'string':
      return text;
    case 'int':
    case 'long': {
      const max = spec.type === 'int' ? 2147483647 : Number.MAX_SAFE_INTEGER;
      if (!/^-?\d+$/.test(text.trim()) || Math.abs(Number(text)) > max)
        return { error: `expected a whole number, got '${text}'` };
      return Number(text);
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (lower === 'true' || lower === 'false') return lower === 'true';
      return { error: `expected true or false, got '${text}'` };
    }
    case 'duration': {
      const millis = parseDuration(text);
      if (millis === undefined)
        return { error: `expected a duration such as '10s', '500 ms' or '1 min', got '${text}'` };
      return millis;
    }
    case 'enum': {
      const found = spec.values?.find((value) => value.toLowerCase() === text.trim().toLowerCase());
      if (found === undefined)
        return { error: `expected one of ${spec.values?.map((v) => `'${v}'`).join(', ')}, got '${text}'` };
      return found;
    }
  }
}

export function isSensitiveKey(key: string): boolean {
  return /password|secret|token|credential|sasl\.jaas/i.test(key);
}

export const REDACTED = '******';
