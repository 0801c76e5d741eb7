import type { Row, Value } from '../../expr/value.ts';
import type { LogRecord } from '../../log/log.ts';
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
  /** The physical columns, in order. */
  readonly fields: readonly RowField[];
  /**
   * Positions of the columns in the message key, in the key's order: the primary key of an
   * upsert-kafka table, the 'key.fields' of a kafka table; empty without a key.
   */
  readonly key: readonly number[];
  /** Positions of the columns in the message value: all ('value.fields-include' = 'ALL'), or all but the key. */
  readonly value: readonly number[];
  /** 'key.fields-prefix': the key columns' names start with it in the table, and not in the key format. */
  readonly keyPrefix: string;
  readonly options: ResolvedOptions;
}

/**
 * The connector's view of a table: which columns go into the key and which into the value, as
 * Flink's 'key.fields', 'key.fields-prefix' and 'value.fields-include' say (checked by the factory).
 */
export function kafkaTable(table: ConnectorTable, upsert: boolean): KafkaTable {
  const { options, fields } = table;
  const keyFields = options.get('key.fields');
  const key = upsert
    ? table.key
    : keyFields === undefined
      ? []
      : splitFields(String(keyFields)).map((name) => fields.findIndex((field) => field.name === name));
  const all = fields.map((_, i) => i);
  const value = options.get('value.fields-include') === 'EXCEPT_KEY' ? all.filter((i) => !key.includes(i)) : all;
  return {
    name: table.name,
    upsert,
    topic: String(options.get('topic')),
    fields,
    key,
    value,
    keyPrefix: String(options.get('key.fields-prefix') ?? ''),
    options,
  };
}

/** The column names of 'key.fields': `a;b`. */
export function splitFields(text: string): string[] {
  return text
    .split(';')
    .map((name) => name.trim())
    .filter(Boolean);
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

/** Whether the value holds every column, in order: a value is then the row itself. */
export function valueIsRow(table: KafkaTable): boolean {
  return table.value.length === table.fields.length;
}

/** The codec of the records' values, over the value's columns: 'value.format' (its options under `value.`), or 'format'. */
export function valueCodec(table: KafkaTable): RowCodec {
  const { key, prefix } = valueFormat(table);
  return codec(
    table,
    key,
    prefix,
    table.value.map((i) => table.fields[i] as RowField),
  );
}

/** The full key of an option of the value's format, as the table would set it: `value.json.<option>`. */
export function valueFormatOption(table: KafkaTable, option: string): string {
  const { key, prefix } = valueFormat(table);
  return `${prefix}${String(table.options.get(key))}.${option}`;
}

/** The codec of the records' keys (the key columns, named without 'key.fields-prefix'), when the table has a key. */
export function keyCodec(table: KafkaTable): RowCodec | undefined {
  if (table.key.length === 0) return undefined;
  return codec(
    table,
    'key.format',
    'key.',
    table.key.map((i) => {
      const field = table.fields[i] as RowField;
      return { ...field, name: field.name.slice(table.keyPrefix.length) };
    }),
  );
}

/**
 * How a record's row is read: from its value alone when the value holds every column (a row a
 * writer of this process encoded is taken as it is), otherwise the value's columns and the key's
 * put together, as Flink's deserializer does (a record without a key leaves the key's columns NULL).
 * Undefined when the format skips the record (json.ignore-parse-errors).
 */
export function rowReader(table: KafkaTable): (value: Buffer, record: LogRecord) => Row | undefined {
  const values = valueCodec(table);
  const decodeValue = (value: Buffer, record: LogRecord): Row | undefined =>
    (record.decoded && values.reuse?.(record.decoded)) || values.decode(value);
  if (valueIsRow(table)) return decodeValue;
  const keys = keyCodec(table);
  const width = table.fields.length;
  return (value, record) => {
    const fromValue = decodeValue(value, record);
    if (!fromValue) return undefined;
    const row = new Array<Value>(width).fill(null);
    table.value.forEach((field, i) => {
      row[field] = fromValue[i] ?? null;
    });
    const fromKey = keys && record.key !== null ? keys.decode(record.key) : undefined;
    if (fromKey) {
      table.key.forEach((field, i) => {
        row[field] = fromKey[i] ?? null;
      });
    }
    return row;
  };
}
