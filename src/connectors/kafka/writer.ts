import type { Change } from '../../exec/change.ts';
import type { Row } from '../../expr/value.ts';
import type { ProduceRecord } from '../../log/log.ts';
import { type KafkaTable, keyCodec, valueCodec } from './table.ts';

/**
 * Writes changes as Flink's connectors do: `upsert-kafka` keys each record by the JSON of the
 * primary key, writes +I and +U as values and -D and -U as tombstones; `kafka` writes inserts only
 * (the planner has made sure nothing else arrives). Use `kafkaTableBatchWriter` for a batch.
 */
export function kafkaTableWriter(table: KafkaTable): (change: Change, timestamp?: number) => ProduceRecord | undefined {
  const value = valueCodec(table);
  const key = keyCodec(table);
  const keyOf = (row: Row) => (key ? key.encode(table.key.map((i) => row[i] ?? null)) : null);
  return (change, timestamp) => {
    switch (change.kind) {
      case '+I':
      case '+U':
        return {
          topic: table.topic,
          key: keyOf(change.row),
          value: value.encode(change.row),
          timestamp,
          decoded: value.written?.(change.row),
        };
      case '-D':
      case '-U':
        return table.upsert ? { topic: table.topic, key: keyOf(change.row), value: null, timestamp } : undefined;
    }
  };
}

/**
 * A batch of changes as records, each stamped with its change's source time (else `timestamp`).
 * A -U that a later change of the same key in the batch replaces (the usual -U/+U pair of an
 * update) is left out; a -U on its own (a filter dropped the +U) is a delete, as in Flink.
 */
export function kafkaTableBatchWriter(
  table: KafkaTable,
): (changes: readonly Change[], timestamp?: number) => ProduceRecord[] {
  const write = kafkaTableWriter(table);
  return (changes, timestamp) => {
    const records: (ProduceRecord | undefined)[] = changes.map((change) => write(change, change.time ?? timestamp));
    if (!changes.some((change) => change.kind === '-U')) return records as ProduceRecord[];
    const upsertedLater = new Set<string>();
    for (let i = changes.length - 1; i >= 0; i--) {
      const key = records[i]?.key?.toString('latin1');
      if (key === undefined) continue;
      const kind = (changes[i] as Change).kind;
      if (kind === '+I' || kind === '+U') upsertedLater.add(key);
      else if (kind === '-U' && upsertedLater.has(key)) records[i] = undefined;
    }
    return records.filter((record) => record !== undefined);
  };
}
