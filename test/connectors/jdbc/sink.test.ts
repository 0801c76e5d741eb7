import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CuttingProxy } from '../../../scripts/chaos/pg-proxy.ts';
import { JdbcDatabase } from '../../../src/connectors/jdbc/database.ts';
import { type JdbcTableOptions, JdbcTableWriter } from '../../../src/connectors/jdbc/table-writer.ts';
import { parseJdbcUrl } from '../../../src/connectors/jdbc/url.ts';
import { describeConnection } from '../../../src/connectors/pg/connection.ts';
import type { SourcePositions } from '../../../src/connectors/sink-writer.ts';
import type { Change } from '../../../src/exec/change.ts';
import { type RowField, T } from '../../../src/types/data-type.ts';
import { parseDate, parseTime, parseTimestamp } from '../../../src/types/temporal.ts';
import { c } from '../../exec/changes.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';

const FIELDS: RowField[] = [
  { name: 'order_id', type: T.bigint(false) },
  { name: 'order_status', type: T.string() },
  { name: 'total_amount', type: T.decimal(10, 2) },
  { name: 'quantity', type: T.int() },
  { name: 'order_time', type: T.timestamp(3) },
];
const time = parseTimestamp('2025-07-11 17:25:55.145') as number;

describe('jdbc sink on PostgreSQL', () => {
  let pg: TestPostgres;
  let url: string;
  before(async () => {
    pg = await startTestPostgres();
    const admin = await pg.connect();
    await admin.query('CREATE DATABASE sink_db');
    const sink = await pg.connect('sink_db');
    await sink.query(`CREATE SCHEMA result;
      CREATE TABLE result.orders (order_id BIGINT PRIMARY KEY, order_status TEXT, total_amount DECIMAL(10, 2), quantity INT, order_time TIMESTAMP(3));
      CREATE TABLE result.kinds (k BIGINT PRIMARY KEY, b BOOLEAN, s SMALLINT, i INT, n BIGINT, f REAL, d DOUBLE PRECISION,
                                 dt DATE, tm TIME(6), ts TIMESTAMP(6), tz TIMESTAMPTZ);
      CREATE TABLE result.events (order_id BIGINT, order_status VARCHAR(20), total_amount DECIMAL(10, 2), quantity INT, order_time TIMESTAMP(3));`);
    url = `jdbc:postgresql://127.0.0.1:${pg.server.port}/sink_db`;
  });
  after(async () => {
    await pg?.dispose();
  });

  /** One table of the sink database, written as a job would: staged, then committed with positions. */
  function tableSink(options: JdbcTableOptions & { password?: string; maxRetries?: number }) {
    const database = new JdbcDatabase(parseJdbcUrl(url, 'postgres', options.password), options.maxRetries);
    const writer = new JdbcTableWriter(options);
    return {
      write: (changes: readonly Change[], positions: readonly SourcePositions[] = []) => {
        database.stage(writer.table, writer.statements(changes));
        return database.commit(positions);
      },
      committedPositions: (group: string, topic: string) => database.committedPositions(group, topic),
      close: () => database.close(),
    };
  }

  const rows = async (table: string) =>
    (
      await (
        await pg.connect('sink_db')
      ).query(
        `SELECT order_id::text, order_status, total_amount::text, quantity, order_time::text FROM ${table} ORDER BY order_id, order_status`,
      )
    ).rows.map((r) => Object.values(r).join('|'));

  it('writes any text as it is: quotes, backslashes, braces, commas, NULL as a word, other scripts, long text', async () => {
    const sink = tableSink({ table: 'result.orders', fields: FIELDS, key: [0] });
    const long = `${'长'.repeat(3000)}${'😀'.repeat(1000)}${'"\\'.repeat(1000)}`;
    const texts = ['a"b', 'c\\d', '{e,f}', 'NULL', ' ', '', '已完成 😀', '\\"', 'x\ny\tz', long];
    await sink.write(texts.map((text, i) => c('+I', BigInt(9000 + i), text, 100n, i, null)));
    await sink.write([c('+I', 9100n, null, null, null, null)]);
    const read = await (await pg.connect('sink_db')).query(
      'SELECT order_status FROM result.orders WHERE order_id >= 9000 ORDER BY order_id',
    );
    assert.deepEqual(
      read.rows.map((r) => r.order_status),
      [...texts, null],
    );
    await sink.write([
      ...texts.map((_, i) => c('-D', BigInt(9000 + i), null, null, null, null)),
      c('-D', 9100n, null, null, null, null),
    ]);
    await sink.close();
  });

  it('writes numbers, dates and times as the server reads them: extremes, before 1970 and 2000, microseconds, nulls', async () => {
    const fields: RowField[] = [
      { name: 'k', type: T.bigint(false) },
      { name: 'b', type: T.boolean() },
      { name: 's', type: T.smallint() },
      { name: 'i', type: T.int() },
      { name: 'n', type: T.bigint() },
      { name: 'f', type: T.float() },
      { name: 'd', type: T.double() },
      { name: 'dt', type: T.date() },
      { name: 'tm', type: T.time(6) },
      { name: 'ts', type: T.timestamp(6) },
      { name: 'tz', type: T.timestampLtz(6) },
    ];
    const sink = tableSink({ table: 'result.kinds', fields, key: [0] });
    const micros = (text: string) => parseTimestamp(text) as number;
    await sink.write([
      c(
        '+I',
        1n,
        true,
        -32768,
        -2147483648,
        -(2n ** 63n),
        1.5,
        -0.1,
        parseDate('1969-12-31'),
        parseTime('23:59:59.999999'),
        micros('1899-12-31 23:59:59.000001'),
        micros('1969-12-31 23:59:59.999999'),
      ),
      c(
        '+I',
        2n,
        false,
        32767,
        2147483647,
        2n ** 63n - 1n,
        -3.25,
        1e300,
        parseDate('2000-01-01'),
        parseTime('00:00:00'),
        micros('2000-01-01 00:00:00'),
        micros('2099-12-31 12:00:00.5'),
      ),
      c('+I', 3n, null, null, null, null, null, null, null, null, null, null),
    ]);
    // A key travels alone in a delete.
    await sink.write([c('-D', 4n, null, null, null, null, null, null, null, null, null, null)]);
    const client = await pg.connect('sink_db');
    await client.query("SET TimeZone = 'UTC'");
    const read = await client.query(
      'SELECT k::text, b::text, s::text, i::text, n::text, f::text, d::text, dt::text, tm::text, ts::text, tz::text FROM result.kinds ORDER BY k',
    );
    assert.deepEqual(
      read.rows.map((r) => Object.values(r).map((v) => v ?? '∅')),
      [
        [
          '1',
          'true',
          '-32768',
          '-2147483648',
          '-9223372036854775808',
          '1.5',
          '-0.1',
          '1969-12-31',
          '23:59:59.999999',
          '1899-12-31 23:59:59.000001',
          '1969-12-31 23:59:59.999999+00',
        ],
        [
          '2',
          'false',
          '32767',
          '2147483647',
          '9223372036854775807',
          '-3.25',
          '1e+300',
          '2000-01-01',
          '00:00:00',
          '2000-01-01 00:00:00',
          '2099-12-31 12:00:00.5+00',
        ],
        ['3', '∅', '∅', '∅', '∅', '∅', '∅', '∅', '∅', '∅', '∅'],
      ],
    );
    await sink.close();
  });

  it('upserts by key, deletes on -D and on a -U without its +U, and keeps the last change per key', async () => {
    const sink = tableSink({ table: 'result.orders', fields: FIELDS, key: [0] });
    await sink.write([
      c('+I', 2001n, 'PENDING', 599900n, 1, time),
      c('+I', 2002n, 'PENDING', 179800n, 2, time),
      c('-U', 2001n, 'PENDING', 599900n, 1, time),
      c('+U', 2001n, 'SHIPPED', 599900n, 1, time),
    ]);
    assert.deepEqual(await rows('result.orders'), [
      '2001|SHIPPED|5999.00|1|2025-07-11 17:25:55.145',
      '2002|PENDING|1798.00|2|2025-07-11 17:25:55.145',
    ]);
    await sink.write([c('-D', 2002n, 'PENDING', 179800n, 2, time), c('+U', 2001n, 'COMPLETED', 599900n, 1, null)]);
    assert.deepEqual(await rows('result.orders'), ['2001|COMPLETED|5999.00|1|']);
    // A filter dropped the +U of this update: the row no longer belongs in the table.
    await sink.write([c('-U', 2001n, 'COMPLETED', 599900n, 1, null)]);
    assert.deepEqual(await rows('result.orders'), []);
    await sink.close();
  });

  it('commits the consumed positions with the rows, so a replayed batch changes nothing', async () => {
    const sink = tableSink({ table: 'result.orders', fields: FIELDS, key: [0] });
    const batch = [c('+I', 3001n, 'PENDING', 100n, 1, time), c('+U', 3001n, 'SHIPPED', 100n, 1, time)];
    const positions = [{ group: 'job-1', topic: 'result_orders_with_user_info', positions: new Map([[0, 42n]]) }];
    await sink.write(batch, positions);
    await sink.write(batch, positions);
    assert.deepEqual(await sink.committedPositions('job-1', 'result_orders_with_user_info'), new Map([[0, 42n]]));
    assert.equal((await rows('result.orders')).filter((r) => r.startsWith('3001|')).length, 1);
    await sink.close();
  });

  it('appends to a table without a key', async () => {
    const sink = tableSink({ table: 'result.events', fields: FIELDS, key: [] });
    await sink.write([c('+I', 2006n, 'PENDING', 199900n, 1, time), c('+I', 2006n, 'SHIPPED', 199900n, 1, time)]);
    assert.deepEqual(await rows('result.events'), [
      '2006|PENDING|1999.00|1|2025-07-11 17:25:55.145',
      '2006|SHIPPED|1999.00|1|2025-07-11 17:25:55.145',
    ]);
    await sink.close();
  });

  it('does not write a table without a key twice when the connection is lost as the server commits', async () => {
    const proxy = await CuttingProxy.start(pg.server.port);
    const database = new JdbcDatabase(
      parseJdbcUrl(`jdbc:postgresql://127.0.0.1:${proxy.port}/sink_db`, 'postgres'),
      3,
      'job-lost-commit',
    );
    const events = new JdbcTableWriter({ table: 'result.events', fields: FIELDS, key: [] });
    const at = (next: bigint): SourcePositions[] => [
      { group: 'job-lost-commit/events', topic: 'events', positions: new Map([[0, next]]) },
    ];
    database.stage(events.table, events.statements([c('+I', 5001n, 'PENDING', 1n, 1, time)]));
    await database.commit(at(7n));
    // The statement is prepared by now: what the proxy sees of the next commit is its values.
    proxy.arm('LOST-AT-COMMIT');
    database.stage(
      events.table,
      events.statements([c('+I', 5002n, 'PENDING', 1n, 1, time), c('+I', 5002n, 'LOST-AT-COMMIT', 1n, 1, time)]),
    );
    await database.commit(at(9n));
    assert.equal(proxy.cuts, 1, 'the connection was cut after the server committed');
    assert.deepEqual(
      (await rows('result.events')).filter((r) => r.startsWith('500')),
      [
        '5001|PENDING|0.01|1|2025-07-11 17:25:55.145',
        '5002|LOST-AT-COMMIT|0.01|1|2025-07-11 17:25:55.145',
        '5002|PENDING|0.01|1|2025-07-11 17:25:55.145',
      ],
    );
    assert.deepEqual(await database.committedPositions('job-lost-commit/events', 'events'), new Map([[0, 9n]]));
    proxy.arm('LOST-AGAIN');
    database.stage(events.table, events.statements([c('+I', 5003n, 'LOST-AGAIN', 1n, 1, time)]));
    // The same positions as the commit before: only the marker can tell that this one took place.
    await database.commit(at(9n));
    assert.equal(proxy.cuts, 2);
    assert.equal((await rows('result.events')).filter((r) => r.startsWith('5003|')).length, 1);
    await database.close();
    await proxy.stop();
  });

  it('fails after its retries with the table named and no password', async () => {
    const sink = tableSink({ table: 'result.missing', password: 'hunter2', fields: FIELDS, key: [0], maxRetries: 1 });
    await assert.rejects(
      sink.write([c('+I', 1n, 'x', 1n, 1, time)]),
      (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'SINK_WRITE_FAILED');
        assert.match(
          error.message,
          /writing to table result\.missing at postgresql:\/\/postgres@127\.0\.0\.1:\d+\/sink_db failed: relation "result\.missing" does not exist/,
        );
        assert.doesNotMatch(`${error.message}${error.hint}`, /hunter2/);
        return true;
      },
    );
    await sink.close();
  });

  it('writes several tables and the positions in one transaction, or none of them', async () => {
    const database = new JdbcDatabase(parseJdbcUrl(url, 'postgres'), 0);
    const orders = new JdbcTableWriter({ table: 'result.orders', fields: FIELDS, key: [0] });
    const events = new JdbcTableWriter({ table: 'result.events', fields: FIELDS, key: [] });
    const missing = new JdbcTableWriter({ table: 'result.missing', fields: FIELDS, key: [0] });
    const positions = [{ group: 'job-2', topic: 't', positions: new Map([[0, 5n]]) }];
    const stage = (writer: JdbcTableWriter) =>
      database.stage(writer.table, writer.statements([c('+I', 4001n, 'PENDING', 1n, 1, time)]));
    stage(orders);
    stage(missing);
    await assert.rejects(database.commit(positions));
    assert.equal((await rows('result.orders')).filter((r) => r.startsWith('4001|')).length, 0, 'rolled back');
    assert.deepEqual(await database.committedPositions('job-2', 't'), new Map());
    stage(orders);
    stage(events);
    await database.commit(positions);
    assert.equal((await rows('result.orders')).filter((r) => r.startsWith('4001|')).length, 1);
    assert.equal((await rows('result.events')).filter((r) => r.startsWith('4001|')).length, 1);
    assert.deepEqual(await database.committedPositions('job-2', 't'), new Map([[0, 5n]]));
    await database.close();
  });

  it('reads host, port and database from the JDBC URL', () => {
    const connection = parseJdbcUrl('jdbc:postgresql://db.local:5433/sink_db?user=app', undefined, 'secret');
    assert.deepEqual(
      [connection.host, connection.port, connection.database, connection.user],
      ['db.local', 5433, 'sink_db', 'app'],
    );
    assert.equal(describeConnection(connection), 'postgresql://app@db.local:5433/sink_db');
  });
});
