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

/** The codec of the records' values: 'value.format' (its options under `value.`), or 'format'. */
export function valueCodec(table: KafkaTable): RowCodec {
  return table.options.get('value.format') !== undefined
    ? codec(table, 'value.format', 'value.', table.fields)
    : codec(table, 'format', '', table.fields);
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
