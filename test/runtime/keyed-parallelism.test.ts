import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/broker.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { KafkaLog } from '../../src/log/kafka/kafka-log.ts';
import type { Log } from '../../src/log/log.ts';
import { type PlannedJob, planScript } from '../../src/plan/planner.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { Job } from '../../src/runtime/job.ts';
import type { JobHandle } from '../../src/runtime/job-handle.ts';
import { PostgresJobStore } from '../../src/runtime/job-store.ts';
import { exchangeKey } from '../../src/runtime/parallel/exchange.ts';
import { keyGroupOf, keyGroupRange, subtaskOfKeyGroup } from '../../src/runtime/parallel/key-groups.ts';
import { WorkerPool } from '../../src/runtime/workers/pool.ts';
import { startRestServer } from '../../src/server/rest.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';
import { threadOf } from '../helpers/worker-thread.ts';

/** Orders (an upsert topic keyed by order id) counted and summed per user with `parallelism` subtasks. */
const perUser = (port: number, parallelism: number) => `
  SET 'parallelism.default' = '${parallelism}';
  SET 'pipeline.name' = 'orders-per-user';
  CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount BIGINT, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
    'connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
  CREATE TABLE per_user (user_id BIGINT, n BIGINT, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH (
    'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${port}/sink',
    'table-name' = 'public.per_user', 'username' = 'postgres');
  INSERT INTO per_user SELECT user_id, COUNT(*), SUM(amount) FROM orders GROUP BY user_id;`;

/** The subtask of `p` (max parallelism 128) a user's key group belongs to. */
const subtaskOfUser = (user: number, p: number) =>
  subtaskOfKeyGroup(128, p, keyGroupOf(exchangeKey([BigInt(user)], [0]), 128));

/**
 * The same scenarios on the engine's own thread, on a pool of 2 workers where each part is placed
 * alone, and on the kafka log (a real broker).
 */
