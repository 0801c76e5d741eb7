import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/broker.ts';
import { seedDatabases } from '../../src/embedded/seed.ts';
import { KafkaLog } from '../../src/log/kafka/kafka-log.ts';
import type { Log } from '../../src/log/log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor as waitForJobs } from '../helpers/wait.ts';

const FILES = ['1_cdc_source_to_kafka.sql', '2_dwd_layer.sql', '3_dimension_join.sql', '4_sink_to_postgres.sql'];

/** A log for the pipeline, and how to remove it. */
interface TestLog {
  readonly log: Log;
  /** The brokers the example's kafka tables name, on a kafka log. */
  readonly kafkaServers?: string;
  close(): Promise<void>;
}

const LOGS: Record<string, (pg: TestPostgres) => Promise<TestLog>> = {
  'the postgres log': async (pg) => {
    const log = await openTestLog(pg);
    return { log, close: () => log.close() };
  },
  'the kafka log (a real broker)': async () => {
    const broker: KafkaBroker = await startKafkaBroker();
    const log = await KafkaLog.open(broker.bootstrap);
    return {
      log,
      kafkaServers: broker.bootstrap,
      async close() {
        await log.close();
        await broker.stop();
      },
    };
  },
};

for (const [logName, openTestLog] of Object.entries(LOGS)) {
  describe(`the whole seed pipeline from source_db to sink_db on ${logName}`, () => {
    let pg: TestPostgres;
    let testLog: TestLog;
    let log: Log;
    let source: pg.Client;
    let sink: pg.Client;
    const jobs: Job[] = [];

    const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs);

    async function startJobs(files: readonly string[]): Promise<void> {
      const variables = new Map([
        ['SOURCE_HOST', '127.0.0.1'],
        ['SOURCE_PORT', String(pg.server.port)],
        ['SINK_HOST', '127.0.0.1'],
        ['SINK_PORT', String(pg.server.port)],
        ...(testLog.kafkaServers ? [['KAFKA_SERVERS', testLog.kafkaServers] as const] : []),
      ]);
      for (const file of files) {
        const script = planScript(file, readFileSync(`examples/ecommerce/${file}`, 'utf8'), variables, {});
        for (const plan of script.jobs) {
          const job = new Job(`${file}-${jobs.length}`, plan, log);
          await job.start();
          jobs.push(job);
        }
      }
    }

    const order = async (id: number) =>
      (
        await sink.query(
          `SELECT username, user_city_tier, order_status, order_status_desc FROM result.orders_with_user_info WHERE order_id = $1`,
          [id],
        )
      ).rows[0];
    const history = async (id: number) =>
      (
        await sink.query(
          'SELECT order_status FROM result.order_status_history WHERE order_id = $1 ORDER BY order_status',
          [id],
        )
      ).rows.map((r) => r.order_status);

    before(async () => {
      pg = await startTestPostgres();
      await seedDatabases(pg.server, 'examples/ecommerce/databases');
      testLog = await openTestLog(pg);
      log = testLog.log;
      source = await pg.connect('source_db');
      sink = await pg.connect('sink_db');
      await startJobs(FILES);
    });

    after(async () => {
      for (const job of jobs) await job.cancel();
      await testLog?.close();
      await pg?.dispose();
    });

    it("snapshots the seed's five orders and users into sink_db", async () => {
      const rows = await waitFor('five orders in the sink', async () => {
        const found = await sink.query(
          'SELECT order_id::int, username, user_city_tier FROM result.orders_with_user_info ORDER BY 1',
        );
        // Orders and users arrive through separate jobs: an order may show 'Unknown User' first.
        return found.rows.length === 5 && found.rows.every((r) => r.username !== 'Unknown User')
          ? found.rows
          : undefined;
      });
      assert.deepEqual(rows[0], { order_id: 2001, username: '张三', user_city_tier: '一线城市' });
      assert.deepEqual(
        rows.map((r) => r.username),
        ['张三', '李四', '王五', '赵六', '钱七'],
      );
    });

    it("follows the seed's manual steps: order 2006 PENDING → SHIPPED → COMPLETED", async () => {
      await source.query(`INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status)
                        VALUES (2006, 1001, 'AirPods Pro', '电子产品', 1, 1999.00, 1999.00, 'PENDING')`);
      await waitFor('order 2006 pending', async () =>
        (await order(2006))?.order_status === 'PENDING' ? true : undefined,
      );
      await source.query(
        `UPDATE business.orders SET order_status = 'SHIPPED', updated_at = now() WHERE order_id = 2006`,
      );
      await waitFor('order 2006 shipped', async () =>
        (await order(2006))?.order_status === 'SHIPPED' ? true : undefined,
      );
      await source.query(
        `UPDATE business.orders SET order_status = 'COMPLETED', updated_at = now() WHERE order_id = 2006`,
      );
      const row = await waitFor('order 2006 completed', async () => {
        const found = await order(2006);
        return found?.order_status === 'COMPLETED' ? found : undefined;
      });
      assert.deepEqual(row, {
        username: '张三',
        user_city_tier: '一线城市',
        order_status: 'COMPLETED',
        order_status_desc: '已完成',
      });
      // The history is written by its own job (4_sink_to_postgres.sql has two INSERTs): it may trail.
      const statuses = await waitFor('three history rows', async () => {
        const found = await history(2006);
        return found.length === 3 ? found : undefined;
      });
      assert.deepEqual(statuses, ['COMPLETED', 'PENDING', 'SHIPPED']);
      assert.equal((await sink.query('SELECT count(*)::int AS n FROM result.orders_with_user_info')).rows[0]?.n, 6);
      // Every layer stamps its records with the source commit time, so each job measures from it.
      const stamps: number[] = [];
      for (const topic of ['ods_orders', 'dwd_orders', 'result_orders_with_user_info']) {
        const reader = await log.openReader(topic, { kind: 'earliest' });
        let last: number | undefined;
        for (let batch = await reader.poll(1000, 200); batch.length > 0; batch = await reader.poll(1000, 200)) {
          for (const record of batch) if (record.key?.toString() === '{"order_id":2006}') last = record.timestamp;
        }
        await reader.close();
        stamps.push(last as number);
      }
      assert.equal(new Set(stamps).size, 1, `one source time through the layers: ${stamps}`);
      const committed = await source.query<{ ms: string }>('SELECT (extract(epoch FROM now()) * 1000)::bigint AS ms');
      assert.ok((stamps[0] as number) <= Number(committed.rows[0]?.ms));
      for (const job of jobs.filter((j) => !j.plan.name.endsWith('ods_users'))) {
        assert.ok(job.stats.sourceToCommitSeconds.count > 0, `${job.plan.name} measured latency from the source`);
      }
    });

    it("re-emits a user's orders when the user changes, and removes a deleted order", async () => {
      await source.query(`UPDATE business.users SET username = '张三丰', city = '成都' WHERE user_id = 1001`);
      await source.query('DELETE FROM business.orders WHERE order_id = 2002');
      await waitFor('user change and delete in the sink', async () => {
        const a = await order(2001);
        const b = await order(2006);
        const gone = (await order(2002)) === undefined;
        return a?.username === '张三丰' && b?.username === '张三丰' && a.user_city_tier === '二线城市' && gone
          ? true
          : undefined;
      });
    });

    it('restarts every job after a stop without losing or repeating changes', async () => {
      for (const job of jobs.splice(0)) await job.cancel();
      await source.query(`UPDATE business.orders SET order_status = 'SHIPPED' WHERE order_id = 2003`);
      await source.query(`INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount)
                        VALUES (2007, 1004, 'Kindle', '图书', 1, 998.00, 998.00)`);
      await startJobs(FILES);
      await waitFor('changes made while stopped', async () =>
        (await order(2003))?.order_status === 'SHIPPED' && (await order(2007)) && (await history(2003)).length === 2
          ? true
          : undefined,
      );
      assert.deepEqual(await history(2003), ['PENDING', 'SHIPPED']);
      assert.deepEqual(await history(2006), ['COMPLETED', 'PENDING', 'SHIPPED'], 'nothing repeated');
      const slots = await source.query(
        `SELECT slot_name, confirmed_flush_lsn::text AS lsn FROM pg_replication_slots ORDER BY slot_name`,
      );
      assert.deepEqual(
        slots.rows.map((r) => r.slot_name),
        ['flink_slot_orders', 'flink_slot_users'],
      );
    });
  });
}
