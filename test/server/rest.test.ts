import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callEngine } from '../../src/cli/engine-client.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import type { Engine } from '../../src/runtime/engine.ts';
import { Job } from '../../src/runtime/job.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { type RestTestServer, startRestTestServer } from '../helpers/rest-server.ts';
import { waitFor } from '../helpers/wait.ts';

const TOKEN = 'rest-test-token';
const PASSWORD = 'MARKER-pw-4f9c2e';

/** Two jobs: events → a filter → events_out (runs), and events → a jdbc table that does not exist (fails). */
function script(pg: TestPostgres): string {
  return `SET 'restart-strategy.type' = 'none';
    CREATE TABLE events_in (id BIGINT, note STRING) WITH (
      'connector' = 'kafka', 'topic' = 'events', 'properties.bootstrap.servers' = 'unused:9092',
      'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
    CREATE TABLE events_out (id BIGINT, note STRING) WITH (
      'connector' = 'kafka', 'topic' = 'events_out', 'properties.bootstrap.servers' = 'unused:9092',
      'format' = 'json');
    CREATE TABLE missing (id BIGINT, note STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (
      'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/sink',
      'table-name' = 'public.missing', 'username' = 'postgres', 'password' = '${PASSWORD}',
      'sink.max-retries' = '0');
    CREATE TABLE orders_cdc (id BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH (
      'connector' = 'postgres-cdc', 'hostname' = '127.0.0.1', 'port' = '${pg.server.port}',
      'username' = 'postgres', 'password' = '${PASSWORD}', 'database-name' = 'sink',
      'schema-name' = 'public', 'table-name' = 'orders', 'slot.name' = 'orders_slot');
    INSERT INTO events_out SELECT id, note FROM events_in WHERE id > 1;
    INSERT INTO missing SELECT id, note FROM events_in;`;
}

