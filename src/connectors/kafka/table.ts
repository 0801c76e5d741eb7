import type { RowField } from '../../types/data-type.ts';
import type { RowCodec } from '../formats/format.ts';
import { FORMATS } from '../formats/formats.ts';
import type { ConnectorTable, ResolvedOptions } from '../table.ts';

/** What the kafka and upsert-kafka connectors need to know of their table. */
export interface KafkaTable {
  readonly name: string;
  /** upsert-kafka: a value upserts its key, a tombstone deletes it; kafka: each value is an insert. */
  readonly upsert: boolean;
  readonly topic: string;
  /** The physical columns, in order: the value's fields (value.fields-include = ALL). */
  readonly fields: readonly RowField[];
  /** Positions of the primary key columns (upsert-kafka's message key). */
  readonly key: readonly number[];
  readonly options: ResolvedOptions;
}

export function kafkaTable(table: ConnectorTable, upsert: boolean): KafkaTable {
  return { ...table, upsert, topic: String(table.options.get('topic')) };
}

function codec(table: KafkaTable, formatKey: string, prefix: string, fields: readonly RowField[]): RowCodec {
  const identifier = String(table.options.get(formatKey));
  const format = FORMATS.get(identifier);
  // The registry has checked the format names when it resolved the table's options.
  if (!format) throw new Error(`table '${table.name}': no format '${identifier}'`);
  return format.codec(fields, table.options, prefix);
}

/** Where the value's format is named ('value.format' or 'format'), and the prefix of its options. */
function valueFormat(table: KafkaTable): { readonly key: string; readonly prefix: string } {
  return table.options.get('value.format') !== undefined
    ? { key: 'value.format', prefix: 'value.' }
    : { key: 'format', prefix: '' };
}

/** The codec of the records' values: 'value.format' (its options under `value.`), or 'format'. */
export function valueCodec(table: KafkaTable): RowCodec {
  const { key, prefix } = valueFormat(table);
  return codec(table, key, prefix, table.fields);
}

/** The full key of an option of the value's format, as the table would set it: `value.json.<option>`. */
export function valueFormatOption(table: KafkaTable, option: string): string {
  const { key, prefix } = valueFormat(table);
  return `${prefix}${String(table.options.get(key))}.${option}`;
}

/** The codec of the records' keys (the primary key columns), when the table has a key. */
export function keyCodec(table: KafkaTable): RowCodec | undefined {
  if (table.key.length === 0) return undefined;
  return codec(
    table,
    'key.format',
    'key.',
    table.key.map((i) => table.fields[i] as RowField),
  );
}
