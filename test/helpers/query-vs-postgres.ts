/**
 * The skeleton of the end-to-end tests that check a query against PostgreSQL: a throwaway server
 * holds the source tables (captured by postgres-cdc) and the jdbc sink tables; the query jobs run
 * over the capture; the sinks must converge to what PostgreSQL computes over the source tables with
 * the same query (the oracle), after random changes and after the jobs restart, possibly with all
 * their state spilled to disk.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type pg from 'pg';
import { seedDatabases } from '../../src/embedded/seed.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from './postgres.ts';
import { waitFor } from './wait.ts';

export type Row = Record<string, unknown>;

/** The options of a jdbc table in `database` of the test server (its port is the script variable PORT). */
export const jdbcOptions = (database: string, table: string): string =>
  `'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/${database}', 'table-name' = '${table}', 'username' = 'postgres', 'password' = 'postgres'`;

/** A sink query and the oracle, the same query as PostgreSQL computes it over the source tables. */
export interface Comparison {
  readonly sink: string;
  readonly oracle: string;
  /** Asserts what the oracle's rows must show for the comparison to mean something. */
  readonly oracleHolds?: (rows: readonly Row[], what: string) => void;
  /** Number columns that need only agree to `relative` (floating point computed another way). */
  readonly tolerance?: { readonly columns: readonly string[]; readonly relative: number };
  /** Text columns of values joined by `separator` in an order the changelog does not fix: compared sorted. */
  readonly unorderedLists?: { readonly columns: readonly string[]; readonly separator: string };
}

export interface QueryVsPostgresOptions {
  /** The source and sink databases: seeded from a directory of databases, or else created empty. */
  readonly databases: { readonly source: string; readonly sink: string; readonly seed?: string };
  /** Creates the tables and the first rows, before the log opens and the capture starts. */
  readonly setup?: (harness: QueryVsPostgres) => Promise<unknown>;
  /** The statements that create the sink tables, run on the sink database after `setup`. */
  readonly sinkTables?: string;
  /** Starts the capture jobs, which run throughout. */
  readonly capture?: (harness: QueryVsPostgres) => Promise<Job[]>;
  /** Runs after the capture started and before the query jobs start. */
  readonly prepare?: (harness: QueryVsPostgres) => Promise<unknown>;
  /** The scripts of the query jobs, by file name. */
  readonly scripts: readonly (readonly [name: string, sql: string])[];
  readonly comparisons: readonly Comparison[];
  /** Applies `count` random changes to the source tables. */
  readonly change?: (harness: QueryVsPostgres, count: number) => Promise<void>;
}

export class QueryVsPostgres {
  pg!: TestPostgres;
  log!: PostgresLog;
  source!: pg.Client;
  sink!: pg.Client;
  private capture: Job[] = [];
  private jobs: Job[] = [];

  constructor(private readonly options: QueryVsPostgresOptions) {}

  /** Starts the server, the databases, the capture and the query jobs (for `before`). */
  readonly open = async (): Promise<void> => {
    const { databases, setup, capture, prepare } = this.options;
    this.pg = await startTestPostgres();
    if (databases.seed) await seedDatabases(this.pg.server, databases.seed);
    else {
      const admin = await this.pg.connect('postgres');
      for (const name of new Set([databases.source, databases.sink])) await admin.query(`CREATE DATABASE ${name}`);
    }
    this.source = await this.pg.connect(databases.source);
    this.sink = await this.pg.connect(databases.sink);
    await setup?.(this);
    if (this.options.sinkTables) await this.sink.query(this.options.sinkTables);
    this.log = await openTestLog(this.pg);
    this.capture = (await capture?.(this)) ?? [];
    await prepare?.(this);
    await this.start();
  };

  /** Stops every job and removes the server (for `after`). */
  readonly close = async (): Promise<void> => {
    await this.stop();
    for (const job of this.capture) await job.cancel();
    this.capture = [];
    await this.log?.close();
    await this.pg?.dispose();
  };

  /** Plans and starts the jobs of a script; `${PORT}` in it is the test server's port. */
  async run(name: string, sql: string, first = 0): Promise<Job[]> {
    const started: Job[] = [];
    for (const plan of planScript(name, sql, new Map([['PORT', String(this.pg.server.port)]]), {}).jobs) {
      const job = new Job(`${name}-${first + started.length}`, plan, this.log);
      await job.start();
      started.push(job);
    }
    return started;
  }

  /** Starts the query jobs. */
  async start(): Promise<void> {
    this.jobs = [];
    for (const [name, sql] of this.options.scripts) this.jobs.push(...(await this.run(name, sql, this.jobs.length)));
  }

  /** Stops the query jobs. */
  async stop(): Promise<void> {
    for (const job of this.jobs) await job.cancel();
    this.jobs = [];
  }

  /** Applies `count` random changes to the source tables. */
  async change(count: number): Promise<void> {
    const { change } = this.options;
    assert.ok(change, 'the test gives no random changes');
    await change(this, count);
  }

