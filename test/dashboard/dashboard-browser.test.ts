import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { databaseUrl } from '../../src/cli/support.ts';
import { findInstance } from '../../src/embedded/instance.ts';
import { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { CliProcess } from '../helpers/cli.ts';
import { commandPath } from '../helpers/command-path.ts';
import { type ExampleInstance, startExampleInstance } from '../helpers/example-instance.ts';
import { waitFor } from '../helpers/wait.ts';

/** Without Chromium the test is skipped, except in CI (whose .ci/run installs it). */
const CHROMIUM = commandPath('chromium');
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');

/** Columns of the example's ods_users topic (examples/ecommerce/1_cdc_source_to_kafka.sql). */
const ODS_USERS = `user_id BIGINT, username STRING, email STRING, phone STRING, city STRING,
    register_time TIMESTAMP(3), updated_at TIMESTAMP(3), PRIMARY KEY (user_id) NOT ENFORCED`;

const COPY_SCRIPT = `SET 'pipeline.name' = 'dashboard-copy';
CREATE TABLE users_in (${ODS_USERS}) WITH ('connector' = 'upsert-kafka', 'topic' = 'ods_users',
  'properties.bootstrap.servers' = '\${SERVERS}', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE users_copy (${ODS_USERS}) WITH ('connector' = 'upsert-kafka', 'topic' = 'dashboard_users_copy',
  'properties.bootstrap.servers' = '\${SERVERS}', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO users_copy SELECT * FROM users_in;
`;

/** A job whose jdbc sink names a table that does not exist: it fails at its first write, for good. */
function failingScript(sinkUrl: string): string {
  const url = new URL(sinkUrl);
  return `SET 'restart-strategy.type' = 'none';
SET 'pipeline.name' = 'dashboard-failing';
CREATE TABLE users_in (${ODS_USERS}) WITH ('connector' = 'upsert-kafka', 'topic' = 'ods_users',
  'properties.bootstrap.servers' = 'unused:9092', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE missing (user_id BIGINT, username STRING, PRIMARY KEY (user_id) NOT ENFORCED) WITH (
  'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${url.port}/sink_db', 'table-name' = 'public.missing',
  'username' = 'postgres', 'password' = '${decodeURIComponent(url.password)}', 'sink.max-retries' = '0');
INSERT INTO missing SELECT user_id, username FROM users_in;
`;
}

interface JobRow {
  readonly jid: string;
  readonly name: string;
  readonly state: string;
}

describe('the dashboard in a real Chromium', {
  skip: !CHROMIUM && !process.env.CI && 'chromium is not installed',
}, () => {
  let instance: ExampleInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  let token: string;
  let restarted: CliProcess | undefined;
  let failedJob: string | undefined;
  const consoleErrors: string[] = [];

  const jobs = async (): Promise<JobRow[]> =>
    ((await (await fetch(`${base}/jobs/overview`)).json()) as { jobs: JobRow[] }).jobs;
  const text = (selector: string) => page.$eval(selector, (element) => element.textContent ?? '');
  const screenshot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  /** Sets a field as typing would: Preact listens to input events. */
  const fill = (selector: string, value: string) =>
    page.$eval(
      selector,
      (element, value) => {
        (element as unknown as { value: string }).value = value;
        element.dispatchEvent(new Event('input', { bubbles: true }));
      },
      value,
    );

  // The page's side of a wait is a string of JavaScript: this project's TypeScript has no DOM types.
  /** Waits until `selector` matches `n` elements. */
  const untilCount = (selector: string, n: number, on: Page = page) =>
    on.waitForFunction(`document.querySelectorAll(${JSON.stringify(selector)}).length === ${n}`);
  /** Waits until the text of the first element `selector` matches is `expected`, or matches it. */
  const untilText = (selector: string, expected: string | RegExp, on: Page = page) =>
    on.waitForFunction(
      `((text) => ${typeof expected === 'string' ? `text === ${JSON.stringify(expected)}` : `${expected}.test(text)`})(document.querySelector(${JSON.stringify(selector)})?.textContent ?? '')`,
    );

  before(async () => {
    assert.ok(CHROMIUM, 'chromium is not installed: .ci/run installs it with apt-get');
    mkdirSync(ARTIFACTS, { recursive: true });
    instance = await startExampleInstance();
    base = findInstance(instance.dataDir).restUrl;
    token = readFileSync(join(instance.dataDir, 'rest-token'), 'utf8').trim();
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      // Root (as in CI) cannot use Chromium's sandbox.
      args: ['--no-sandbox', '--lang=en-US', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    page.on('dialog', (dialog) => void dialog.accept());
  });

  after(async () => {
    if (restarted && restarted.child.exitCode === null) {
      restarted.child.kill('SIGINT');
      await restarted.done;
    }
    await browser?.close();
    await instance?.stop();
  });

  it('shows the overview with the jobs by state, the log and the databases, with no console error', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-test=overview]');
    const running = (await jobs()).filter((job) => job.state === 'RUNNING').length;
    assert.ok(running >= 5, `${running} jobs running`);
    await untilText('[data-test=jobs-running] b', String(running));
    const overview = await text('[data-test=overview]');
    assert.match(overview, /postgres/);
    assert.match(overview, /source_db/);
    assert.match(overview, /sink_db/);
    assert.equal(await text('[data-test=connection]'), 'live');
    await screenshot('overview');
    assert.deepEqual(consoleErrors, []);
  });

  it("lists the example's jobs and shows a job's operator graph", async () => {
    const all = await jobs();
    await page.goto(`${base}/#/jobs`);
    await untilCount('[data-test=jobs] tbody tr', all.length);
    await screenshot('jobs');
    const dwd = all.find((job) => job.name.endsWith('dwd_orders'));
    assert.ok(dwd);
    const details = (await (await fetch(`${base}/jobs/${dwd.jid}`)).json()) as {
      vertices: { name: string; rivulet: { 'state-size': number | null } }[];
    };
    await page.click(`tr[data-job="${dwd.jid}"] a`);
    await untilCount('[data-test=vertex]', details.vertices.length);
    const graph = await text('[data-test=graph]');
    for (const vertex of details.vertices) assert.ok(graph.includes(vertex.name.slice(0, 20)), vertex.name);
    // Every box shows its back-pressured share (and, but for a source, its busy share); a vertex with
    // keyed state its bytes in memory and spilled.
    await untilCount('[data-test=vertex-time]', details.vertices.length);
    assert.match(graph, /busy \d+ % · back-pressured \d+ %/);
    const stateful = details.vertices.filter((vertex) => vertex.rivulet['state-size'] !== null).length;
    assert.ok(stateful > 0, 'the dwd job keeps keyed state');
    await untilCount('[data-test=vertex-state]', stateful);
    assert.match(graph, /state [\d.,]+ \S*B · spilled [\d.,]+ \S*B/);
    assert.match(await text('[data-test=job-sql]'), /INSERT INTO/);
    // Each commit with the output changes it made durable and where it left each source (topic, partition@offset).
    await page.waitForSelector('[data-test=commit-positions] div');
    assert.match(await text('[data-test=commit-records]'), /^\d[\d,]*$/);
    assert.match(await text('[data-test=commit-positions]'), /\S+ \d+@\d+/);
    await screenshot('job');
    assert.deepEqual(consoleErrors, []);
  });

  it('takes the token from the fragment and drops it from the address', async () => {
    await page.goto(`${base}/#token=${encodeURIComponent(token)}`);
    await page.waitForSelector('[data-test=overview]');
    await untilText('[data-test=token-button]', 'token set');
    assert.equal(new URL(page.url()).hash, '#/');
  });

  it('explains a script as it is typed and submits it with its -D variables as a job', async () => {
    await page.goto(`${base}/#/sql`);
    await page.waitForSelector('[data-test=script]');
    await fill('[data-test=script]', 'SELEC 1;');
    await untilText('[data-test=explain]', /error\[/);
    await fill('[data-test=variables]', 'SERVERS=unused:9092');
    await fill('[data-test=script]', COPY_SCRIPT);
    await untilText('[data-test=explain]', /TableSourceScan/);
    await screenshot('sql');
    await page.click('[data-test=submit]');
    await page.waitForSelector('[data-test=submit-result] a');
    const copy = (await jobs()).find((job) => job.name === 'dashboard-copy');
    assert.ok(copy, 'the submitted job runs');
    assert.equal(await text('[data-test=submit-result] a'), `${copy.jid} `);
  });

  it('cancels a job with its button, and its state changes', async () => {
    const copy = (await jobs()).find((job) => job.name === 'dashboard-copy');
    assert.ok(copy);
    await page.goto(`${base}/#/jobs/${copy.jid}`);
    await untilText('[data-test=job-state]', 'RUNNING');
    await page.click('[data-test=cancel]');
    await untilText('[data-test=job-state]', 'CANCELED');
    assert.equal((await jobs()).find((job) => job.jid === copy.jid)?.state, 'CANCELED');
    await screenshot('job-cancelled');
  });

  it('shows the exception of a failing job', async () => {
    const answer = await fetch(`${base}/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'failing.sql', script: failingScript(instance.sinkUrl) }),
    });
    assert.equal(answer.status, 200, await answer.clone().text());
    const [failing] = ((await answer.json()) as { jobs: { jid: string }[] }).jobs;
    assert.ok(failing);
    failedJob = failing.jid;
    await waitFor('the job to fail', async () =>
      (await jobs()).find((job) => job.jid === failing.jid && job.state === 'FAILED'),
    );
    await page.goto(`${base}/#/jobs/${failing.jid}`);
    await page.waitForSelector('[data-test=exceptions]');
    assert.match(await text('[data-test=exceptions]'), /missing/);
    assert.match(await text('[data-test=failure-cause]'), /error\[/);
    assert.ok(!(await text('[data-test=job]')).includes(decodeURIComponent(new URL(instance.sinkUrl).password)));
    await screenshot('job-failed');
  });

  it('fires an alert when a job fails, on the alerts page, in its banner, and at GET /alerts', async () => {
    assert.ok(failedJob, 'the failing job of the previous test');
    await page.goto(`${base}/#/alerts`);
    const row = `[data-test=alerts-firing] tr[data-alert=RivuletJobFailed][data-job="${failedJob}"]`;
    await page.waitForSelector(row);
    assert.match(await text(row), /Job failed/);
    assert.match(await text('[data-test=alerts-banner]'), /Job failed/);
    const alerts = (await (await fetch(`${base}/alerts`)).json()) as {
      firing: { name: string; labels: Record<string, string>; startsAt: number }[];
    };
    const fired = alerts.firing.find((alert) => alert.name === 'RivuletJobFailed');
    assert.ok(fired, JSON.stringify(alerts));
    assert.equal(fired.labels.job_id, failedJob);
    assert.ok(fired.startsAt > 0);
    await screenshot('alerts');
    await page.click('[data-test=lang-switch]');
    await untilText(row, /作业失败/);
    await screenshot('alerts-zh');
    await page.click('[data-test=lang-switch]');
    await untilText(row, /Job failed/);
    assert.deepEqual(consoleErrors, []);
  });

  it("shows the example's replication slots as the source database reports them", async () => {
    await page.goto(`${base}/#/cdc`);
    await untilCount('[data-test=cdc] tbody tr', 3);
    const slots = await page.$$eval('[data-test=cdc] tbody tr', (rows) =>
      rows.map((row) => row.getAttribute('data-slot')).sort(),
    );
    assert.deepEqual(slots, ['flink_slot_orders', 'flink_slot_payments', 'flink_slot_users']);
    assert.match(await text('[data-test=cdc]'), /source_db/);
    // Each slot's confirmed LSN, in PostgreSQL's text form.
    await untilText('[data-test=confirmed-lsn]', /^[0-9A-F]+\/[0-9A-F]+$/);
    assert.equal(await page.$('[data-test=slot-warning]'), null);
    await screenshot('cdc');
  });

  it('shows the topics, and a record written in the test, found by its key', async () => {
    const log = await PostgresLog.open(databaseUrl(findInstance(instance.dataDir), 'rivulet'), {
      maintenanceIntervalMs: 0,
    });
    try {
      await log.ensureTopic('dashboard_notes');
      await log.produce([
        { topic: 'dashboard_notes', key: Buffer.from('note-42'), value: Buffer.from('{"text":"written by the test"}') },
        { topic: 'dashboard_notes', key: Buffer.from('note-7'), value: Buffer.from('{"text":"another one"}') },
      ]);
    } finally {
      await log.close();
    }
    await page.goto(`${base}/#/topics`);
    await page.waitForSelector('[data-test=topics] tr[data-topic=ods_orders]');
    await page.click('[data-test=topics] tr[data-topic=dashboard_notes] a');
    await untilCount('[data-test=records] tbody tr', 2);
    await page.type('[data-test=key-filter]', 'note-42');
    await untilCount('[data-test=records] tbody tr', 1);
    const record = await text('[data-test=records] tbody tr');
    assert.match(record, /note-42/);
    assert.match(record, /written by the test/);
    await screenshot('topic');
  });

  it('switches between English and Chinese, and follows the browser language', async () => {
    await page.goto(`${base}/#/jobs`);
    await page.waitForSelector('[data-test=jobs]');
    assert.match(await text('header nav'), /Overview/);
    await page.click('[data-test=lang-switch]');
    await untilText('header nav', /概览/);
    assert.match(await text('[data-test=jobs] thead'), /开始时间/);
    await screenshot('jobs-zh');
    await page.click('[data-test=lang-switch]');
    await untilText('header nav', /Overview/);

    const context = await browser.createBrowserContext();
    const chinese = await context.newPage();
    chinese.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    chinese.on('pageerror', (error) => consoleErrors.push(String(error)));
    // What a browser set to Chinese sends and shows as navigator.languages.
    const cdp = await chinese.createCDPSession();
    await cdp.send('Emulation.setUserAgentOverride', {
      userAgent: await browser.userAgent(),
      acceptLanguage: 'zh-CN,zh',
    });
    await chinese.goto(`${base}/`);
    await untilText('header nav', /概览/, chinese);
    assert.equal(await chinese.$eval('html', (html) => html.lang), 'zh-CN');
    await chinese.screenshot({ path: join(ARTIFACTS, 'overview-zh.png'), fullPage: true });
    await context.close();
    assert.deepEqual(consoleErrors, []);
  });

  it('shows the per-layer latency trace that rivulet validate measured', async () => {
    const validate = new CliProcess(['validate', '--data-dir', instance.dataDir, '--json']);
    const result = await validate.done;
    const measured = JSON.parse(result.stdout) as { latencies: { status: string; sink?: number }[] };
    assert.ok(measured.latencies.length > 0, result.stdout + result.stderr);
    await page.goto(`${base}/`);
    await untilCount('[data-test=latency-trace] tbody tr', measured.latencies.length);
    const shown = await text('[data-test=latency-trace] tbody');
    for (const change of measured.latencies) {
      assert.ok(shown.includes(change.status), change.status);
      if (change.sink !== undefined) assert.ok(shown.includes(`${change.sink.toLocaleString('en-US')} ms`));
    }
    await screenshot('overview-latency-trace');
    assert.deepEqual(consoleErrors, []);
  });

  it('reconnects after the engine restarts', async () => {
    const { postgresPort } = findInstance(instance.dataDir);
    await page.goto(`${base}/#/jobs`);
    await untilText('[data-test=connection]', 'live');
    instance.up.child.kill('SIGINT');
    await instance.up.done;
    await untilText('[data-test=connection]', 'reconnecting…');
    await screenshot('reconnecting');
    restarted = new CliProcess([
      'up',
      '--example',
      'examples/ecommerce',
      '--data-dir',
      instance.dataDir,
      '--pg-port',
      String(postgresPort),
      '--port',
      new URL(base).port,
    ]);
    await restarted.waitFor(/Ready in [\d.]+ s/);
    await untilText('[data-test=connection]', 'live');
    // The restored jobs run again in the new process: the example's, not the cancelled or failed ones.
    const running = (await jobs()).filter((job) => job.state === 'RUNNING').length;
    await untilCount('[data-test=jobs] tbody tr', running);
  });
});
