import type { RowField } from '../../types/data-type.ts';
import { type JsonOptions, jsonOptions } from '../formats/json-options.ts';
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

/** The json options of the record's value (`value.json.*`, or `json.*` with 'format'). */
export function valueOptions(table: KafkaTable): JsonOptions {
  return jsonOptions(table.options, table.options.get('value.format') !== undefined ? 'value.' : '');
}

/** The json options of the record's key (`key.json.*`). */
export function keyOptions(table: KafkaTable): JsonOptions {
  return jsonOptions(table.options, 'key.');
}
