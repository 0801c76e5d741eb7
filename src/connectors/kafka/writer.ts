import type { Change } from '../../exec/change.ts';
import type { Row } from '../../expr/value.ts';
import type { ProduceRecord } from '../../log/log.ts';
import { type KafkaTable, keyCodec, valueCodec, valueIsRow } from './table.ts';

/**
 * Which partition a record goes to, as 'sink.partitioner' says: by the key's hash ('default', and
 * always for upsert-kafka; a record without a key to partition 0), all to partition 0 ('fixed':
 * Flink's task 0 writes to partition 0), or each record to the next partition ('round-robin').
 */
function partitioner(table: KafkaTable, partitions: number): () => number | undefined {
  const mode = table.upsert ? 'default' : String(table.options.get('sink.partitioner') ?? 'default');
  if (mode === 'fixed') return () => 0;
  if (mode === 'round-robin') {
    let next = 0;
    return () => {
      const partition = next;
      next = (next + 1) % partitions;
      return partition;
    };
  }
  return () => undefined;
}

/**
 * Writes changes as Flink's connectors do: `upsert-kafka` keys each record by the JSON of the
 * primary key, writes +I and +U as values and -D and -U as tombstones; `kafka` writes inserts only
 * (the planner has made sure nothing else arrives), or, in a changelog format, every change as the
 * format's record of it. Use `kafkaTableBatchWriter` for a batch.
 */
export function kafkaTableWriter(
  table: KafkaTable,
  partitions = 1,
): (change: Change, timestamp?: number) => ProduceRecord | undefined {
  const value = valueCodec(table);
  const key = keyCodec(table);
  const keyOf = (row: Row) => (key ? key.encode(table.key.map((i) => row[i] ?? null)) : null);
  const valueColumns: (row: Row) => Row = valueIsRow(table)
    ? (row) => row
    : (row) => table.value.map((i) => row[i] ?? null);
  const partitionOf = partitioner(table, partitions);
  const encodeChange = value.encodeChange;
  if (encodeChange) {
    // A changelog format (debezium-json, canal-json) writes every change as a record of its own.
    return (change, timestamp) => {
      const partition = partitionOf();
      return {
        topic: table.topic,
        key: keyOf(change.row),
        value: encodeChange({ kind: change.kind, row: valueColumns(change.row) }),
        timestamp,
        ...(partition === undefined ? {} : { partition }),
      };
    };
  }
  return (change, timestamp) => {
    switch (change.kind) {
      case '+I':
      case '+U': {
        const row = valueColumns(change.row);
        const partition = partitionOf();
        return {
          topic: table.topic,
          key: keyOf(change.row),
          value: value.encode(row),
          timestamp,
          decoded: value.written?.(row),
          ...(partition === undefined ? {} : { partition }),
        };
      }
      case '-D':
      case '-U':
        return table.upsert ? { topic: table.topic, key: keyOf(change.row), value: null, timestamp } : undefined;
    }
  };
}

/**
 * A batch of changes as records, each stamped with its change's source time (else `timestamp`).
 * A -U that a later change of the same key in the batch replaces (the usual -U/+U pair of an
 * update) is left out; a -U on its own (a filter dropped the +U) is a delete, as in Flink. An
 * upsert-kafka table with both 'sink.buffer-flush' options above zero writes only the last record
 * of each key of a buffer of up to 'sink.buffer-flush.max-rows' keys, as Flink's buffer does; a
 * buffer is flushed at the end of each batch, before the job's commit.
 */
export function kafkaTableBatchWriter(
  table: KafkaTable,
  partitions = 1,
): (changes: readonly Change[], timestamp?: number) => ProduceRecord[] {
  const write = kafkaTableWriter(table, partitions);
  const bufferRows = Number(table.options.get('sink.buffer-flush.max-rows') ?? 0);
  const buffered = table.upsert && bufferRows > 0 && Number(table.options.get('sink.buffer-flush.interval') ?? 0) > 0;
  if (buffered) {
    return (changes, timestamp) => {
      const out: ProduceRecord[] = [];
      const buffer = new Map<string, ProduceRecord>();
      for (const change of changes) {
        const record = write(change, change.time ?? timestamp) as ProduceRecord;
        const key = record.key?.toString('latin1') ?? '';
        buffer.delete(key);
        buffer.set(key, record);
        if (buffer.size >= bufferRows) {
          out.push(...buffer.values());
          buffer.clear();
        }
      }
      out.push(...buffer.values());
      return out;
    };
  }
  return (changes, timestamp) => {
    const records: (ProduceRecord | undefined)[] = changes.map((change) => write(change, change.time ?? timestamp));
    if (!changes.some((change) => change.kind === '-U')) return records as ProduceRecord[];
    // A kafka table in a changelog format writes each -U (Flink's debezium-json: a 'd' event).
    if (!table.upsert) return records.filter((record) => record !== undefined);
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
