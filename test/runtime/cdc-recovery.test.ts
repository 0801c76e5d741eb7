import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import { parseLsn } from '../../src/connectors/postgres-cdc/pgoutput.ts';
import { seedDatabases } from '../../src/embedded/seed.ts';
import type { LogRecord } from '../../src/log/log.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { killEngine, startJobRunner } from '../helpers/engine-process.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

const GROUP = 'insert-into_default_catalog.default_database.ods_orders/orders_source';
const POSITIONS = 'rivulet-cdc-positions.flink_slot_orders';

describe('postgres-cdc after SIGKILL of the engine during snapshot and stream', () => {
  let pg: TestPostgres;
  let source: pg.Client;
  let log: PostgresLog;
  let child: ChildProcess | undefined;
  const seed = Number(process.env.CDC_RECOVERY_SEED ?? Date.now() % 1_000_000);
  const next = seededRandom(seed);

  async function startEngine(): Promise<ChildProcess> {
    const variables = { SOURCE_HOST: '127.0.0.1', SOURCE_PORT: String(pg.server.port) };
    child = await startJobRunner(pg.server.url('rivulet'), variables, ['examples/ecommerce/1_cdc_source_to_kafka.sql']);
    return child;
  }

  async function kill(engine: ChildProcess): Promise<void> {
    await killEngine(engine);
    child = undefined;
  }

  /** The slot never confirms more than the job committed downstream. */
  async function checkSlot(): Promise<void> {
    const committed = (await log.committedPositions(GROUP, POSITIONS)).get(0);
    const slot = await source.query<{ lsn: string | null }>(
      "SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = 'flink_slot_orders'",
    );
    const confirmed = slot.rows[0]?.lsn;
    if (confirmed && committed !== undefined) {
      assert.ok(
        parseLsn(confirmed) <= committed,
        `slot at ${confirmed} is past the committed ${committed} (seed ${seed})`,
      );
    }
  }

  let writes = 0;
  /** Changes to orders, each with a new quantity, so that a repeated change shows as a repeated value. */
  async function write(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      writes++;
      const id = 100_000 + Math.floor(next() * 3000);
      const op = next();
      if (op < 0.15) {
        await source.query('DELETE FROM business.orders WHERE order_id = $1', [id]);
      } else {
        await source.query(
          `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status)
           VALUES ($1, 1001, 'p', '图书', $2, 1.00, 1.00, 'PENDING')
           ON CONFLICT (order_id) DO UPDATE SET quantity = EXCLUDED.quantity, order_status = 'SHIPPED'`,
          [id, writes],
        );
      }
    }
  }

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    source = await pg.connect('source_db');
    // A table big enough that the first kills land in the snapshot.
    await source.query(
      `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status)
       SELECT g, 1001, 'snapshot', '图书', 0, 1.00, 1.00, 'PENDING' FROM generate_series(10000, 209999) g`,
    );
    log = await openTestLog(pg);
  });

  after(async () => {
    if (child) await kill(child);
    await log?.close();
    await pg?.dispose();
  });

  it('ends with ods_orders equal to the table, every change once, the slot never ahead', async () => {
    process.stdout.write(`# seed ${seed} (CDC_RECOVERY_SEED=${seed} replays it)\n`);
    let killedInSnapshot = 0;
    for (let round = 0; round < 6; round++) {
      const engine = await startEngine();
      // The first two rounds die within the snapshot of 200,000 rows; later ones while changes stream.
      if (round >= 2) {
        const deadline = Date.now() + 60_000;
        while ((await log.committedPositions(GROUP, POSITIONS)).size === 0) {
          assert.ok(Date.now() < deadline, 'the snapshot never committed');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const writing = write(20 + Math.floor(next() * 60));
      await new Promise((resolve) => setTimeout(resolve, 50 + next() * (round < 2 ? 350 : 1000)));
      await kill(engine);
      await writing;
      await checkSlot();
      if ((await log.committedPositions(GROUP, POSITIONS)).size === 0) killedInSnapshot++;
    }
    assert.ok(killedInSnapshot >= 1, 'a kill landed in the snapshot');
    const engine = await startEngine();
    await write(50);
    const expected = new Map<string, string>();
    for (const row of (await source.query('SELECT order_id::text, quantity, order_status FROM business.orders')).rows) {
      expected.set(row.order_id, `${row.quantity}/${row.order_status}`);
    }
    // Wait until the topic holds exactly the table.
    const deadline = Date.now() + 60_000;
    let records: LogRecord[] = [];
    for (;;) {
      await checkSlot();
      const reader = await log.openReader('ods_orders', { kind: 'earliest' });
      records = [];
      for (;;) {
        const batch = await reader.poll(10_000, 100);
        if (batch.length === 0) break;
        records.push(...batch);
      }
      await reader.close();
      const actual = new Map<string, string>();
      for (const record of records) {
        const id = JSON.parse(record.key?.toString() ?? '{}').order_id as number;
        if (record.value === null) actual.delete(String(id));
        else {
          const value = JSON.parse(record.value.toString());
          actual.set(String(id), `${value.quantity}/${value.order_status}`);
        }
      }
      const same = actual.size === expected.size && [...expected].every(([id, v]) => actual.get(id) === v);
      if (same) break;
      assert.ok(Date.now() < deadline, `ods_orders differs from the table (seed ${seed})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Every change once: per key, a value of the stream never repeats (quantities only grow).
    const seen = new Set<string>();
    for (const record of records) {
      if (record.value === null) continue;
      const value = JSON.parse(record.value.toString());
      if (value.quantity === 0 && value.order_id >= 10_000 && value.order_id < 210_000) {
        const key = `snapshot ${value.order_id}`;
        assert.ok(!seen.has(key), `snapshot row ${value.order_id} written twice (seed ${seed})`);
        seen.add(key);
        continue;
      }
      const key = `${value.order_id}/${value.quantity}`;
      assert.ok(!seen.has(key), `change ${key} written twice (seed ${seed})`);
      seen.add(key);
    }
    await kill(engine);
  });
});
