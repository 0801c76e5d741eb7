import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { WorkerPool } from '../../src/runtime/workers/pool.ts';
import { faultInjectionFromEnvironment } from '../../src/server/fault-injection.ts';
import { startRestServer } from '../../src/server/rest.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

const TOKEN = 'fault-test-token-51f2a7c0';
const SCRIPT = `SET 'restart-strategy.fixed-delay.delay' = '10 ms';
  CREATE TABLE events_in (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'events',
    'properties.bootstrap.servers' = 'unused:9092', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
  CREATE TABLE dropped (id BIGINT) WITH ('connector' = 'blackhole');
  INSERT INTO dropped SELECT id FROM events_in;`;

describe('POST /workers/:n/crash', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let engine: Engine;
  let pool: WorkerPool;
  let on: Server;
  let off: Server;
  let onPort: number;
  let offPort: number;

  before(async () => {
    pg = await startTestPostgres();
    log = await openTestLog(pg);
    await log.ensureTopic('events');
    pool = new WorkerPool({
      size: 2,
      logUrl: pg.server.url('rivulet'),
      stateMemory: { limit: 32 * 2 ** 20, dir: `${pg.dir}/spill` },
      reportMs: 100,
    });
    engine = new Engine(log, undefined, pool);
    onPort = await freeLoopbackPort();
    on = await startRestServer(engine, onPort, { token: TOKEN, faultInjection: true });
    offPort = await freeLoopbackPort();
    off = await startRestServer(engine, offPort, { token: TOKEN });
  });
  after(async () => {
    on?.close();
    off?.close();
    await engine?.close();
    await log?.close();
    await pg?.dispose();
  });

  const crash = async (port: number, worker: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}/workers/${worker}/crash`, { method: 'POST', headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const bearer = { authorization: `Bearer ${TOKEN}` };

  it('is on only for RIVULET_FAULT_INJECTION=1', () => {
    assert.equal(faultInjectionFromEnvironment({ RIVULET_FAULT_INJECTION: '1' }), true);
    for (const value of [undefined, '', '0', 'true', 'yes'])
      assert.equal(faultInjectionFromEnvironment({ RIVULET_FAULT_INJECTION: value }), false, String(value));
  });

  it('needs the token, and a page of another origin cannot send it', async () => {
    const starts = pool.slots[0]?.starts;
    assert.equal((await crash(onPort, '1')).status, 401);
    assert.equal((await crash(onPort, '1', { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await crash(onPort, '1', { ...bearer, origin: 'http://evil.example' })).status, 403);
    assert.equal(pool.slots[0]?.starts, starts);
  });

  it('is refused when fault injection is off, saying how to turn it on', async () => {
    const starts = pool.slots[0]?.starts;
    const answer = await crash(offPort, '1', bearer);
    assert.equal(answer.status, 403);
    assert.match(String(answer.body.errors), /fault injection is off.*RIVULET_FAULT_INJECTION=1/);
    assert.equal(pool.slots[0]?.starts, starts);
  });

  it('names the workers there are when asked for another', async () => {
    const answer = await crash(onPort, '3', bearer);
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body.errors, ['Worker 3 not found (workers: 1 to 2)']);
  });

  it('ends the worker from inside; the next one starts and its job resumes', async () => {
    const [job] = await engine.submit('copy.sql', SCRIPT, new Map());
    assert.ok(job);
    await waitFor('the job to run', async () => (job.status === 'RUNNING' ? true : undefined), [job]);
    const worker = job.worker as number;
    const answer = await crash(onPort, String(worker), bearer);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { worker, jobs: [job.id], starts: 2 });
    await waitFor(
      'the job to run again',
      async () => (job.status === 'RUNNING' && job.restarts === 1 ? true : undefined),
      [job],
    );
    assert.match(job.exceptions.at(-1)?.error.message ?? '', /worker \d of the engine exited \(code 1\)/);
    await log.produce([{ topic: 'events', key: null, value: Buffer.from('{"id":1}') }]);
    await waitFor('the resumed job to read', async () => (job.stats.recordsIn === 1 ? true : undefined), [job]);
    await engine.cancel(job.id);
  });
});
