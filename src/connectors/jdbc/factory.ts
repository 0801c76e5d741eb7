import { type DataType, formatType } from '../../types/data-type.ts';
import type { ConnectorFactory } from '../factory.ts';
import { handled, opt, sinkParallelism } from '../options.ts';
import type { ResolvedOptions } from '../table.ts';
import { openJdbcLookup } from './lookup.ts';
import { JdbcScanReader } from './scan.ts';
import { openJdbcSink } from './sink.ts';

export const jdbcFactory: ConnectorFactory = {
  identifier: 'jdbc',
  description: 'a PostgreSQL table: upsert sink by primary key (append without one), scan and lookup source',
  options: [
    opt.string('connector', "'jdbc'", { required: true }),
    opt.string('url', 'jdbc:postgresql://host:port/database', { required: true }),
    opt.string('table-name', 'the table, optionally schema-qualified', { required: true }),
    opt.string('driver', "the JDBC driver class: only PostgreSQL's, 'org.postgresql.Driver'"),
    opt.string('username', 'database user'),
    opt.string('password', 'database password', { sensitive: true }),
    opt.duration('connection.max-retry-timeout', 'how long a connection may take to be made (at least 1 s)', {
      default: '60s',
    }),
    opt.string('scan.partition.column', 'column to split a scan by: only rows from lower to upper bound are read'),
    opt.int('scan.partition.num', 'number of scan partitions'),
    opt.long('scan.partition.lower-bound', 'smallest value of the first partition'),
    opt.long('scan.partition.upper-bound', 'largest value of the last partition'),
    opt.int('scan.fetch-size', 'rows fetched per round trip', { default: '0' }),
    opt.boolean('scan.auto-commit', 'auto-commit while scanning', {
      default: 'true',
      handling: handled.met('a scan reads through a cursor in one read-only transaction, as one snapshot, either way'),
    }),
    opt.enumOf('lookup.cache', ['NONE', 'PARTIAL'], 'lookup cache strategy', { default: 'NONE' }),
    opt.long('lookup.partial-cache.max-rows', 'most rows kept in the lookup cache'),
    opt.duration('lookup.partial-cache.expire-after-write', 'how long a cached row lives after it is loaded'),
    opt.duration('lookup.partial-cache.expire-after-access', 'how long a cached row lives after its last use'),
    opt.boolean('lookup.partial-cache.cache-missing-key', 'cache keys with no row too', { default: 'true' }),
    opt.long('lookup.cache.max-rows', 'legacy: most rows in the lookup cache'),
    opt.duration('lookup.cache.ttl', 'legacy: lifetime of a cached row'),
    opt.boolean('lookup.cache.caching-missing-key', 'legacy: cache missing keys', { default: 'true' }),
    opt.int('lookup.max-retries', 'retries of a failed lookup', { default: '3' }),
    opt.int('sink.buffer-flush.max-rows', 'rows buffered before a flush (0 = no limit)', {
      default: '100',
      handling: handled.met('output is written at every commit, after each batch, before either limit is reached'),
    }),
    opt.duration('sink.buffer-flush.interval', 'longest time rows stay buffered (0 = no limit)', {
      default: '1s',
      handling: handled.met('output is written at every commit, after each batch, before either limit is reached'),
    }),
    opt.int('sink.max-retries', 'retries of a failed write', { default: '3' }),
    sinkParallelism,
  ],
  source: {
    changelog: () => 'insert-only',
    bounded: true,
    metadata: {},
    open: (context) => JdbcScanReader.open(context),
  },
  lookup: { open: openJdbcLookup },
  sink: {
    accepts: (table) => (table.primaryKey ? 'upsert' : 'append-only'),
    updatesHint: 'declare a PRIMARY KEY (...) NOT ENFORCED on the sink table so it is written as upserts',
    open: openJdbcSink,
  },
  validate(table, options) {
    // Flink's PostgreSQL dialect takes the atomic types and ARRAY (read only: see sink.ts).
    const index = (table.columnTypes ?? []).findIndex((type) => ['MAP', 'ROW', 'MULTISET'].includes(type.kind));
    if (index >= 0) {
      return {
        message: `The PostgreSQL dialect doesn't support type: ${formatType((table.columnTypes ?? [])[index] as DataType)} (column '${table.columns[index]}')`,
        hint: 'read and write such a column as text (STRING), or in a kafka table',
      };
    }
    const url = String(options.get('url'));
    if (!/^jdbc:postgresql:\/\//.test(url)) {
      return {
        message: `'url' must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database), got '${url}'`,
        option: 'url',
        hint: 'Rivulet writes to and reads from PostgreSQL',
      };
    }
    const driver = options.get('driver');
    if (driver !== undefined && driver !== 'org.postgresql.Driver') {
      return {
        message: `'driver' = '${String(driver)}' is not supported: Rivulet speaks PostgreSQL's protocol itself`,
        option: 'driver',
        hint: "remove 'driver' or set it to 'org.postgresql.Driver'",
      };
    }
    if (Number(options.get('connection.max-retry-timeout')) < 1000) {
      return {
        message: "'connection.max-retry-timeout' must be at least 1 s, as in Flink",
        option: 'connection.max-retry-timeout',
      };
    }
    return validatePartitionedScan(options);
  },
};

const PARTITION_OPTIONS = [
  'scan.partition.column',
  'scan.partition.num',
  'scan.partition.lower-bound',
  'scan.partition.upper-bound',
];

/** Flink's checks of a partitioned scan: all four options or none, and a lower bound not above the upper one. */
function validatePartitionedScan(options: ResolvedOptions): ReturnType<NonNullable<ConnectorFactory['validate']>> {
  const given = PARTITION_OPTIONS.filter((key) => options.get(key) !== undefined);
  if (given.length > 0 && given.length < PARTITION_OPTIONS.length) {
    return {
      message: `Either all or none of the following options should be provided: ${PARTITION_OPTIONS.join(', ')}`,
      option: given[0],
    };
  }
  if (given.length > 0) {
    if (Number(options.get('scan.partition.lower-bound')) > Number(options.get('scan.partition.upper-bound'))) {
      return {
        message: "'scan.partition.lower-bound' must not be larger than 'scan.partition.upper-bound'",
        option: 'scan.partition.lower-bound',
      };
    }
    if (Number(options.get('scan.partition.num')) < 1) {
      return { message: "'scan.partition.num' must be at least 1", option: 'scan.partition.num' };
    }
  }
  return undefined;
}