const SETUPS = [
  { name: "on the engine's thread", workers: 0, kafka: false },
  { name: 'on 2 workers', workers: 2, kafka: false },
  { name: 'on the kafka log', workers: 0, kafka: true },
];
for (const { name, workers, kafka } of SETUPS) {
  describe(`keyed parallelism ${name}`, () => {
    let pg: TestPostgres;
    let broker: KafkaBroker | undefined;
    let log: Log;
    let sink: pg.Client;
    let engine: Engine;
    let pool: WorkerPool | undefined;
    let server: Server;
    let base: string;

    before(async () => {
      pg = await startTestPostgres();
      if (kafka) {
        broker = await startKafkaBroker();
        log = await KafkaLog.open(broker.bootstrap);
      } else log = await openTestLog(pg);
      await (await pg.connect()).query('CREATE DATABASE sink');
      sink = await pg.connect('sink');
      // The oracle: the same orders as a PostgreSQL table, aggregated by PostgreSQL.
      await sink.query('CREATE TABLE orders (order_id bigint PRIMARY KEY, user_id bigint, amount bigint)');
      await sink.query('CREATE TABLE per_user (user_id bigint PRIMARY KEY, n bigint, total bigint)');
      await sink.query('CREATE TABLE users (user_id bigint PRIMARY KEY, name text)');
      await sink.query(
        'CREATE TABLE order_users (user_id bigint, order_id bigint, name text, amount bigint, PRIMARY KEY (user_id, order_id))',
      );
      await log.ensureTopic('users', { compacted: true });
      await log.ensureTopic('orders', { compacted: true });
      pool =
        workers === 0
          ? undefined
          : new WorkerPool({
              size: workers,
              logUrl: pg.server.url('rivulet'),
              stateMemory: { limit: 64 * 2 ** 20, dir: `${pg.dir}/spill` },
              reportMs: 100,
            });
      engine = new Engine(log, undefined, pool);
      const port = await freeLoopbackPort();
      server = await startRestServer(engine, port, { token: 'keyed-test-token' });
      base = `http://127.0.0.1:${port}`;
    });
    after(async () => {
      server?.close();
      await engine?.close();
      await log?.close();
      await broker?.stop();
      await pg?.dispose();
    });

    /** Upserts orders (user null: deletes them) in the topic and in PostgreSQL's table. */
    async function write(orders: readonly (readonly [number, number | null, number])[]): Promise<void> {
      await log.produce(
        orders.map(([id, user, amount]) => ({
          topic: 'orders',
          key: Buffer.from(`{"order_id":${id}}`),
          value: user === null ? null : Buffer.from(`{"order_id":${id},"user_id":${user},"amount":${amount}}`),
        })),
      );
      for (const [id, user, amount] of orders) {
        if (user === null) await sink.query('DELETE FROM orders WHERE order_id = $1', [id]);
        else {
          await sink.query(
            'INSERT INTO orders VALUES ($1, $2, $3) ON CONFLICT (order_id) DO UPDATE SET user_id = $2, amount = $3',
            [id, user, amount],
          );
        }
      }
    }

    const rows = async (sql: string) =>
      (await sink.query(sql)).rows.map((r) => `${r.user_id}:${r.n}:${r.total}`).join(' ');
    const sinkRows = () => rows('SELECT user_id, n, total FROM per_user ORDER BY user_id');
    const expectedRows = () =>
      rows('SELECT user_id, count(*) AS n, sum(amount) AS total FROM orders GROUP BY user_id ORDER BY user_id');

    /** Waits for the sink to equal PostgreSQL's answer (a minute at most: a loaded machine, a broker beside). */
    async function converged(jobs: readonly JobHandle[]): Promise<void> {
      const expected = await expectedRows();
      let seen = '';
      await waitFor(
        'the sink to equal PostgreSQL',
        async () => {
          seen = await sinkRows();
          return seen === expected ? true : undefined;
        },
        jobs,
        60_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}: expected ${expected}, got ${seen}`);
      });
    }

    // Users 1–12, with at least two in each subtask at 2 and at 3.
    const users = Array.from({ length: 12 }, (_, i) => i + 1);

    it('runs a GROUP BY in 2 subtasks, with updates that move an order between them', async () => {
      const [a, b] = [users.find((u) => subtaskOfUser(u, 2) === 0), users.find((u) => subtaskOfUser(u, 2) === 1)];
      assert.ok(a !== undefined && b !== undefined, 'users in both subtasks');
      const [job] = await engine.submit('per-user.sql', perUser(pg.server.port, 2), new Map());
      assert.ok(job);
      assert.equal(job.parallelism, 2);
      await write(users.map((user, i) => [i + 1, user, 10 * user] as const));
      await converged([job]);
      // Order 100 goes from a (subtask 0) to b (subtask 1) and back, then is deleted; order 101 moves a → b for good.
      await write([
        [100, a, 5],
        [101, a, 7],
      ]);
      await write([[100, b, 6]]);
      await write([
        [101, b, 8],
        [100, a, 9],
      ]);
      await write([[100, null, 0]]);
      await converged([job]);
      // Every order of user a moves to user b: a's group is retracted to nothing, its row deleted.
      const ofA = (await sink.query('SELECT order_id FROM orders WHERE user_id = $1', [a])).rows.map((r) =>
        Number(r.order_id),
      );
      await write(ofA.map((id) => [id, b, 1] as const));
      await converged([job]);
      assert.equal((await sink.query('SELECT 1 FROM per_user WHERE user_id = $1', [a])).rowCount, 0);
      // Each subtask committed positions of its own key groups only.
      const exchange = await log.committedPositions(
        'orders-per-user/exchange#1',
        '__rivulet_exchange.orders-per-user.1',
      );
      assert.ok([...exchange.keys()].every((p) => p >= 0 && p < 128));
      // REST: the job's vertices with their parallelism, and a subtask vertex's subtasks as Flink lists them.
      // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field
      const get = async (path: string): Promise<any> => (await fetch(`${base}${path}`)).json();
      const details = await get(`/jobs/${job.id}`);
      assert.equal(details.maxParallelism, 128);
      const byName = new Map<string, { id: string; parallelism: number }>(
        details.vertices.map((v: { id: string; name: string; parallelism: number }) => [v.name, v]),
      );
      const aggregate = [...byName].find(([name]) => name.startsWith('GroupAggregate'))?.[1];
      const source = [...byName].find(([name]) => name.startsWith('TableSourceScan(table=[orders]'))?.[1];
      assert.equal(aggregate?.parallelism, 2);
      assert.equal(source?.parallelism, 1);
      const vertex = await get(`/jobs/${job.id}/vertices/${aggregate?.id}`);
      assert.deepEqual(
        vertex.subtasks.map((t: { subtask: number; status: string }) => `${t.subtask}:${t.status}`),
        ['0:RUNNING', '1:RUNNING'],
      );
      // The aggregate's input records in each subtask: the changes of its key groups (a worker reports them every 100 ms).
      await waitFor('both subtasks to show records read', async () => {
        const { subtasks } = await get(`/jobs/${job.id}/vertices/${aggregate?.id}/subtasks`);
        return subtasks.every((t: { metrics: { 'read-records': number } }) => t.metrics['read-records'] > 0)
          ? true
          : undefined;
      }, [job]);
      // On a pool, the router and the subtasks are placed as jobs are: spread over the workers.
      if (pool)
        assert.ok(
          pool.slots.every((slot) => slot.jobs.size > 0),
          'every worker runs a part',
        );
      // /metrics: a sample per subtask of the aggregate, labelled with its index as Flink's reporter does.
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const aggregateSamples = metrics
        .split('\n')
        .filter(
          (line) => line.startsWith('rivulet_vertex_records_in_total') && line.includes(`vertex_id="${aggregate?.id}"`),
        );
      assert.deepEqual(
        aggregateSamples.map((line) => /subtask_index="(\d+)"/.exec(line)?.[1]),
        ['0', '1'],
      );
      const overview = await get('/jobs/overview');
      assert.equal(overview.jobs[0].rivulet.parallelism, 2);
      await engine.stop(job.id);
      assert.equal(job.status, 'FINISHED');
    });

    it('rescales to 3 subtasks after a stop, keeping each key group state', async () => {
      const [job] = await engine.submit('per-user.sql', perUser(pg.server.port, 3), new Map());
      assert.ok(job);
      assert.equal(job.parallelism, 3);
      // Users whose key group moved to another subtask keep their counts: they go on, not from 0.
      const moved = users.filter((u) => subtaskOfUser(u, 2) !== subtaskOfUser(u, 3));
      assert.ok(moved.length > 0, 'some users change subtask');
      const before = await sinkRows();
      await write(users.map((user, i) => [200 + i, user, 1] as const));
      // Order u (user u's since the first test) moves to the next user whose key group moved.
      await write(moved.map((user, i) => [user, moved[(i + 1) % moved.length] as number, 3] as const));
      await converged([job]);
      assert.notEqual(await sinkRows(), before);
      await engine.stop(job.id);
      // And back to 2.
      const [again] = await engine.submit('per-user.sql', perUser(pg.server.port, 2), new Map());
      assert.ok(again);
      await write(users.map((_, i) => [300 + i, users[(i + 5) % users.length] as number, 2] as const));
      await converged([again]);
      await engine.cancel(again.id);
    });

    it('joins in 2 subtasks, both inputs partitioned by the join key, with updates on both sides', async () => {
      const joined = (sinkKey: string) => `
      SET 'parallelism.default' = '2';
      SET 'pipeline.name' = 'order-users';
      CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount BIGINT, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
        'connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
      CREATE TABLE users (user_id BIGINT, name STRING, PRIMARY KEY (user_id) NOT ENFORCED) WITH (
        'connector' = 'upsert-kafka', 'topic' = 'users', 'key.format' = 'json', 'value.format' = 'json');
      CREATE TABLE order_users (user_id BIGINT, order_id BIGINT, name STRING, amount BIGINT,
        PRIMARY KEY (${sinkKey}) NOT ENFORCED) WITH (
        'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/sink',
        'table-name' = 'public.order_users', 'username' = 'postgres');
      INSERT INTO order_users SELECT o.user_id, o.order_id, u.name, o.amount FROM orders o JOIN users u ON o.user_id = u.user_id;`;
      // Keyed by the order alone, a row moving between users could reach the sink out of order: refused.
      await assert.rejects(engine.submit('joined.sql', joined('order_id'), new Map()), {
        code: 'PARALLELISM_NOT_SUPPORTED',
      });
      const users = (named: readonly (readonly [number, string | null])[]) =>
        Promise.all([
          log.produce(
            named.map(([id, name]) => ({
              topic: 'users',
              key: Buffer.from(`{"user_id":${id}}`),
              value: name === null ? null : Buffer.from(`{"user_id":${id},"name":"${name}"}`),
            })),
          ),
          ...named.map(([id, name]) =>
            name === null
              ? sink.query('DELETE FROM users WHERE user_id = $1', [id])
              : sink.query('INSERT INTO users VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET name = $2', [
                  id,
                  name,
                ]),
          ),
        ]);
      await users(Array.from({ length: 12 }, (_, i) => [i + 1, `user ${i + 1}`] as const));
      const [job] = await engine.submit('joined.sql', joined('user_id, order_id'), new Map());
      assert.ok(job);
      const [a, b] = [
        Array.from({ length: 12 }, (_, i) => i + 1).find((u) => subtaskOfUser(u, 2) === 0) as number,
        Array.from({ length: 12 }, (_, i) => i + 1).find((u) => subtaskOfUser(u, 2) === 1) as number,
      ];
      await write([
        [400, a, 1],
        [401, b, 2],
      ]);
      await users([[a, 'renamed a']]);
      await write([[400, b, 3]]);
      await users([
        [b, null],
        [13, 'new user'],
      ]);
      await write([
        [401, 13, 4],
        [402, a, 5],
      ]);
      const joinedRows = (sql: string) =>
        sink
          .query(sql)
          .then((r) => r.rows.map((row) => `${row.user_id}/${row.order_id}:${row.name}:${row.amount}`).join(' '));
      const expected = await joinedRows(
        'SELECT o.user_id, o.order_id, u.name, o.amount FROM orders o JOIN users u USING (user_id) ORDER BY 1, 2',
      );
      await waitFor(
        'the joined rows to equal PostgreSQL',
        async () =>
          (await joinedRows('SELECT user_id, order_id, name, amount FROM order_users ORDER BY 1, 2')) === expected
            ? true
            : undefined,
        [job],
      );
      await engine.cancel(job.id);
    });

    it('restarts a subtask alone when its worker dies, and nothing is lost or counted twice', async (t) => {
      if (!pool) {
        t.skip('on a pool only');
        return;
      }
      const [job] = await engine.submit('per-user.sql', perUser(pg.server.port, 2), new Map());
      assert.ok(job);
      // The worker of subtask 0 (part 1) runs neither the router (part 0) nor, with 2 workers, subtask 1.
      const slot = pool.slots.find((each) => each.jobs.has(`${job.id}#1`));
      assert.ok(slot && !slot.jobs.has(`${job.id}#0`), 'subtask 0 on a worker without the router');
      let next = 1000;
      const batch = () => users.map((user) => [next++, users[(user * 5) % users.length] as number, user] as const);
      const writing = (async () => {
        for (let i = 0; i < 20; i++) {
          await write(batch());
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      await threadOf(slot).terminate();
      await writing;
      await converged([job]);
      assert.equal(job.restarts, 1, 'only the subtask of the dead worker restarted');
      await engine.cancel(job.id);
    });

    it('refuses to resume a job of one task in parallel (its state is in no exchange), unless from scratch', async (t) => {
      if (workers > 0 || kafka) {
        t.skip("once, on the engine's thread");
        return;
      }
      await (await pg.connect()).query('CREATE DATABASE instance');
      const stored = new Engine(
        log,
        await PostgresJobStore.open(`postgresql://postgres@127.0.0.1:${pg.server.port}/instance`),
      );
      try {
        const script = (p: number) =>
          perUser(pg.server.port, p).replace("'orders-per-user'", "'orders-per-user-stored'");
        const [one] = await stored.submit('stored.sql', script(1), new Map());
        assert.ok(one);
        assert.equal(one.parallelism, 1);
        await converged([one]);
        await stored.stop(one.id);
        await assert.rejects(stored.submit('stored.sql', script(2), new Map()), { code: 'JOB_INCOMPATIBLE' });
        // From scratch: a new generation, with exchange topics of its own, reads the orders again.
        const [two] = await stored.submit('stored.sql', script(2), new Map(), { fromScratch: true });
        assert.ok(two);
        assert.equal(two.parallelism, 2);
        await write([[500, 1, 1]]);
        await converged([two]);
        await stored.stop(two.id);
        // Rescaling between parallelisms above 1 is no change of shape.
        const [three] = await stored.submit('stored.sql', script(3), new Map());
        assert.ok(three);
        await write([[501, 2, 1]]);
        await converged([three]);
        await stored.cancel(three.id);
      } finally {
        await stored.close();
      }
    });

    it('FINISHES over a bounded source when every subtask has read the end, again after a rescale', async () => {
      const bounded = (p: number) =>
        perUser(pg.server.port, p)
          .replace("'orders-per-user'", "'orders-per-user-bounded'")
          .replace("'topic' = 'orders',", "'topic' = 'orders', 'scan.bounded.mode' = 'latest-offset',");
      const finished = async (job: JobHandle) => {
        await waitFor('FINISHED', async () => (job.status === 'FINISHED' ? true : undefined), [job], 60_000);
        assert.equal(await sinkRows(), await expectedRows());
      };
      await write(users.map((user, i) => [600 + i, user, 4] as const));
      const [job] = await engine.submit('bounded.sql', bounded(2), new Map());
      assert.ok(job);
      assert.equal(job.parallelism, 2);
      await finished(job);
      // Submitted again with 3 subtasks: it reads what came since, each key group's count going on.
      await write(users.map((_, i) => [700 + i, users[(i + 1) % users.length] as number, 5] as const));
      const [again] = await engine.submit('bounded.sql', bounded(3), new Map());
      assert.ok(again);
      await finished(again);
    });

    it("keeps a bounded job's end in the log: a subtask after the router's end, or run again after its own, FINISHES", async () => {
      const script = perUser(pg.server.port, 2)
        .replace("'orders-per-user'", "'orders-per-user-parts'")
        .replace("'topic' = 'orders',", "'topic' = 'orders', 'scan.bounded.mode' = 'latest-offset',");
      const plan = planScript('parts.sql', script, new Map(), {}).jobs[0] as PlannedJob;
      // The parts one after the other, as when workers end in between: each a Job of one part of the same submission.
      const part = async (n: number) => {
        const job = new Job('parts', plan, log, { part: n });
        await job.start();
        await waitFor(`part ${n} to FINISH`, async () => (job.status === 'FINISHED' ? true : undefined), [job], 60_000);
      };
      await part(0);
      await part(1);
      await part(2);
      assert.equal(await sinkRows(), await expectedRows());
      // Subtask 0 again, past its end: it reads its end marker in its replay.
      await part(1);
    });

    it('prints each line once, after its subtask index + 1 as Flink does with more than one subtask', async () => {
      await log.ensureTopic('clicks');
      // User u clicks u times: the count of u goes up to u, each subtask printing its users' changes.
      const clicks = users.flatMap((user) => Array.from({ length: user }, () => user));
      await log.produce(
        clicks.map((user) => ({ topic: 'clicks', key: null, value: Buffer.from(`{"user_id":${user}}`) })),
      );
      const [job] = await engine.submit(
        'printed.sql',
        `SET 'parallelism.default' = '2';
         SET 'pipeline.name' = 'printed-clicks-${workers}-${kafka}';
         CREATE TABLE clicks (user_id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json',
           'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
         CREATE TABLE printed (user_id BIGINT, n BIGINT) WITH ('connector' = 'print');
         INSERT INTO printed SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;`,
        new Map(),
      );
      assert.ok(job);
      await waitFor('FINISHED', async () => (job.status === 'FINISHED' ? true : undefined), [job], 60_000);
      const { lines } = (await (await fetch(`${base}/jobs/${job.id}/stdout`)).json()) as { lines: string[] };
      // Each user's lines are a changelog, line by line once (a line twice would insert its row twice),
      // ending at the user's count; each after the index + 1 of the subtask the user's key group is in.
      for (const user of users) {
        const prefix = `${subtaskOfUser(user, 2) + 1}> `;
        const mine = lines.filter((line) => line.includes(`[${user}, `));
        let row: string | undefined;
        for (const line of mine) {
          assert.ok(line.startsWith(prefix), `${line}: after ${prefix}`);
          const [kind, text] = [line.slice(prefix.length, prefix.length + 2), line.slice(prefix.length + 2)];
          if (kind === '+I' || kind === '+U') {
            assert.equal(row, undefined, `${line} inserts a second row: ${mine.join(' | ')}`);
            row = text;
          } else {
            assert.equal(`${kind}${text}`, `-U${row}`, `${line} retracts the row there: ${mine.join(' | ')}`);
            row = undefined;
          }
        }
        assert.equal(row, `[${user}, ${user}]`);
      }
    });

    it('refuses a second hash exchange', async () => {
      await assert.rejects(
        engine.submit(
          'two.sql',
          `SET 'parallelism.default' = '2';
         CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount BIGINT, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
           'connector' = 'upsert-kafka', 'topic' = 'orders', 'key.format' = 'json', 'value.format' = 'json');
         CREATE TABLE out_t (n BIGINT, c BIGINT, PRIMARY KEY (n) NOT ENFORCED) WITH (
           'connector' = 'upsert-kafka', 'topic' = 'out_t', 'key.format' = 'json', 'value.format' = 'json');
         INSERT INTO out_t SELECT n, COUNT(*) FROM (SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id) GROUP BY n;`,
          new Map(),
        ),
        { code: 'PARALLELISM_NOT_SUPPORTED' },
      );
    });

    it('gives each subtask a contiguous range of key groups', () => {
      assert.deepEqual(keyGroupRange(128, 2, 1), { start: 64, end: 127 });
    });
  });
}
