/**
 * The udf example end to end: shop.reviews captured by postgres-cdc into an upsert topic, read by a
 * statement set that calls one user-defined function of each kind from examples/udf/functions.ts
 * (a scalar in a projection, a table function in CROSS and LEFT JOIN LATERAL TABLE, an aggregate
 * function with retract over the updating topic) into jdbc tables. The expected rows follow from
 * the functions' definitions (the aggregate is Flink's documented WeightedAvg: integer division of
 * sum(rating * weight) by sum(weight)), computed by hand below.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScriptWithFunctions } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'udf');

const QUERIES = {
  masked: 'SELECT review_id::int AS id, email FROM result.masked_reviews ORDER BY 1',
  tags: 'SELECT review_id::int AS id, position, tag FROM result.review_tags ORDER BY 1, 2',
  counts: 'SELECT review_id::int AS id, tags::int FROM result.review_tag_counts ORDER BY 1',
  ratings: 'SELECT product, weighted_rating::int AS rating FROM result.product_ratings ORDER BY 1',
} as const;

type Expected = Record<keyof typeof QUERIES, readonly Record<string, unknown>[]>;

/** The example's seed rows (databases/source_db.sql). */
const SEEDED: Expected = {
  masked: [
    { id: 1, email: 'a***@example.com' },
    { id: 2, email: 'b***@mail.org' },
    { id: 3, email: 'c***@example.com' },
    { id: 4, email: 'd***@x.io' },
  ],
  tags: [
    { id: 1, position: 1, tag: 'fast' },
    { id: 1, position: 2, tag: 'cheap' },
    { id: 2, position: 1, tag: 'cheap' },
    { id: 4, position: 1, tag: 'loud' },
    { id: 4, position: 2, tag: 'cheap' },
    { id: 4, position: 3, tag: 'broken' },
  ],
  // review 3 has no tags: LEFT JOIN ... ON TRUE keeps it with a NULL tag, which COUNT(tag) skips
  counts: [
    { id: 1, tags: 2 },
    { id: 2, tags: 1 },
    { id: 3, tags: 0 },
    { id: 4, tags: 3 },
  ],
  // kettle (4*2 + 2*1) / 3 = 10 / 3 = 3; toaster (5*3 + 1*1) / 4 = 16 / 4 = 4
  ratings: [
    { product: 'kettle', rating: 3 },
    { product: 'toaster', rating: 4 },
  ],
};

/** After review 2's rating becomes 5, review 4 is deleted and review 5 inserted. */
const CHANGED: Expected = {
  masked: [
    { id: 1, email: 'a***@example.com' },
    { id: 2, email: 'b***@mail.org' },
    { id: 3, email: 'c***@example.com' },
    { id: 5, email: 'e***@example.com' },
  ],
  tags: [
    { id: 1, position: 1, tag: 'fast' },
    { id: 1, position: 2, tag: 'cheap' },
    { id: 2, position: 1, tag: 'cheap' },
    { id: 5, position: 1, tag: 'quiet' },
  ],
  counts: [
    { id: 1, tags: 2 },
    { id: 2, tags: 1 },
    { id: 3, tags: 0 },
    { id: 5, tags: 1 },
  ],
  // kettle (4*2 + 5*1) / 3 = 13 / 3 = 4; toaster (5*3 + 2*3) / 6 = 21 / 6 = 3
  ratings: [
    { product: 'kettle', rating: 4 },
    { product: 'toaster', rating: 3 },
  ],
};

describe('the udf example: a scalar, a table and an aggregate function in TypeScript', () => {
  let server: TestPostgres;
  let log: PostgresLog;
  let source: pg.Client;
  let sink: pg.Client;
  let jobs: Job[] = [];

  async function run(file: string): Promise<Job[]> {
    const port = String(server.server.port);
    const variables = new Map([
      ['SOURCE_PORT', port],
      ['SINK_PORT', port],
      ['SOURCE_HOST', '127.0.0.1'],
      ['SINK_HOST', '127.0.0.1'],
    ]);
    const text = readFileSync(join(EXAMPLE, file), 'utf8');
    const script = await planScriptWithFunctions(`examples/udf/${file}`, text, variables, {}, EXAMPLE);
    const started: Job[] = [];
    for (const plan of script.jobs) {
      const job = new Job(`${file}-${started.length}`, plan, log);
      await job.start();
      started.push(job);
    }
    return started;
  }

  async function converged(what: string, expected: Expected): Promise<void> {
    for (const [key, query] of Object.entries(QUERIES) as [keyof Expected, string][]) {
      const rows = async () => JSON.parse(JSON.stringify((await sink.query(query)).rows));
      try {
        await waitFor(
          `${what}: ${query}`,
          async () => (JSON.stringify(await rows()) === JSON.stringify(expected[key]) ? true : undefined),
          jobs,
          60_000,
        );
      } finally {
        assert.deepEqual(await rows(), expected[key], `${what}: ${query}`);
      }
    }
  }

  before(async () => {
    server = await startTestPostgres();
    const admin = await server.connect();
    await admin.query('CREATE DATABASE source_db');
    await admin.query('CREATE DATABASE sink_db');
    source = await server.connect('source_db');
    sink = await server.connect('sink_db');
    await source.query(readFileSync(join(EXAMPLE, 'databases', 'source_db.sql'), 'utf8'));
    await sink.query(readFileSync(join(EXAMPLE, 'databases', 'sink_db.sql'), 'utf8'));
    log = await openTestLog(server);
    jobs = [...(await run('1_capture_reviews.sql')), ...(await run('2_udf_pipeline.sql'))];
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    await log?.close();
    await server?.dispose();
  });

  it('computes the seeded reviews', async () => {
    await converged('after the snapshot', SEEDED);
  });

  it('follows updates and deletes: the aggregate retracts, the table function takes back its rows', async () => {
    await source.query(`UPDATE shop.reviews SET rating = 5 WHERE review_id = 2;
      DELETE FROM shop.reviews WHERE review_id = 4;
      INSERT INTO shop.reviews VALUES (5, 'erin@example.com', 'quiet', 'toaster', 2, 3);`);
    await converged('after the changes', CHANGED);
  });

  it('goes on from its checkpointed state after a restart', async () => {
    const pipeline = jobs.slice(1);
    for (const job of pipeline) await job.cancel();
    jobs = [jobs[0] as Job, ...(await run('2_udf_pipeline.sql'))];
    await source.query('UPDATE shop.reviews SET weight = 1 WHERE review_id = 1');
    // kettle (4*1 + 5*1) / 2 = 4
    await converged('after a restart and an update', {
      ...CHANGED,
      ratings: [
        { product: 'kettle', rating: 4 },
        { product: 'toaster', rating: 3 },
      ],
    });
  });
});
