import { type DataType, T } from '../../types/data-type.ts';
import type { ConnectorFactory } from '../factory.ts';
import { handled, opt, scanParallelism, sinkParallelism } from '../options.ts';
import type { ResolvedOptions } from '../table.ts';

const EXACTLY_ONCE =
  "output is committed in the log's transactions together with the positions the job consumed: exactly once, which meets every guarantee";

/** Options that `kafka` and `upsert-kafka` share. */
export const KAFKA_COMMON_OPTIONS = [
  opt.string('connector', "'kafka' or 'upsert-kafka'", { required: true }),
  opt.string('topic', 'the topic to read or write'),
  opt.string(
    'properties.bootstrap.servers',
    "Kafka brokers: on a kafka log, its cluster's; on the postgres log, where topics are tables, they name nothing",
  ),
  opt.string('properties.group.id', "the consumer group whose committed offsets 'group-offsets' starts (or ends) at"),
  opt.enumOf(
    'properties.auto.offset.reset',
    ['earliest', 'latest', 'none'],
    "where 'group-offsets' starts in a partition the group has no offset for",
  ),
  opt.prefix('properties.', 'Kafka client properties', {
    handling: handled.warned(
      "topics are read and written through the log's own Kafka client, whose settings are the log's",
    ),
  }),
  opt.string('key.fields-prefix', 'prefix of the key columns in the table schema', { default: '' }),
  opt.enumOf('value.fields-include', ['ALL', 'EXCEPT_KEY'], 'whether the value also holds the key columns', {
    default: 'ALL',
  }),
  sinkParallelism,
  scanParallelism,
  opt.enumOf(
    'scan.bounded.mode',
    ['unbounded', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'],
    'where a reader stops: the table is then bounded, and a job of bounded sources finishes',
    { default: 'unbounded' },
  ),
  opt.long('scan.bounded.timestamp-millis', "end time for scan.bounded.mode 'timestamp'"),
  opt.string(
    'scan.bounded.specific-offsets',
    "end offsets per partition: 'partition:0,offset:42;partition:1,offset:300'",
  ),
  opt.enumOf('sink.delivery-guarantee', ['at-least-once', 'exactly-once', 'none'], 'delivery guarantee of the sink', {
    default: 'at-least-once',
    handling: handled.met(EXACTLY_ONCE),
  }),
  opt.string(
    'dead-letter-topic',
    'where records that cannot be read go (with their location and error), committed with the job, instead of failing it; also records on which an expression right after the source fails (docs/udf.md)',
  ),
  opt.string('sink.transactional-id-prefix', 'prefix of transactional ids for exactly-once', {
    handling: handled.met(
      "the log's transactional ids are Rivulet's own, unique per instance and job (rivulet up keeps them in its data directory)",
    ),
  }),
] as const;

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

/** The topic a kafka or upsert-kafka table names (see ConnectorFactory.topic). */
export const tableTopic = (options: ResolvedOptions): string | undefined => {
  const topic = options.get('topic');
  return topic === undefined ? undefined : String(topic);
};

/** Flink's checks of the options both connectors share, for a table whose key columns are `keyColumns`. */
export function validateCommon(
  options: ResolvedOptions,
  keyColumns: readonly string[],
): ReturnType<NonNullable<ConnectorFactory['validate']>> {
  const prefix = String(options.get('key.fields-prefix') ?? '');
  if (prefix !== '') {
    if (options.get('value.fields-include') !== 'EXCEPT_KEY') {
      return {
        message:
          "A key prefix is not allowed when option 'value.fields-include' is set to 'ALL'. Set it to 'EXCEPT_KEY' instead to avoid field overlaps.",
        option: 'key.fields-prefix',
      };
    }
    const unprefixed = keyColumns.find((column) => !column.startsWith(prefix));
    if (unprefixed !== undefined) {
      return {
        message: `All fields in 'key.fields' must be prefixed with '${prefix}' when option 'key.fields-prefix' is set but field '${unprefixed}' is not prefixed.`,
        option: 'key.fields-prefix',
      };
    }
  }
  const mode = String(options.get('scan.bounded.mode'));
  const needs: Readonly<Record<string, string>> = {
    timestamp: 'scan.bounded.timestamp-millis',
    'specific-offsets': 'scan.bounded.specific-offsets',
    'group-offsets': 'properties.group.id',
  };
  const needed = needs[mode];
  if (needed !== undefined && options.get(needed) === undefined) {
    return { message: `'scan.bounded.mode' = '${mode}' needs '${needed}'`, option: 'scan.bounded.mode' };
  }
  if (
    options.get('sink.delivery-guarantee') === 'exactly-once' &&
    options.get('sink.transactional-id-prefix') === undefined
  ) {
    return {
      message: "'sink.transactional-id-prefix' must be specified when using DeliveryGuarantee.EXACTLY_ONCE.",
      option: 'sink.delivery-guarantee',
    };
  }
  return deadLetterConflict(options);
}

/**
 * 'dead-letter-topic' with a format's 'ignore-parse-errors': the format would skip the records
 * the topic is there to keep. Refused, naming both.
 */
function deadLetterConflict(options: ResolvedOptions): { message: string; option: string } | undefined {
  if (options.get('dead-letter-topic') === undefined) return undefined;
  for (const [formatKey, prefix] of [
    ['format', ''],
    ['value.format', 'value.'],
    ['key.format', 'key.'],
  ]) {
    const format = options.get(formatKey as string);
    if (format === undefined) continue;
    const key = `${prefix}${String(format)}.ignore-parse-errors`;
    if (options.get(key) === true) {
      return {
        message: `give 'dead-letter-topic' or '${key}' = 'true', not both: the format would skip the records the dead-letter topic is there to keep`,
        option: key,
      };
    }
  }
  return undefined;
}
