/**
 * Kafka as the ground Rivulet and Flink share (docs/flink.md, "The Kafka log as shared ground"): a
 * Rivulet engine on `--log kafka://` and a Flink SQL Gateway on one real broker, a Rivulet job
 * writing a topic a Flink job reads, and that Flink job writing a topic a Rivulet job reads.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Admin } from '@platformatic/kafka';
import type pg from 'pg';
import { type FlinkCluster, flinkCached, startFlink } from '../../scripts/flink/run.ts';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/broker.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { KafkaLog } from '../../src/log/kafka/kafka-log.ts';
import { CliProcess, runCli } from '../helpers/cli.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

// Apache Flink's jars (150 MB) are fetched by `npm run parity`, not by the tests.
const skip = flinkCached()
  ? false
  : 'Flink classpath not cached in scripts/flink/target (npm run parity fetches it with Maven)';
if (skip) process.stdout.write(`# skipped the Rivulet–Flink Kafka test: ${skip}\n`);

const ROWS = 50;

describe('Rivulet and Flink jobs reading each other’s Kafka topics', { skip }, () => {
  let broker: KafkaBroker | undefined;
  let flink: FlinkCluster | undefined;
  let sink: TestPostgres | undefined;
  let up: CliProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-kafka-flink-'));
  chmodSync(dir, 0o711);
  const dataDir = join(dir, 'data');

  before(async () => {
    [broker, flink, sink] = await Promise.all([
      startKafkaBroker(),
      startFlink({ scripts: [], gatewayPort: 0 }),
      startTestPostgres(),
    ]);
    up = new CliProcess([
      'up',
      '--log',
      `kafka://${broker.bootstrap}`,
      '--data-dir',
      dataDir,
      '--pg-port',
      String(await freeLoopbackPort()),
      '--port',
      String(await freeLoopbackPort()),
    ]);
    await up.waitFor(/Ready in/, 120_000);
  });
  after(async () => {
    if (up && up.child.exitCode === null) {
      up.child.kill('SIGINT');
      await up.done;
    }
    await flink?.stop();
    await broker?.stop();
    await sink?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a Flink job reads the rows a Rivulet job wrote, and a Rivulet job reads the rows the Flink job wrote', async () => {
    const kafka = broker?.bootstrap as string;
    // Created up front, one partition each, as docs/flink.md advises: Flink's Kafka sink creates none.
    const admin = new Admin({ clientId: 'rivulet-test-admin', bootstrapBrokers: [kafka] });
    await admin.createTopics({ topics: ['from_rivulet', 'from_flink'], partitions: 1, replicas: 1 });
    await admin.close();
    const db = (await sink?.connect()) as pg.Client;
    await db.query('CREATE TABLE results (x BIGINT PRIMARY KEY, y BIGINT, label TEXT)');

    const rivuletWriter = join(dir, 'rivulet_writer.sql');
    writeFileSync(
      rivuletWriter,
      `CREATE TABLE numbers (x BIGINT) WITH ('connector' = 'datagen',
  'fields.x.kind' = 'sequence', 'fields.x.start' = '1', 'fields.x.end' = '${ROWS}');
CREATE TABLE from_rivulet (x BIGINT) WITH ('connector' = 'kafka', 'topic' = 'from_rivulet',
  'properties.bootstrap.servers' = '\${KAFKA}', 'format' = 'json');
INSERT INTO from_rivulet SELECT x FROM numbers;
`,
    );
    const flinkJob = join(dir, 'flink_layer.sql');
    writeFileSync(
      flinkJob,
      `SET 'parallelism.default' = '1';
CREATE TABLE from_rivulet (x BIGINT) WITH ('connector' = 'kafka', 'topic' = 'from_rivulet',
  'properties.bootstrap.servers' = '\${KAFKA}', 'properties.group.id' = 'flink_layer',
  'properties.isolation.level' = 'read_committed', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE from_flink (x BIGINT, y BIGINT, label STRING) WITH ('connector' = 'kafka', 'topic' = 'from_flink',
  'properties.bootstrap.servers' = '\${KAFKA}', 'format' = 'json');
INSERT INTO from_flink SELECT x, x * 10, CONCAT('f', CAST(x AS STRING)) FROM from_rivulet;
`,
    );
    const rivuletReader = join(dir, 'rivulet_reader.sql');
    writeFileSync(
      rivuletReader,
      `CREATE TABLE from_flink (x BIGINT, y BIGINT, label STRING) WITH ('connector' = 'kafka', 'topic' = 'from_flink',
  'properties.bootstrap.servers' = '\${KAFKA}', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE results (x BIGINT, y BIGINT, label STRING, PRIMARY KEY (x) NOT ENFORCED) WITH ('connector' = 'jdbc',
  'url' = 'jdbc:postgresql://127.0.0.1:\${SINK_PORT}/postgres', 'username' = 'postgres', 'password' = 'trusted',
  'table-name' = 'results');
INSERT INTO results SELECT x, y, label FROM from_flink;
`,
    );
    const defines = ['-D', `KAFKA=${kafka}`, '-D', `SINK_PORT=${sink?.server.port}`];
    const engine = (flink?.gatewayUrl ?? '').replace('http://', 'flink://');
    for (const [file, engineArgs] of [
      [rivuletReader, ['--data-dir', dataDir]],
      [flinkJob, ['--engine', engine]],
      [rivuletWriter, ['--data-dir', dataDir]],
    ] as const) {
      const submitted = await runCli(['sql', '-f', file, ...defines, ...engineArgs]);
      assert.equal(submitted.code, 0, `${file}: ${submitted.stderr}`);
      assert.match(submitted.stdout, /Job ID: [0-9a-f]{32}/);
    }

    await waitFor(
      `${ROWS} rows in the sink of the Rivulet job reading Flink's topic`,
      async () => ((await db.query('SELECT count(*)::int AS n FROM results')).rows[0].n >= ROWS ? true : undefined),
      [],
      180_000,
    );
    // PostgreSQL computes what the two engines should have made of 1 … ROWS between them.
    const { rows } = await db.query(`SELECT x::int, y::int, label FROM results
      EXCEPT SELECT g, g * 10, 'f' || g FROM generate_series(1, ${ROWS}) g`);
    assert.deepEqual(rows, []);
    assert.equal((await db.query('SELECT count(*)::int AS n FROM results')).rows[0].n, ROWS);
  });

  // x % 7 over 1 … 60: the keys 1 to 4 count 9, the others 8. Each key is inserted, updated, and
  // for 1 to 4 deleted again when its count passes 8: a tombstone on the upsert topic.
  it('upsert-kafka: updates and deletes (tombstones) one engine writes are what the other reads', async () => {
    const kafka = broker?.bootstrap as string;
    const admin = new Admin({ clientId: 'rivulet-test-admin', bootstrapBrokers: [kafka] });
    await admin.createTopics({
      topics: ['counts_by_rivulet', 'counts_by_flink'],
      partitions: 1,
      replicas: 1,
      configs: [{ name: 'cleanup.policy', value: 'compact' }],
    });
    await admin.close();
    const db = (await sink?.connect()) as pg.Client;
    await db.query('CREATE TABLE flink_read (k BIGINT PRIMARY KEY, c BIGINT)');
    await db.query('CREATE TABLE rivulet_read (k BIGINT PRIMARY KEY, c BIGINT)');

    const counts = (topic: string) => `CREATE TABLE numbers (x BIGINT) WITH ('connector' = 'datagen',
  'rows-per-second' = '20', 'fields.x.kind' = 'sequence', 'fields.x.start' = '1', 'fields.x.end' = '60');
CREATE TABLE counts (k BIGINT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'upsert-kafka',
  'topic' = '${topic}', 'properties.bootstrap.servers' = '\${KAFKA}', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO counts SELECT x % 7, COUNT(*) FROM numbers GROUP BY x % 7 HAVING COUNT(*) <= 8;
`;
    const reader = (
      topic: string,
      table: string,
    ) => `CREATE TABLE counts (k BIGINT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '\${KAFKA}',
  'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE copy (k BIGINT, c BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'jdbc',
  'url' = 'jdbc:postgresql://127.0.0.1:\${SINK_PORT}/postgres', 'username' = 'postgres', 'password' = 'trusted',
  'table-name' = '${table}');
INSERT INTO copy SELECT k, c FROM counts;
`;
    const engine = (flink?.gatewayUrl ?? '').replace('http://', 'flink://');
    const defines = ['-D', `KAFKA=${kafka}`, '-D', `SINK_PORT=${sink?.server.port}`];
    const scripts: [string, string, readonly string[]][] = [
      [
        'flink_reader.sql',
        `SET 'parallelism.default' = '1';\n${reader('counts_by_rivulet', 'flink_read')}`,
        ['--engine', engine],
      ],
      ['rivulet_counts.sql', counts('counts_by_rivulet'), ['--data-dir', dataDir]],
      ['rivulet_reader.sql', reader('counts_by_flink', 'rivulet_read'), ['--data-dir', dataDir]],
      ['flink_counts.sql', `SET 'parallelism.default' = '1';\n${counts('counts_by_flink')}`, ['--engine', engine]],
    ];
    for (const [name, text, engineArgs] of scripts) {
      writeFileSync(join(dir, name), text);
      const submitted = await runCli(['sql', '-f', join(dir, name), ...defines, ...engineArgs]);
      assert.equal(submitted.code, 0, `${name}: ${submitted.stderr}`);
    }

    // PostgreSQL computes the counts; each sink is compared with them until they agree (or time runs out).
    const expected =
      'SELECT g % 7 AS k, count(*) AS c FROM generate_series(1, 60) g GROUP BY g % 7 HAVING count(*) <= 8';
    const difference = async (table: string) =>
      (
        await db.query(
          `(SELECT k, c FROM ${table} EXCEPT ${expected}) UNION ALL (${expected} EXCEPT SELECT k, c FROM ${table})`,
        )
      ).rows;
    for (const table of ['flink_read', 'rivulet_read']) {
      const settled = await waitFor(
        `${table} to hold the counts`,
        async () => ((await difference(table)).length === 0 ? true : undefined),
        [],
        180_000,
      ).catch(async () => difference(table));
      assert.equal(settled, true, `${table} differs from PostgreSQL's counts: ${JSON.stringify(settled)}`);
    }
    // On both topics the last record of keys 1 to 4 is a tombstone and that of the others the
    // final count: what a reader of the compacted topic gets. (Rows at 20 a second come in several
    // batches, so each key was written before it was deleted. Both engines also write a tombstone
    // before an update here: the HAVING keeps the update's retraction, -U, which Flink's
    // upsert-kafka sink writes as a tombstone; Rivulet writes fewer of them, one per batch.)
    const log = await KafkaLog.open(kafka);
    try {
      for (const topic of ['counts_by_rivulet', 'counts_by_flink']) {
        const topicReader = await log.openReader(topic, { kind: 'earliest' });
        const last = new Map<string, unknown>();
        for (
          let batch = await topicReader.poll(1000, 1000);
          batch.length > 0;
          batch = await topicReader.poll(1000, 1000)
        )
          for (const record of batch) last.set(String(record.key), record.value && JSON.parse(record.value.toString()));
        await topicReader.close();
        assert.deepEqual(
          Object.fromEntries([...last].sort()),
          {
            '{"k":0}': { k: 0, c: 8 },
            '{"k":1}': null,
            '{"k":2}': null,
            '{"k":3}': null,
            '{"k":4}': null,
            '{"k":5}': { k: 5, c: 8 },
            '{"k":6}': { k: 6, c: 8 },
          },
          topic,
        );
      }
    } finally {
      await log.close();
    }
    assert.deepEqual((await db.query('SELECT k::int, c::int FROM flink_read ORDER BY k')).rows, [
      { k: 0, c: 8 },
      { k: 5, c: 8 },
      { k: 6, c: 8 },
    ]);
  });
});
