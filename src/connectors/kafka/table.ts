import type { Value } from '../../expr/value.ts';
import type { LogRecord } from '../../log/log.ts';
import type { RowField } from '../../types/data-type.ts';
import type { FormatChange, FormatFactory, RowCodec } from '../formats/format.ts';
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
  return valueFormatKey(table.options);
}

function valueFormatKey(options: ResolvedOptions): { readonly key: string; readonly prefix: string } {
  return options.get('value.format') !== undefined
    ? { key: 'value.format', prefix: 'value.' }
    : { key: 'format', prefix: '' };
}

/** The value's format of a table with these options, when it names a known one. */
export function valueFormatOf(options: ResolvedOptions): FormatFactory | undefined {
  return FORMATS.get(String(options.get(valueFormatKey(options).key)));
}

/** Why a kafka table's formats cannot write records with these options (debezium-json.schema-include). */
export function formatWriteProblem(options: ResolvedOptions): { message: string; hint: string } | undefined {
  for (const [key, prefix] of [
    ['format', ''],
    ['value.format', 'value.'],
    ['key.format', 'key.'],
  ]) {
    const problem = FORMATS.get(String(options.get(key as string)))?.writeProblem?.(options, prefix as string);
    if (problem) {
      return {
        message: problem.message,
        hint: `remove '${problem.option}' from the table written to (declare a second table over the topic for writing)`,
      };
    }
  }
  return undefined;
}

/** Whether the value's format is a changelog format (debezium-json, canal-json): records are changes, not inserts. */
export function changelogValue(options: ResolvedOptions): boolean {
  return valueFormatOf(options)?.changelog === true;
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
 * How a record's changes are read: a changelog format's changes (debezium-json, canal-json), or
 * one insert of the record's row. The row comes from the value alone when the value holds every
 * column (a row a writer of this process encoded is taken as it is), otherwise the value's columns
 * and the key's are put together, as Flink's deserializer does (a record without a key leaves the
 * key's columns NULL). No changes when the format skips the record (ignore-parse-errors).
 */
export function changesReader(table: KafkaTable): (value: Buffer, record: LogRecord) => readonly FormatChange[] {
  const values = valueCodec(table);
  const decodeValue = (value: Buffer, record: LogRecord): readonly FormatChange[] => {
    if (values.decodeChanges) return values.decodeChanges(value);
    const row = (record.decoded && values.reuse?.(record.decoded)) || values.decode(value);
    return row ? [{ kind: '+I', row }] : [];
  };
  if (valueIsRow(table)) return decodeValue;
  const keys = keyCodec(table);
  const width = table.fields.length;
  return (value, record) => {
    const fromKey = keys && record.key !== null ? keys.decode(record.key) : undefined;
    return decodeValue(value, record).map(({ kind, row: fromValue }) => {
      const row = new Array<Value>(width).fill(null);
      table.value.forEach((field, i) => {
        row[field] = fromValue[i] ?? null;
      });
      if (fromKey) {
        table.key.forEach((field, i) => {
          row[field] = fromKey[i] ?? null;
        });
      }
      return { kind, row };
    });
  };
}
