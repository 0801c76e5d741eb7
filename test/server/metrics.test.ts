import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { parseLsn } from '../../src/connectors/postgres-cdc/pgoutput.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { seedDatabases } from '../../src/embedded/seed.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { Engine } from '../../src/runtime/engine.ts';
import type { JobHandle } from '../../src/runtime/job-handle.ts';
import { cdcSlots } from '../../src/server/cdc-slots.ts';
import { escapeLabelValue } from '../../src/server/metrics.ts';
import { startRestServer } from '../../src/server/rest.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

/** The source password: loopback trust auth lets any through, and it must never be shown. */
const PASSWORD = 'MARKER-pw-7d1a93';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Family {
  help?: string;
  type?: string;
}

/** Parses label pairs `a="x",b="y\"z"`, undoing the format's escapes; throws on anything else. */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (!match) throw new Error(`bad labels: {${text}}`);
    const name = match[1] as string;
    assert.ok(!(name in labels), `label ${name} twice in {${text}}`);
    labels[name] = (match[2] as string).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(match[0].length);
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  assert.match(text, /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i, `bad value '${text}'`);
  return Number(text);
}

/**
 * Parses the text exposition format strictly: every line a HELP, a TYPE or a sample
 * `name{labels} value`; every sample's metric with HELP and TYPE before it, its samples together.
 */
function parseExposition(text: string): { samples: Sample[]; families: Map<string, Family> } {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line feed');
  const families = new Map<string, Family>();
  const samples: Sample[] = [];
  const closed = new Set<string>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      const family = families.get(name) ?? {};
      if (kind === 'HELP') {
        assert.equal(family.help, undefined, `HELP of ${name} twice`);
        assert.ok(rest.length > 0, `HELP of ${name} is empty`);
        family.help = rest;
      } else {
        assert.equal(family.type, undefined, `TYPE of ${name} twice`);
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest), `TYPE ${rest}`);
        family.type = rest;
      }
      families.set(name, family);
      if (current !== name && current !== undefined) closed.add(current);
      assert.ok(!closed.has(name), `metric ${name} is split`);
      current = name;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `not a sample line: ${JSON.stringify(line)}`);
    const name = sample[1] as string;
    const family = families.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    const declared = families.get(family);
    assert.ok(declared?.help && declared.type, `${name} has no HELP and TYPE`);
    if (family !== name) assert.ok(['histogram', 'summary'].includes(declared.type as string), name);
    assert.equal(current, family, `${name} is not with the other samples of ${family}`);
    samples.push({ name, labels: parseLabels(sample[2] ?? ''), value: parseValue(sample[3] as string) });
  }
  return { samples, families };
}