describe('the REST API with Flink 1.18 paths and field names', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let engine: Engine;
  let base: string;
  let running: string;
  let failing: string;
  /** Every answer body, to check that the password never appears. */
  const answers: string[] = [];

  async function call(method: string, path: string, options: { body?: unknown; token?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    answers.push(text);
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
    return { status: response.status, json: JSON.parse(text) as any };
  }

  let rest: RestTestServer;
  before(async () => {
    rest = await startRestTestServer(TOKEN);
    ({ pg, log, engine, base } = rest);
  });
  after(() => rest?.dispose());

  it('refuses POST and PATCH without the bearer token, or with a wrong one', async () => {
    const none = await call('POST', '/sql', { body: { script: script(pg) } });
    assert.equal(none.status, 401);
    assert.ok(Array.isArray(none.json.errors) && none.json.errors.length === 1);
    const wrong = await call('POST', '/sql', { body: { script: script(pg) }, token: 'not-the-token' });
    assert.equal(wrong.status, 401);
    assert.equal(engine.jobs.size, 0);
  });

  it('submits with the token and reports the cluster overview', async () => {
    const submitted = await call('POST', '/sql', { body: { name: 'rest.sql', script: script(pg) }, token: TOKEN });
    assert.equal(submitted.status, 200, JSON.stringify(submitted.json));
    assert.equal(submitted.json.jobs.length, 2);
    [running, failing] = submitted.json.jobs.map((j: { jid: string }) => j.jid);
    await log.produce(
      [1, 2, 3].map((id) => ({ topic: 'events', key: null, value: Buffer.from(`{"id":${id},"note":"n${id}"}`) })),
    );
    await waitFor('the jdbc job to fail', async () => (engine.get(failing)?.status === 'FAILED' ? true : undefined));

    const { status, json } = await call('GET', '/overview');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(json).slice(0, 9), [
      'taskmanagers',
      'slots-total',
      'slots-available',
      'jobs-running',
      'jobs-finished',
      'jobs-cancelled',
      'jobs-failed',
      'flink-version',
      'flink-commit',
    ]);
    assert.equal(json.taskmanagers, 1);
    assert.equal(json['slots-total'], 1);
    assert.equal(json['slots-available'], 0);
    assert.equal(json['jobs-running'], 1);
    assert.equal(json['jobs-failed'], 1);
    assert.equal(json['flink-version'], '1.18');
    assert.match(json['rivulet-version'], /^\d+\.\d+\.\d+/);
  });

  it('describes the process as one task manager', async () => {
    const { status, json } = await call('GET', '/taskmanagers');
    assert.equal(status, 200);
    assert.equal(json.taskmanagers.length, 1);
    const tm = json.taskmanagers[0];
    for (const key of ['id', 'path', 'dataPort', 'timeSinceLastHeartbeat', 'slotsNumber', 'freeSlots', 'hardware'])
      assert.ok(key in tm, key);
    assert.equal(tm.slotsNumber, 1);
    assert.equal(tm.freeSlots, 0);
    assert.ok(tm.hardware.cpuCores >= 1);
    assert.ok(tm.hardware.physicalMemory > tm.hardware.freeMemory && tm.hardware.freeMemory > 0);
    assert.equal(tm.hardware.managedMemory, 0);
    assert.ok(tm.memory.heapUsed > 0);
  });

  it('details a running job with its vertices and their real record counts', async () => {
    const details = await waitFor('the filtered records to reach the sink', async () => {
      const { json } = await call('GET', `/jobs/${running}`);
      const sink = json.vertices.at(-1);
      return sink?.metrics['read-records'] === 2 ? json : undefined;
    });
    for (const key of [
      'jid',
      'name',
      'isStoppable',
      'state',
      'start-time',
      'end-time',
      'duration',
      'now',
      'timestamps',
      'vertices',
      'status-counts',
      'plan',
    ])
      assert.ok(key in details, key);
    assert.equal(details.jid, running);
    assert.equal(details.state, 'RUNNING');
    assert.equal(details['end-time'], -1);
    assert.equal(details.timestamps.RUNNING, details['start-time']);
    const names = details.vertices.map((v: { name: string }) => v.name);
    assert.match(names[0], /^TableSourceScan\(table=\[events_in\]/);
    assert.match(names[1], /^Calc\(select=\[id, note\], where=\[\(id > 1\)\]\)/);
    assert.match(names[2], /^Sink\(table=\[events_out\]/);
    const [source, calc, sink] = details.vertices;
    assert.equal(source.metrics['read-records'], 3);
    assert.equal(source.metrics['write-records'], 3);
    assert.equal(calc.metrics['read-records'], 3);
    assert.equal(calc.metrics['write-records'], 2);
    for (const vertex of details.vertices) {
      assert.match(vertex.id, /^[0-9a-f]{32}$/);
      assert.equal(vertex.parallelism, 1);
      assert.equal(vertex.status, 'RUNNING');
      assert.equal(vertex.tasks.RUNNING, 1);
      for (const key of ['read-bytes', 'write-bytes', 'read-records', 'write-records'])
        assert.ok(key in vertex.metrics);
    }
    // Flink's time fields: a source's busy time is not measured (Flink's "NaN" and 0 idle), an
    // operator is never back-pressured (nothing buffers between vertices), the times add up to at
    // most the job's wall time.
    assert.equal(source.metrics['accumulated-busy-time'], 'NaN');
    assert.equal(source.metrics['accumulated-idle-time'], 0);
    assert.equal(calc.metrics['accumulated-backpressured-time'], 0);
    for (const vertex of [calc, sink]) {
      const { metrics } = vertex;
      const spent =
        metrics['accumulated-busy-time'] + metrics['accumulated-idle-time'] + metrics['accumulated-backpressured-time'];
      assert.ok(spent <= details.now - details['start-time'] + 1, JSON.stringify(metrics));
    }
    assert.ok(source.metrics['accumulated-backpressured-time'] >= 0);
    assert.equal(source.rivulet.busyTimeMsPerSecond, null);
    for (const vertex of details.vertices) {
      for (const key of ['busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond'] as const) {
        const value = vertex.rivulet[key];
        if (value !== null) assert.ok(value >= 0 && value <= 1000, `${key} ${value}`);
      }
      // None of these vertices keeps keyed state.
      assert.equal(vertex.rivulet['state-size'], null);
      assert.equal(vertex.rivulet['spilled-bytes'], null);
    }
    const pressure = await call('GET', `/jobs/${running}/vertices/${source.id}/backpressure`);
    assert.equal(pressure.status, 200);
    assert.equal(pressure.json.status, 'ok');
    assert.ok(['ok', 'low', 'high'].includes(pressure.json['backpressure-level']));
    assert.deepEqual(Object.keys(pressure.json.subtasks[0]), [
      'subtask',
      'attempt-number',
      'backpressure-level',
      'ratio',
      'idleRatio',
      'busyRatio',
    ]);
    assert.equal((await call('GET', `/jobs/${running}/vertices/${'0'.repeat(32)}/backpressure`)).status, 404);
    assert.ok(sink);
    assert.equal(details['status-counts'].RUNNING, 3);
    assert.equal(details.plan.jid, running);
    assert.equal(details.plan.nodes.length, 3);
    assert.deepEqual(
      details.plan.nodes[1].inputs.map((i: { id: string }) => i.id),
      [source.id],
    );
  });

  it('reports every commit as a completed checkpoint', async () => {
    const { status, json } = await call('GET', `/jobs/${running}/checkpoints`);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(json.counts).sort(), ['completed', 'failed', 'in_progress', 'restored', 'total']);
    assert.ok(json.counts.completed >= 1);
    assert.equal(json.counts.completed, engine.get(running)?.stats.commits);
    const latest = json.latest.completed;
    assert.equal(latest.id, json.counts.completed);
    assert.equal(latest.status, 'COMPLETED');
    assert.ok(latest.latest_ack_timestamp > 0 && latest.latest_ack_timestamp <= Date.now());
    assert.ok(latest.end_to_end_duration >= 0);
    assert.ok('end_to_end_duration' in json.summary);
    assert.ok(json.summary.end_to_end_duration.max >= json.summary.end_to_end_duration.min);
    assert.equal(json.history[0].id, latest.id);
  });

  it("tells each commit's output records and source positions apart from Flink's state sizes", async () => {
    // The three records of topic 'events' are at offsets 0 to 2 of its one partition: once they are
    // committed, the job resumes at 3.
    const json = await waitFor('the commit past the three records', async () => {
      const answer = await call('GET', `/jobs/${running}/checkpoints`);
      return answer.json.latest.completed?.rivulet.positions[0]?.position === 'events 0@3' ? answer.json : undefined;
    });
    const latest = json.latest.completed;
    assert.deepEqual(latest.rivulet.positions, [{ source: 'events_in', position: 'events 0@3' }]);
    assert.equal(latest.state_size, 0);
    assert.equal(latest.checkpointed_size, 0);
    assert.equal(json.history.length, json.counts.completed, 'every commit of this short job is kept');
    // Records 2 and 3 pass `id > 1`: the commits together made exactly those two durable.
    const records = json.history.reduce(
      (sum: number, c: { rivulet: { records: number } }) => sum + c.rivulet.records,
      0,
    );
    assert.equal(records, 2);
  });

  it("reports a failed job's exceptions in Flink 1.18's shape", async () => {
    const { status, json } = await call('GET', `/jobs/${failing}/exceptions`);
    assert.equal(status, 200);
    assert.match(json['root-exception'], /relation "public\.missing" does not exist/);
    assert.equal(typeof json.timestamp, 'number');
    assert.equal(json.truncated, false);
    assert.equal(json.exceptionHistory.truncated, false);
    assert.equal(json.exceptionHistory.entries.length, 1);
    const entry = json.exceptionHistory.entries[0];
    for (const key of ['exceptionName', 'stacktrace', 'timestamp', 'taskName']) assert.ok(key in entry, key);
    const details = await call('GET', `/jobs/${failing}`);
    assert.equal(details.json.state, 'FAILED');
    assert.ok(details.json['end-time'] >= details.json['start-time']);
    assert.equal(details.json.timestamps.FAILED, details.json['end-time']);
  });

  it('never shows a password, even one quoted in an error message', async () => {
    const job = engine.get(failing);
    assert.ok(job instanceof Job);
    job.exceptions.push({
      timestamp: Date.now(),
      error: new Error(
        `cannot connect to postgres://postgres:${PASSWORD}@127.0.0.1/sink (host=127.0.0.1 password=${PASSWORD})`,
      ),
    });
    const { json } = await call('GET', `/jobs/${failing}/exceptions`);
    assert.match(json['root-exception'], /postgres:\*+@127\.0\.0\.1/);
    for (const path of ['/overview', '/taskmanagers', '/jobs', '/jobs/overview']) await call('GET', path);
    for (const id of [running, failing]) {
      for (const sub of ['', '/checkpoints', '/exceptions', '/plan']) await call('GET', `/jobs/${id}${sub}`);
    }
    for (const text of answers) assert.ok(!text.includes(PASSWORD), text);
  });

  it("answers an unknown job id with 404 and Flink's errors body", async () => {
    for (const path of ['/jobs/0123456789abcdef0123456789abcdef', '/jobs/nope/checkpoints', '/jobs/nope/exceptions']) {
      const { status, json } = await call('GET', path);
      assert.equal(status, 404);
      assert.ok(Array.isArray(json.errors) && json.errors.length > 0);
    }
    const patch = await call('PATCH', '/jobs/0123456789abcdef0123456789abcdef?mode=cancel', { token: TOKEN });
    assert.equal(patch.status, 404);
  });

  it('cancels with the token only', async () => {
    const refused = await call('PATCH', `/jobs/${running}?mode=cancel`);
    assert.equal(refused.status, 401);
    assert.equal(engine.get(running)?.status, 'RUNNING');
    // The CLI's client sends the token from RIVULET_REST_TOKEN.
    const client = { engine: base, dataDir: '.rivulet' };
    const saved = process.env.RIVULET_REST_TOKEN;
    try {
      delete process.env.RIVULET_REST_TOKEN;
      await assert.rejects(callEngine(client, 'PATCH', `/jobs/${running}?mode=cancel`), /Unauthorized/);
      assert.equal(engine.get(running)?.status, 'RUNNING');
      process.env.RIVULET_REST_TOKEN = TOKEN;
      await callEngine(client, 'PATCH', `/jobs/${running}?mode=cancel`);
    } finally {
      if (saved === undefined) delete process.env.RIVULET_REST_TOKEN;
      else process.env.RIVULET_REST_TOKEN = saved;
    }
    assert.equal(engine.get(running)?.status, 'CANCELED');
    const { json } = await call('GET', '/overview');
    assert.equal(json['jobs-cancelled'], 1);
    assert.equal(json['slots-total'], 0);
  });
});
