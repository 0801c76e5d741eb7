import { RivuletError } from '../common/errors.ts';
import type { Change } from '../exec/change.ts';
import type { Row, Value } from '../expr/value.ts';
import type { DecodedValue, Log, LogReader, LogRecord, ProduceRecord, StartPosition } from '../log/log.ts';
import type { RowField } from '../types/data-type.ts';
import type { ResolvedOptions } from './factory.ts';
import {
  DEFAULT_JSON_OPTIONS,
  FormatError,
  type JsonOptions,
  jsonDecoder,
  jsonEncoder,
  jsonRoundTrip,
  jsonRowReuse,
} from './json-format.ts';

/** What the kafka and upsert-kafka connectors need to know of their table. */
export interface KafkaTable {
  readonly name: string;
  readonly connector: 'kafka' | 'upsert-kafka';
  readonly topic: string;
  /** The physical columns, in order: the value's fields (value.fields-include = ALL). */
  readonly fields: readonly RowField[];
  /** Positions of the primary key columns (upsert-kafka's message key). */
  readonly key: readonly number[];
  readonly options: ResolvedOptions;
}

function formatOptions(options: ResolvedOptions, prefix: string): JsonOptions {
  const get = (key: string) => options.get(`${prefix}json.${key}`);
  return {
    timestampStandard:
      (get('timestamp-format.standard') as 'SQL' | 'ISO-8601' | undefined) ?? DEFAULT_JSON_OPTIONS.timestampStandard,
    failOnMissingField: (get('fail-on-missing-field') as boolean | undefined) ?? false,
    ignoreParseErrors: (get('ignore-parse-errors') as boolean | undefined) ?? false,
    decimalAsPlainNumber: (get('encode.decimal-as-plain-number') as boolean | undefined) ?? false,
    ignoreNullFields: (get('encode.ignore-null-fields') as boolean | undefined) ?? false,
  };
}

function valuePrefix(table: KafkaTable): string {
  return table.options.get('value.format') !== undefined ? 'value.' : '';
}

/**
 * Writes changes as Flink's connectors do: `upsert-kafka` keys each record by the JSON of the
 * primary key, writes +I and +U as values and -D and -U as tombstones; `kafka` writes inserts only
 * (the planner has made sure nothing else arrives). Use `kafkaTableBatchWriter` for a batch.
 */
