import type { Row } from '../../expr/value.ts';
import type { DecodedValue } from '../../log/log.ts';
import type { RowField } from '../../types/data-type.ts';
import type { OptionSpec } from '../options.ts';
import type { ResolvedOptions, TableShape } from '../table.ts';

/** A record that does not fit the table's schema. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/** One change a changelog format reads from a record or writes as one: Flink's RowKind and the row. */
export interface FormatChange {
  /** Insert, update-before, update-after, delete: the row kinds of a Change. */
  readonly kind: '+I' | '-U' | '+U' | '-D';
  readonly row: Row;
}

/** Rows of some fields as the bytes of one format, with the options a table sets for it. */
export interface RowCodec {
  encode(row: Row): Buffer;
  /**
   * The row of a record's bytes; a FormatError when they do not fit the fields, or undefined when
   * the format's options say to skip such a record (json.ignore-parse-errors).
   */
  decode(bytes: Uint8Array): Row | undefined;
  /** What a reader in this process may take instead of decoding the bytes of `row`, when the format can tell. */
  written?(row: Row): DecodedValue | undefined;
  /** The row `decode` would make of a record written in this process, or undefined: then decode its bytes. */
  reuse?(written: DecodedValue): Row | undefined;
  /**
   * A changelog format's (debezium-json, canal-json): the changes one record holds, in order; none
   * for a record the format skips. A FormatError when the record cannot be read.
   */
  decodeChanges?(bytes: Uint8Array): FormatChange[];
  /** A changelog format's: the record of one change. */
  encodeChange?(change: FormatChange): Buffer;
}

/** A format that connectors carrying bytes (topics, files) read and write, as `'format' = '<identifier>'`. */
export interface FormatFactory {
  readonly identifier: string;
  /** Its options, set on a table as `<prefix><identifier>.<key>` (prefix `value.`, `key.` or none). */
  readonly options: readonly OptionSpec[];
  /**
   * Whether its records carry every kind of change (+I, -U, +U, -D), as Flink's changelog formats
   * do (their codecs have decodeChanges and encodeChange); otherwise each record is one insert.
   */
  readonly changelog?: boolean;
  codec(fields: readonly RowField[], options: ResolvedOptions, prefix: string): RowCodec;
  /** Why a table with these options cannot be written in this format (Flink refuses it for sinks only). */
  writeProblem?(options: ResolvedOptions, prefix: string): { message: string; option: string } | undefined;
  /** Checks across its options as a table sets them under `prefix`: an error names the option at fault. */
  validate?(
    options: ResolvedOptions,
    prefix: string,
    table?: TableShape,
  ): { message: string; option?: string; hint?: string } | undefined;
}

/** `read`, giving `fallback` where it throws a FormatError (a value or record an ignore-parse-errors option skips). */
export function orOnFormatError<A extends unknown[], R, F>(
  read: (...args: A) => R,
  fallback: F,
): (...args: A) => R | F {
  return (...args) => {
    try {
      return read(...args);
    } catch (error) {
      if (error instanceof FormatError) return fallback;
      throw error;
    }
  };
}