describe('GET /metrics in the Prometheus text exposition format', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let engine: Engine;
  let server: Server;
  let base: string;
  let jobs: JobHandle[] = [];
  const texts: string[] = [];

  async function scrape() {
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    texts.push(text);
    return parseExposition(text);
  }

  function value(samples: readonly Sample[], name: string, labels: Record<string, string>): number {
    const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    assert.equal(found.length, 1, `one sample ${name} ${JSON.stringify(labels)}, found ${found.length}`);
    return (found[0] as Sample).value;
  }

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    log = await openTestLog(pg);
    engine = new Engine(log);
    const port = await freeLoopbackPort();
    server = await startRestServer(engine, port, { token: 'metrics-test-token' });
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    server?.close();
    await engine?.close();
    await log?.close();
    await pg?.dispose();
  });

  it('escapes label values as the format says', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.deepEqual(parseLabels(`x="${escapeLabelValue('a\\b"c\nd')}"`), { x: 'a\\b"c\nd' });
  });

  it('reports jobs, vertices, checkpoints and postgres-cdc sources, and the values move', async () => {
    const variables = new Map([
      ['SOURCE_HOST', '127.0.0.1'],
      ['SOURCE_PORT', String(pg.server.port)],
      ['SOURCE_PASSWORD', PASSWORD],
    ]);
    const file = 'examples/ecommerce/1_cdc_source_to_kafka.sql';
    jobs = await engine.submit(file, readFileSync(file, 'utf8'), variables);
    assert.equal(jobs.length, 2);
    await waitFor(
      'the snapshots to be committed',
      async () => (jobs.every((job) => job.stats.commits > 0 && job.stats.recordsIn > 0) ? true : undefined),
      jobs,
    );

    const first = await scrape();
    const [orders, users] = jobs as [JobHandle, JobHandle];
    const labels = { job_id: orders.id, job_name: orders.plan.name };
    assert.equal(value(first.samples, 'rivulet_job_status', { ...labels, status: 'RUNNING' }), 1);
    assert.equal(value(first.samples, 'rivulet_job_status', { ...labels, status: 'FAILED' }), 0);
    assert.equal(value(first.samples, 'rivulet_job_restarts_total', labels), 0);
    const in1 = value(first.samples, 'rivulet_job_records_in_total', labels);
    assert.ok(in1 > 0);
    const checkpoints1 = value(first.samples, 'rivulet_checkpoints_completed_total', labels);
    assert.ok(checkpoints1 > 0);
    assert.equal(value(first.samples, 'rivulet_checkpoints_failed_total', labels), 0);
    assert.equal(first.families.get('rivulet_checkpoint_duration_seconds')?.type, 'histogram');
    assert.equal(value(first.samples, 'rivulet_checkpoint_duration_seconds_count', labels), checkpoints1);
    assert.equal(
      value(first.samples, 'rivulet_checkpoint_duration_seconds_bucket', { ...labels, le: '+Inf' }),
      checkpoints1,
    );
    const vertexIn = first.samples.filter(
      (s) => s.name === 'rivulet_vertex_records_in_total' && s.labels.job_id === orders.id,
    );
    assert.ok(vertexIn.length >= 2, 'a source and a sink vertex at least');
    assert.ok(
      vertexIn.some((s) => /^TableSourceScan\(table=\[.*orders_source/.test(s.labels.vertex ?? '') && s.value > 0),
    );
    assert.ok(vertexIn.every((s) => /^[0-9a-f]{32}$/.test(s.labels.vertex_id ?? '')));
    for (const name of [
      'rivulet_process_resident_memory_bytes',
      'rivulet_process_heap_used_bytes',
      'rivulet_process_uptime_seconds',
    ]) {
      assert.ok(value(first.samples, name, {}) > 0, name);
    }
    assert.equal(value(first.samples, 'rivulet_log_maintenance_failures_total', {}), 0);
    for (const job of jobs) {
      const slot = job === orders ? 'flink_slot_orders' : 'flink_slot_users';
      const slotLabels = { job_id: job.id, slot };
      assert.equal(value(first.samples, 'rivulet_cdc_slot_metrics_up', slotLabels), 1);
      assert.ok(Number.isFinite(value(first.samples, 'rivulet_cdc_slot_retained_wal_bytes', slotLabels)));
      assert.ok(value(first.samples, 'rivulet_cdc_slot_retained_wal_bytes', slotLabels) >= 0);
      assert.ok(Number.isFinite(value(first.samples, 'rivulet_cdc_lag_bytes', slotLabels)));
      assert.ok(value(first.samples, 'rivulet_cdc_source_lag_seconds', slotLabels) >= 0);
      assert.ok(Number.isFinite(value(first.samples, 'rivulet_job_pending_output', { job_id: job.id })));
    }

    // Changes through the slots: an order inserted, a user updated.
    const source = await pg.connect('source_db');
    await source.query(
      `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status)
       VALUES (2006, 1001, 'AirPods Pro', '电子产品', 1, 1999.00, 1999.00, 'PENDING')`,
    );
    await source.query(`UPDATE business.users SET city = '深圳' WHERE user_id = 1001`);
    await waitFor(
      'both changes to be committed',
      async () =>
        orders.stats.recordsIn > in1 &&
        orders.stats.sourceToCommitSeconds.count > 0 &&
        users.stats.sourceToCommitSeconds.count > 0
          ? true
          : undefined,
      jobs,
    );

    const second = await scrape();
    assert.ok(value(second.samples, 'rivulet_job_records_in_total', labels) > in1);
    assert.ok(value(second.samples, 'rivulet_job_records_out_total', labels) > in1 - 1);
    assert.ok(value(second.samples, 'rivulet_checkpoints_completed_total', labels) > checkpoints1);
    const latencyCount = value(second.samples, 'rivulet_source_to_commit_latency_seconds_count', labels);
    assert.ok(latencyCount >= 1);
    const latencySum = value(second.samples, 'rivulet_source_to_commit_latency_seconds_sum', labels);
    assert.ok(latencySum >= 0 && latencySum < 60, `latency sum ${latencySum}`);
    const buckets = second.samples
      .filter((s) => s.name === 'rivulet_source_to_commit_latency_seconds_bucket' && s.labels.job_id === orders.id)
      .map((s) => s.value);
    assert.deepEqual(
      buckets,
      [...buckets].sort((a, b) => a - b),
      'buckets are cumulative',
    );
    assert.equal(buckets.at(-1), latencyCount);
    const vertexIn2 = second.samples.filter(
      (s) => s.name === 'rivulet_vertex_records_in_total' && s.labels.job_id === orders.id,
    );
    assert.ok(
      vertexIn2.reduce((n, s) => n + s.value, 0) > vertexIn.reduce((n, s) => n + s.value, 0),
      'vertex counts moved',
    );

    const vertexLatency = second.samples.filter(
      (s) => s.name === 'rivulet_vertex_source_latency_seconds_count' && s.labels.job_id === orders.id,
    );
    assert.ok(
      vertexLatency.some((s) => /^Sink\(/.test(s.labels.vertex ?? '') && s.value >= 1),
      `the sink observed latency from the source: ${JSON.stringify(vertexLatency)}`,
    );
    for (const count of vertexLatency) {
      const sum = value(second.samples, 'rivulet_vertex_source_latency_seconds_sum', count.labels);
      assert.ok(sum >= 0 && sum / count.value < 60, `mean latency at ${count.labels.vertex}: ${sum / count.value} s`);
    }
    // The confirmed LSN as the server reports it: it only moves forward, so what the scrape read is at
    // or before what the slot says now, and /cdc gives it in PostgreSQL's text form.
    const slotLabels = { job_id: orders.id, slot: 'flink_slot_orders' };
    const confirmed = value(second.samples, 'rivulet_cdc_slot_confirmed_flush_lsn', slotLabels);
    const { rows } = await source.query<{ lsn: string }>(
      `SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = 'flink_slot_orders'`,
    );
    const now = parseLsn(rows[0]?.lsn ?? '0/0');
    assert.ok(confirmed > 0 && BigInt(confirmed) <= now, `${confirmed} ≤ ${now}`);
    const cdc = (await cdcSlots(engine)).slots.find((slot) => slot.slot === 'flink_slot_orders');
    assert.match(cdc?.['confirmed-flush-lsn'] ?? '', /^[0-9A-F]+\/[0-9A-F]+$/);
    assert.ok(parseLsn(cdc?.['confirmed-flush-lsn'] as string) >= BigInt(confirmed));
    assert.ok(value(second.samples, 'rivulet_state_memory_limit_bytes', {}) > 0);
    assert.ok(value(second.samples, 'rivulet_state_memory_used_bytes', {}) >= 0);

    for (const text of texts) assert.ok(!text.includes(PASSWORD), 'the password never appears');
  });
});
