import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { readEmbeddedPassword } from '../../src/embedded/pgpass.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { isProcessAlive } from '../../src/embedded/process-alive.ts';
import { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { CliProcess, runCli } from '../helpers/cli.ts';
import { waitFor } from '../helpers/wait.ts';

/** A topic copied into a table of sink_db, with the sink's password (the embedded server's) given by -D. */
const SCRIPT = `
CREATE TABLE events_in (id BIGINT, note STRING) WITH (
  'connector' = 'kafka', 'topic' = 'events', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE events_out (id BIGINT, note STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (
  'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PG_PORT}/sink_db', 'table-name' = 'public.events',
  'username' = 'postgres', 'password' = '\${SINK_PASSWORD}');
INSERT INTO events_out SELECT * FROM events_in;
`;

describe('rivulet up keeps submitted jobs: a restart restores them, stop keeps them to resume, cancel forgets them', () => {
  let dir: string;
  let dataDir: string;
  let file: string;
  let pgPort: number;
  let restPort: number;
  let up: CliProcess | undefined;
  const outputs: string[] = [];

  const start = async (): Promise<CliProcess> => {
    up = new CliProcess(['up', '--data-dir', dataDir, '--pg-port', String(pgPort), '--port', String(restPort)]);
    await up.waitFor(/Ready in [\d.]+ s/);
    return up;
  };
  const stop = async (signal: NodeJS.Signals) => {
    const running = up as CliProcess;
    running.child.kill(signal);
    const result = await running.done;
    outputs.push(result.stdout, result.stderr);
  };
  /** The embedded server's password, made by the first start in the data directory: it must never be shown. */
  const password = () => readEmbeddedPassword(dataDir, 'postgres') ?? '';
  const url = (database: string) => `postgresql://postgres:${password()}@127.0.0.1:${pgPort}/${database}`;
  async function produce(id: number): Promise<void> {
    const log = await PostgresLog.open(url('rivulet'), { maintenanceIntervalMs: 0 });
    await log.ensureTopic('events');
    await log.produce([{ topic: 'events', key: null, value: Buffer.from(`{"id":${id},"note":"n${id}"}`) }]);
    await log.close();
  }
  async function sinkIds(): Promise<string> {
    const client = new pg.Client({ connectionString: url('sink_db') });
    await client.connect();
    try {
      return (await client.query('SELECT id FROM public.events ORDER BY id')).rows.map((r) => r.id).join(',');
    } finally {
      await client.end();
    }
  }
  const sinkHas = (ids: string) =>
    waitFor(`the sink to hold ${ids}`, async () => ((await sinkIds()) === ids ? true : undefined));
  const submit = () =>
    runCli(['sql', '-f', file, '-D', `PG_PORT=${pgPort}`, '-D', `SINK_PASSWORD=${password()}`, '--data-dir', dataDir]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rivulet-durable-'));
    chmodSync(dir, 0o711);
    dataDir = join(dir, 'data');
    file = join(dir, 'events.sql');
    writeFileSync(file, SCRIPT);
    pgPort = await freeLoopbackPort();
    restPort = await freeLoopbackPort();
    await start();
    const admin = new pg.Client({ connectionString: url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE sink_db');
    await admin.end();
    const sink = new pg.Client({ connectionString: url('sink_db') });
    await sink.connect();
    await sink.query('CREATE TABLE public.events (id BIGINT PRIMARY KEY, note TEXT)');
    await sink.end();
  });
  after(async () => {
    if (up && up.child.exitCode === null && up.child.signalCode === null) await stop('SIGINT');
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
    if (pid !== undefined && isProcessAlive(pid)) process.kill(pid, 'SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores a job submitted with rivulet sql after SIGKILL, with its id, and never shows its -D password', async () => {
    const submitted = await submit();
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = /^Job ID: ([0-9a-f]{32}) /m.exec(submitted.stdout)?.[1] as string;
    assert.ok(id, submitted.stdout);
    await produce(1);
    await sinkHas('1');

    await stop('SIGKILL');
    await produce(2);
    const restarted = await start();
    assert.match(restarted.stdout, new RegExp(`Running 1 jobs:\\n {2}${id} {2}insert-into_\\S+events_out {3}\\(`));
    await sinkHas('1,2');
    const listed = await runCli(['list', '--data-dir', dataDir]);
    assert.match(listed.stdout, new RegExp(`${id} : \\S+ \\(RUNNING\\)`));

    const answers = await Promise.all(
      ['/jobs/overview', `/jobs/${id}`, `/jobs/${id}/plan`, `/jobs/${id}/exceptions`, '/metrics'].map(async (path) =>
        (await fetch(`http://127.0.0.1:${restPort}${path}`)).text(),
      ),
    );
    assert.ok(answers.every((text) => text.length > 0));
    assert.ok(password().length >= 16, 'the server has a password');
    for (const text of [...answers, restarted.stdout, restarted.stderr, ...outputs, listed.stdout])
      assert.ok(!text.includes(password()), `the password shows in ${text.slice(0, 200)}`);
  });

  it('stops a job keeping its positions: the next start leaves it stopped, its script resumes it; cancel forgets it', async () => {
    const listed = await runCli(['list', '--data-dir', dataDir]);
    const id = /: ([0-9a-f]{32}) : \S+ \(RUNNING\)/.exec(listed.stdout)?.[1] as string;
    const stopped = await runCli(['stop', id, '--data-dir', dataDir]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, new RegExp(`^Stopped job ${id}; its positions are kept`));
    await produce(3);

    await stop('SIGINT');
    const restarted = await start();
    assert.doesNotMatch(restarted.stdout, /Running \d+ jobs/);
    assert.equal(await sinkIds(), '1,2', 'a stopped job stays stopped');

    const resumed = await submit();
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`^Job ID: ${id} `), 'the same job, resumed');
    await sinkHas('1,2,3');

    const cancelled = await runCli(['cancel', id, '--data-dir', dataDir]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    await stop('SIGKILL');
    const again = await start();
    assert.doesNotMatch(again.stdout, /Running \d+ jobs/, 'a cancelled job is gone for good');
  });
});
