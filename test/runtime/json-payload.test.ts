/**
 * JSON functions end to end over a real changelog: shop.events has a JSONB payload column,
 * captured by postgres-cdc as a STRING and taken apart with JSON_VALUE (and JSON_EXISTS,
 * JSON_QUERY) into a jdbc table. The sink must end as PostgreSQL computes the same fields with its
 * own ->> and -> operators over the source table, after the snapshot and after inserts, updates
 * and deletes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor as waitForJobs } from '../helpers/wait.ts';

const PIPELINE = `
CREATE TABLE events_source (event_id BIGINT, payload STRING, PRIMARY KEY (event_id) NOT ENFORCED)
WITH ('connector' = 'postgres-cdc', 'hostname' = '127.0.0.1', 'port' = '\${PORT}', 'username' = 'postgres',
  'password' = 'postgres', 'database-name' = 'shop_db', 'schema-name' = 'shop', 'table-name' = 'events',
  'slot.name' = 'events_slot');
CREATE TABLE event_fields (event_id BIGINT, user_name STRING, city STRING, qty INT, first_tag STRING,
  paid BOOLEAN, has_coupon BOOLEAN, PRIMARY KEY (event_id) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/shop_db', 'table-name' = 'result.event_fields',
  'username' = 'postgres', 'password' = 'postgres');
INSERT INTO event_fields SELECT event_id,
  JSON_VALUE(payload, '$.user.name'),
  JSON_VALUE(payload, 'lax $.user.address.city' DEFAULT 'unknown' ON EMPTY),
  JSON_VALUE(payload, '$.qty' RETURNING INT),
  JSON_VALUE(payload, '$.tags[0]'),
  JSON_VALUE(payload, '$.paid' RETURNING BOOLEAN),
  JSON_EXISTS(payload, '$.coupon')
FROM events_source;`;

/**
 * The same fields as PostgreSQL reads them from the JSONB column. JSON_EXISTS is FALSE for a key
 * whose value is JSON null (Calcite's jsonExists tests the value found for non-null), where
 * PostgreSQL's ? operator says TRUE; the comparison says what Flink means.
 */
const EXPECTED = `
SELECT event_id::int, payload->'user'->>'name' AS user_name,
  COALESCE(payload->'user'->'address'->>'city', 'unknown') AS city, (payload->>'qty')::int AS qty,
  payload->'tags'->>0 AS first_tag, (payload->>'paid')::boolean AS paid, COALESCE(payload->'coupon' <> 'null', false) AS has_coupon
FROM shop.events ORDER BY 1`;
const ACTUAL =
  'SELECT event_id::int, user_name, city, qty, first_tag, paid, has_coupon FROM result.event_fields ORDER BY 1';

const NAMES = ['Ann', '张三', 'O\'Brien "Bob"', 'back\\slash', 'new\nline'];

/** A payload with some fields left out, so that missing paths meet NULL and DEFAULT. */
function payload(n: number): string {
  const doc: Record<string, unknown> = { qty: n % 7, tags: n % 3 === 0 ? [] : [`t${n}`, 'x'] };
  if (n % 4 !== 0) doc.user = { name: NAMES[n % NAMES.length], ...(n % 2 ? { address: { city: `c${n % 5}` } } : {}) };
  if (n % 5 !== 0) doc.paid = n % 2 === 0;
  if (n % 6 === 0) doc.coupon = null;
  return JSON.stringify(doc);
}

describe('JSON_VALUE over a postgres-cdc JSONB column into a jdbc table', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let db: pg.Client;
  let jobs: Job[] = [];
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs, 60_000);

  async function converged(what: string): Promise<void> {
    const expected = (await db.query(EXPECTED)).rows;
    assert.ok(expected.length > 0, `${what}: PostgreSQL's result is not empty`);
    try {
      await waitFor(what, async () => {
        const actual = (await db.query(ACTUAL)).rows;
        return JSON.stringify(actual) === JSON.stringify(expected) ? true : undefined;
      });
    } finally {
      assert.deepEqual((await db.query(ACTUAL)).rows, expected, what);
    }
  }

  before(async () => {
    pg = await startTestPostgres();
    const admin = await pg.connect('postgres');
    await admin.query('CREATE DATABASE shop_db');
    db = await pg.connect('shop_db');
    await db.query(`CREATE SCHEMA shop; CREATE SCHEMA result;
      CREATE TABLE shop.events (event_id BIGINT PRIMARY KEY, payload JSONB);
      CREATE TABLE result.event_fields (event_id BIGINT PRIMARY KEY, user_name TEXT, city TEXT, qty INT,
        first_tag TEXT, paid BOOLEAN, has_coupon BOOLEAN);`);
    for (let n = 1; n <= 12; n++) await db.query('INSERT INTO shop.events VALUES ($1, $2)', [n, payload(n)]);
    log = await openTestLog(pg);
    for (const plan of planScript('json.sql', PIPELINE, new Map([['PORT', String(pg.server.port)]]), {}).jobs) {
      const job = new Job(`json-${jobs.length}`, plan, log);
      await job.start();
      jobs.push(job);
    }
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    jobs = [];
    await log?.close();
    await pg?.dispose();
  });

  it('extracts the fields of the snapshot as PostgreSQL does', async () => {
    await converged('after the snapshot');
  });

  it('follows inserts, updates and deletes of the payloads', async () => {
    for (let n = 13; n <= 20; n++) await db.query('INSERT INTO shop.events VALUES ($1, $2)', [n, payload(n)]);
    for (let n = 1; n <= 20; n += 3)
      await db.query('UPDATE shop.events SET payload = $2 WHERE event_id = $1', [n, payload(n + 1)]);
    await db.query('DELETE FROM shop.events WHERE event_id IN (2, 14)');
    await converged('after the changes');
  });
});
