import { type DataType, T } from '../../types/data-type.ts';
import type { ConnectorFactory } from '../factory.ts';
import { opt } from '../options.ts';
import type { ResolvedOptions } from '../table.ts';
import { KafkaTableReader } from './reader.ts';
import { openLogSink } from './sink.ts';

const STARTUP_MODES = ['earliest-offset', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'];

/** Options that `kafka` and `upsert-kafka` share. */
export const KAFKA_COMMON_OPTIONS = [
  opt.string('connector', "'kafka' or 'upsert-kafka'", { required: true }),
  opt.string('topic', 'the topic to read or write'),
  opt.string(
    'properties.bootstrap.servers',
    'Kafka brokers; ignored on the postgres log, where topics live in PostgreSQL',
  ),
  opt.prefix('properties.', 'Kafka client properties, such as properties.group.id'),
  opt.string('key.fields-prefix', 'prefix of the key columns in the table schema', { default: '' }),
  opt.enumOf('value.fields-include', ['ALL', 'EXCEPT_KEY'], 'whether the value also holds the key columns', {
    default: 'ALL',
  }),
  opt.int('sink.parallelism', 'parallelism of the sink'),
  opt.int('scan.parallelism', 'parallelism of the source'),
  opt.string(
    'dead-letter-topic',
    'where records that cannot be read go (with their location and error), committed with the job, instead of failing it',
  ),
] as const;

/**
 * 'dead-letter-topic' with a format's 'ignore-parse-errors': the format would skip the records
 * the topic is there to keep. Refused, naming both.
 */
export function deadLetterConflict(options: ResolvedOptions): { message: string; option: string } | undefined {
  if (options.get('dead-letter-topic') === undefined) return undefined;
  for (const key of ['json.ignore-parse-errors', 'value.json.ignore-parse-errors', 'key.json.ignore-parse-errors']) {
    if (options.get(key) === true) {
      return {
        message: `give 'dead-letter-topic' or '${key}' = 'true', not both: the format would skip the records the dead-letter topic is there to keep`,
        option: key,
      };
    }
  }
  return undefined;
}

/** Metadata columns a kafka or upsert-kafka table may read, as Flink's connectors name them. */
export const KAFKA_READABLE_METADATA: Readonly<Record<string, DataType>> = {
  topic: T.string(false),
  partition: T.int(false),
  headers: { kind: 'MAP', key: T.string(false), value: T.bytes(), nullable: false },
  'leader-epoch': T.int(),
  offset: T.bigint(false),
  timestamp: T.timestampLtz(3, false),
  'timestamp-type': T.string(false),
};

/** Metadata columns a kafka or upsert-kafka table may write. */
export const KAFKA_WRITABLE_METADATA: Readonly<Record<string, DataType>> = {
  headers: { kind: 'MAP', key: T.string(false), value: T.bytes(), nullable: false },
  timestamp: T.timestampLtz(3, false),
};

export const kafkaFactory: ConnectorFactory = {
  identifier: 'kafka',
  description: 'an append-only topic: each record is an insert',
  options: [
    ...KAFKA_COMMON_OPTIONS,
    opt.string('topic-pattern', 'a regular expression of topics to read'),
    opt.string('format', 'the format of the value (alias of value.format)'),
    opt.string('value.format', 'the format of the value'),
    opt.string('key.format', 'the format of the key'),
    opt.string('key.fields', "the columns written to the key, separated by ';'"),
    opt.enumOf('scan.startup.mode', STARTUP_MODES, 'where a new reader starts', { default: 'group-offsets' }),
    opt.long('scan.startup.timestamp-millis', "start time for scan.startup.mode 'timestamp'"),
    opt.string('scan.startup.specific-offsets', "'partition:0,offset:42;partition:1,offset:300'"),
    opt.enumOf(
      'scan.bounded.mode',
      ['unbounded', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'],
      'where a reader stops',
      { default: 'unbounded' },
    ),
    opt.long('scan.bounded.timestamp-millis', "end time for scan.bounded.mode 'timestamp'"),
    opt.string('scan.bounded.specific-offsets', 'end offsets per partition'),
    opt.duration('scan.topic-partition-discovery.interval', 'how often to look for new partitions'),
    opt.enumOf('sink.partitioner', ['default', 'fixed', 'round-robin'], 'how records are spread over partitions', {
      default: 'default',
    }),
    opt.enumOf('sink.delivery-guarantee', ['at-least-once', 'exactly-once', 'none'], 'delivery guarantee of the sink', {
      default: 'at-least-once',
    }),
    opt.string('sink.transactional-id-prefix', 'prefix of transactional ids for exactly-once'),
  ],
  formatOptions: [
    { key: 'format', prefix: '' },
    { key: 'value.format', prefix: 'value.' },
    { key: 'key.format', prefix: 'key.' },
  ],
  source: {
    changelog: () => 'insert-only',
    metadata: KAFKA_READABLE_METADATA,
    open: (context) => KafkaTableReader.open(context, false),
  },
  sink: {
    accepts: () => 'append-only',
    updatesHint: "write to an 'upsert-kafka' table with a PRIMARY KEY instead",
    open: (context) => openLogSink(context, false),
    metadata: KAFKA_WRITABLE_METADATA,
  },
  validate(table, options) {
    const hasTopic = options.get('topic') !== undefined;
    if (hasTopic === (options.get('topic-pattern') !== undefined)) {
      return {
        message: "give exactly one of 'topic' and 'topic-pattern'",
        option: hasTopic ? 'topic-pattern' : undefined,
      };
    }
    const format = options.get('format');
    const valueFormat = options.get('value.format');
    if (format === undefined && valueFormat === undefined) {
      return { message: "one of 'format' or 'value.format' is required", hint: "add 'format' = 'json'" };
    }
    if (format !== undefined && valueFormat !== undefined) {
      return { message: "give 'format' or 'value.format', not both", option: 'value.format' };
    }
    if (table.primaryKey && (format ?? valueFormat) === 'json') {
      return {
        message: `The Kafka table '${table.name}' with 'json' format doesn't support defining PRIMARY KEY constraint on the table, because it can't guarantee the semantic of primary key.`,
        hint: "remove the PRIMARY KEY, or use the 'upsert-kafka' connector to read and write changes by key",
      };
    }
    if (options.get('key.fields') !== undefined && options.get('key.format') === undefined) {
      return { message: "'key.fields' needs 'key.format'", option: 'key.fields' };
    }
    return deadLetterConflict(options);
  },
};
