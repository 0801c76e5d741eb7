/**
 * JSON functions end to end over a real changelog: shop.events has a JSONB payload column,
 * captured by postgres-cdc as a STRING and taken apart with JSON_VALUE (and JSON_EXISTS,
 * JSON_QUERY) into a jdbc table. The sink must end as PostgreSQL computes the same fields with its
 * own ->> and -> operators over the source table, after the snapshot and after inserts, updates
 * and deletes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jdbcOptions, queryVsPostgres } from '../helpers/query-vs-postgres.ts';

const PIPELINE = `
CREATE TABLE events_source (event_id BIGINT, payload STRING, PRIMARY KEY (event_id) NOT ENFORCED)
WITH ('connector' = 'postgres-cdc', 'hostname' = '127.0.0.1', 'port' = '\${PORT}', 'username' = 'postgres',
  'password' = 'postgres', 'database-name' = 'shop_db', 'schema-name' = 'shop', 'table-name' = 'events',
  'slot.name' = 'events_slot');
CREATE TABLE event_fields (event_id BIGINT, user_name STRING, city STRING, qty INT, first_tag STRING,
  paid BOOLEAN, has_coupon BOOLEAN, PRIMARY KEY (event_id) NOT ENFORCED)
WITH (${jdbcOptions('shop_db', 'result.event_fields')});
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
  const harness = queryVsPostgres(
    {
      databases: { source: 'shop_db', sink: 'shop_db' },
      setup: async ({ source }) => {
        await source.query(`CREATE SCHEMA shop; CREATE SCHEMA result;
        CREATE TABLE shop.events (event_id BIGINT PRIMARY KEY, payload JSONB);
        CREATE TABLE result.event_fields (event_id BIGINT PRIMARY KEY, user_name TEXT, city TEXT, qty INT,
          first_tag TEXT, paid BOOLEAN, has_coupon BOOLEAN);`);
        for (let n = 1; n <= 12; n++) await source.query('INSERT INTO shop.events VALUES ($1, $2)', [n, payload(n)]);
      },
      scripts: [['json.sql', PIPELINE]],
      comparisons: [
        {
          sink: ACTUAL,
          oracle: EXPECTED,
          oracleHolds: (rows, what) => assert.ok(rows.length > 0, `${what}: PostgreSQL's result is not empty`),
        },
      ],
    },
    { snapshot: 'extracts the fields of the snapshot as PostgreSQL does' },
  );

  it('follows inserts, updates and deletes of the payloads', async () => {
    const db = harness.source;
    for (let n = 13; n <= 20; n++) await db.query('INSERT INTO shop.events VALUES ($1, $2)', [n, payload(n)]);
    for (let n = 1; n <= 20; n += 3)
      await db.query('UPDATE shop.events SET payload = $2 WHERE event_id = $1', [n, payload(n + 1)]);
    await db.query('DELETE FROM shop.events WHERE event_id IN (2, 14)');
    await harness.converges('after the changes');
  });
});
