import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { isRivuletError } from '../../src/common/errors.ts';
import { jdbcFactory } from '../../src/connectors/jdbc/factory.ts';
import { openJdbcLookup } from '../../src/connectors/jdbc/lookup.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScriptWithFunctions } from '../../src/plan/planner.ts';
import { Engine } from '../../src/runtime/engine.ts';
import type { JobHandle } from '../../src/runtime/job-handle.ts';
import { type PlacedJob, WorkerPool, WorkerSlot } from '../../src/runtime/workers/pool.ts';
import type { JobState, JobSubmission } from '../../src/runtime/workers/protocol.ts';
import { RemoteJob } from '../../src/runtime/workers/remote-job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';
import { threadOf } from '../helpers/worker-thread.ts';

/**
 * Clicks of one topic counted per user (or per `key`) into a table of the sink database, named
 * after the topic; `settings` go first.
 */
const counting = (topic: string, port: number, key = 'user_id', settings = '') => `
  ${settings}
  SET 'pipeline.name' = 'count-${topic}';
  CREATE TABLE clicks (user_id BIGINT, page STRING) WITH (
    'connector' = 'kafka', 'topic' = '${topic}', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
  CREATE TABLE per_user (user_id BIGINT, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH (
    'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${port}/sink',
    'table-name' = 'public.${topic}_per_user', 'username' = 'postgres');
  INSERT INTO per_user SELECT ${key}, COUNT(*) FROM clicks GROUP BY ${key};`;

