import type { ConnectorFactory } from '../factory.ts';
import { FORMATS } from '../formats/formats.ts';
import { opt } from '../options.ts';
import {
  KAFKA_COMMON_OPTIONS,
  KAFKA_READABLE_METADATA,
  KAFKA_WRITABLE_METADATA,
  tableTopic,
  validateCommon,
} from './common-options.ts';
import { KafkaTableReader } from './reader.ts';
import { openLogSink } from './sink.ts';
import { formatWriteProblem } from './table.ts';

export const upsertKafkaFactory: ConnectorFactory = {
  identifier: 'upsert-kafka',
  description: 'a compacted topic keyed by the primary key: a value upserts, a tombstone deletes',
  topic: tableTopic,
  options: [
    ...KAFKA_COMMON_OPTIONS,
    opt.string('key.format', 'the format of the key (the primary key columns)', { required: true }),
    opt.string('value.format', 'the format of the value', { required: true }),
    opt.int('sink.buffer-flush.max-rows', 'keys buffered before a flush; only the last record of each is written', {
      default: '0',
    }),
    opt.duration('sink.buffer-flush.interval', 'longest time records stay buffered (0 = no buffer)', { default: '0' }),
  ],
  formatOptions: [
    { key: 'value.format', prefix: 'value.' },
    { key: 'key.format', prefix: 'key.' },
  ],
  source: {
    changelog: () => 'upsert',
    metadata: KAFKA_READABLE_METADATA,
    open: (context) => KafkaTableReader.open(context, true),
  },
  sink: {
    accepts: () => 'upsert',
    metadata: KAFKA_WRITABLE_METADATA,
    open: (context) => openLogSink(context, true),
    writeProblem: formatWriteProblem,
  },
  validate(table, options) {
    if (!table.primaryKey) {
      return {
        message:
          "'upsert-kafka' tables require to define a PRIMARY KEY constraint. The PRIMARY KEY specifies which columns should be read from or write to the Kafka message key. The PRIMARY KEY also defines records in the 'upsert-kafka' table should update or delete on which keys.",
        hint: 'add PRIMARY KEY (col, ...) NOT ENFORCED to the table',
      };
    }
    if (options.get('topic') === undefined) return { message: "One or more required options are missing: 'topic'" };
    for (const [key, role] of [
      ['key.format', 'key'],
      ['value.format', 'value'],
    ] as const) {
      const identifier = String(options.get(key));
      if (FORMATS.get(identifier)?.changelog) {
        return {
          message: `'upsert-kafka' connector doesn't support '${identifier}' as ${role} format, because '${identifier}' is not in insert-only mode.`,
          option: key,
          hint: "read a changelog format with the 'kafka' connector instead",
        };
      }
    }
    return validateCommon(options, table.primaryKey);
  },
};
