import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Producer, stringSerializers } from '@platformatic/kafka';
import type pg from 'pg';
import { type KafkaBroker, startKafkaBroker } from '../../../scripts/kafka/broker.ts';
import { KafkaLog } from '../../../src/log/kafka/kafka-log.ts';
import type { LogRecord } from '../../../src/log/log.ts';
import { planScript } from '../../../src/plan/planner.ts';
import { Job } from '../../../src/runtime/job.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { waitFor as waitForJobs } from '../../helpers/wait.ts';

const PRODUCT_COLUMNS = 'id BIGINT, name STRING, description STRING, weight DECIMAL(10, 2)';

/** Records as Debezium and Canal write them for Flink's products example: inserts, an update, a delete. */
const DEBEZIUM = [
  '{"before":null,"after":{"id":111,"name":"scooter","description":"Big 2-wheel scooter","weight":5.18},"source":{},"op":"c","ts_ms":1589362330904,"transaction":null}',
  '{"before":null,"after":{"id":112,"name":"car battery","description":"12V car battery","weight":8.1},"source":{},"op":"r","ts_ms":1589362330905,"transaction":null}',
  '{"before":{"id":111,"name":"scooter","description":"Big 2-wheel scooter","weight":5.18},"after":{"id":111,"name":"scooter","description":"Big 2-wheel scooter","weight":5.15},"source":{},"op":"u","ts_ms":1589362330906,"transaction":null}',
  '{"before":{"id":112,"name":"car battery","description":"12V car battery","weight":8.1},"after":null,"source":{},"op":"d","ts_ms":1589362330907,"transaction":null}',
];
const CANAL = [
  '{"data":[{"id":"111","name":"scooter","description":"Big 2-wheel scooter","weight":"5.18"},{"id":"112","name":"car battery","description":"12V car battery","weight":"8.1"}],"database":"inventory","table":"products","type":"INSERT"}',
  '{"data":[{"id":"111","name":"scooter","description":"Big 2-wheel scooter","weight":"5.15"}],"old":[{"weight":"5.18"}],"database":"inventory","table":"products","type":"UPDATE"}',
  '{"data":[{"id":"112","name":"car battery","description":"12V car battery","weight":"8.1"}],"database":"inventory","table":"products","type":"DELETE"}',
  '{"data":[{"id":"999","name":"other","description":"of another table","weight":"1"}],"database":"inventory","table":"customers","type":"INSERT"}',
];

