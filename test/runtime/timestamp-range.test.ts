import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { Log } from '../../src/log/log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor as waitForJobs } from '../helpers/wait.ts';

/**
 * The ends of Flink's range through a pipeline shaped like the seed's: postgres-cdc into an
 * upsert topic (ODS), a DWD job that derives columns into another topic, and a jdbc sink. A
 * TIMESTAMP(6) of 9999-12-31 23:59:59.999999 once came out of the ODS topic as 10000-01-01 00:00:00,
 * which the next job could not read: it failed three times and stayed FAILED.
 */
describe("timestamps at the ends of Flink's range through CDC, two topics and the jdbc sink", () => {
  let pg: TestPostgres;
  let log: Log;
  let source: pg.Client;
  let sink: pg.Client;
  const jobs: Job[] = [];
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs);

  const connection = (database: string) => `'hostname' = '127.0.0.1', 'port' = '${pg.server.port}',
      'username' = 'postgres', 'password' = 'postgres', 'database-name' = '${database}'`;

  const scripts = () => [
    `SET 'restart-strategy' = 'none';
     CREATE TABLE events_source (id BIGINT, happened_at TIMESTAMP(6), note STRING, PRIMARY KEY (id) NOT ENFORCED)
       WITH ('connector' = 'postgres-cdc', ${connection('source_db')}, 'schema-name' = 'business',
             'table-name' = 'events', 'slot.name' = 'events_slot', 'decoding.plugin.name' = 'pgoutput');
     CREATE TABLE ods_events (id BIGINT, happened_at TIMESTAMP(6), note STRING, PRIMARY KEY (id) NOT ENFORCED)
       WITH ('connector' = 'upsert-kafka', 'topic' = 'ods_events', 'properties.bootstrap.servers' = 'log',
             'key.format' = 'json', 'value.format' = 'json');
     INSERT INTO ods_events SELECT * FROM events_source;`,
    `CREATE TABLE ods_events (id BIGINT, happened_at TIMESTAMP(6), note STRING, PRIMARY KEY (id) NOT ENFORCED)
       WITH ('connector' = 'upsert-kafka', 'topic' = 'ods_events', 'properties.bootstrap.servers' = 'log',
             'key.format' = 'json', 'value.format' = 'json');
     CREATE TABLE dwd_events (id BIGINT, happened_at TIMESTAMP(6), happened_date DATE, happened_text STRING,
       happened_year BIGINT, day_before TIMESTAMP(6), at_nanos TIMESTAMP(9), PRIMARY KEY (id) NOT ENFORCED)
       WITH ('connector' = 'upsert-kafka', 'topic' = 'dwd_events', 'properties.bootstrap.servers' = 'log',
             'key.format' = 'json', 'value.format' = 'json');
     INSERT INTO dwd_events
     SELECT id, happened_at, CAST(happened_at AS DATE), DATE_FORMAT(happened_at, 'yyyy-MM-dd HH:mm:ss.SSSSSS'),
            YEAR(happened_at),
            CASE WHEN happened_at >= TIMESTAMP '0000-01-02 00:00:00' THEN happened_at - INTERVAL '1' DAY END,
            CAST(happened_at AS TIMESTAMP(9))
     FROM ods_events WHERE happened_at >= TIMESTAMP '0000-01-01 00:00:00';`,
    `CREATE TABLE dwd_events (id BIGINT, happened_at TIMESTAMP(6), happened_date DATE, happened_text STRING,
       happened_year BIGINT, day_before TIMESTAMP(6), at_nanos TIMESTAMP(9), PRIMARY KEY (id) NOT ENFORCED)
       WITH ('connector' = 'upsert-kafka', 'topic' = 'dwd_events', 'properties.bootstrap.servers' = 'log',
             'key.format' = 'json', 'value.format' = 'json');
     CREATE TABLE events_sink (id BIGINT, happened_at TIMESTAMP(6), happened_date DATE, happened_text STRING,
       happened_year BIGINT, day_before TIMESTAMP(6), at_nanos TIMESTAMP(9), PRIMARY KEY (id) NOT ENFORCED)
       WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/sink_db',
             'table-name' = 'result.events', 'username' = 'postgres', 'password' = 'postgres');
     INSERT INTO events_sink SELECT * FROM dwd_events;`,
  ];

  async function startJobs(): Promise<void> {
    for (const [i, sql] of scripts().entries()) {
      for (const plan of planScript(`layer-${i + 1}.sql`, sql, new Map(), {}).jobs) {
        const job = new Job(`layer-${i + 1}`, plan, log);
        await job.start();
        jobs.push(job);
      }
    }
  }

  const sinkRows = async () =>
    (
      await sink.query(
        `SELECT id::int, happened_at::text, happened_date::text, happened_text, happened_year::int,
                day_before::text, at_nanos::text
           FROM result.events ORDER BY id`,
      )
    ).rows;

  before(async () => {
    pg = await startTestPostgres();
    const admin = await pg.connect();
    await admin.query('CREATE DATABASE source_db');
    await admin.query('CREATE DATABASE sink_db');
    source = await pg.connect('source_db');
    sink = await pg.connect('sink_db');
    await source.query(`CREATE SCHEMA business;
      CREATE TABLE business.events (id BIGINT PRIMARY KEY, happened_at TIMESTAMP(6), note TEXT)`);
    await sink.query(`CREATE SCHEMA result;
      CREATE TABLE result.events (id BIGINT PRIMARY KEY, happened_at TIMESTAMP(6), happened_date DATE,
        happened_text TEXT, happened_year INT, day_before TIMESTAMP(6), at_nanos TIMESTAMP(6))`);
    // In the snapshot: the last microsecond of 9999 and the first second of year 1.
    await source.query(`INSERT INTO business.events VALUES
      (1, '9999-12-31 23:59:59.999999', 'last'), (2, '0001-01-01 00:00:00', 'first'),
      (3, '2025-07-11 17:25:55.145', 'today')`);
    log = await openTestLog(pg);
    await startJobs();
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    await log?.close();
    await pg?.dispose();
  });

  it('carries them exactly from source_db to sink_db, through the snapshot and the stream', async () => {
    const expected = [
      {
        id: 1,
        happened_at: '9999-12-31 23:59:59.999999',
        happened_date: '9999-12-31',
        happened_text: '9999-12-31 23:59:59.999999',
        happened_year: 9999,
        day_before: '9999-12-30 23:59:59.999999',
        at_nanos: '9999-12-31 23:59:59.999999',
      },
      {
        id: 2,
        happened_at: '0001-01-01 00:00:00',
        happened_date: '0001-01-01',
        happened_text: '0001-01-01 00:00:00.000000',
        happened_year: 1,
        day_before: '0001-12-31 00:00:00 BC',
        at_nanos: '0001-01-01 00:00:00',
      },
      {
        id: 3,
        happened_at: '2025-07-11 17:25:55.145',
        happened_date: '2025-07-11',
        happened_text: '2025-07-11 17:25:55.145000',
        happened_year: 2025,
        day_before: '2025-07-10 17:25:55.145',
        at_nanos: '2025-07-11 17:25:55.145',
      },
    ];
    assert.deepEqual(
      await waitFor('the snapshot in the sink', async () => {
        const rows = await sinkRows();
        return rows.length === 3 ? rows : undefined;
      }),
      expected,
    );
    // The ODS topic holds the text PostgreSQL has, not a value rounded into the next year.
    const reader = await log.openReader('ods_events', { kind: 'earliest' });
    const values: string[] = [];
    for (let batch = await reader.poll(1000, 200); batch.length > 0; batch = await reader.poll(1000, 200)) {
      for (const record of batch) values.push(record.value?.toString() ?? 'null');
    }
    await reader.close();
    assert.ok(values.includes('{"id":1,"happened_at":"9999-12-31 23:59:59.999999","note":"last"}'), values.join('\n'));
    assert.ok(values.includes('{"id":2,"happened_at":"0001-01-01 00:00:00","note":"first"}'), values.join('\n'));

    // The stream: the last microsecond again, and 1 BC, the year 0 of Flink's calendar.
    await source.query(`UPDATE business.events SET happened_at = '9999-12-31 23:59:59.999998' WHERE id = 1`);
    await source.query(`INSERT INTO business.events VALUES (4, '0001-01-01 00:00:00 BC', 'year 0')`);
    const rows = await waitFor('the stream in the sink', async () => {
      const found = await sinkRows();
      return found.length === 4 && found[0]?.happened_at === '9999-12-31 23:59:59.999998' ? found : undefined;
    });
    assert.deepEqual(rows[3], {
      id: 4,
      happened_at: '0001-01-01 00:00:00 BC',
      happened_date: '0001-01-01 BC',
      happened_text: '0001-01-01 00:00:00.000000', // 'yyyy' is java.time's year of the era: year 0 is 1 BC
      happened_year: 0,
      day_before: null,
      at_nanos: '0001-01-01 00:00:00 BC',
    });
  });

  it('fails the CDC job on a timestamp beyond 9999 with the column, table and value named, and nothing else', async () => {
    await source.query(`INSERT INTO business.events VALUES (5, '10000-01-01 00:00:00', 'beyond')`);
    const cdc = jobs[0] as Job;
    const failure = await waitForJobs('the CDC job to fail', async () =>
      cdc.status === 'FAILED' ? cdc.failure : undefined,
    );
    assert.match(
      failure?.message ?? '',
      /^column 'happened_at' of business\.events at LSN [0-9A-F]+\/[0-9A-F]+: '10000-01-01 00:00:00' is outside Flink's range, 0000-01-01 00:00:00 to 9999-12-31 23:59:59\.999999999$/,
    );
    assert.equal((failure as Error & { code?: string }).code, 'CDC_VALUE_INVALID');
    for (const job of jobs.slice(1)) assert.equal(job.status, 'RUNNING', `${job.plan.name} keeps running`);
    assert.equal((await sinkRows()).length, 4, 'the rows before it stay in the sink');
  });
});
