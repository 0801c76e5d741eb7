import type pg from 'pg';
import { until } from '../support.ts';
import { compareWithOracle, type Difference, totalDifferences } from './oracle-compare.ts';
import { SHOP_TABLES } from './shop-tables.ts';
import type { Databases } from './test-order.ts';
import { record, type ValidationRun } from './validation-run.ts';

/** The job of 6_shop_analytics.sql that writes the shop tables, found by a fragment of its name. */
const SHOP_JOB = 'order_latest_status_sink';
const COMPARE_EVERY_MS = 100;

interface Job {
  readonly name: string;
  readonly state: string;
}

/**
 * The shop analytics against PostgreSQL: a test user registers, so that the users' watermark
 * passes the order changes before it (the temporal join waits for it), then every sink table of
 * 6_shop_analytics.sql is compared with its oracle (src/cli/validate/shop-tables.ts) until they
 * agree or --timeout passes. An instance whose example predates the script is told how to add it.
 */
export async function checkShopAnalytics(
  run: ValidationRun,
  { source, sink }: Databases,
  jobs: readonly Job[],
): Promise<void> {
  const { messages: m, reporter: out, timeoutMs } = run.settings;
  out.step(m.stepShop);
  const candidates = jobs.filter((job) => job.name.includes(SHOP_JOB));
  if (candidates.length === 0) {
    out.warn(m.shopNotSubmitted(SHOP_JOB));
    return;
  }
  const running = candidates.find((job) => job.state === 'RUNNING');
  if (!running) {
    record(run, 'shop.job', false, m.jobNotRunning('shop', SHOP_JOB, candidates.at(-1)?.state));
    return;
  }
  const userId = await registerTestUser(source);
  run.result.testUserId = userId;
  out.info(m.testUser(userId));
  let differences: Difference[] = [];
  await until(timeoutMs, COMPARE_EVERY_MS, async () => {
    differences = await compareWithOracle(source, sink, SHOP_TABLES);
    return totalDifferences(differences) === 0 ? true : undefined;
  });
  for (const d of differences) {
    const scope = m.shopScope(d.table, d.cutoff);
    const ok = d.missing + d.extra + d.wrong === 0;
    const detail = ok
      ? m.shopTableOk(d.table, d.rows, scope)
      : m.shopTableFailed(d.table, scope, m.shopDifference(d.missing, d.extra, d.wrong, d.examples[0] ?? ''));
    record(run, `shop.${d.table}`, ok, detail);
  }
}

/** Inserts a user numbered above every user business.users has or had; its id. */
async function registerTestUser(source: pg.Client): Promise<number> {
  const { rows } = await source.query<{ id: string }>(
    `INSERT INTO business.users (user_id, username, email, city, register_time, updated_at)
     SELECT COALESCE(max(user_id), 0) + 1, '测试用户', 'rivulet-validate@example.com', '杭州', now(), now()
       FROM (SELECT user_id FROM business.users UNION ALL SELECT user_id FROM business.user_versions) u
     RETURNING user_id AS id`,
  );
  return Number(rows[0]?.id);
}

/** Removes the test user (its delete flows into the users' versions, as PostgreSQL's history keeps it). */
export async function removeTestUser(source: pg.Client, id: number): Promise<void> {
  await source.query('DELETE FROM business.users WHERE user_id = $1', [id]);
}
