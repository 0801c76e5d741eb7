import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import postgresDriver from 'pg';
import { underBatchScheduling } from '../../src/embedded/batch-scheduling.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { EmbeddedPostgres } from '../../src/embedded/postgres-server.ts';
import { isProcessAlive } from '../../src/embedded/process-alive.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

describe('embedded PostgreSQL', () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await startTestPostgres();
  });
  after(async () => {
    await pg?.dispose();
  });

  it('runs with logical decoding and room for several pipelines', async () => {
    const client = await pg.connect();
    const setting = async (name: string) => (await client.query(`SHOW ${name}`)).rows[0][name];
    assert.equal(await setting('wal_level'), 'logical');
    assert.ok(Number(await setting('max_replication_slots')) >= 16);
    assert.ok(Number(await setting('max_wal_senders')) >= 16);
    assert.equal(await setting('listen_addresses'), '127.0.0.1');
  });

  it('runs its backends under SCHED_BATCH on Linux where chrt is installed, so a woken backend does not preempt the engine', async (t) => {
    if (process.platform !== 'linux' || !underBatchScheduling('x', [])[0].endsWith('chrt')) {
      t.skip('no chrt here');
      return;
    }
    const client = await pg.connect();
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const policy = (p: number) => Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ')[38]);
    const SCHED_BATCH = 3;
    assert.equal(policy(pid), SCHED_BATCH, 'a backend');
    assert.equal(policy(pg.server.pid as number), SCHED_BATCH, 'the postmaster');
  });

  it('decodes changes through a pgoutput slot', async () => {
    const client = await pg.connect();
    await client.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    await client.query('CREATE PUBLICATION p FOR TABLE t');
    await client.query(`SELECT pg_create_logical_replication_slot('s', 'pgoutput')`);
    await client.query(`INSERT INTO t VALUES (1, 'a')`);
    const changes = await client.query(
      `SELECT count(*)::int AS n FROM pg_logical_slot_get_binary_changes('s', NULL, NULL, 'proto_version', '1', 'publication_names', 'p')`,
    );
    assert.ok(changes.rows[0].n >= 3, 'expected BEGIN, RELATION/INSERT and COMMIT messages');
    await client.query(`SELECT pg_drop_replication_slot('s')`);
  });

  it('gives a cluster made without a password the one it is started with, and then asks every client for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-pg-password-'));
    chmodSync(dir, 0o711);
    const dataDir = join(dir, 'data');
    const query = async (password: string | undefined) => {
      const client = new postgresDriver.Client({ ...(password !== undefined ? { password } : {}), ...config });
      await client.connect();
      try {
        return (await client.query('SELECT current_user AS who')).rows[0].who;
      } finally {
        await client.end();
      }
    };
    let config: postgresDriver.ClientConfig = {};
    try {
      // A cluster as Rivulet made them before passwords: loopback trusted.
      const trusting = await EmbeddedPostgres.start({ dataDir, port: await freeLoopbackPort() });
      config = { ...trusting.connectionConfig('postgres') };
      assert.equal(await query('anything'), 'postgres');
      await trusting.stop();

      const first = await EmbeddedPostgres.start({ dataDir, port: await freeLoopbackPort(), password: 'first' });
      config = { host: first.host, port: first.port, user: 'postgres', database: 'postgres' };
      await assert.rejects(query(undefined), /password/);
      await assert.rejects(query('anything'), /password authentication failed for user "postgres"/);
      assert.equal(await query('first'), 'postgres');
      assert.equal(first.url('postgres'), `postgresql://postgres@127.0.0.1:${first.port}/postgres`, 'shown without it');
      await first.stop();

      // The password file was replaced: the next start gives the server the new password.
      const second = await EmbeddedPostgres.start({ dataDir, port: await freeLoopbackPort(), password: "it's:new" });
      config = { host: second.host, port: second.port, user: 'postgres', database: 'postgres' };
      await assert.rejects(query('first'), /password authentication failed/);
      assert.equal(await query("it's:new"), 'postgres');
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is gone, process and directory, after dispose', async () => {
    const other = await startTestPostgres();
    const pidFile = join(other.server.dataDir, 'postmaster.pid');
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    assert.ok(isProcessAlive(pid));
    await other.dispose();
    assert.equal(isProcessAlive(pid), false);
    assert.equal(existsSync(other.dir), false);
  });
});