describe('formats on a real Kafka topic, through a job into PostgreSQL and Kafka', () => {
  let broker: KafkaBroker;
  let log: KafkaLog;
  let pgServer: TestPostgres;
  let db: pg.Client;
  const jobs: Job[] = [];
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs, 60_000);

  const rows = async (table: string, expected: number) =>
    waitFor(`${expected} rows in ${table}`, async () => {
      const found = await db.query(`SELECT * FROM ${table} ORDER BY 1`);
      return found.rows.length === expected ? found.rows : undefined;
    });

  before(async () => {
    broker = await startKafkaBroker();
    log = await KafkaLog.open(broker.bootstrap);
    pgServer = await startTestPostgres();
    db = await pgServer.connect();
    await db.query(`CREATE TABLE products_debezium (id BIGINT PRIMARY KEY, name TEXT, description TEXT, weight NUMERIC(10, 2));
      CREATE TABLE products_canal (id BIGINT PRIMARY KEY, name TEXT, description TEXT, weight NUMERIC(10, 2));
      CREATE TABLE readings (sensor TEXT, reading DOUBLE PRECISION, note TEXT);
      CREATE TABLE log_lines (line TEXT);`);
    const producer = new Producer({
      clientId: 'formats-test',
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
    });
    for (const topic of ['products_debezium', 'products_canal', 'readings', 'logs', 'products_out'])
      await log.ensureTopic(topic);
    await producer.send({
      messages: [
        ...DEBEZIUM.map((value) => ({ topic: 'products_debezium', value })),
        // A tombstone after a delete, as Debezium writes it: no change.
        { topic: 'products_debezium', key: '{"id":112}', value: undefined as unknown as string },
        ...CANAL.map((value) => ({ topic: 'products_canal', value })),
        { topic: 'readings', value: 'a,1.5,"first, of two"' },
        { topic: 'readings', value: 'b,,' },
        { topic: 'logs', value: '47.29.201.179 - - [28/Feb/2019:13:17:10 +0000] "GET /?p=1 HTTP/2.0" 200 5316' },
      ],
    });
    await producer.close();
    const kafka = (topic: string, format: string, extra = '') =>
      `'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${broker.bootstrap}',
       'scan.startup.mode' = 'earliest-offset', 'format' = '${format}'${extra}`;
    const jdbc = (table: string) =>
      `'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pgServer.server.port}/postgres',
       'table-name' = '${table}', 'username' = 'postgres', 'password' = 'postgres'`;
    const script = `
      CREATE TABLE debezium_source (${PRODUCT_COLUMNS}, PRIMARY KEY (id) NOT ENFORCED) WITH (${kafka('products_debezium', 'debezium-json')});
      CREATE TABLE canal_source (${PRODUCT_COLUMNS}) WITH (${kafka('products_canal', 'canal-json', ", 'canal-json.table.include' = 'products'")});
      CREATE TABLE csv_source (sensor STRING, reading DOUBLE, note STRING) WITH (${kafka('readings', 'csv')});
      CREATE TABLE raw_source (line STRING) WITH (${kafka('logs', 'raw')});
      CREATE TABLE debezium_sink (${PRODUCT_COLUMNS}, PRIMARY KEY (id) NOT ENFORCED) WITH (${jdbc('products_debezium')});
      CREATE TABLE canal_sink (${PRODUCT_COLUMNS}, PRIMARY KEY (id) NOT ENFORCED) WITH (${jdbc('products_canal')});
      CREATE TABLE csv_sink (sensor STRING, reading DOUBLE, note STRING) WITH (${jdbc('readings')});
      CREATE TABLE raw_sink (line STRING) WITH (${jdbc('log_lines')});
      CREATE TABLE changes_out (${PRODUCT_COLUMNS}) WITH (${kafka('products_out', 'debezium-json')});
      INSERT INTO debezium_sink SELECT * FROM debezium_source;
      INSERT INTO canal_sink SELECT * FROM canal_source;
      INSERT INTO csv_sink SELECT * FROM csv_source;
      INSERT INTO raw_sink SELECT * FROM raw_source;
      INSERT INTO changes_out SELECT * FROM canal_source;`;
    for (const plan of planScript('formats.sql', script, new Map(), {}).jobs) {
      const job = new Job(`formats-${jobs.length}`, plan, log);
      await job.start();
      jobs.push(job);
    }
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    await log?.close();
    await broker?.stop();
    await pgServer?.dispose();
  });

  it('applies a debezium-json changelog (c, r, u, d and a tombstone) to a jdbc table', async () => {
    // Wait for the delete of 112 too: one row left.
    const found = await rows('products_debezium', 1);
    assert.deepEqual(found, [{ id: '111', name: 'scooter', description: 'Big 2-wheel scooter', weight: '5.15' }]);
  });

  it('applies a canal-json changelog (INSERT of two rows, UPDATE, DELETE; another table skipped)', async () => {
    const found = await rows('products_canal', 1);
    assert.deepEqual(found, [{ id: '111', name: 'scooter', description: 'Big 2-wheel scooter', weight: '5.15' }]);
  });

  it('reads csv records into rows', async () => {
    const found = await rows('readings', 2);
    assert.deepEqual(found, [
      { sensor: 'a', reading: 1.5, note: 'first, of two' },
      { sensor: 'b', reading: null, note: '' },
    ]);
  });

  it('reads a raw record as its single column', async () => {
    const found = await rows('log_lines', 1);
    assert.deepEqual(found, [{ line: '47.29.201.179 - - [28/Feb/2019:13:17:10 +0000] "GET /?p=1 HTTP/2.0" 200 5316' }]);
  });

  it('writes the changelog to a debezium-json topic as Flink does: an update as a d then a c event', async () => {
    const reader = await log.openReader('products_out', { kind: 'earliest' });
    try {
      const records: LogRecord[] = [];
      await waitFor('5 records in products_out', async () => {
        records.push(...(await reader.poll(100, 100)));
        return records.length >= 5 ? true : undefined;
      });
      const events = records.map((record) => JSON.parse(String(record.value)));
      assert.deepEqual(
        events.map(
          (event) => `${event.op} ${(event.after ?? event.before).id} ${(event.after ?? event.before).weight}`,
        ),
        ['c 111 5.18', 'c 112 8.1', 'd 111 5.18', 'c 111 5.15', 'd 112 8.1'],
      );
      assert.deepEqual(events[2], {
        before: { id: 111, name: 'scooter', description: 'Big 2-wheel scooter', weight: 5.18 },
        after: null,
        op: 'd',
      });
    } finally {
      await reader.close();
    }
  });
});
