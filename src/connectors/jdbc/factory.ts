import type { ConnectorFactory } from '../factory.ts';
import { opt } from '../options.ts';
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
    opt.string('driver', 'accepted for compatibility; Rivulet speaks PostgreSQL natively'),
    opt.string('username', 'database user'),
    opt.string('password', 'database password', { sensitive: true }),
    opt.duration('connection.max-retry-timeout', 'how long to retry a connection', { default: '60s' }),
    opt.string('scan.partition.column', 'column to split a scan by'),
    opt.int('scan.partition.num', 'number of scan partitions'),
    opt.long('scan.partition.lower-bound', 'smallest value of the first partition'),
    opt.long('scan.partition.upper-bound', 'largest value of the last partition'),
    opt.int('scan.fetch-size', 'rows fetched per round trip', { default: '0' }),
    opt.boolean('scan.auto-commit', 'auto-commit while scanning', { default: 'true' }),
    opt.enumOf('lookup.cache', ['NONE', 'PARTIAL'], 'lookup cache strategy', { default: 'NONE' }),
    opt.long('lookup.partial-cache.max-rows', 'most rows kept in the lookup cache'),
    opt.duration('lookup.partial-cache.expire-after-write', 'how long a cached row lives after it is loaded'),
    opt.duration('lookup.partial-cache.expire-after-access', 'how long a cached row lives after its last use'),
    opt.boolean('lookup.partial-cache.cache-missing-key', 'cache keys with no row too', { default: 'true' }),
    opt.long('lookup.cache.max-rows', 'legacy: most rows in the lookup cache'),
    opt.duration('lookup.cache.ttl', 'legacy: lifetime of a cached row'),
    opt.boolean('lookup.cache.caching-missing-key', 'legacy: cache missing keys', { default: 'true' }),
    opt.int('lookup.max-retries', 'retries of a failed lookup', { default: '3' }),
    opt.int('sink.buffer-flush.max-rows', 'rows buffered before a flush (0 = no limit)', { default: '100' }),
    opt.duration('sink.buffer-flush.interval', 'longest time rows stay buffered (0 = no limit)', { default: '1s' }),
    opt.int('sink.max-retries', 'retries of a failed write', { default: '3' }),
    opt.int('sink.parallelism', 'parallelism of the sink'),
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
  validate(_table, options) {
    const url = String(options.get('url'));
    if (!/^jdbc:postgresql:\/\//.test(url)) {
      return {
        message: `'url' must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database), got '${url}'`,
        option: 'url',
        hint: 'Rivulet writes to and reads from PostgreSQL',
      };
    }
    return undefined;
  },
};
