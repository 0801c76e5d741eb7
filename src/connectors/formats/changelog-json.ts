import type { RowField } from '../../types/data-type.ts';
import type { OptionSpec } from '../options.ts';
import { FormatError } from './format.ts';
import { JSON_FORMAT_OPTIONS } from './json.ts';

/**
 * The json options a changelog format built on Flink's json format declares too (debezium-json,
 * canal-json): ignore-parse-errors, timestamp-format.standard, map-null-key.*,
 * encode.decimal-as-plain-number.
 */
export const SHARED_JSON_OPTIONS: readonly OptionSpec[] = JSON_FORMAT_OPTIONS.filter((spec) =>
  [
    'ignore-parse-errors',
    'timestamp-format.standard',
    'map-null-key.mode',
    'map-null-key.literal',
    'encode.decimal-as-plain-number',
  ].includes(spec.key),
);

/** The row type of a table's columns, as a field of the envelope a changelog format reads. */
export function envelopeField(name: string, fields: readonly RowField[]): RowField {
  return { name, type: { kind: 'ROW', fields, nullable: true } };
}

export function textField(name: string): RowField {
  return { name, type: { kind: 'VARCHAR', length: 2147483647, nullable: true } };
}

/** The text of a record for an error message: its first 300 characters. */
function shown(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * Flink's changelog formats read a record in one big try: any failure is "Corrupt <name> message",
 * or, with ignore-parse-errors, skips the record (no changes).
 */
export function guarded<T>(
  name: string,
  ignoreParseErrors: boolean,
  read: (bytes: Uint8Array) => T[],
): (bytes: Uint8Array) => T[] {
  return (bytes) => {
    try {
      return read(bytes);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      if (ignoreParseErrors) return [];
      throw new FormatError(`Corrupt ${name} message '${shown(bytes)}': ${error.message}`);
    }
  };
}
