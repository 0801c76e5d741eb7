import type { ConnectorFactory } from '../factory.ts';
import { FORMATS } from '../formats/formats.ts';
import { handled, opt } from '../options.ts';
import {
  KAFKA_COMMON_OPTIONS,
  KAFKA_READABLE_METADATA,
  KAFKA_WRITABLE_METADATA,
  tableTopic,
  validateCommon,
} from './common-options.ts';
import { KafkaTableReader } from './reader.ts';
import { openLogSink } from './sink.ts';
import { changelogValue, formatWriteProblem, splitFields, valueFormatOf } from './table.ts';

const STARTUP_MODES = ['earliest-offset', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'];

export const kafkaFactory: ConnectorFactory = {
  identifier: 'kafka',
  description: 'a topic whose records are inserts, or changes in a changelog format (debezium-json, canal-json)',
  topic: tableTopic,
  options: [
    ...KAFKA_COMMON_OPTIONS,
    opt.string('topic-pattern', 'a regular expression of topics to read', {
      handling: handled.rejected(
        'a table reads one topic here; reading every topic that matches a pattern is not supported yet',
        "name the topic with 'topic', one table per topic, and UNION ALL the tables",
      ),
    }),
    opt.string('format', 'the format of the value (alias of value.format)'),
    opt.string('value.format', 'the format of the value'),
    opt.string('key.format', 'the format of the key'),
    opt.string('key.fields', "the columns written to the key, separated by ';'"),
    opt.enumOf('scan.startup.mode', STARTUP_MODES, 'where a new reader starts', { default: 'group-offsets' }),
    opt.long('scan.startup.timestamp-millis', "start time for scan.startup.mode 'timestamp'"),
    opt.string('scan.startup.specific-offsets', "'partition:0,offset:42;partition:1,offset:300'"),
    opt.duration('scan.topic-partition-discovery.interval', "only '0': partitions added later are not discovered"),
    opt.enumOf('sink.partitioner', ['default', 'fixed', 'round-robin'], 'how records are spread over partitions', {
      default: 'default',
    }),
  ],
  formatOptions: [
    { key: 'format', prefix: '' },
    { key: 'value.format', prefix: 'value.' },
    { key: 'key.format', prefix: 'key.' },
  ],
  source: {
    changelog: (options) => (changelogValue(options) ? 'all' : 'insert-only'),
    metadata: KAFKA_READABLE_METADATA,
    open: (context) => KafkaTableReader.open(context, false),
  },
  sink: {
    accepts: (_table, options) => (changelogValue(options) ? 'upsert' : 'append-only'),
    updatesHint:
      "write to an 'upsert-kafka' table with a PRIMARY KEY, or to a kafka table in a changelog format ('format' = 'debezium-json')",
    open: (context) => openLogSink(context, false),
    writeProblem: formatWriteProblem,
    metadata: KAFKA_WRITABLE_METADATA,
  },
  validate(table, options) {
    const topic = options.get('topic');
    if (topic === undefined) return { message: "One or more required options are missing: 'topic'" };
    if (String(topic).includes(';')) {
      return {
        message: `'topic' = '${String(topic)}' lists several topics; a table reads one topic here`,
        option: 'topic',
        hint: 'declare one table per topic and UNION ALL them',
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
    if (table.primaryKey && valueFormatOf(options)?.changelog !== true) {
      return {
        message: `The Kafka table '${table.name}' with '${String(format ?? valueFormat)}' format doesn't support defining PRIMARY KEY constraint on the table, because it can't guarantee the semantic of primary key.`,
        hint: "remove the PRIMARY KEY, or use the 'upsert-kafka' connector to read and write changes by key",
      };
    }
    const keyFields = options.get('key.fields');
    const keyFormat = options.get('key.format');
    if (keyFormat !== undefined && FORMATS.get(String(keyFormat))?.changelog) {
      return {
        message: `A key format should only deal with INSERT-only records. But ${String(keyFormat)} has a changelog mode of [INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE].`,
        option: 'key.format',
        hint: "use an insert-only format for the key, such as 'json', 'csv' or 'raw'",
      };
    }
    if (keyFields !== undefined && keyFormat === undefined) {
      return { message: "'key.fields' needs 'key.format'", option: 'key.fields' };
    }
    if (keyFormat !== undefined && keyFields === undefined) {
      return {
        message: "A key format 'key.format' requires the declaration of one or more of key fields using 'key.fields'.",
        option: 'key.format',
      };
    }
    const keyColumns = keyFields === undefined ? [] : splitFields(String(keyFields));
    const unknown = keyColumns.find((column) => !table.columns.includes(column));
    if (unknown !== undefined) {
      return {
        message: `Could not find the field '${unknown}' in the table schema for usage in the key format. A key field must be a regular, physical column. The following columns can be selected in the 'key.fields' option: [${table.columns.join(', ')}]`,
        option: 'key.fields',
      };
    }
    if (Number(options.get('scan.topic-partition-discovery.interval') ?? 0) !== 0) {
      return {
        message:
          "partitions added to a topic after a job started are not discovered: 'scan.topic-partition-discovery.interval' can only be '0'",
        option: 'scan.topic-partition-discovery.interval',
        hint: "remove the option or set it to '0'",
      };
    }
    return validateCommon(options, keyColumns);
  },
};
