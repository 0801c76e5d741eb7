import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { AlertMonitor } from '../../src/server/alerts/alert-monitor.ts';
import { DEFAULT_THRESHOLDS } from '../../src/server/alerts/rules.ts';
import { startRestServer } from '../../src/server/rest.ts';
import { type RestTestServer, startRestTestServer } from '../helpers/rest-server.ts';

const TOKEN = 'dashboard-test-token';
const PASSWORD = 'MARKER-pw-77aa31';

const SCRIPT = `CREATE TABLE events_in (id BIGINT, note STRING) WITH (
    'connector' = 'kafka', 'topic' = 'events', 'properties.bootstrap.servers' = 'unused:9092',
    'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
  CREATE TABLE events_out (id BIGINT, note STRING) WITH (
    'connector' = 'kafka', 'topic' = 'events_out', 'properties.bootstrap.servers' = 'unused:9092',
    'format' = 'json', 'properties.sasl.password' = '${PASSWORD}');
  INSERT INTO events_out SELECT id, note FROM events_in WHERE id > 1;`;

/** The first `snapshot` event of GET /events, parsed. */
async function firstSnapshot(
  url: string,
): Promise<{ contentType: string; data: Record<string, unknown>; raw: string }> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the stream ended: ${text}`);
    text += decoder.decode(value, { stream: true });
    const event = /event: snapshot\ndata: (.*)\n\n/.exec(text);
    if (event) {
      abort.abort();
      return {
        contentType: response.headers.get('content-type') ?? '',
        data: JSON.parse(event[1] as string),
        raw: text,
      };
    }
  }
}

describe('the dashboard routes of the REST server', () => {
  let rest: RestTestServer;
  before(async () => {
    rest = await startRestTestServer(TOKEN);
  });
  after(() => rest?.dispose());

  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${rest.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('serves the page, its script and its style, which no other page may frame or extend', async () => {
    const page = await fetch(`${rest.base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('access-control-allow-origin'), null);
    const html = await page.text();
    let gzipped = 0;
    for (const asset of ['/assets/dashboard.js', '/assets/dashboard.css']) {
      assert.ok(html.includes(asset), asset);
      const answer = await fetch(`${rest.base}${asset}`);
      assert.equal(answer.status, 200, asset);
      gzipped += gzipSync(Buffer.from(await answer.arrayBuffer())).length;
    }
    // The budget for the page's JavaScript and CSS.
    assert.ok(gzipped < 300 * 1024, `${gzipped} bytes gzipped`);
  });

  it('refuses the page to another origin or site, as every route', async () => {
    const foreign = await fetch(`${rest.base}/`, { headers: { origin: 'http://evil.example' } });
    assert.equal(foreign.status, 403);
    const crossSite = await fetch(`${rest.base}/events`, { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(crossSite.status, 403);
  });

  it('explains a script with the token, without starting it; a script that does not plan answers its error', async () => {
    assert.equal((await post('/sql/explain', { script: SCRIPT })).status, 401);
    const explained = await post('/sql/explain', { name: 'explained.sql', script: SCRIPT }, TOKEN);
    assert.equal(explained.status, 200);
    const body = (await explained.json()) as { explain: string };
    assert.match(
      body.explain,
      /^== insert-into_default_catalog\.default_database\.events_out \(explained\.sql:7:3\) ==/,
    );
    assert.match(body.explain, /TableSourceScan\(table=\[events_in\]/);
    assert.equal(rest.engine.jobs.size, 0);
    const wrong = await post('/sql/explain', { script: 'SELEC 1;' }, TOKEN);
    assert.equal(wrong.status, 200);
    const errors = ((await wrong.json()) as { errors: string[] }).errors;
    assert.equal(errors.length, 1);
    assert.match(errors[0] as string, /^error\[/);
    const variables = await post('/sql/explain', { script: "SELECT '${X}';" }, TOKEN);
    assert.match(JSON.stringify(await variables.json()), /X/);
  });

  it('streams snapshots of the jobs, and of one job, without a password', async () => {
    const submitted = await post('/sql', { name: 'events.sql', script: SCRIPT }, TOKEN);
    assert.equal(submitted.status, 200);
    const [job] = ((await submitted.json()) as { jobs: { jid: string }[] }).jobs;
    assert.ok(job);
    const all = await firstSnapshot(`${rest.base}/events`);
    assert.match(all.contentType, /^text\/event-stream/);
    assert.match(all.raw, /^retry: \d+\n\n/);
    const jobs = all.data.jobs as { jid: string; rivulet: { tables: { name: string }[] } }[];
    assert.deepEqual(
      jobs.map((each) => each.jid),
      [job.jid],
    );
    assert.deepEqual(
      jobs[0]?.rivulet.tables.map((table) => table.name),
      ['events_in', 'events_out'],
    );
    assert.equal('job' in all.data, false);
    const one = await firstSnapshot(`${rest.base}/events?job=${job.jid}`);
    const details = (
      one.data.job as {
        details: { jid: string; vertices: { rivulet: { kind: string } }[]; rivulet: { script: { file: string } } };
      }
    ).details;
    assert.equal(details.jid, job.jid);
    assert.equal(details.rivulet.script.file, 'events.sql');
    assert.deepEqual(
      details.vertices.map((vertex) => vertex.rivulet.kind),
      ['source', 'operator', 'sink'],
    );
    assert.ok(!one.raw.includes(PASSWORD), 'the password is hidden');
    const unknown = await firstSnapshot(`${rest.base}/events?job=nope`);
    assert.equal(unknown.data.job, null);
    assert.equal('cdc' in unknown.data, false);
  });

  it('lists the topics, and tails one with its keys and values decoded, filtered by key', async () => {
    await rest.log.produce([
      { topic: 'events', key: Buffer.from('k-1'), value: Buffer.from('{"id":1}'), timestamp: 1_000 },
      { topic: 'events', key: Buffer.from('k-2'), value: Buffer.from([0xff, 0x00]), timestamp: 2_000 },
      { topic: 'events', key: Buffer.from('k-1'), value: null, timestamp: 3_000 },
    ]);
    const topics = (await (await fetch(`${rest.base}/topics`)).json()) as { topics: { name: string }[] };
    assert.ok(topics.topics.some((topic) => topic.name === 'events'));
    const tail = async (query: string) => {
      const answer = await fetch(`${rest.base}/topics/tail?${query}`);
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    };
    const all = await tail('topic=events&limit=2');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.records, [
      {
        partition: 0,
        offset: '2',
        timestamp: 3_000,
        key: { text: 'k-1', encoding: 'utf8' },
        value: { text: null, encoding: 'utf8' },
        headers: [],
      },
      {
        partition: 0,
        offset: '1',
        timestamp: 2_000,
        key: { text: 'k-2', encoding: 'utf8' },
        value: { text: 'ff00', encoding: 'hex' },
        headers: [],
      },
    ]);
    // The postgres log keeps no headers: the answer says so, for the page to say it.
    assert.equal(all.body['log-headers'], false);
    const one = await tail('topic=events&key=k-1');
    assert.deepEqual(
      (one.body.records as { offset: string }[]).map((record) => record.offset),
      ['2', '0'],
    );
    const missing = await tail('topic=nope');
    assert.equal(missing.status, 400);
    assert.match(String((missing.body.errors as string[])[0]), /LOG_TOPIC_NOT_FOUND/);
    assert.equal((await tail('topic=events&limit=0')).status, 400);
    const view = await firstSnapshot(`${rest.base}/events?view=topics&topic=events&key=k-2`);
    assert.ok(Array.isArray(view.data.topics));
    assert.deepEqual(
      (view.data.tail as { records: { offset: string }[] }).records.map((record) => record.offset),
      ['1'],
    );
  });

  it('lists the replication slots of running postgres-cdc sources: none here', async () => {
    const cdc = await fetch(`${rest.base}/cdc`);
    assert.deepEqual(await cdc.json(), { slots: [], 'retained-wal-warning-bytes': 1024 ** 3 });
    const view = await firstSnapshot(`${rest.base}/events?view=cdc`);
    assert.deepEqual(view.data.cdc, { slots: [], 'retained-wal-warning-bytes': 1024 ** 3 });
  });

  it("flags slots at the engine's --alert-wal threshold when it evaluates alerts", async () => {
    const alerts = new AlertMonitor(async () => ({ at: Date.now(), jobs: [], slots: [] }), {
      thresholds: { ...DEFAULT_THRESHOLDS, retainedWalBytes: 512 * 1024 ** 2 },
      externalUrl: 'http://127.0.0.1/',
    });
    const port = await freeLoopbackPort();
    const server = await startRestServer(rest.engine, port, { token: TOKEN, alerts });
    try {
      const cdc = await fetch(`http://127.0.0.1:${port}/cdc`);
      assert.deepEqual(await cdc.json(), { slots: [], 'retained-wal-warning-bytes': 512 * 1024 ** 2 });
    } finally {
      server.close();
    }
  });

  it('keeps the latency trace rivulet validate reports, with the token only, and has no alerts here', async () => {
    const trace = { ok: true, changes: [{ status: 'PENDING', ods: 120, dwd: 180, join: 240, sink: 300 }] };
    assert.equal((await post('/latency-trace', trace)).status, 401);
    const bad = await post('/latency-trace', { ok: true, changes: [{ status: 'PENDING', ods: -1 }] }, TOKEN);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /'ods' must be milliseconds/);
    assert.equal((await post('/latency-trace', trace, TOKEN)).status, 200);
    const answer = (await (await fetch(`${rest.base}/latency-trace`)).json()) as {
      trace: { ok: boolean; at: number; changes: unknown[] };
    };
    assert.equal(answer.trace.ok, true);
    assert.deepEqual(answer.trace.changes, trace.changes);
    // This server was started without an alert monitor, as a test server: the route says so.
    assert.equal((await fetch(`${rest.base}/alerts`)).status, 404);
  });
});
