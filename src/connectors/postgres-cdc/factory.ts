import { T } from '../../types/data-type.ts';
import type { ConnectorFactory } from '../factory.ts';
import { opt } from '../options.ts';
import { PostgresCdcReader } from './reader.ts';

export const postgresCdcFactory: ConnectorFactory = {
  identifier: 'postgres-cdc',
  description: 'changes of a PostgreSQL table through logical replication (pgoutput): snapshot, then stream',
  options: [
    opt.string('connector', "'postgres-cdc'", { required: true }),
    opt.string('hostname', 'database host', { required: true }),
    opt.int('port', 'database port', { default: '5432' }),
    opt.string('username', 'a user with the REPLICATION attribute and SELECT on the table', { required: true }),
    opt.string('password', 'database password', { required: true, sensitive: true }),
    opt.string('database-name', 'database of the table', { required: true }),
    opt.string('schema-name', 'schema of the table', { required: true }),
    opt.string('table-name', 'the table', { required: true }),
    opt.string('slot.name', 'the replication slot; unique per source table', { required: true }),
    opt.enumOf('decoding.plugin.name', ['pgoutput'], 'logical decoding output plugin', { default: 'pgoutput' }),
    opt.enumOf('scan.startup.mode', ['initial', 'latest-offset'], 'snapshot then stream, or stream only', {
      default: 'initial',
    }),
    opt.enumOf('changelog-mode', ['all', 'upsert'], 'emit -U/+U pairs, or only upserts', { default: 'all' }),
    opt.duration('heartbeat.interval', 'how often to advance the slot on an idle table', { default: '30s' }),
    opt.boolean('slot.drop-on-stop', 'drop the slot when the job is cancelled', { default: 'false' }),
    opt.string(
      'publication.name',
      "an existing publication that covers the table; unset, Rivulet manages 'rivulet_<slot.name>'",
    ),
    opt.boolean(
      'scan.incremental.snapshot.enabled',
      'accepted for compatibility; snapshots are always consistent with the stream',
      { default: 'false' },
    ),
    opt.int('scan.incremental.snapshot.chunk.size', 'rows per snapshot chunk', { default: '8096' }),
    opt.int('scan.snapshot.fetch.size', 'rows fetched per snapshot round trip', { default: '1024' }),
    opt.duration('connect.timeout', 'connection timeout', { default: '30s' }),
    opt.int('connect.max-retries', 'connection retries', { default: '3' }),
    opt.int('connection.pool.size', 'accepted for compatibility', { default: '20' }),
    opt.string('debezium.slot.drop.on.stop', "Debezium's name for slot.drop-on-stop"),
    opt.string('debezium.publication.name', "Debezium's name for publication.name"),
    opt.string('debezium.publication.autocreate.mode', "'filtered' (the default here) or 'disabled'"),
    opt.string('debezium.snapshot.mode', "'initial' or 'never' (as scan.startup.mode)"),
    opt.string('debezium.heartbeat.interval.ms', "Debezium's name for heartbeat.interval"),
    opt.string('debezium.decimal.handling.mode', "only 'precise' (exact DECIMAL) is supported"),
    opt.string('debezium.time.precision.mode', "only 'adaptive_time_microseconds' / 'connect' precision is kept"),
  ],
  source: {
    changelog: (options) => (options.get('changelog-mode') === 'upsert' ? 'upsert' : 'all'),
    readOnce: true,
    open: (context) => PostgresCdcReader.forJob(context),
    metadata: {
      database_name: T.string(false),
      schema_name: T.string(false),
      table_name: T.string(false),
      op_ts: T.timestampLtz(3, false),
      row_kind: T.string(false),
      'source.lsn': T.bigint(false),
    },
  },
  validate(table) {
    if (!table.primaryKey) {
      return {
        message: `postgres-cdc table '${table.name}' needs a PRIMARY KEY to read updates and deletes`,
        hint: 'declare the source table primary key: PRIMARY KEY (col, ...) NOT ENFORCED',
      };
    }
    return undefined;
  },
};
