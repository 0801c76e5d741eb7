import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RestTestServer, startRestTestServer } from '../helpers/rest-server.ts';

const TOKEN = 'sql-statements-token';

describe('POST /sql answers SHOW and DESCRIBE statements as JSON', () => {
  let server: RestTestServer;

  before(async () => {
    server = await startRestTestServer(TOKEN);
  });
  after(async () => {
    await server?.dispose();
  });

  async function post(script: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${server.base}/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ name: 'show.sql', script }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('gives each answer in script order, with columns and rows, or the text of SHOW CREATE TABLE', async () => {
    const { status, body } = await post(`
      CREATE TABLE events (id BIGINT, secret STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (
        'connector' = 'upsert-kafka', 'topic' = 'events', 'properties.bootstrap.servers' = 'unused:9092',
        'properties.sasl.jaas.config' = 'password=hunter2', 'key.format' = 'json', 'value.format' = 'json');
      SHOW TABLES;
      DESC events;
      SHOW CREATE TABLE events;
      SHOW USER FUNCTIONS;`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.jobs, []);
    const results = body.results as Record<string, unknown>[];
    assert.deepEqual(results[0], {
      kind: 'table',
      statement: 'SHOW TABLES',
      columns: ['table name'],
      rows: [['events']],
    });
    assert.deepEqual(results[1], {
      kind: 'table',
      statement: 'DESCRIBE events',
      columns: ['name', 'type', 'null', 'key', 'extras', 'watermark'],
      rows: [
        ['id', 'BIGINT', false, 'PRI(id)', null, null],
        ['secret', 'STRING', true, null, null, null],
      ],
    });
    assert.equal(results[2]?.statement, 'SHOW CREATE TABLE events');
    assert.match(
      String(results[2]?.text),
      /^CREATE TABLE `default_catalog`\.`default_database`\.`events` \(\n {2}`id` BIGINT NOT NULL,\n {2}`secret` VARCHAR\(2147483647\),\n {2}CONSTRAINT `PK_id` PRIMARY KEY \(`id`\) NOT ENFORCED\n\) WITH \(\n/,
    );
    assert.match(String(results[2]?.text), /'properties\.sasl\.jaas\.config' = '\*{6}'/);
    assert.doesNotMatch(JSON.stringify(body), /hunter2/);
    assert.deepEqual(results[3], {
      kind: 'table',
      statement: 'SHOW USER FUNCTIONS',
      columns: ['function name'],
      rows: [],
    });
  });

  it('refuses DESCRIBE of a table the script did not create, naming it and its line', async () => {
    const { status, body } = await post('SHOW TABLES;\nDESCRIBE missing;');
    assert.equal(status, 400);
    assert.match(
      String((body.errors as string[])[0]),
      /SQL_UNKNOWN_TABLE.*show\.sql:2:10.*Table or view 'missing' does not exist/s,
    );
  });
});
