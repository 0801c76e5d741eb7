import { T } from '../../types/data-type.ts';
import type { ConnectorFactory } from '../factory.ts';
import { followed, handled, opt } from '../options.ts';
import { debeziumRowOptions } from './debezium-properties.ts';
import { PostgresCdcReader } from './reader.ts';
import { debeziumQueueProblem, skippedOperations } from './settings.ts';

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
    opt.enumOf(
      'decoding.plugin.name',
      ['pgoutput', 'decoderbufs', 'wal2json', 'wal2json_rds', 'wal2json_streaming', 'wal2json_rds_streaming'],
      'logical decoding output plugin',
      {
        default: 'pgoutput',
        handling: handled.met('changes are decoded from pgoutput, the plugin built into PostgreSQL'),
        refused: {
          values: ['decoderbufs', 'wal2json', 'wal2json_rds', 'wal2json_streaming', 'wal2json_rds_streaming'],
          why: "Rivulet decodes 'pgoutput', the plugin built into PostgreSQL, and no other",
          hint: "remove the option or set it to 'pgoutput'",
        },
      },
    ),
    opt.enumOf('scan.startup.mode', ['initial', 'latest-offset'], 'snapshot then stream, or stream only', {
      default: 'initial',
    }),
    opt.enumOf('changelog-mode', ['all', 'upsert'], 'emit -U/+U pairs, or only upserts', { default: 'all' }),
    opt.duration('heartbeat.interval', 'how often to advance the slot on an idle table', { default: '30s' }),
    opt.duration(
      'heartbeat.interval.ms',
      "Flink CDC's name for heartbeat.interval (a duration: '10s', or milliseconds)",
    ),
    opt.boolean('slot.drop-on-stop', 'drop the slot when the job is cancelled', { default: 'false' }),
    opt.string(
      'publication.name',
      "an existing publication that covers the table; unset, Rivulet manages 'rivulet_<slot.name>'",
    ),
    opt.boolean('scan.incremental.snapshot.enabled', 'read the snapshot in chunks, in parallel', {
      default: 'false',
      handling: handled.warned(
        'the snapshot is read in one process through one consistent transaction; it gives the same rows',
        ['false'],
      ),
    }),
    opt.int('scan.incremental.snapshot.chunk.size', 'rows per snapshot chunk', {
      default: '8096',
      handling: handled.warned('the snapshot is read in one process, not split into chunks'),
    }),
    opt.int('scan.snapshot.fetch.size', 'rows fetched per snapshot round trip', { default: '1024' }),
    opt.duration('connect.timeout', 'connection timeout', { default: '30s' }),
    opt.int('connect.max-retries', 'connection retries', { default: '3' }),
    opt.int('connection.pool.size', 'connections of the snapshot readers', {
      default: '20',
      handling: handled.warned('a source reads through one connection and one replication connection'),
    }),
    opt.boolean('debezium.slot.drop.on.stop', "Debezium's name for slot.drop-on-stop"),
    opt.string('debezium.publication.name', "Debezium's name for publication.name"),
    opt.enumOf(
      'debezium.publication.autocreate.mode',
      ['filtered', 'disabled', 'all_tables'],
      "'filtered' (the default here: a publication for the table) or 'disabled' (use an existing one)",
      {
        refused: {
          values: ['all_tables'],
          why: 'Rivulet publishes only the tables it reads',
          hint: "use 'filtered' (or leave the option out), or 'disabled' with an existing publication",
        },
      },
    ),
    opt.enumOf(
      'debezium.snapshot.mode',
      ['initial', 'never', 'always', 'initial_only', 'no_data', 'when_needed', 'exported', 'custom'],
      "'initial' or 'never' (as scan.startup.mode)",
      {
        refused: {
          values: ['always', 'initial_only', 'no_data', 'when_needed', 'exported', 'custom'],
          why: "Rivulet takes a snapshot on the first start ('initial') or none ('never')",
          hint: "use 'scan.startup.mode' = 'initial' or 'latest-offset'",
        },
      },
    ),
    opt.long('debezium.heartbeat.interval.ms', "Debezium's name for heartbeat.interval, in milliseconds"),
    opt.int(
      'debezium.snapshot.fetch.size',
      "rows fetched per snapshot round trip, as Debezium's own snapshot reads it (it wins over scan.snapshot.fetch.size)",
    ),
    opt.int(
      'debezium.max.batch.size',
      'the most changes this table gives a batch of the job, snapshot rows included (a larger transaction is handed over in parts)',
    ),
    opt.int(
      'debezium.max.queue.size',
      'the most replication messages buffered before the stream is paused (unset: 20000, the queue Rivulet keeps)',
    ),
    opt.long('debezium.poll.interval.ms', 'how long a poll waits for changes when there are none', {
      handling: handled.warned(
        "a job takes the changes that have arrived at once, and waits at most 200 ms for a table's first change",
      ),
    }),
    opt.long('debezium.status.update.interval.ms', 'how often the slot is told the position read', {
      handling: handled.warned(
        "the slot is told a position when the job has committed the output up to it, and at every request of the server's keepalive",
      ),
    }),
    opt.string('debezium.slot.stream.params', 'parameters of the decoding plugin', {
      handling: handled.warned(
        "Rivulet starts pgoutput with its own parameters (proto_version, publication_names); the table's changes are the same",
      ),
    }),
    opt.boolean('debezium.tombstones.on.delete', 'whether a delete is followed by a Kafka tombstone', {
      handling: handled.met('a delete is one -D row; Kafka tombstones are no rows (Flink CDC drops them too)'),
    }),
    opt.string(
      'debezium.skipped.operations',
      "changes of the stream not to read, comma-separated: 'c' inserts, 'u' updates, 'd' deletes, 't' truncates, or 'none' (an update of the key is a delete and an insert, as in Debezium)",
      { default: 'none' },
    ),
    followed(
      opt.enumOf(
        'debezium.database.sslmode',
        ['disable', 'require', 'verify-ca', 'verify-full'],
        'TLS to the source server: none',
      ),
      'the connections to the source server are not encrypted',
      ['require', 'verify-ca', 'verify-full'],
      'Rivulet connects to the source server without TLS',
      "remove the option or set it to 'disable', and reach the server where an unencrypted connection is safe (loopback, a private network or a tunnel)",
    ),
    ...debeziumRowOptions,
    opt.prefix('debezium.', 'any other Debezium property, passed through as Flink CDC passes it to Debezium', {
      handling: handled.warned(
        "Rivulet reads the slot itself, not through Debezium; a property that tunes only Debezium's own work has no counterpart",
      ),
    }),
    followed(
      opt.enumOf(
        'debezium.decimal.handling.mode',
        ['precise', 'double', 'string'],
        'how DECIMAL values are read: exactly',
      ),
      'DECIMAL values are always read exactly',
      ['double', 'string'],
      "Rivulet reads DECIMAL exactly ('precise')",
      'leave the option out, or CAST the column in the query if another type is wanted',
    ),
    followed(
      opt.enumOf(
        'debezium.time.precision.mode',
        ['adaptive', 'adaptive_time_microseconds', 'connect'],
        'how precisely times are read: to the microsecond',
      ),
      'dates and times keep their full precision, microseconds',
      ['connect'],
      "Rivulet keeps the microseconds of times and timestamps; 'connect' would cut them to milliseconds",
      'leave the option out',
    ),
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
  validate(table, options) {
    const skipped = skippedOperations(String(options.get('debezium.skipped.operations')));
    if (typeof skipped === 'string')
      return {
        message: `'debezium.skipped.operations' of table '${table.name}' has '${skipped}', which is not an operation`,
        hint: "list 'c', 'u', 'd' and 't', comma-separated, or write 'none'",
        option: 'debezium.skipped.operations',
      };
    const queues = debeziumQueueProblem(options.get('debezium.max.batch.size'), options.get('debezium.max.queue.size'));
    if (queues) return { ...queues, message: `table '${table.name}': ${queues.message}` };
    if (!table.primaryKey) {
      return {
        message: `postgres-cdc table '${table.name}' needs a PRIMARY KEY to read updates and deletes`,
        hint: 'declare the source table primary key: PRIMARY KEY (col, ...) NOT ENFORCED',
      };
    }
    return undefined;
  },
};
