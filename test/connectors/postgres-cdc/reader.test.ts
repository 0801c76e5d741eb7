import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { Change } from '../../../src/exec/change.ts';
import { formatLsn } from '../../../src/types/lsn.ts';
import { formatDate, formatTimestamp } from '../../../src/types/temporal.ts';
import type { TimeValue } from '../../../src/types/time-value.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { cdcTable, PostgresCdcReader, readChanges, render } from './cdc-helpers.ts';

describe('postgres-cdc reader: snapshot, stream, types, positions', () => {
  let pg: TestPostgres;
  let db: pg.Client;
  before(async () => {
    pg = await startTestPostgres();
    await (await pg.connect()).query('CREATE DATABASE cdc');
    db = await pg.connect('cdc');
  });
  after(async () => pg?.dispose());

  const slotLsn = async (slot: string) =>
    (await db.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]))
      .rows[0]?.lsn as string | undefined;

  it('reads a snapshot, then inserts, updates and deletes from the stream', async () => {
    await db.query('CREATE TABLE t1 (id BIGINT PRIMARY KEY, name TEXT, amount NUMERIC(10,2))');
    await db.query(`INSERT INTO t1 VALUES (1, 'a', 1.50), (2, 'b', 2.00)`);
    const table = cdcTable(pg, 'id BIGINT, name STRING, amount DECIMAL(10, 2), PRIMARY KEY (id) NOT ENFORCED', {
      'table-name': 't1',
      'slot.name': 's1',
    });
    const reader = await PostgresCdcReader.open(table, undefined);
    try {
      const snapshot = await readChanges(reader, 2);
      assert.deepEqual(render(snapshot).sort(), ['+I(1, a, 150)', '+I(2, b, 200)']);
      reader.committed(reader.positions());
      await db.query(`INSERT INTO t1 VALUES (3, 'c', 3.25)`);
      await db.query(`UPDATE t1 SET name = 'bb' WHERE id = 2`);
      await db.query('DELETE FROM t1 WHERE id = 1');
      await db.query('UPDATE t1 SET id = 4 WHERE id = 3');
      assert.deepEqual(render(await readChanges(reader, 5)), [
        '+I(3, c, 325)',
        '+U(2, bb, 200)',
        '-D(1, NULL, NULL)',
        '-D(3, NULL, NULL)',
        '+I(4, c, 325)',
      ]);
    } finally {
      await reader.close();
    }
  });

  it('maps every common PostgreSQL type to its Flink type without loss, with metadata columns', async () => {
    await db.query(`CREATE TABLE t2 (
      id INT PRIMARY KEY, big NUMERIC(38, 10), ts TIMESTAMP(6), tz TIMESTAMPTZ, d DATE, t TIME, b BOOLEAN,
      j JSONB, raw BYTEA, u UUID, a INT[], tags TEXT[], f DOUBLE PRECISION, s SMALLINT, v VARCHAR(10))`);
    const values = `(1, 1234567890123456789012345678.0123456789, '2025-07-11 17:25:55.123456', '2025-07-11 17:25:55.5+08',
      '2025-07-11', '17:25:55.25', true, '{"a": [1, 2]}', '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      '{1,2,NULL}', '{"x y","z"}', 0.1, -5, 'héllo')`;
    await db.query(`INSERT INTO t2 VALUES ${values}`);
    const columns = `id INT, big DECIMAL(38, 10), ts TIMESTAMP(6), tz TIMESTAMP_LTZ(6), d DATE, t TIME(3), b BOOLEAN,
      j STRING, raw BYTES, u STRING, a ARRAY<INT>, tags ARRAY<STRING>, f DOUBLE, s SMALLINT, v STRING,
      op_ts TIMESTAMP_LTZ(3) METADATA FROM 'op_ts' VIRTUAL, tbl STRING METADATA FROM 'table_name' VIRTUAL,
      PRIMARY KEY (id) NOT ENFORCED`;
    const reader = await PostgresCdcReader.open(
      cdcTable(pg, columns, { 'table-name': 't2', 'slot.name': 's2' }),
      undefined,
    );
    try {
      const expected =
        '+I(1, 12345678901234567890123456780123456789, 1752254755123456, 1752225955500000, 20280, 62755250000, true, ' +
        '{"a": [1, 2]}, 00ff10, a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, [1,2,], [x y,z], 0.1, -5, héllo';
      const [snapshot] = render(await readChanges(reader, 1));
      assert.equal(snapshot, `${expected}, 0, t2)`);
      const before = Date.now() * 1000;
      await db.query(`INSERT INTO t2 VALUES ${values.replace('(1,', '(2,')}`);
      const [streamed] = await readChanges(reader, 1);
      assert.equal(render([streamed as never])[0]?.replace(/, \d+, t2\)$/, ''), expected.replace('+I(1,', '+I(2,'));
      const opTs = streamed?.row[15] as number;
      assert.ok(opTs >= before - 1_000_000 && opTs <= Date.now() * 1000, 'op_ts is the commit time');
    } finally {
      await reader.close();
    }
  });

  it('rejects numeric NaN into DECIMAL with the column and LSN named', async () => {
    await db.query('CREATE TABLE t3 (id INT PRIMARY KEY, n NUMERIC)');
    await db.query(`INSERT INTO t3 VALUES (1, 'NaN')`);
    const reader = await PostgresCdcReader.open(
      cdcTable(pg, 'id INT, n DECIMAL(10, 2), PRIMARY KEY (id) NOT ENFORCED', {
        'table-name': 't3',
        'slot.name': 's3',
      }),
      undefined,
    );
    try {
      await assert.rejects(readChanges(reader, 1), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CDC_VALUE_INVALID');
        assert.match(
          error.message,
          /column 'n' of public\.t3 at LSN [0-9A-F]+\/[0-9A-F]+: numeric 'NaN' has no DECIMAL value/,
        );
        return true;
      });
    } finally {
      await reader.close();
    }
  });

  it("reads the ends of Flink's range exactly, and refuses a timestamp beyond them naming column, table and value", async () => {
    await db.query('CREATE TABLE edges (id INT PRIMARY KEY, at TIMESTAMP(6), tz TIMESTAMPTZ, d DATE)');
    await db.query(`INSERT INTO edges VALUES
      (1, '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00', '9999-12-31'),
      (2, '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '0001-01-01'),
      (3, '0001-01-01 00:00:00 BC', '0001-01-01 00:00:00+00 BC', '0001-01-01 BC')`);
    const reader = await PostgresCdcReader.open(
      cdcTable(pg, 'id INT, at TIMESTAMP(6), tz TIMESTAMP_LTZ(6), d DATE, PRIMARY KEY (id) NOT ENFORCED', {
        'table-name': 'edges',
        'slot.name': 's_edges',
      }),
      undefined,
    );
    const shown = (changes: readonly Change[]) =>
      changes.map(({ kind, row }) => {
        const [id, at, tz, d] = row as [number, TimeValue, TimeValue, number];
        return `${kind}(${id}, ${formatTimestamp(at, 6)}, ${formatTimestamp(tz, 6)}, ${formatDate(d)})`;
      });
    try {
      assert.deepEqual(shown(await readChanges(reader, 3)).sort(), [
        '+I(1, 9999-12-31 23:59:59.999999, 9999-12-31 23:59:59.999999, 9999-12-31)',
        '+I(2, 0001-01-01 00:00:00.000000, 0001-01-01 00:00:00.000000, 0001-01-01)',
        '+I(3, 0000-01-01 00:00:00.000000, 0000-01-01 00:00:00.000000, 0000-01-01)',
      ]);
      reader.committed(reader.positions());
      await db.query(`UPDATE edges SET at = '9999-12-31 23:59:59.999998' WHERE id = 1`);
      assert.deepEqual(shown(await readChanges(reader, 1)), [
        '+U(1, 9999-12-31 23:59:59.999998, 9999-12-31 23:59:59.999999, 9999-12-31)',
      ]);
      reader.committed(reader.positions());
      await db.query(`UPDATE edges SET at = '10000-01-01 00:00:00' WHERE id = 2`);
      await assert.rejects(readChanges(reader, 1), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'CDC_VALUE_INVALID');
        assert.match(
          error.message,
          /^column 'at' of public\.edges at LSN [0-9A-F]+\/[0-9A-F]+: '10000-01-01 00:00:00' is outside Flink's range, 0000-01-01 00:00:00 to 9999-12-31 23:59:59\.999999999$/,
        );
        assert.match(error.hint ?? '', /fix the row at the source/);
        return true;
      });
    } finally {
      await reader.close();
    }
  });

  it('fills unchanged TOAST values, and gives the row before an update with REPLICA IDENTITY FULL', async () => {
    await db.query('CREATE TABLE t4 (id INT PRIMARY KEY, doc TEXT, n INT)');
    await db.query('CREATE TABLE t5 (id INT PRIMARY KEY, doc TEXT, n INT)');
    await db.query('ALTER TABLE t5 REPLICA IDENTITY FULL');
    const big = 'x'.repeat(100_000); // stored out of line (TOAST), then not sent when unchanged
    await db.query(`INSERT INTO t4 VALUES (1, '${big}', 1)`);
    await db.query(`INSERT INTO t5 VALUES (1, '${big}', 1)`);
    for (const name of ['t4', 't5']) {
      const reader = await PostgresCdcReader.open(
        cdcTable(pg, 'id INT, doc STRING, n INT, PRIMARY KEY (id) NOT ENFORCED', {
          'table-name': name,
          'slot.name': `s_${name}`,
        }),
        undefined,
      );
      try {
        await readChanges(reader, 1);
        await db.query(`UPDATE ${name} SET n = 2 WHERE id = 1`);
        const changes = await readChanges(reader, name === 't5' ? 2 : 1);
        assert.deepEqual(
          changes.map((c) => [c.kind, c.row[0], (c.row[1] as string).length, c.row[2]]),
          name === 't5'
            ? [
                ['-U', 1, 100_000, 1],
                ['+U', 1, 100_000, 2],
              ]
            : [['+U', 1, 100_000, 2]],
        );
      } finally {
        await reader.close();
      }
    }
  });

  it('snapshot plus stream equals the table for 100,000 rows with concurrent writes during the snapshot', async () => {
    await db.query('CREATE TABLE big (id INT PRIMARY KEY, v INT NOT NULL)');
    await db.query('INSERT INTO big SELECT g, 0 FROM generate_series(1, 100000) g');
    const reader = await PostgresCdcReader.open(
      cdcTable(pg, 'id INT, v INT, PRIMARY KEY (id) NOT ENFORCED', { 'table-name': 'big', 'slot.name': 's_big' }),
      undefined,
    );
    const state = new Map<number, number>();
    const apply = (changes: readonly Change[]) => {
      for (const change of changes) {
        if (change.kind === '-D') state.delete(change.row[0] as number);
        else if (change.kind !== '-U') state.set(change.row[0] as number, change.row[1] as number);
      }
    };
    const writer = await pg.connect('cdc');
    let writes = 0;
    let writing = true;
    const concurrent = (async () => {
      while (writing) {
        const id = 1 + ((writes * 7919) % 120_000);
        await writer.query(
          id % 5 === 0
            ? `DELETE FROM big WHERE id = ${id}`
            : `INSERT INTO big VALUES (${id}, ${writes}) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v`,
        );
        writes++;
      }
    })();
    try {
      while (reader.atCommitPoint === false || state.size === 0) {
        apply(await reader.poll(2000, 100));
        // However busy the machine, some writes land while the snapshot is half read.
        while (!reader.atCommitPoint && writes < 25) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const writesDuringSnapshot = writes;
      writing = false;
      await concurrent;
      const { rows } = await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      // Drain the stream up to the current WAL position.
      const target = rows[0]?.lsn as string;
      const deadline = Date.now() + 30_000;
      for (;;) {
        apply(await reader.poll(5000, 200));
        const table = await db.query<{ id: number; v: number }>('SELECT id, v FROM big');
        if (table.rows.length === state.size && table.rows.every((r) => state.get(r.id) === r.v)) break;
        assert.ok(Date.now() < deadline, `stream did not catch up to ${target}`);
      }
      assert.ok(writesDuringSnapshot > 20, `concurrent writes happened (${writesDuringSnapshot})`);
    } finally {
      writing = false;
      await concurrent;
      await reader.close();
    }
  });

  it('resumes after its committed position: nothing repeated, a transaction open across the restart arrives once', async () => {
    await db.query('CREATE TABLE t6 (id INT PRIMARY KEY, v TEXT)');
    const table = cdcTable(pg, 'id INT, v STRING, PRIMARY KEY (id) NOT ENFORCED', {
      'table-name': 't6',
      'slot.name': 's6',
    });
    let reader = await PostgresCdcReader.open(table, undefined);
    await readChanges(reader, 0);
    await db.query(`INSERT INTO t6 VALUES (1, 'one')`);
    await db.query(`INSERT INTO t6 VALUES (2, 'two')`);
    assert.deepEqual(render(await readChanges(reader, 2)), ['+I(1, one)', '+I(2, two)']);
    const committed = reader.position;
    reader.committed(new Map([[0, committed]]));
    await db.query(`INSERT INTO t6 VALUES (3, 'three')`); // read but not committed before the stop
    await readChanges(reader, 1);
    const open = await pg.connect('cdc');
    await open.query('BEGIN');
    await open.query(`INSERT INTO t6 VALUES (4, 'four')`);
    await reader.close();
    const confirmed = await slotLsn('s6');
    assert.ok(confirmed !== undefined, 'the slot is kept when slot.drop-on-stop is false');

    reader = await PostgresCdcReader.open(table, committed);
    try {
      await open.query('COMMIT');
      await db.query(`INSERT INTO t6 VALUES (5, 'five')`);
      assert.deepEqual(render(await readChanges(reader, 3)), ['+I(3, three)', '+I(4, four)', '+I(5, five)']);
    } finally {
      await reader.close();
    }
  });

  it('advances the slot only to what was committed downstream, and on an idle table by heartbeat', async () => {
    await db.query('CREATE TABLE t7 (id INT PRIMARY KEY)');
    await db.query('CREATE TABLE other (id INT PRIMARY KEY)');
    const reader = await PostgresCdcReader.open(
      cdcTable(pg, 'id INT, PRIMARY KEY (id) NOT ENFORCED', {
        'table-name': 't7',
        'slot.name': 's7',
        'heartbeat.interval': '100ms',
      }),
      undefined,
    );
    try {
      await readChanges(reader, 0);
      await db.query('INSERT INTO t7 VALUES (1)');
      await readChanges(reader, 1);
      const read = reader.position;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = await slotLsn('s7');
      assert.ok(before !== undefined && parse(before) < read, 'not confirmed before the commit downstream');
      reader.committed(new Map([[0, read]]));
      // Writes elsewhere move the server's WAL; the idle slot follows through heartbeats.
      for (let i = 0; i < 20; i++) await db.query(`INSERT INTO other VALUES (${i})`);
      const deadline = Date.now() + 20_000;
      let moved = false;
      while (!moved) {
        assert.ok(Date.now() < deadline, 'heartbeat never moved the position');
        await reader.poll(100, 200);
        if (reader.moved) {
          reader.committed(reader.positions());
          moved = true;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = parse((await slotLsn('s7')) as string);
      assert.ok(after > read && after <= reader.position, `slot at ${formatLsn(after)}`);
    } finally {
      await reader.close();
    }
  });

  // Debezium's skipped.operations skips change events of the stream (not the snapshot), and an
  // update of the key is a delete and a create event in Debezium: each half is skipped by its letter.
  it('skips the operations of debezium.skipped.operations, and gives at most debezium.max.batch.size changes a poll', async () => {
    await db.query('CREATE TABLE t9 (id INT PRIMARY KEY, v TEXT)');
    await db.query(`INSERT INTO t9 VALUES (1, 'a'), (0, 'z'), (-1, 'y')`);
    const reader = await PostgresCdcReader.open(
      cdcTable(pg, 'id INT, v STRING, PRIMARY KEY (id) NOT ENFORCED', {
        'table-name': 't9',
        'slot.name': 's9',
        'debezium.skipped.operations': 'u,d',
        'debezium.max.batch.size': '2',
        // The stream pauses above 3 queued messages and goes on when they are read: nothing is lost.
        'debezium.max.queue.size': '3',
      }),
      undefined,
    );
    try {
      const snapshot = [render(await reader.poll(5000, 100)), render(await reader.poll(5000, 100))];
      assert.deepEqual(snapshot.flat().sort(), ['+I(-1, y)', '+I(0, z)', '+I(1, a)']);
      assert.ok(
        snapshot.every((poll) => poll.length <= 2),
        JSON.stringify(snapshot),
      );
      await db.query(`INSERT INTO t9 SELECT g, 'n' FROM generate_series(2, 6) g`);
      await db.query(`UPDATE t9 SET v = 'b' WHERE id = 1`);
      await db.query('DELETE FROM t9 WHERE id = 2');
      await db.query('UPDATE t9 SET id = 7 WHERE id = 3');
      await db.query(`INSERT INTO t9 VALUES (8, 'last')`);
      const polls: string[][] = [];
      while (polls.flat().at(-1) !== '+I(8, last)') {
        const changes = render(await reader.poll(5000, 100));
        if (changes.length > 0) polls.push(changes);
      }
      assert.ok(
        polls.every((poll) => poll.length <= 2),
        JSON.stringify(polls),
      );
      assert.deepEqual(polls.flat(), [
        '+I(2, n)',
        '+I(3, n)',
        '+I(4, n)',
        '+I(5, n)',
        '+I(6, n)',
        '+I(7, n)',
        '+I(8, last)',
      ]);
    } finally {
      await reader.close();
    }
  });

  it('drops its slot on stop when slot.drop-on-stop is set', async () => {
    await db.query('CREATE TABLE t8 (id INT PRIMARY KEY)');
    const reader = await PostgresCdcReader.open(
      cdcTable(pg, 'id INT, PRIMARY KEY (id) NOT ENFORCED', {
        'table-name': 't8',
        'slot.name': 's8',
        'slot.drop-on-stop': 'true',
      }),
      undefined,
    );
    await readChanges(reader, 0);
    assert.notEqual(await slotLsn('s8'), undefined);
    await reader.close();
    assert.equal(await slotLsn('s8'), undefined);
  });
});

function parse(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}
