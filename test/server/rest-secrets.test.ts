import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import type { Engine } from '../../src/runtime/engine.ts';
import type { Job } from '../../src/runtime/job.ts';
import { SecretHider } from '../../src/server/secrets.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { type RestTestServer, startRestTestServer } from '../helpers/rest-server.ts';
import { waitFor } from '../helpers/wait.ts';

const TOKEN = 'secrets-test-token';

/** A job writing a topic into a jdbc table that does not exist, with this password (the test server trusts loopback). */
function script(pg: TestPostgres, password: string, table: string): string {
  return `SET 'restart-strategy.type' = 'none';
    CREATE TABLE events_in (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'events',
      'properties.bootstrap.servers' = 'unused:9092', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
    CREATE TABLE ${table} (id BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH (
      'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/sink',
      'table-name' = 'public.${table}', 'username' = 'postgres', 'password' = '${password}', 'sink.max-retries' = '0');
    INSERT INTO ${table} SELECT id FROM events_in;`;
}

describe('passwords in REST answers are hidden by option name, not by value', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let engine: Engine;
  let base: string;
  let postgresJob: Job;
  let numericJob: Job;

  async function post(body: unknown) {
    const response = await fetch(`${base}/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  async function get(path: string) {
    const response = await fetch(`${base}${path}`);
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
    return { status: response.status, text, json: JSON.parse(text) as any };
  }

  let rest: RestTestServer;
  before(async () => {
    rest = await startRestTestServer(TOKEN);
    ({ pg, log, engine, base } = rest);
    // The seed's default password is the user name, `postgres`; and a numeric one.
    for (const [password, table] of [
      ['postgres', 'missing_a'],
      ['1', 'missing_b'],
    ] as const) {
      const { status, text } = await post({ name: `${table}.sql`, script: script(pg, password, table) });
      assert.equal(status, 200, text);
    }
    [postgresJob, numericJob] = [...engine.jobs.values()] as [Job, Job];
    await log.produce([{ topic: 'events', key: null, value: Buffer.from('{"id":1}') }]);
    await waitFor('both jobs to fail', async () =>
      postgresJob.status === 'FAILED' && numericJob.status === 'FAILED' ? true : undefined,
    );
  });
  after(() => rest?.dispose());

  it("keeps 'postgres' where it is not the password: the user in a URL, postgres-cdc in a hint", async () => {
    const { json } = await get(`/jobs/${postgresJob.id}/exceptions`);
    assert.match(
      json['root-exception'],
      new RegExp(`writing to table public\\.missing_a at postgresql://postgres@127\\.0\\.0\\.1:${pg.server.port}/sink`),
    );
    // A script whose postgres-cdc source cannot be reached: the error names the connector and the URL.
    const unreachable = await freeLoopbackPort();
    const { status, text } = await post({
      script: `CREATE TABLE src (id BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'postgres-cdc',
          'hostname' = 'localhost', 'port' = '${unreachable}', 'username' = 'postgres', 'password' = 'postgres',
          'database-name' = 'source_db', 'schema-name' = 'public', 'table-name' = 'src', 'slot.name' = 's');
        CREATE TABLE out_t (id BIGINT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 'out',
          'properties.bootstrap.servers' = 'x:1', 'key.format' = 'json', 'value.format' = 'json');
        INSERT INTO out_t SELECT id FROM src;`,
    });
    assert.equal(status, 400, text);
    const [message] = JSON.parse(text).errors as string[];
    assert.match(
      message ?? '',
      new RegExp(`cannot reach PostgreSQL at postgresql://postgres@localhost:${unreachable}/source_db`),
    );
    assert.match(message ?? '', /the 'hostname' and 'port' of the postgres-cdc table/);
  });

  it('replaces the value after a password option, wherever an error quotes one', async () => {
    postgresJob.exceptions.push({
      timestamp: Date.now(),
      error: new Error(
        "connect to host=127.0.0.1 user=postgres password=postgres dbname=sink failed; in WITH ('password' = 'postgres', 'username' = 'postgres'); " +
          'options {"password":"postgres","url":"jdbc:postgresql://127.0.0.1/sink?user=postgres&password=postgres&ssl=true"}; ' +
          'jaas username="postgres" password="postgres"; url postgres://postgres:postgres@127.0.0.1/sink',
      ),
    });
    const { json } = await get(`/jobs/${postgresJob.id}/exceptions`);
    const root: string = json['root-exception'];
    assert.match(root, /host=127\.0\.0\.1 user=postgres password=\*{6} dbname=sink failed/);
    assert.match(root, /WITH \('password' = '\*{6}', 'username' = 'postgres'\)/);
    assert.match(
      root,
      /\{"password":"\*{6}","url":"jdbc:postgresql:\/\/127\.0\.0\.1\/sink\?user=postgres&password=\*{6}&ssl=true"\}/,
    );
    assert.match(root, /jaas username="postgres" password="\*{6}"/);
    assert.match(root, /url postgres:\/\/postgres:\*{6}@127\.0\.0\.1\/sink/);
  });

  it('leaves numbers alone, so that a numeric password does not break the JSON', async () => {
    const paths = ['/overview', '/taskmanagers', '/jobs', '/jobs/overview'];
    for (const job of [postgresJob, numericJob]) {
      for (const sub of ['', '/checkpoints', '/exceptions', '/plan']) paths.push(`/jobs/${job.id}${sub}`);
    }
    for (const path of paths) {
      const { status } = await get(path); // parses the answer as JSON
      assert.equal(status, 200, path);
    }
    const { json } = await get('/overview');
    assert.equal(json['jobs-failed'], 2);
    assert.equal(json.taskmanagers, 1);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^rivulet_job_status\{job_id="[0-9a-f]{32}",job_name="[^"]+",status="FAILED"\} 1$/m);
  });

  it('hides by the names the connectors mark sensitive, and a password in a URL', () => {
    const hider = new SecretHider(['properties.sasl.secret']);
    assert.equal(
      hider.text("'properties.sasl.secret' = 'abc', 'topic' = 'abc', sasl.secret: abc"),
      "'properties.sasl.secret' = '******', 'topic' = 'abc', sasl.secret: abc",
    );
    assert.equal(
      hider.text('password authentication failed for user "postgres"'),
      'password authentication failed for user "postgres"',
    );
    assert.equal(hider.text('password_encryption = scram-sha-256'), 'password_encryption = scram-sha-256');
    assert.equal(hider.text("DB_PASSWORD='it''s' next"), "DB_PASSWORD='******' next");
    assert.equal(hider.text('kafka://u:p4ss@broker:9092'), 'kafka://u:******@broker:9092');
    assert.deepEqual(hider.answer({ n: 1, list: ['password=1', 2] }), { n: 1, list: ['password=******', 2] });
  });
});
