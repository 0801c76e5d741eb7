/**
 * UNNEST end to end over a real changelog: baskets with a text[] column captured by postgres-cdc
 * into an upsert topic (the ARRAY written and read back in Flink's json format), read by jobs that
 * UNNEST the array into jdbc tables: tag counts (CROSS JOIN UNNEST then GROUP BY, so each update's
 * retraction of the old elements must reach the counts), the distinct (basket, tag) pairs (the
 * keyed sink materializing rows that repeat within an array), and LEFT JOIN UNNEST ... ON TRUE.
 * Each sink must end as PostgreSQL computes the same query with its own unnest over the source
 * table, after inserts, updates and deletes, and after the jobs restart.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import { jdbcOptions, queryVsPostgres, type Row } from '../helpers/query-vs-postgres.ts';

const TOPIC = `
CREATE TABLE baskets (basket_id BIGINT, tags ARRAY<STRING>, PRIMARY KEY (basket_id) NOT ENFORCED)
WITH ('connector' = 'upsert-kafka', 'topic' = 'baskets', 'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json', 'value.format' = 'json');`;

const CAPTURE = `${TOPIC}
CREATE TABLE baskets_source (basket_id BIGINT, tags ARRAY<STRING>, PRIMARY KEY (basket_id) NOT ENFORCED)
WITH ('connector' = 'postgres-cdc', 'hostname' = '127.0.0.1', 'port' = '\${PORT}', 'username' = 'postgres',
  'password' = 'postgres', 'database-name' = 'shop_db', 'schema-name' = 'shop', 'table-name' = 'baskets',
  'slot.name' = 'baskets_slot');
INSERT INTO baskets SELECT * FROM baskets_source;`;

const UNNEST = `${TOPIC}
CREATE TABLE tag_counts (tag STRING, n BIGINT, PRIMARY KEY (tag) NOT ENFORCED) WITH (${jdbcOptions('shop_db', 'result.tag_counts')});
CREATE TABLE basket_tags (basket_id BIGINT, tag STRING, PRIMARY KEY (basket_id, tag) NOT ENFORCED) WITH (${jdbcOptions('shop_db', 'result.basket_tags')});
CREATE TABLE left_counts (tag STRING, n BIGINT, PRIMARY KEY (tag) NOT ENFORCED) WITH (${jdbcOptions('shop_db', 'result.left_counts')});
EXECUTE STATEMENT SET BEGIN
INSERT INTO tag_counts SELECT tag, COUNT(*) FROM baskets CROSS JOIN UNNEST(tags) AS t(tag) GROUP BY tag;
INSERT INTO basket_tags SELECT basket_id, tag FROM baskets, UNNEST(baskets.tags) AS t(tag);
INSERT INTO left_counts SELECT COALESCE(tag, '-'), COUNT(*) FROM baskets LEFT JOIN UNNEST(tags) AS t(tag) ON TRUE GROUP BY COALESCE(tag, '-');
END;`;

/** Each sink, and the same query as PostgreSQL computes it over the source table. */
const CHECKS: readonly (readonly [string, string])[] = [
  [
    'SELECT tag, count(*)::int AS n FROM shop.baskets CROSS JOIN unnest(tags) AS tag GROUP BY tag ORDER BY tag',
    'SELECT tag, n::int FROM result.tag_counts ORDER BY tag',
  ],
  [
    'SELECT DISTINCT basket_id::int, tag FROM shop.baskets, unnest(tags) AS tag ORDER BY 1, 2',
    'SELECT basket_id::int, tag FROM result.basket_tags ORDER BY 1, 2',
  ],
  [
    `SELECT COALESCE(tag, '-') AS tag, count(*)::int AS n FROM shop.baskets LEFT JOIN LATERAL unnest(tags) AS tag ON TRUE
     GROUP BY 1 ORDER BY 1`,
    'SELECT tag, n::int FROM result.left_counts ORDER BY tag',
  ],
];

const TAGS = ['red', 'green', 'blue', '红色', 'a "quoted", tag', 'back\\slash', 'NULL'];

describe('UNNEST of a postgres-cdc array through an upsert topic into jdbc tables', () => {
  const random = seededRandom(7);
  const ids = { next: 1 };

  /** Tags for a basket: none (NULL or empty) sometimes, repeats allowed. */
  function tags(): string[] | null {
    const r = random();
    if (r < 0.1) return null;
    if (r < 0.2) return [];
    const count = 1 + Math.floor(random() * 4);
    return Array.from({ length: count }, () => TAGS[Math.floor(random() * TAGS.length)] as string);
  }

  /** Random inserts (ids from `ids.next` on), updates and deletes of baskets. */
  async function writeBaskets(db: pg.Client, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const existing = (await db.query<{ id: number }>('SELECT basket_id::int AS id FROM shop.baskets')).rows.map(
        (r) => r.id,
      );
      const id = existing[Math.floor(random() * existing.length)];
      const op = random();
      if (op < 0.45 || id === undefined) {
        await db.query('INSERT INTO shop.baskets VALUES ($1, $2)', [ids.next++, tags()]);
      } else if (op < 0.85) {
        await db.query('UPDATE shop.baskets SET tags = $2 WHERE basket_id = $1', [id, tags()]);
      } else {
        await db.query('DELETE FROM shop.baskets WHERE basket_id = $1', [id]);
      }
    }
  }

  const notEmpty = (rows: readonly Row[], what: string) =>
    assert.ok(rows.length > 0, `${what}: PostgreSQL's result is not empty`);
  queryVsPostgres(
    {
      databases: { source: 'shop_db', sink: 'shop_db' },
      setup: async ({ source }) => {
        await source.query(`CREATE SCHEMA shop; CREATE SCHEMA result;
        CREATE TABLE shop.baskets (basket_id BIGINT PRIMARY KEY, tags TEXT[]);
        CREATE TABLE result.tag_counts (tag TEXT PRIMARY KEY, n BIGINT);
        CREATE TABLE result.basket_tags (basket_id BIGINT, tag TEXT, PRIMARY KEY (basket_id, tag));
        CREATE TABLE result.left_counts (tag TEXT PRIMARY KEY, n BIGINT);`);
        await writeBaskets(source, 15);
      },
      capture: (h) => h.run('capture.sql', CAPTURE),
      scripts: [['unnest.sql', UNNEST]],
      comparisons: CHECKS.map(([oracle, sink]) => ({ sink, oracle, oracleHolds: notEmpty })),
      change: ({ source }, count) => writeBaskets(source, count),
    },
    {
      snapshot: 'unnests the snapshot as PostgreSQL does',
      changes: { title: 'follows inserts, updates and deletes of the arrays', count: 40 },
      restart: { missed: 15, more: 15 },
    },
  );
});
