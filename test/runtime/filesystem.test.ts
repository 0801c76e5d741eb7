import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { tree, visibleLines, visibleParts } from '../helpers/part-files.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

describe('the filesystem connector', () => {
  let pg: TestPostgres;
  let db: pg.Client;
  let log: PostgresLog;
  let root: string;
  const jobs: Job[] = [];

  async function start(name: string, text: string): Promise<Job> {
    const job = new Job(name, planScript(`${name}.sql`, text, new Map(), {}).jobs[0] as never, log);
    await job.start();
    jobs.push(job);
    return job;
  }
  const finished = (job: Job) =>
    waitFor(`job ${job.id} FINISHED`, async () => (job.status === 'FINISHED' ? true : undefined), jobs);

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'rivulet-fs-'));
    pg = await startTestPostgres();
    await (await pg.connect()).query('CREATE DATABASE app');
    db = await pg.connect('app');
    log = await openTestLog(pg);
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    await log?.close();
    await pg?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes a bounded jdbc scan into partition directories, rolling part files by size, visible once committed', async () => {
    await db.query('CREATE TABLE orders (id BIGINT PRIMARY KEY, country TEXT, amount INT)');
    await db.query(`INSERT INTO orders VALUES (1, 'DE', 10), (2, 'FR', 20), (3, 'DE', 30), (4, NULL, 40),
      (5, 'DE', 50), (6, 'FR', 60), (7, 'DE', 70)`);
    const out = join(root, 'orders-out');
    const job = await start(
      'to-files',
      `CREATE TABLE orders (id BIGINT, country STRING, amount INT) WITH (
        'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/app', 'table-name' = 'orders',
        'username' = 'postgres');
      CREATE TABLE files (id BIGINT, amount INT, country STRING) PARTITIONED BY (country) WITH (
        'connector' = 'filesystem', 'path' = 'file://${out}', 'format' = 'json',
        'sink.rolling-policy.file-size' = '20b',
        'sink.partition-commit.policy.kind' = 'success-file');
      INSERT INTO files SELECT id, amount, country FROM orders;`,
    );
    await finished(job);
    // The partition column is left out of the lines and named by the directory (Hive style), as in Flink;
    // a NULL value goes to partition.default-name.
    assert.deepEqual(visibleLines(out), [
      'country=DE {"id":1,"amount":10}',
      'country=DE {"id":3,"amount":30}',
      'country=DE {"id":5,"amount":50}',
      'country=DE {"id":7,"amount":70}',
      'country=FR {"id":2,"amount":20}',
      'country=FR {"id":6,"amount":60}',
      'country=__DEFAULT_PARTITION__ {"id":4,"amount":40}',
    ]);
    // Each line is 22 bytes: a file past 20 bytes rolls before its next row, so each part file holds one row.
    assert.equal(visibleParts(out).length, 7);
    assert.deepEqual(
      tree(out).filter((path) => path.endsWith('_SUCCESS')),
      ['country=DE/_SUCCESS', 'country=FR/_SUCCESS', 'country=__DEFAULT_PARTITION__/_SUCCESS'],
    );
    assert.deepEqual(
      tree(out).filter((path) => path.includes('.inprogress.')),
      [],
      'no in-progress file is left once the bounded job finished',
    );
  });

  it('reads the files of a directory and its partitions into a jdbc table, each file once', async () => {
    const dir = join(root, 'events-in');
    mkdirSync(join(dir, 'day=2024-01-01'), { recursive: true });
    mkdirSync(join(dir, 'day=2024-01-02'), { recursive: true });
    writeFileSync(join(dir, 'day=2024-01-01', 'a.json'), '{"id":1,"name":"x"}\n{"id":2,"name":"y"}\n');
    writeFileSync(join(dir, 'day=2024-01-02', 'b.json'), '{"id":3,"name":"z"}');
    writeFileSync(join(dir, 'day=2024-01-02', '.hidden.json'), '{"id":99,"name":"hidden"}\n');
    writeFileSync(join(dir, '_SUCCESS'), '');
    await db.query('CREATE TABLE events (id BIGINT PRIMARY KEY, name TEXT, day DATE)');
    const text = `CREATE TABLE files (id BIGINT, name STRING, day DATE) PARTITIONED BY (day) WITH (
        'connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json');
      CREATE TABLE events (id BIGINT, name STRING, day DATE, PRIMARY KEY (id) NOT ENFORCED) WITH (
        'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/app', 'table-name' = 'events',
        'username' = 'postgres');
      INSERT INTO events SELECT * FROM files;`;
    await finished(await start('from-files', text));
    const rows = await db.query<{ id: string; name: string; day: string }>(
      `SELECT id, name, to_char(day, 'YYYY-MM-DD') AS day FROM events ORDER BY id`,
    );
    assert.deepEqual(
      rows.rows.map((r) => `${r.id} ${r.name} ${r.day}`),
      ['1 x 2024-01-01', '2 y 2024-01-01', '3 z 2024-01-02'],
    );
    // A new file after the job finished: a second run reads only it (its positions are committed with the rows).
    writeFileSync(join(dir, 'day=2024-01-02', 'c.json'), '{"id":4,"name":"w"}\n');
    await db.query(`UPDATE events SET name = 'kept' WHERE id = 1`);
    await finished(await start('from-files', text));
    const again = await db.query<{ id: string; name: string }>('SELECT id, name FROM events ORDER BY id');
    assert.deepEqual(
      again.rows.map((r) => `${r.id} ${r.name}`),
      ['1 kept', '2 y', '3 z', '4 w'],
    );
  });

  it('reads and writes files in debezium-json as a changelog, as Flink does', async () => {
    const dir = join(root, 'changes-in');
    const out = join(root, 'changes-out');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'a.json'),
      [
        '{"before":null,"after":{"id":1,"name":"x"},"op":"c"}',
        '{"before":null,"after":{"id":2,"name":"y"},"op":"c"}',
        '{"before":{"id":1,"name":"x"},"after":{"id":1,"name":"z"},"op":"u"}',
        '{"before":{"id":2,"name":"y"},"after":null,"op":"d"}',
      ].join('\n'),
    );
    await db.query('CREATE TABLE people (id BIGINT PRIMARY KEY, name TEXT)');
    const source = `CREATE TABLE changes (id BIGINT, name STRING) WITH (
        'connector' = 'filesystem', 'path' = '${dir}', 'format' = 'debezium-json');`;
    await finished(
      await start(
        'apply-changes',
        `${source}
      CREATE TABLE people (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (
        'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/app', 'table-name' = 'people',
        'username' = 'postgres');
      INSERT INTO people SELECT * FROM changes;`,
      ),
    );
    const rows = await db.query<{ id: string; name: string }>('SELECT id, name FROM people ORDER BY id');
    assert.deepEqual(
      rows.rows.map((r) => `${r.id} ${r.name}`),
      ['1 z'],
    );
    await finished(
      await start(
        'copy-changes',
        `${source}
      CREATE TABLE copied (id BIGINT, name STRING) WITH (
        'connector' = 'filesystem', 'path' = '${out}', 'format' = 'debezium-json');
      INSERT INTO copied SELECT * FROM changes;`,
      ),
    );
    // Flink's debezium-json writes +I and +U as "c", -U and -D as "d", one record per change.
    const written = visibleParts(out).flatMap((path) =>
      readFileSync(join(out, path), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line)),
    );
    assert.deepEqual(written, [
      { before: null, after: { id: 1, name: 'x' }, op: 'c' },
      { before: null, after: { id: 2, name: 'y' }, op: 'c' },
      { before: { id: 1, name: 'x' }, after: null, op: 'd' },
      { before: null, after: { id: 1, name: 'z' }, op: 'c' },
      { before: { id: 2, name: 'y' }, after: null, op: 'd' },
    ]);
  });

  it('rebuilds an aggregate from the files already read when it restarts, counting each row once', async () => {
    const dir = join(root, 'clicks-in');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.json'), '{"page":"home"}\n{"page":"cart"}\n{"page":"home"}\n');
    writeFileSync(join(dir, 'skip.txt'), '{"page":"not matched"}\n');
    await db.query('CREATE TABLE page_counts (page TEXT PRIMARY KEY, n BIGINT)');
    const text = `CREATE TABLE clicks (page STRING) WITH (
        'connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json', 'source.path.regex-pattern' = '.*\\.json');
      CREATE TABLE page_counts (page STRING, n BIGINT, PRIMARY KEY (page) NOT ENFORCED) WITH (
        'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/app', 'table-name' = 'page_counts',
        'username' = 'postgres');
      INSERT INTO page_counts SELECT page, COUNT(*) FROM clicks GROUP BY page;`;
    await finished(await start('count-clicks', text));
    writeFileSync(join(dir, 'b.json'), '{"page":"home"}\n');
    await finished(await start('count-clicks', text));
    const rows = await db.query<{ page: string; n: string }>('SELECT page, n FROM page_counts ORDER BY page');
    assert.deepEqual(
      rows.rows.map((r) => `${r.page} ${r.n}`),
      ['cart 1', 'home 3'],
    );
  });

  it('after a crash, discards what was not committed and writes it again: no row lost or twice in visible files', async () => {
    const input = join(root, 'crash-in');
    const out = join(root, 'crash-out');
    mkdirSync(input, { recursive: true });
    const lines = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `{"id":${from + i},"v":"row ${from + i}"}\n`).join('');
    writeFileSync(join(input, '1.json'), lines(1, 50));
    const text = `CREATE TABLE input (id BIGINT, v STRING) WITH (
        'connector' = 'filesystem', 'path' = '${input}', 'format' = 'json', 'source.monitor-interval' = '50 ms');
      CREATE TABLE output (id BIGINT, v STRING) WITH (
        'connector' = 'filesystem', 'path' = '${out}', 'format' = 'json', 'sink.rolling-policy.file-size' = '200b');
      INSERT INTO output SELECT * FROM input;`;
    const first = await start('copy-files', text);
    // A part file rolls past 200 bytes (about 9 rows) and is visible after the next commit; the last stays in progress.
    await waitFor('five visible part files', async () => (visibleParts(out).length >= 5 ? true : undefined), jobs);
    await first.cancel();
    // What a crash leaves behind: rows written after the last commit into the open part file, and a
    // part file of an attempt that never committed.
    const inProgress = tree(out).filter((path) => path.includes('.inprogress.'));
    assert.equal(inProgress.length, 1);
    appendFileSync(join(out, inProgress[0] as string), '{"id":1,"v":"uncommitted"}\n');
    const uuid = /part-([0-9a-f-]{36})-/.exec(inProgress[0] as string)?.[1];
    writeFileSync(join(out, `.part-${uuid}-0-99.inprogress.${crypto.randomUUID()}`), '{"id":2,"v":"uncommitted"}\n');
    writeFileSync(join(input, '2.json'), lines(51, 120));

    const second = await start('copy-files', text);
    await waitFor('rows up to 108 visible', async () => (visibleLines(out).length >= 108 ? true : undefined), jobs);
    await second.cancel();
    const expected = Array.from({ length: 120 }, (_, i) => `{"id":${i + 1},"v":"row ${i + 1}"}`);
    const visible = visibleLines(out);
    assert.equal(new Set(visible).size, visible.length, 'no row twice');
    assert.ok(
      visible.every((line) => expected.includes(line)),
      'no uncommitted row',
    );
    // The rows not visible yet are those of the one part file still in progress, in order after the visible ones.
    const open = tree(out).filter((path) => path.includes('.inprogress.'));
    assert.equal(open.length, 1);
    const pending = readFileSync(join(out, open[0] as string), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    assert.deepEqual([...visible, ...pending].sort(), [...expected].sort());
  });
});
