/**
 * The filesystem connector with the csv format: csv files read and written, and a copy of csv
 * files killed with SIGKILL while it writes, restarted, whose visible part files then hold each row
 * exactly once. Expected lines follow Flink's csv format (Jackson's quoting, as docs/connectors.md
 * says: a text with a space or a comma is quoted, NULL is an empty field).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { killEngine, startJobRunner } from '../helpers/engine-process.ts';
import { tree, visibleLines } from '../helpers/part-files.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

describe('the filesystem connector with the csv format', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let root: string;
  const jobs: Job[] = [];
  let child: ChildProcess | undefined;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'rivulet-fs-csv-'));
    pg = await startTestPostgres();
    log = await openTestLog(pg);
  });
  after(async () => {
    if (child) await kill(child);
    for (const job of jobs) await job.cancel();
    await log?.close();
    await pg?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads csv files (partition directories too) and writes csv part files, quoting as Flink', async () => {
    const input = join(root, 'cities-in');
    const out = join(root, 'cities-out');
    mkdirSync(join(input, 'country=FR'), { recursive: true });
    mkdirSync(join(input, 'country=DE'), { recursive: true });
    writeFileSync(join(input, 'country=FR', 'a.csv'), '1,Lyon,513275\n2,"Paris, centre",2165423\n');
    writeFileSync(join(input, 'country=DE', 'b.csv'), '3,Köln,\n4,"Quote ""Q""",10\n');
    const text = `CREATE TABLE cities (id INT, name STRING, population BIGINT, country STRING) PARTITIONED BY (country)
        WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv');
      CREATE TABLE big_cities (country STRING, name STRING, population BIGINT, id INT)
        WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
      INSERT INTO big_cities SELECT country, UPPER(name), population, id FROM cities;`;
    const job = new Job('csv-copy', planScript('csv.sql', text, new Map(), {}).jobs[0] as never, log);
    await job.start();
    jobs.push(job);
    await waitFor('the bounded copy finished', async () => (job.status === 'FINISHED' ? true : undefined), jobs);
    assert.deepEqual(visibleLines(out), [
      'DE,"QUOTE ""Q""",10,4',
      'DE,KÖLN,,3',
      'FR,"PARIS, CENTRE",2165423,2',
      'FR,LYON,513275,1',
    ]);
  });

  async function startEngine(script: string): Promise<ChildProcess> {
    child = await startJobRunner(pg.server.url('rivulet'), {}, [script]);
    return child;
  }

  async function kill(engine: ChildProcess): Promise<void> {
    await killEngine(engine);
    child = undefined;
  }

  it('after SIGKILL mid-write and a restart, the visible part files hold each row exactly once', async () => {
    const seed = Number(process.env.FS_CRASH_SEED ?? Date.now() % 1_000_000);
    process.stdout.write(`# seed ${seed} (FS_CRASH_SEED=${seed} replays it)\n`);
    const next = seededRandom(seed);
    const input = join(root, 'crash-in');
    const out = join(root, 'crash-out');
    mkdirSync(input, { recursive: true });
    const FILES = 40;
    const ROWS = 500;
    const expected: string[] = [];
    /** Adds input files [from, to): each round gets new rows, so there is always writing to kill. */
    const addFiles = (from: number, to: number) => {
      for (let f = from; f < to; f++) {
        const lines: string[] = [];
        for (let r = 0; r < ROWS; r++) {
          const id = f * ROWS + r;
          lines.push(`${id},"row ${id}, file ${f}"`);
          expected.push(`${id % 2 === 0 ? 'even' : 'odd'},${id},"row ${id}, file ${f}"`);
        }
        writeFileSync(join(input, `${String(f).padStart(3, '0')}.csv`), `${lines.join('\n')}\n`);
      }
    };
    const script = join(root, 'crash.sql');
    writeFileSync(
      script,
      `SET 'pipeline.name' = 'csv crash copy';
      CREATE TABLE rows_in (id INT, v STRING) WITH (
        'connector' = 'filesystem', 'path' = '${input}', 'format' = 'csv', 'source.monitor-interval' = '100 ms');
      CREATE TABLE rows_out (parity STRING, id INT, v STRING) WITH (
        'connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv',
        'sink.rolling-policy.file-size' = '2kb', 'sink.rolling-policy.rollover-interval' = '200 ms',
        'sink.rolling-policy.check-interval' = '100 ms');
      INSERT INTO rows_out SELECT CASE WHEN MOD(id, 2) = 0 THEN 'even' ELSE 'odd' END, id, v FROM rows_in;`,
    );
    const visibleCount = () => (tree(out).length === 0 ? 0 : visibleLines(out).length);
    mkdirSync(out, { recursive: true });
    let killedMidWrite = 0;
    // Most files before the first start (its kill is the one likely to land mid-write), then one
    // more file before each later start and the last one before the final start.
    const ROUNDS = 3;
    for (let round = 0; round < ROUNDS; round++) {
      if (round === 0) addFiles(0, FILES - ROUNDS);
      else addFiles(FILES - ROUNDS + round - 1, FILES - ROUNDS + round);
      const engine = await startEngine(script);
      const before = visibleCount();
      // Die while part files are being written: after the first new visible rows, at a random moment.
      await waitFor('rows written', async () => (visibleCount() > before ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, next() * 300));
      await kill(engine);
      const visible = visibleLines(out);
      assert.equal(new Set(visible).size, visible.length, `no row twice after kill ${round + 1} (seed ${seed})`);
      if (visible.length < expected.length) killedMidWrite++;
    }
    assert.ok(killedMidWrite >= 1, 'a kill landed before every row was written');
    addFiles(FILES - 1, FILES);
    const engine = await startEngine(script);
    await waitFor('every row visible', async () => (visibleCount() >= expected.length ? true : undefined), [], 120_000);
    await kill(engine);
    assert.deepEqual(visibleLines(out), [...expected].sort(), `each row exactly once (seed ${seed})`);
  });
});