describe('jobs on a pool of worker threads', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let sink: pg.Client;
  let pool: WorkerPool;
  let engine: Engine;

  const produce = (topic: string, users: readonly number[]) =>
    log.produce(users.map((user) => ({ topic, key: null, value: Buffer.from(`{"user_id":${user},"page":"p"}`) })));
  /** The sink table, and PostgreSQL's own count of the clicks the test wrote into `written`. */
  const sinkRows = async (topic: string) =>
    (await sink.query(`SELECT user_id, n FROM public.${topic}_per_user ORDER BY user_id`)).rows.map(
      (row) => `${row.user_id}:${row.n}`,
    );
  const expectedRows = async (topic: string) =>
    (
      await sink.query(
        `SELECT user_id, count(*) AS n FROM written WHERE topic = $1 GROUP BY user_id ORDER BY user_id`,
        [topic],
      )
    ).rows.map((row) => `${row.user_id}:${row.n}`);

  before(async () => {
    pg = await startTestPostgres();
    log = await openTestLog(pg);
    await (await pg.connect()).query('CREATE DATABASE sink');
    sink = await pg.connect('sink');
    await sink.query('CREATE TABLE written (topic text, user_id bigint)');
    for (const topic of [
      'a',
      'b',
      'c',
      'killed',
      'failing',
      'early',
      'restored',
      'budget',
      'totals',
      'lookup',
      'replayed',
    ]) {
      await log.ensureTopic(topic);
      await sink.query(`CREATE TABLE ${topic}_per_user (user_id bigint PRIMARY KEY, n bigint)`);
    }
    pool = new WorkerPool({
      size: 2,
      logUrl: pg.server.url('rivulet'),
      stateMemory: { limit: 64 * 2 ** 20, dir: `${pg.dir}/spill` },
      reportMs: 100,
    });
    engine = new Engine(log, undefined, pool);
  });
  after(async () => {
    await engine?.close();
    await log?.close();
    await pg?.dispose();
  });

  /** Writes clicks to a topic and, for PostgreSQL to count them too, into the table `written`. */
  async function write(topic: string, users: readonly number[]): Promise<void> {
    await produce(topic, users);
    await sink.query('INSERT INTO written SELECT $1, unnest($2::bigint[])', [topic, users]);
  }

  it('places each job with the jobs it shares a topic with, else on the worker with the fewest, and runs it there', async () => {
    const port = pg.server.port;
    const jobs = [];
    for (const topic of ['a', 'b', 'c']) {
      const [job] = await engine.submit(`${topic}.sql`, counting(topic, port), new Map());
      assert.ok(job);
      jobs.push(job);
    }
    // A job reading topic a goes where the job reading a is, though worker 2 has fewer jobs.
    const [reader] = await engine.submit(
      'echo-a.sql',
      `SET 'pipeline.name' = 'echo-a';
       CREATE TABLE clicks (user_id BIGINT, page STRING) WITH (
         'connector' = 'kafka', 'topic' = 'a', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
       CREATE TABLE nowhere (user_id BIGINT) WITH ('connector' = 'blackhole');
       INSERT INTO nowhere SELECT user_id FROM clicks;`,
      new Map(),
    );
    assert.ok(reader);
    assert.deepEqual(
      [...jobs, reader].map((job) => job.worker),
      [1, 2, 1, 1],
    );
    await engine.cancel(reader.id);
    for (const topic of ['a', 'b', 'c']) await write(topic, [1, 2, 2, topic === 'c' ? 3 : 1]);
    for (const topic of ['a', 'b', 'c']) {
      const expected = await expectedRows(topic);
      await waitFor(
        `the counts of ${topic}`,
        async () => ((await sinkRows(topic)).join() === expected.join() ? true : undefined),
        jobs,
      );
    }
    // The proxies show what the workers report: the job's records and its graph's figures.
    const [a] = jobs;
    assert.ok(a);
    await waitFor('the stats of job a', async () => (a.stats.recordsIn === 4 ? true : undefined), jobs);
    assert.equal(a.status, 'RUNNING');
    assert.ok(a.stats.commits > 0);
    for (const job of jobs) await engine.cancel(job.id);
    assert.deepEqual(
      jobs.map((job) => job.status),
      ['CANCELED', 'CANCELED', 'CANCELED'],
    );
    assert.deepEqual(
      pool.slots.map((slot) => slot.jobs.size),
      [0, 0],
    );
  });

  it('cancels a job whose worker is still opening it: the open ends, then the job is closed, not left running', async () => {
    const id = 'opening-job';
    const states: JobState[] = [];
    let opened: (error: Error | undefined) => void = () => undefined;
    const openedNow = new Promise<Error | undefined>((resolve) => {
      opened = resolve;
    });
    const placedJob: PlacedJob = {
      id,
      topics: new Set(),
      onOpened: (error) => opened(error),
      onState: (state) => states.push(state),
      onEnded: (state) => states.push(state),
      onWorkerLost: () => undefined,
      onRunFailed: () => ({ decision: { restart: false }, described: 'no restart' }),
    };
    const slot = pool.place(placedJob);
    slot.post({
      kind: 'open',
      job: {
        id,
        name: 'count-early',
        file: 'early.sql',
        text: counting('early', pg.server.port),
        variables: [],
        directory: process.cwd(),
        generation: 0,
      },
    });
    // Sent with the open: the worker is still planning the script when it comes.
    const answer = await slot.request('cancel', id);
    assert.equal(answer.state?.status, 'CANCELED');
    // What the worker reported before its answer was the job opening.
    states.length = 0;
    assert.equal(await openedNow, undefined);
    // Two reports of the worker after the open: the job is no longer among its jobs.
    for (let reports = 0; reports < 2; reports++) {
      const memory = slot.memory;
      await waitFor('a report of the worker', async () => (slot.memory !== memory ? true : undefined));
    }
    slot.jobs.delete(id);
    assert.deepEqual(states, []);
  });

  it('restarts a restored job whose open failed, as its restart strategy says, and runs it', async () => {
    const text = counting('restored', pg.server.port, 'user_id', "SET 'restart-strategy.fixed-delay.delay' = '10 ms';");
    const [plan] = (await planScriptWithFunctions('restored.sql', text, new Map(), {}, process.cwd())).jobs;
    assert.ok(plan);
    const submission: JobSubmission = {
      id: 'restored-job',
      name: plan.name,
      file: 'restored.sql',
      text,
      variables: [],
      directory: process.cwd(),
      generation: 0,
    };
    const job = new RemoteJob(plan, submission, pool);
    // As Engine.restore launches a job whose open failed.
    job.launch(new Error('the sink database is not there yet'));
    await write('restored', [4, 4, 5]);
    const expected = await expectedRows('restored');
    await waitFor(
      'the restored job to run',
      async () =>
        job.status === 'RUNNING' && (await sinkRows('restored')).join() === expected.join() ? true : undefined,
      [job],
    );
    assert.equal(job.restarts, 1);
    assert.equal(job.exceptions.at(-1)?.error.message, 'the sink database is not there yet');
    await job.cancel();
    assert.equal(job.status, 'CANCELED');
  });

  it("opens a worker's log again for the next job when it could not be opened before", async () => {
    const own = new WorkerPool({
      size: 1,
      logUrl: pg.server.url('later'),
      stateMemory: { limit: 16 * 2 ** 20, dir: `${pg.dir}/spill-later` },
      reportMs: 100,
    });
    const later = new Engine(log, undefined, own);
    try {
      const script = counting('early', pg.server.port);
      await assert.rejects(later.submit('early.sql', script, new Map()), /database "later" does not exist/);
      const admin = await pg.connect();
      await admin.query('CREATE DATABASE later');
      await admin.end();
      const [job] = await later.submit('early.sql', script, new Map());
      assert.equal(job?.status, 'RUNNING');
    } finally {
      await later.close();
    }
  });

  it('starts a killed worker again, and its job resumes where it committed: nothing lost or counted twice', async () => {
    const [job] = await engine.submit('killed.sql', counting('killed', pg.server.port), new Map());
    assert.ok(job);
    const slot = pool.slots[(job.worker as number) - 1];
    assert.ok(slot);
    let next = 0;
    const batch = () => Array.from({ length: 50 }, () => (next++ * 7919) % 13);
    for (let i = 0; i < 20; i++) await write('killed', batch());
    await waitFor('the job to commit', async () => (job.stats.commits > 0 ? true : undefined), [job]);
    // Killed mid-stream, while the writing goes on.
    const writing = (async () => {
      for (let i = 0; i < 40; i++) {
        await write('killed', batch());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await threadOf(slot).terminate();
    await writing;
    const expected = await expectedRows('killed');
    let seen: string[] = [];
    await waitFor(
      'the counts after the kill',
      async () => {
        // Resumed on a new worker first: the sink can hold every count before the restart's delay is over.
        if (job.status !== 'RUNNING' || job.restarts < 1) return undefined;
        seen = await sinkRows('killed');
        return seen.join() === expected.join() ? true : undefined;
      },
      [job],
      60_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: the sink has ${seen.join(' ')}, PostgreSQL counts ${expected.join(' ')} (job ${job.status})`,
      );
    });
    assert.equal(slot.starts, 2);
    assert.equal(job.status, 'RUNNING');
    assert.equal(job.restarts, 1);
    assert.match(job.exceptions.at(-1)?.error.message ?? '', /worker \d of the engine exited/);
    assert.ok(job.worker === 1 || job.worker === 2);
    await engine.cancel(job.id);
  });

  it('shows a job that fails for good in its worker as FAILED, with its error and code', async () => {
    const script = counting('failing', pg.server.port, 'CAST(page AS INT)', "SET 'restart-strategy.type' = 'none';");
    const [job] = await engine.submit('failing.sql', script, new Map());
    assert.ok(job);
    await produce('failing', [1]);
    await job.ended;
    assert.equal(job.status, 'FAILED');
    assert.ok(job.endedAt !== undefined);
    assert.ok(isRivuletError(job.failure), String(job.failure));
    assert.equal(job.failure.code, 'CAST_FAILED');
    assert.match(job.failure.message, /cannot CAST 'p' AS INT/);
    assert.equal(job.exceptions.at(-1)?.error.message, job.failure.message);
    assert.equal(pool.slots[(job.worker as number) - 1]?.jobs.has(job.id), false);
  });
  it("counts a worker's end and a failure of a run in the worker against one restart budget", async () => {
    const settings =
      "SET 'restart-strategy.fixed-delay.attempts' = '1'; SET 'restart-strategy.fixed-delay.delay' = '10 ms';";
    const [job] = await engine.submit(
      'budget.sql',
      counting('budget', pg.server.port, 'CAST(page AS INT)', settings),
      new Map(),
    );
    assert.ok(job);
    await waitFor('the worker to report the job', async () => (job.status === 'RUNNING' ? true : undefined), [job]);
    await threadOf(pool.slots[(job.worker as number) - 1]).terminate();
    await waitFor(
      'the job to run again',
      async () => (job.status === 'RUNNING' && job.restarts === 1 ? true : undefined),
      [job],
    );
    // The one attempt is spent: the failure of the run in the new worker fails the job.
    await produce('budget', [1]);
    await job.ended;
    assert.equal(job.status, 'FAILED');
    assert.equal(job.restarts, 1);
    assert.deepEqual(
      job.exceptions.map(({ error }) => error.message.replace(/worker \d/, 'worker N')),
      ['worker N of the engine exited (code 1) while running its jobs', job.failure?.message],
    );
    assert.match(job.failure?.message ?? '', /cannot CAST 'p' AS INT/);
  });
  it("keeps counting a job's records and commits over its workers: a new worker adds to the earlier ones' totals", async () => {
    const settings = "SET 'restart-strategy.fixed-delay.delay' = '10 ms';";
    const [job] = await engine.submit('totals.sql', counting('totals', pg.server.port, 'user_id', settings), new Map());
    assert.ok(job);
    // Five rounds, each committed before the next is written: five commits at least.
    for (let round = 1; round <= 5; round++) {
      await write('totals', [round, round + 1]);
      const expected = await expectedRows('totals');
      await waitFor(
        `round ${round}`,
        async () =>
          job.stats.recordsIn === 2 * round && (await sinkRows('totals')).join() === expected.join() ? true : undefined,
        [job],
      );
    }
    const before = { commits: job.stats.commits, recordsIn: job.stats.recordsIn };
    assert.ok(before.commits >= 5, String(before.commits));
    await threadOf(pool.slots[(job.worker as number) - 1]).terminate();
    await waitFor(
      'the job to run again',
      async () => (job.status === 'RUNNING' && job.restarts === 1 ? true : undefined),
      [job],
    );
    await write('totals', [9]);
    const expected = await expectedRows('totals');
    await waitFor(
      'the row written after the restart',
      async () => ((await sinkRows('totals')).join() === expected.join() ? true : undefined),
      [job],
    );
    await waitFor('the proxy to see the commit', async () => (job.stats.commits > before.commits ? true : undefined), [
      job,
    ]);
    assert.ok(job.stats.recordsIn >= before.recordsIn, `${job.stats.recordsIn} < ${before.recordsIn}`);
    const ids = job.stats.recentCommits.map(({ id }) => id);
    assert.deepEqual(
      ids,
      Array.from({ length: ids.length }, (_, i) => job.stats.commits - ids.length + 1 + i),
    );
    await engine.cancel(job.id);
  });
  it('counts the records that arrive while its worker is restarted, which the replay reads past its commit', async () => {
    const settings = "SET 'restart-strategy.fixed-delay.delay' = '500 ms';";
    const [job] = await engine.submit(
      'replayed.sql',
      counting('replayed', pg.server.port, 'user_id', settings),
      new Map(),
    );
    assert.ok(job);
    await write('replayed', [1, 2, 3]);
    await waitFor('the first records', async () => (job.stats.recordsIn === 3 ? true : undefined), [job]);
    await threadOf(pool.slots[(job.worker as number) - 1]).terminate();
    // Before the job resumes: the replay of its state reads these with the committed ones, in one batch.
    await write('replayed', [1, 4]);
    const expected = await expectedRows('replayed');
    await waitFor(
      'the records written while the worker was down',
      async () =>
        job.status === 'RUNNING' && job.restarts === 1 && (await sinkRows('replayed')).join() === expected.join()
          ? true
          : undefined,
      [job],
    );
    await waitFor('the proxy to see the commit', async () => (job.stats.commits > 1 ? true : undefined), [job]);
    await new Promise((resolve) => setTimeout(resolve, 300)); // two reports of the worker
    assert.equal(job.stats.recordsIn, 5);
    await engine.cancel(job.id);
  });
  it("prints a plan's warnings once, from the worker, not again on the main thread", async () => {
    const warned: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warned.push(args.join(' '));
    let job: JobHandle | undefined;
    try {
      [job] = await engine.submit(
        'warned.sql',
        counting('a', pg.server.port, 'user_id', "SET 'no.such' = 'x';"),
        new Map(),
      );
    } finally {
      console.warn = warn;
    }
    assert.ok(job);
    assert.deepEqual(
      warned.filter((line) => line.includes('no.such')),
      [],
    );
    await engine.cancel(job.id);
  });
  it("does not open a lookup join's source on the main thread: only the worker's job looks rows up", async () => {
    const lookup = jdbcFactory.lookup as { open: typeof openJdbcLookup };
    let opened = 0;
    lookup.open = (context) => {
      opened++;
      return openJdbcLookup(context);
    };
    let job: JobHandle | undefined;
    try {
      [job] = await engine.submit(
        'lookup.sql',
        `SET 'pipeline.name' = 'lookup-a';
        CREATE TABLE clicks (user_id BIGINT, page STRING, proc AS PROCTIME()) WITH (
          'connector' = 'kafka', 'topic' = 'lookup', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
        CREATE TABLE counts (user_id BIGINT, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH (
          'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/sink',
          'table-name' = 'public.a_per_user', 'username' = 'postgres');
        CREATE TABLE out (user_id BIGINT, n BIGINT) WITH ('connector' = 'blackhole');
        INSERT INTO out SELECT c.user_id, n.n FROM clicks AS c
          LEFT JOIN counts FOR SYSTEM_TIME AS OF c.proc AS n ON c.user_id = n.user_id;`,
        new Map(),
      );
    } finally {
      lookup.open = openJdbcLookup;
    }
    assert.ok(job);
    assert.equal(opened, 0);
    assert.ok(job.currentGraph?.operators.length);
    await produce('lookup', [1]);
    await waitFor('the job to read', async () => (job.stats.recordsIn > 0 ? true : undefined), [job]);
    await engine.cancel(job.id);
  });
});

/** One place of a pool on its own, running `main` (a module path relative to this file). */
const slotRunning = (main: string, reportMs: number) =>
  new WorkerSlot(
    1,
    {
      main: new URL(main, import.meta.url).href,
      index: 1,
      logUrl: 'postgres://127.0.0.1:1/unused',
      tailChannel: 'rivulet-log-tail-unused',
      kafkaTransactionalId: undefined,
      stateMemory: undefined,
      reportMs,
    },
    () => undefined,
  );

describe('a worker that does not answer', () => {
  it('answers a request for source metrics with none, after a while', { timeout: 60_000 }, async () => {
    const slot = slotRunning('../helpers/silent-worker.ts', 500);
    try {
      assert.deepEqual(await slot.request('source-metrics', 'some-job'), { samples: [] });
    } finally {
      await slot.close();
    }
  });
});

describe('a worker that starts', () => {
  it('reports as soon as it has loaded, not only after its first interval', { timeout: 60_000 }, async () => {
    const slot = slotRunning('../../src/runtime/workers/worker-main.ts', 3_600_000);
    try {
      assert.equal(slot.thread, undefined, 'a worker starts when it is first needed');
      slot.start();
      const memory = await waitFor('the first report', async () => slot.memory, [], 30_000);
      assert.equal(memory.used, 0);
    } finally {
      await slot.close();
    }
  });
});