  /** Waits until every sink holds what PostgreSQL computes over the source tables. */
  async converges(what: string): Promise<void> {
    for (const comparison of this.options.comparisons) {
      const expected = (await this.source.query(comparison.oracle)).rows;
      comparison.oracleHolds?.(expected, what);
      const actual = async () => (await this.sink.query(comparison.sink)).rows;
      try {
        await waitFor(
          `${what}: ${comparison.sink}`,
          async () => (same(await actual(), expected, comparison) ? true : undefined),
          [...this.jobs, ...this.capture],
          60_000,
        );
      } finally {
        const rows = await actual();
        if (!same(rows, expected, comparison)) assert.deepEqual(rows, expected, what);
      }
    }
  }

  /** Random changes, then the sinks converge. */
  async followsChanges(count: number): Promise<void> {
    await this.change(count);
    await this.converges(`after ${count} changes`);
  }

  /**
   * Stops the query jobs, applies `missed` changes, starts them again (their state rebuilt by
   * replay, all spilled to disk if `spilled`), converges, applies `more` changes and converges.
   */
  async restarts({
    missed,
    more,
    spilled = false,
  }: {
    missed: number;
    more: number;
    spilled?: boolean;
  }): Promise<void> {
    await this.stop();
    await this.change(missed);
    const restart = async () => {
      await this.start();
      await this.converges('after a restart');
    };
    if (spilled) assert.ok((await withAllStateSpilled(restart)) > 0, 'state was spilled');
    else await restart();
    await this.change(more);
    await this.converges('after more changes');
  }

  /** Runs the query jobs under a state memory budget of 0 bytes through `count` changes, then as before. */
  async convergesWithAllStateSpilled(count: number): Promise<void> {
    await this.stop();
    try {
      await withAllStateSpilled(async () => {
        try {
          await this.start();
          await this.change(count);
          await this.converges('with a state memory budget of 0 bytes');
        } finally {
          await this.stop();
        }
      });
    } finally {
      await this.start();
    }
  }
}

/** The usual tests, by title: each is left out where its entry is. */
export interface UsualTests {
  /** The sinks converge after the snapshot. */
  readonly snapshot?: string;
  /** They follow `count` random changes. */
  readonly changes?: { readonly title: string; readonly count: number };
  /** They converge after a restart: see `restarts`. The title defaults to RESTART_TITLE's. */
  readonly restart?: {
    readonly title?: string;
    readonly missed: number;
    readonly more: number;
    readonly spilled?: boolean;
  };
  /** They converge under a state memory budget of 0 bytes: see `convergesWithAllStateSpilled`. */
  readonly allStateSpilled?: { readonly title?: string; readonly changes: number };
}

const RESTART_TITLE = {
  kept: 'rebuilds its state after a restart and goes on',
  spilled: 'rebuilds its state after a restart, spilled, and goes on',
};
const ALL_STATE_SPILLED_TITLE = 'gives the same result with all state spilled to disk';

/**
 * A harness opened before and closed after the tests of the enclosing `describe`, with the usual
 * tests registered in the order above; the test file adds its own after them.
 */
export function queryVsPostgres(options: QueryVsPostgresOptions, tests: UsualTests): QueryVsPostgres {
  const harness = new QueryVsPostgres(options);
  before(harness.open);
  after(harness.close);
  const { snapshot, changes, restart, allStateSpilled } = tests;
  if (snapshot) it(snapshot, () => harness.converges('after the snapshot'));
  if (changes) it(changes.title, () => harness.followsChanges(changes.count));
  if (restart)
    it(restart.title ?? RESTART_TITLE[restart.spilled ? 'spilled' : 'kept'], () => harness.restarts(restart));
  if (allStateSpilled)
    it(allStateSpilled.title ?? ALL_STATE_SPILLED_TITLE, () =>
      harness.convergesWithAllStateSpilled(allStateSpilled.changes),
    );
  return harness;
}

/** Runs `run` with a state memory budget of 0 bytes (every entry spilled); gives the entries spilled. */
async function withAllStateSpilled(run: () => Promise<void>): Promise<number> {
  const memory = stateMemory();
  const limit = memory.limit;
  memory.configure(0);
  const spilledBefore = memory.spilledEntries;
  try {
    await run();
    return memory.spilledEntries - spilledBefore;
  } finally {
    memory.configure(limit);
  }
}

/** Rows equal in order, but for the tolerance and unordered lists of the comparison. */
function same(actual: readonly Row[], expected: readonly Row[], comparison: Comparison): boolean {
  const { tolerance, unorderedLists } = comparison;
  if (!tolerance && !unorderedLists) return JSON.stringify(actual) === JSON.stringify(expected);
  if (actual.length !== expected.length) return false;
  const close = (a: unknown, b: unknown, relative: number) =>
    a === b ||
    (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= relative * Math.max(1, Math.abs(b)));
  const sorted = (text: unknown, separator: string) =>
    typeof text === 'string' ? text.split(separator).sort().join(separator) : text;
  return actual.every((row, i) => {
    const want = expected[i] as Row;
    return Object.keys(want).every((key) =>
      tolerance?.columns.includes(key)
        ? close(row[key], want[key], tolerance.relative)
        : unorderedLists?.columns.includes(key)
          ? sorted(row[key], unorderedLists.separator) === sorted(want[key], unorderedLists.separator)
          : row[key] === want[key],
    );
  });
}
