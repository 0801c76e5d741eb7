import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { databaseUrl } from '../../src/cli/support.ts';
import { findInstance } from '../../src/embedded/instance.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { isProcessAlive } from '../../src/embedded/process-alive.ts';
import { CliProcess, runCli } from '../helpers/cli.ts';

const READY = /Ready in [\d.]+ s/;

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** The ids of the jobs a start printed under "Running N jobs:". */
const jobIds = (stdout: string) =>
  [...stdout.matchAll(/^ {2}([0-9a-f]{32}) {2}insert-into_/gm)].map((m) => m[1] ?? '').sort();

describe('rivulet up --example examples/ecommerce', () => {
  let firstIds: string[] = [];
  let dir: string;
  let dataDir: string;
  let port: number;
  let restPort: number;
  const upArgs = () => [
    'up',
    '--example',
    'examples/ecommerce',
    '--data-dir',
    dataDir,
    '--pg-port',
    String(port),
    '--port',
    String(restPort),
  ];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rivulet-up-'));
    chmodSync(dir, 0o711);
    dataDir = join(dir, 'data');
    port = await freeLoopbackPort();
    restPort = await freeLoopbackPort();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates both databases, prints their connection strings, runs the pipeline, and stops cleanly on Ctrl-C', async () => {
    const up = new CliProcess(upArgs());
    await up.waitFor(READY);
    assert.match(up.stdout, new RegExp(`psql postgresql://postgres@127\\.0\\.0\\.1:${port}/source_db\n`));
    assert.match(up.stdout, new RegExp(`psql postgresql://postgres@127\\.0\\.0\\.1:${port}/sink_db\n`));
    const instance = findInstance(dataDir);
    const sourceUrl = databaseUrl(instance, 'source_db');
    const sinkUrl = databaseUrl(instance, 'sink_db');
    assert.deepEqual(await query(sourceUrl, 'SELECT count(*)::int AS n FROM business.orders'), [{ n: 5 }]);
    assert.deepEqual(await query(sourceUrl, 'SHOW wal_level'), [{ wal_level: 'logical' }]);
    assert.match(up.stdout, /Running 8 jobs:\n( {2}[0-9a-f]{32} {2}insert-into_\S+ .*\n){8}/);
    firstIds = jobIds(up.stdout);
    // Each job runs in one of the worker threads, one per core by default.
    for (const id of firstIds) {
      const details = (await (await fetch(`http://127.0.0.1:${restPort}/jobs/${id}`)).json()) as {
        rivulet: { worker: number };
      };
      assert.ok(details.rivulet.worker >= 1 && details.rivulet.worker <= availableParallelism(), id);
    }
    // The seed's five orders go through the four layers into the sink.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await query(sinkUrl, 'SELECT count(*)::int AS n FROM result.orders_with_user_info');
      if (row?.n === 5) break;
      assert.ok(Date.now() < deadline, `the sink has ${row?.n} orders`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const server = postmasterPid(dataDir);
    up.child.kill('SIGINT');
    const result = await up.done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(isProcessAlive(server), false, 'postgres still running after Ctrl-C');
  });

  it('asks every client for the password kept in <data-dir>/pgpass, which psql reads through PGPASSFILE as printed', async (t) => {
    const up = new CliProcess(upArgs());
    await up.waitFor(READY);
    const passwordFile = join(dataDir, 'pgpass');
    assert.equal(statSync(passwordFile).mode & 0o777, 0o600);
    assert.match(up.stdout, new RegExp(`export PGPASSFILE=${passwordFile.replace(/[.]/g, '\\.')}\n`));
    const url = `postgresql://postgres@127.0.0.1:${port}/sink_db`;
    // Without the password, or with another, the server refuses: no local user is trusted.
    await assert.rejects(query(url, 'SELECT 1'), /password/);
    await assert.rejects(
      query(url.replace('postgres@', 'postgres:postgres@'), 'SELECT 1'),
      /password authentication failed/,
    );
    await assert.rejects(query(url.replace('postgres@', 'alice@'), 'SELECT 1'), /password/);
    try {
      const psql = spawnSync('psql', [url, '-Atc', 'SELECT count(*) FROM result.orders_with_user_info'], {
        encoding: 'utf8',
        env: { ...process.env, PGPASSFILE: passwordFile, PGPASSWORD: '' },
      });
      if (psql.error) t.diagnostic(`no psql here: ${psql.error.message}`);
      else assert.equal(psql.stdout, '5\n', psql.stderr);
    } finally {
      up.child.kill('SIGINT');
      await up.done;
    }
  });

  it('reuses the data directory on a second start without seeding again', async () => {
    const up = new CliProcess(upArgs());
    await up.waitFor(READY);
    assert.match(up.stdout, /source_db .* already there, kept as it was/);
    // The example's jobs were submitted once: this start restores them, with their ids.
    assert.equal(firstIds.length, 8);
    assert.deepEqual(jobIds(up.stdout), firstIds);
    const sourceUrl = databaseUrl(findInstance(dataDir), 'source_db');
    assert.deepEqual(await query(sourceUrl, 'SELECT count(*)::int AS n FROM business.orders'), [{ n: 5 }]);
    assert.deepEqual(await query(sourceUrl, 'SELECT count(*)::int AS n FROM business.users'), [{ n: 5 }]);

    const second = await runCli(['up', '--data-dir', dataDir, '--pg-port', String(await freeLoopbackPort())]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^error\[DATA_DIR_IN_USE\]: data directory .* is held by another running Rivulet/);
    assert.doesNotMatch(second.stderr, /^\s+at /m);

    const server = postmasterPid(dataDir);
    up.child.kill('SIGTERM');
    const result = await up.done;
    assert.equal(
      result.code,
      0,
      `signal ${result.signal}, stdout: ${result.stdout.slice(-2000)}, stderr: ${result.stderr}`,
    );
    assert.equal(isProcessAlive(server), false);
  });

  it('takes over after the previous instance was killed with SIGKILL', async () => {
    const killed = new CliProcess(upArgs());
    await killed.waitFor(READY);
    const orphan = postmasterPid(dataDir);
    killed.child.kill('SIGKILL');
    await killed.done;
    assert.ok(isProcessAlive(orphan), 'the server outlives a SIGKILLed parent');

    const up = new CliProcess(upArgs());
    await up.waitFor(READY);
    assert.equal(isProcessAlive(orphan), false, 'the orphaned server was stopped');
    const server = postmasterPid(dataDir);
    up.child.kill('SIGINT');
    const result = await up.done;
    assert.equal(
      result.code,
      0,
      `signal ${result.signal}, stdout: ${result.stdout.slice(-2000)}, stderr: ${result.stderr}`,
    );
    assert.equal(isProcessAlive(server), false);
  });

  it('refuses a number of workers that is not a whole number above 0', async () => {
    const result = await runCli(['up', '--data-dir', dataDir, '--workers', '0']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "error[BAD_OPTION]: --workers must be a whole number above 0, got '0'\n");
  });

  it('fails with one clear message when the port is taken', async () => {
    const blocker = createServer();
    const taken = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    try {
      const result = await runCli(['up', '--data-dir', dataDir, '--pg-port', String(taken)]);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `error[PORT_IN_USE]: port ${taken} on 127.0.0.1 is already in use by another program\n` +
          '  hint: stop that program, or choose another port with --pg-port\n',
      );
    } finally {
      blocker.close();
    }
  });
});
