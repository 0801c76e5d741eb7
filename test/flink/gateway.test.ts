import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type pg from 'pg';
import { type FlinkCluster, flinkCached, startFlink } from '../../scripts/flink/run.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

// Apache Flink's jars (150 MB) are fetched by `npm run parity`, not by the tests.
const skip = flinkCached()
  ? false
  : 'Flink classpath not cached in scripts/flink/target (npm run parity fetches it with Maven)';
if (skip) process.stdout.write(`# skipped the Flink SQL Gateway test: ${skip}\n`);

const rivulet = (...args: string[]) => run(process.execPath, ['--import', 'tsx', CLI, ...args]);

/** Refused by the command line itself, before any engine is reached (no Flink needed). */
describe('job commands that one engine has and the other has not', () => {
  it('refuses rivulet print against a Flink engine, and --savepoint against a Rivulet engine, naming them', async () => {
    await assert.rejects(
      rivulet('print', 'a'.repeat(32), '--engine', 'flink://127.0.0.1:1'),
      (error: { stderr: string }) => /FLINK_UNSUPPORTED/.test(error.stderr) && /rivulet print/.test(error.stderr),
    );
    await assert.rejects(
      rivulet('stop', 'a'.repeat(32), '--savepoint', '--engine', 'http://127.0.0.1:1'),
      (error: { stderr: string }) =>
        /BAD_OPTION/.test(error.stderr) && /--savepoint is for a Flink engine/.test(error.stderr),
    );
  });
});

