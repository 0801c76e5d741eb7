import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { rowText } from '../../../src/connectors/print/row-text.ts';
import type { JobHandle } from '../../../src/runtime/job-handle.ts';
import { T } from '../../../src/types/data-type.ts';
import { type RestTestServer, startRestTestServer } from '../../helpers/rest-server.ts';
import { waitFor } from '../../helpers/wait.ts';

describe('datagen into print, jdbc and blackhole sinks', () => {
  let server: RestTestServer;
  let sink: pg.Client;
  const jobs: JobHandle[] = [];

  async function submit(name: string, text: string): Promise<JobHandle> {
    const [job] = await server.engine.submit(name, text, new Map());
    assert.ok(job);
    jobs.push(job);
    return job;
  }
  const finished = (job: JobHandle) =>
    waitFor(`${job.plan.name} FINISHED`, async () => (job.status === 'FINISHED' ? true : undefined), jobs);
  async function printed(job: JobHandle): Promise<{ lines: string[]; total: number }> {
    const response = await fetch(`${server.base}/jobs/${job.id}/stdout`);
    assert.equal(response.status, 200);
    return (await response.json()) as { lines: string[]; total: number };
  }
  const jdbc = () => `'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${server.pg.server.port}/sink',
    'username' = 'postgres'`;

  before(async () => {
    server = await startRestTestServer('secret');
    sink = await server.pg.connect('sink');
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    await sink?.end();
    await server?.dispose();
  });

  it('prints each row as Flink does, after the print-identifier, and serves the lines at /jobs/:id/stdout', async () => {
    const job = await submit(
      'print.sql',
      `CREATE TABLE gen (id INT, name STRING) WITH ('connector' = 'datagen',
         'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3',
         'fields.name.kind' = 'sequence', 'fields.name.start' = '11', 'fields.name.end' = '20');
       CREATE TABLE out (id INT, name STRING) WITH ('connector' = 'print', 'print-identifier' = 'id');
       INSERT INTO out SELECT * FROM gen;`,
    );
    await finished(job);
    assert.deepEqual(await printed(job), { lines: ['id> +I[1, 11]', 'id> +I[2, 12]', 'id> +I[3, 13]'], total: 3 });
  });

  it('prints the changelog of an aggregate over datagen: retractions fold to the final counts', async () => {
    const job = await submit(
      'agg.sql',
      `CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '7',
         'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000');
       CREATE TABLE counts (parity BIGINT, n BIGINT) WITH ('connector' = 'print');
       INSERT INTO counts SELECT id % 2, COUNT(*) FROM gen GROUP BY id % 2;`,
    );
    await finished(job);
    const { lines } = await printed(job);
    const state = new Map<string, number>();
    for (const line of lines) {
      const match = /^([+-][IUD])\[(.*)\]$/.exec(line);
      assert.ok(match, line);
      const delta = match[1]?.startsWith('+') ? 1 : -1;
      state.set(match[2] as string, (state.get(match[2] as string) ?? 0) + delta);
    }
    const rows = [...state].filter(([, count]) => count !== 0);
    assert.deepEqual(rows.sort(), [
      ['0, 3', 1],
      ['1, 4', 1],
    ]);
  });

  it('writes number-of-rows rows of a sequence into a jdbc table, exactly, and finishes', async () => {
    await sink.query('CREATE TABLE seq (id BIGINT PRIMARY KEY, label TEXT, amount NUMERIC(10, 2))');
    const job = await submit(
      'seq.sql',
      `CREATE TABLE gen (id BIGINT, label STRING, amount DECIMAL(10, 2)) WITH ('connector' = 'datagen',
         'number-of-rows' = '5',
         'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100',
         'fields.label.kind' = 'sequence', 'fields.label.start' = '101', 'fields.label.end' = '200',
         'fields.amount.kind' = 'sequence', 'fields.amount.start' = '7', 'fields.amount.end' = '107');
       CREATE TABLE seq (id BIGINT, label STRING, amount DECIMAL(10, 2), PRIMARY KEY (id) NOT ENFORCED)
         WITH (${jdbc()}, 'table-name' = 'seq');
       INSERT INTO seq SELECT * FROM gen;`,
    );
    await finished(job);
    const { rows } = await sink.query('SELECT id::int, label, amount::text FROM seq ORDER BY id');
    assert.deepEqual(rows, [
      { id: 1, label: '101', amount: '7.00' },
      { id: 2, label: '102', amount: '8.00' },
      { id: 3, label: '103', amount: '9.00' },
      { id: 4, label: '104', amount: '10.00' },
      { id: 5, label: '105', amount: '11.00' },
    ]);
  });

  it('continues a sequence where it stopped after the job is stopped and submitted again', async () => {
    await sink.query('CREATE TABLE resumed (id BIGINT)');
    const text = `CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '500',
         'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1500');
       CREATE TABLE resumed (id BIGINT) WITH (${jdbc()}, 'table-name' = 'resumed');
       INSERT INTO resumed SELECT * FROM gen;`;
    const first = await submit('resumed.sql', text);
    await waitFor('some rows', async () => {
      const { rows } = await sink.query('SELECT count(*)::int AS n FROM resumed');
      return (rows[0]?.n ?? 0) >= 100 ? true : undefined;
    });
    await server.engine.stop(first.id);
    const { rows: before } = await sink.query('SELECT count(*)::int AS n FROM resumed');
    assert.ok((before[0]?.n ?? 0) < 1500, 'stopped before the end');
    await finished(await submit('resumed.sql', text));
    const { rows } = await sink.query(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS d, min(id)::int AS lo, max(id)::int AS hi FROM resumed',
    );
    assert.deepEqual(rows, [{ n: 1500, d: 1500, lo: 1, hi: 1500 }]);
  });

  it('rebuilds an aggregate over datagen after a stop by generating the rows it had processed again', async () => {
    await sink.query('CREATE TABLE parity (parity BIGINT PRIMARY KEY, n BIGINT, total BIGINT, longest INT)');
    const text = `CREATE TABLE gen (id BIGINT, word STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '500',
         'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000',
         'fields.word.length' = '9', 'fields.word.var-len' = 'true');
       CREATE TABLE parity (parity BIGINT, n BIGINT, total BIGINT, longest INT, PRIMARY KEY (parity) NOT ENFORCED)
         WITH (${jdbc()}, 'table-name' = 'parity');
       INSERT INTO parity SELECT id % 2, COUNT(*), SUM(id), MAX(CHAR_LENGTH(word)) FROM gen GROUP BY id % 2;`;
    const first = await submit('parity.sql', text);
    await waitFor('some counts', async () => {
      const { rows } = await sink.query('SELECT coalesce(sum(n), 0)::int AS n FROM parity');
      return (rows[0]?.n ?? 0) >= 100 ? true : undefined;
    });
    await server.engine.stop(first.id);
    await finished(await submit('parity.sql', text));
    const { rows } = await sink.query('SELECT parity::int, n::int, total::int, longest FROM parity ORDER BY parity');
    assert.deepEqual(rows, [
      { parity: 0, n: 500, total: 250500, longest: 8 },
      { parity: 1, n: 500, total: 250000, longest: 8 },
    ]);
  });

  it('discards every change into blackhole and counts it as output', async () => {
    const job = await submit(
      'hole.sql',
      `CREATE TABLE Orders (order_number BIGINT, price DECIMAL(32,2), buyer ROW<first_name STRING, last_name STRING>,
         order_time TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1000');
       CREATE TABLE hole (order_number BIGINT, price DECIMAL(32,2), buyer ROW<first_name STRING, last_name STRING>,
         order_time TIMESTAMP(3)) WITH ('connector' = 'blackhole');
       INSERT INTO hole SELECT * FROM Orders;`,
    );
    await finished(job);
    assert.equal(job.stats.recordsOut, 1000);
    assert.deepEqual(await printed(job), { lines: [], total: 0 });
  });
});

describe("the print sink's text of a row", () => {
  it("is Row.toString of Java's external types", () => {
    const text = rowText([
      T.int(),
      T.string(),
      T.double(),
      T.decimal(10, 2),
      T.timestamp(3),
      T.boolean(),
      T.date(),
      { kind: 'ROW', nullable: true, fields: [{ name: 'a', type: T.string() }] },
      T.bytes(),
      T.timestampLtz(3),
      T.float(),
    ]);
    const noon = Date.UTC(2020, 0, 1, 12) * 1000;
    assert.equal(
      text('+I', [
        1,
        'a',
        1,
        599900n,
        noon,
        true,
        18262,
        ['x'],
        new Uint8Array([1, 255]),
        noon + 5_500_000,
        Math.fround(0.1),
      ]),
      '+I[1, a, 1.0, 5999.00, 2020-01-01T12:00, true, 2020-01-01, +I[x], [1, -1], 2020-01-01T12:00:05.500Z, 0.1]',
    );
    assert.equal(
      text('-U', [null, null, null, null, null, null, null, null, null, null, null]).slice(0, 14),
      '-U[null, null,',
    );
  });
});