export function kafkaTableWriter(table: KafkaTable): (change: Change, timestamp?: number) => ProduceRecord | undefined {
  const valueOptions = formatOptions(table.options, valuePrefix(table));
  const encodeValue = jsonEncoder(table.fields, valueOptions);
  const roundTrip = jsonRoundTrip(table.fields, valueOptions);
  const decoded = (row: Row) => (roundTrip?.keeps(row) ? { format: roundTrip.format, row } : undefined);
  const keyFields = table.key.map((i) => table.fields[i] as RowField);
  const encodeKey = keyFields.length > 0 ? jsonEncoder(keyFields, formatOptions(table.options, 'key.')) : undefined;
  const keyOf = (row: Row) => (encodeKey ? encodeKey(table.key.map((i) => row[i] ?? null)) : null);
  return (change, timestamp) => {
    switch (change.kind) {
      case '+I':
      case '+U':
        return {
          topic: table.topic,
          key: keyOf(change.row),
          value: encodeValue(change.row),
          timestamp,
          decoded: decoded(change.row),
        };
      case '-D':
      case '-U':
        return table.connector === 'upsert-kafka'
          ? { topic: table.topic, key: keyOf(change.row), value: null, timestamp }
          : undefined;
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

/** Where a source starts, from `scan.startup.mode` and friends (Flink's names and meanings). */
export async function startPosition(log: Log, table: KafkaTable, group: string): Promise<StartPosition> {
  const mode =
    table.connector === 'upsert-kafka'
      ? 'earliest-offset'
      : String(table.options.get('scan.startup.mode') ?? 'group-offsets');
  const reset = table.options.withPrefix('properties.').get('auto.offset.reset') === 'latest' ? 'latest' : 'earliest';
  switch (mode) {
    case 'earliest-offset':
      return { kind: 'earliest' };
    case 'latest-offset':
      return { kind: 'latest' };
    case 'timestamp': {
      const millis = table.options.get('scan.startup.timestamp-millis');
      if (millis === undefined) {
        throw new RivuletError(
          'OPTION_MISSING',
          `table '${table.name}': 'scan.startup.mode' = 'timestamp' needs 'scan.startup.timestamp-millis'`,
        );
      }
      return { kind: 'timestamp', millis: Number(millis) };
    }
    case 'specific-offsets': {
      const spec = String(table.options.get('scan.startup.specific-offsets') ?? '');
      const offsets = new Map<number, bigint>();
      for (const part of spec.split(';').filter(Boolean)) {
        const match = /^\s*partition:(\d+)\s*,\s*offset:(\d+)\s*$/.exec(part);
        if (!match) {
          throw new RivuletError(
            'OPTION_INVALID',
            `table '${table.name}': 'scan.startup.specific-offsets' part '${part}' is not 'partition:N,offset:M'`,
          );
        }
        offsets.set(Number(match[1]), BigInt(match[2] as string));
      }
      return { kind: 'offsets', offsets, otherwise: reset };
    }
    default:
      return { kind: 'offsets', offsets: await log.committedPositions(group, table.topic), otherwise: reset };
  }
}

/**
 * Reads a topic as the table's changes: `upsert-kafka` turns a value into an upsert (+U, keyed)
 * and a tombstone into a delete of that key; `kafka` turns each value into an insert and skips
 * tombstones. A record that does not fit the schema fails with its topic, partition and offset,
 * or goes to the table's 'dead-letter-topic' when it has one.
 */
export class KafkaTableReader {
  private readonly decodeValue: (bytes: Uint8Array) => Row;
  /** What decodeValue would make of a record's own row, for the formats that allow it. */
  private readonly reuse: ReturnType<typeof jsonRowReuse>;
  private readonly decodeKey: ((bytes: Uint8Array) => Row) | undefined;
  private readonly deadLetter: string | undefined;

  constructor(
    private readonly log: Log,
    private readonly table: KafkaTable,
    private readonly reader: LogReader,
  ) {
    const valueOptions = formatOptions(table.options, valuePrefix(table));
    this.decodeValue = jsonDecoder(table.fields, valueOptions);
    this.reuse = jsonRowReuse(table.fields, valueOptions);
    const keyFields = table.key.map((i) => table.fields[i] as RowField);
    this.decodeKey = keyFields.length > 0 ? jsonDecoder(keyFields, formatOptions(table.options, 'key.')) : undefined;
    const deadLetter = table.options.get('dead-letter-topic');
    this.deadLetter = deadLetter === undefined ? undefined : String(deadLetter);
  }

  static async open(log: Log, table: KafkaTable, group: string): Promise<KafkaTableReader> {
    return new KafkaTableReader(log, table, await log.openReader(table.topic, await startPosition(log, table, group)));
  }

  /**
   * The newest record timestamp read so far (milliseconds). Rivulet's jobs stamp their output with
   * the source commit time of what it came from, so downstream this is the time at the source.
   */
  newestTimestamp = 0;

  positions(): ReadonlyMap<number, bigint> {
    return this.reader.positions();
  }

  async poll(max: number, timeoutMs: number): Promise<Change[]> {
    return (await this.pollEntries(max, timeoutMs)).map((entry) => entry.change);
  }

  /** Like poll, with the partition and offset of the record each change came from. */
  async pollEntries(max: number, timeoutMs: number): Promise<{ change: Change; partition: number; offset: bigint }[]> {
    const records = await this.reader.poll(max, timeoutMs);
    for (const record of records) if (record.timestamp > this.newestTimestamp) this.newestTimestamp = record.timestamp;
    const changes: { change: Change; partition: number; offset: bigint }[] = [];
    const rejected: LogRecord[] = [];
    for (const record of records) {
      try {
        const change = this.toChange(record);
        if (change) changes.push({ change, partition: record.partition, offset: record.offset });
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        if (this.deadLetter === undefined) {
          throw new RivuletError(
            'RECORD_UNREADABLE',
            `record at topic '${record.topic}', partition ${record.partition}, offset ${record.offset} does not fit table '${this.table.name}': ${error.message}`,
            `fix the producer of that record, set 'value.json.ignore-parse-errors' = 'true', or route such records with 'dead-letter-topic'`,
          );
        }
        rejected.push(record);
      }
    }
    if (rejected.length > 0 && this.deadLetter !== undefined) {
      const topic = this.deadLetter;
      await this.log.ensureTopic(topic);
      await this.log.produce(
        rejected.map((record) => ({ topic, key: record.key, value: record.value, timestamp: record.timestamp })),
      );
    }
    return changes;
  }

  private rowOf(value: Buffer, record: LogRecord): Row {
    const decoded = record.decoded;
    const reuse = decoded && this.reuse(decoded.format);
    return reuse ? reuse((decoded as DecodedValue).row) : this.decodeValue(value);
  }

  private toChange(record: LogRecord): Change | undefined {
    if (this.table.connector === 'kafka') {
      return record.value === null
        ? undefined
        : { kind: '+I', row: this.rowOf(record.value, record), time: record.timestamp };
    }
    if (record.value !== null) return { kind: '+U', row: this.rowOf(record.value, record), time: record.timestamp };
    if (record.key === null || !this.decodeKey) return undefined;
    const key = this.decodeKey(record.key);
    const row: Value[] = new Array(this.table.fields.length).fill(null);
    this.table.key.forEach((field, i) => {
      row[field] = key[i] ?? null;
    });
    return { kind: '-D', row, time: record.timestamp };
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