describe('rivulet sql/list/cancel/stop --engine flink:// (a real Flink SQL Gateway)', { skip }, () => {
  let cluster: FlinkCluster | undefined;
  let sink: TestPostgres | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-gateway-'));
  const engine = () => (cluster?.gatewayUrl ?? '').replace('http://', 'flink://');
  const jobState = async (jobId: string) =>
    ((await (await fetch(`${cluster?.restUrl}/jobs/${jobId}`)).json()) as { state: string }).state;
  before(async () => {
    [cluster, sink] = await Promise.all([startFlink({ scripts: [], gatewayPort: 0 }), startTestPostgres()]);
  });
  after(async () => {
    await cluster?.stop();
    await sink?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('submits a script with ${NAME} substitution, gets its job id back, and the job runs in Flink', async () => {
    const file = join(dir, 'numbers.sql');
    writeFileSync(
      file,
      `-- a comment; with a semicolon
SET 'parallelism.default' = '1';
CREATE TABLE numbers (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '\${RATE}');
CREATE TABLE nowhere (x INT) WITH ('connector' = 'blackhole');
INSERT INTO nowhere SELECT x FROM numbers;
`,
    );
    const { stdout } = await rivulet('sql', '-f', file, '-D', 'RATE=5', '--engine', engine());
    const jobId = /Job ID: ([0-9a-f]{32})/.exec(stdout)?.[1];
    assert.ok(jobId, stdout);
    let state = '';
    for (let i = 0; i < 100 && state !== 'RUNNING'; i++) {
      const job = (await (await fetch(`${cluster?.restUrl}/jobs/${jobId}`)).json()) as { state: string };
      state = job.state;
      if (state !== 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(state, 'RUNNING');

    const listed = (await rivulet('list', '--engine', engine())).stdout;
    assert.match(listed, new RegExp(`${jobId} : .*numbers\\.sql#1 \\(RUNNING\\)`));

    await rivulet('cancel', jobId, '--engine', engine());
    const job = (await (await fetch(`${cluster?.restUrl}/jobs/${jobId}`)).json()) as { state: string };
    assert.match(job.state, /CANCEL/);
  });

  it('refuses what only Rivulet has, naming it', async () => {
    const file = join(dir, 'function.sql');
    writeFileSync(file, "CREATE FUNCTION twice AS 'twice.ts#twice';\n");
    await assert.rejects(rivulet('sql', '-f', file, '--engine', engine()), (error: { stderr: string }) => {
      assert.match(error.stderr, /FLINK_UNSUPPORTED/);
      assert.match(error.stderr, /twice\.ts#twice/);
      return true;
    });
    await assert.rejects(
      rivulet('sql', '-f', file, '--engine', engine(), '--from-scratch'),
      (error: { stderr: string }) => /--from-scratch/.test(error.stderr),
    );
  });

  it('writes rows Flink computed into a PostgreSQL sink, stops the job with a savepoint, and resumes from it', async () => {
    const db = (await sink?.connect()) as pg.Client;
    await db.query('CREATE TABLE squares (x BIGINT PRIMARY KEY, label TEXT)');
    await db.query('CREATE TABLE squares_resumed (x BIGINT PRIMARY KEY, label TEXT)');
    const file = join(dir, 'squares.sql');
    const script = (table: string, savepoint?: string) =>
      `SET 'parallelism.default' = '1';
${savepoint ? `SET 'execution.savepoint.path' = '${savepoint}';\n` : ''}CREATE TABLE numbers (x BIGINT) WITH (
  'connector' = 'datagen', 'rows-per-second' = '20',
  'fields.x.kind' = 'sequence', 'fields.x.start' = '1', 'fields.x.end' = '100000');
CREATE TABLE squares (x BIGINT, label STRING, PRIMARY KEY (x) NOT ENFORCED) WITH (
  'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${SINK_PORT}/postgres', 'username' = 'postgres', 'password' = 'trusted',
  'table-name' = '${table}', 'sink.buffer-flush.interval' = '200ms');
INSERT INTO squares SELECT x, CONCAT('n', CAST(x * x AS STRING)) FROM numbers;
`;
    writeFileSync(file, script('squares'));
    const port = String(sink?.server.port);
    const submitted = await rivulet('sql', '-f', file, '-D', `SINK_PORT=${port}`, '--engine', engine());
    const jobId = /Job ID: ([0-9a-f]{32})/.exec(submitted.stdout)?.[1] as string;
    assert.ok(jobId, submitted.stdout);
    await waitFor(
      'the job RUNNING',
      async () => ((await jobState(jobId)) === 'RUNNING' ? true : undefined),
      [],
      60_000,
    );
    await waitFor(
      '20 rows in the sink',
      async () => ((await db.query('SELECT count(*)::int AS n FROM squares')).rows[0].n >= 20 ? true : undefined),
      [],
      60_000,
    );
    // PostgreSQL computes what Flink should have written: x and 'n' || x², for 1 … the highest x.
    const missing =
      await db.query(`SELECT g AS x, 'n' || (g * g) AS label FROM generate_series(1, (SELECT max(x) FROM squares)) g
      EXCEPT SELECT x, label FROM squares`);
    assert.deepEqual(missing.rows, []);
    const extra = await db.query(`SELECT x, label FROM squares
      EXCEPT SELECT g, 'n' || (g * g) FROM generate_series(1, (SELECT max(x) FROM squares)) g`);
    assert.deepEqual(extra.rows, []);

    // No savepoint directory is configured on this gateway: refused, and the job keeps running.
    await assert.rejects(rivulet('stop', jobId, '--savepoint', '--engine', engine()), (error: { stderr: string }) => {
      assert.match(error.stderr, /FLINK_NO_SAVEPOINT_DIR/);
      return true;
    });
    assert.equal(await jobState(jobId), 'RUNNING');

    const savepoints = join(dir, 'savepoints');
    const stopped = await rivulet('stop', jobId, '--savepoint', `file://${savepoints}`, '--engine', engine());
    const path = /with a savepoint at (\S+):/.exec(stopped.stdout)?.[1] as string;
    assert.ok(path?.includes(savepoints), stopped.stdout);
    assert.ok(existsSync(join(fileURLToPath(path.startsWith('file:') ? path : `file://${path}`), '_metadata')));
    assert.equal(await jobState(jobId), 'FINISHED');
    const { rows: stoppedAt } = await db.query('SELECT count(*)::int AS n, max(x)::int AS last FROM squares');

    // The same script from the savepoint: the sequence goes on where the stopped job left it.
    writeFileSync(file, script('squares_resumed', path));
    const resumed = await rivulet('sql', '-f', file, '-D', `SINK_PORT=${port}`, '--engine', engine());
    const resumedId = /Job ID: ([0-9a-f]{32})/.exec(resumed.stdout)?.[1] as string;
    const first = await waitFor(
      'rows of the resumed job',
      async () => (await db.query('SELECT min(x)::int AS x FROM squares_resumed')).rows[0].x ?? undefined,
      [],
      60_000,
    );
    assert.equal(first, stoppedAt[0].last + 1, `the stopped job wrote ${stoppedAt[0].n} rows`);

    // Without --savepoint, Flink cancels the job.
    const cancelled = await rivulet('stop', resumedId, '--engine', engine());
    assert.match(cancelled.stdout, /its state is gone/);
    assert.equal(await jobState(resumedId), 'CANCELED');
  });
});
