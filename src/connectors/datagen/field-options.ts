import { parseDuration } from '../options.ts';

/** A datagen option that Flink's DataGenTableSourceFactory would refuse: what, and which option. */
export class DatagenOptionError extends Error {
  constructor(
    message: string,
    readonly option: string | undefined,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * The `fields.<path>.*` options of one field, read the way Flink's generator visitors read them:
 * each read names the key it consumes, so that what no visitor read is left over and refused.
 */
export class FieldOptions {
  constructor(
    /** Every option under `fields.`, without that prefix. */
    private readonly given: ReadonlyMap<string, string>,
    /** The keys read so far, without `fields.`. */
    readonly consumed: Set<string>,
    readonly path: string,
  ) {}

  /** The options of a nested field: `fields.<path>.<name>.*`. */
  nested(name: string): FieldOptions {
    return new FieldOptions(this.given, this.consumed, `${this.path}.${name}`);
  }

  /** The full option key of `name` here: `fields.<path>.<name>`. */
  key(name: string): string {
    return `fields.${this.path}.${name}`;
  }

  private text(name: string): string | undefined {
    const key = `${this.path}.${name}`;
    this.consumed.add(key);
    return this.given.get(key)?.trim();
  }

  has(name: string): boolean {
    return this.given.has(`${this.path}.${name}`);
  }

  private invalid(name: string, text: string, expected: string): never {
    throw new DatagenOptionError(
      `Could not parse value '${text}' for key '${this.key(name)}': expected ${expected}`,
      this.key(name),
    );
  }

  /** A Java int (TINYINT and SMALLINT bounds are read as ints too, as in Flink). */
  int(name: string, fallback: number): number {
    const text = this.text(name);
    if (text === undefined) return fallback;
    const value = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= -2147483648 && value <= 2147483647)) this.invalid(name, text, 'a whole number of type INT');
    return value;
  }

  long(name: string, fallback: bigint): bigint {
    const text = this.text(name);
    if (text === undefined) return fallback;
    const value = /^[+-]?\d+$/.test(text) ? BigInt(text) : undefined;
    if (value === undefined || value < -(2n ** 63n) || value >= 2n ** 63n)
      this.invalid(name, text, 'a whole number of type BIGINT');
    return value;
  }

  double(name: string, fallback: number): number {
    const text = this.text(name);
    if (text === undefined) return fallback;
    const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(value)) this.invalid(name, text, 'a number');
    return value;
  }

  boolean(name: string): boolean {
    const text = this.text(name);
    if (text === undefined) return false;
    const lower = text.toLowerCase();
    if (lower !== 'true' && lower !== 'false') this.invalid(name, text, 'true or false');
    return lower === 'true';
  }

  durationMillis(name: string): number {
    const text = this.text(name);
    if (text === undefined) return 0;
    const millis = parseDuration(text);
    if (millis === undefined) this.invalid(name, text, "a duration such as '10s', '5 min' or '1h'");
    return millis;
  }

  /** `null-rate`: the share of NULLs, from 0 to 1. */
  nullRate(): number {
    const rate = this.double('null-rate', 0);
    if (rate < 0 || rate > 1) this.invalid('null-rate', String(rate), 'a number from 0 to 1');
    return rate;
  }

  /** A collection's or string's `length`, at least 0. */
  length(fallback: number): number {
    const length = this.int('length', fallback);
    if (length < 0) this.invalid('length', String(length), 'a length of 0 or more');
    return length;
  }

  /** A sequence's `start` and `end`, both required, as Flink's SequenceGeneratorVisitor asks. */
  sequenceBounds(read: (name: string) => bigint): { start: bigint; end: bigint } {
    for (const name of ['start', 'end']) {
      if (!this.has(name))
        throw new DatagenOptionError(
          `Could not find required property '${this.key(name)}' for sequence generator.`,
          this.key('kind'),
          `add '${this.key('start')}' and '${this.key('end')}'`,
        );
    }
    const start = read('start');
    const end = read('end');
    if (start > end)
      throw new DatagenOptionError(
        `'${this.key('start')}' (${start}) is greater than '${this.key('end')}' (${end})`,
        this.key('start'),
      );
    return { start, end };
  }
}
