import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { EmbeddedPostgres } from '../src/embedded/postgres-server.ts';
import { processStat, TICKS_PER_SECOND } from './process-tree.ts';

/** The application_name of the source application (source-writer.ts) and of the bench's own connections. */
export const SOURCE_APPLICATION = 'rivulet-bench-source';
export const BENCH_APPLICATION = 'rivulet-bench';

/** A backend as pg_stat_activity shows it. */
export interface Activity {
  readonly backend_type: string;
  readonly datname: string | null;
  readonly application_name: string | null;
}

export const BACKGROUND = 'background (checkpointer, walwriter, bgwriter, autovacuum)';
/** The server processes that serve no connection; `io worker` (PostgreSQL 18) has a group of its own. */
const BACKGROUND_TYPES = new Set([
  'checkpointer',
  'walwriter',
  'background writer',
  'autovacuum launcher',
  'autovacuum worker',
  'logical replication launcher',
  'archiver',
  'startup',
  'logger',
  'walsummarizer',
  'slotsync worker',
  'stats collector',
]);
const IO_WORKERS = 'I/O workers (io_method=worker)';

const DATABASES: Readonly<Record<string, string>> = {
  source_db: 'source_db backends',
  rivulet: 'log database backends (rivulet)',
  sink_db: 'sink_db backends',
};

const APPLICATIONS: Readonly<Record<string, string>> = {
  [SOURCE_APPLICATION]: 'the source application',
  [BENCH_APPLICATION]: "the bench's polling",
};

/** The group a backend's CPU is counted in, from what pg_stat_activity says of it. */
export function backendGroup({ backend_type: type, datname, application_name: application }: Activity): string {
  if (type === 'walsender') {
    return datname ? `WAL senders (logical decoding, ${datname})` : 'WAL senders (physical replication)';
  }
  if (type === 'client backend' || type === 'parallel worker') {
    const database = datname ? (DATABASES[datname] ?? `${datname} backends`) : 'backends without a database';
    if (!application) return database;
    return `${database} (${APPLICATIONS[application] ?? `application '${application}'`})`;
  }
  if (type === 'io worker') return IO_WORKERS;
  if (BACKGROUND_TYPES.has(type)) return BACKGROUND;
  return `other (${type})`;
}

/**
 * The group of a process pg_stat_activity did not show (it ended before a sample saw it there), from
 * the title PostgreSQL gives its processes: `postgres: checkpointer`, `postgres: walsender user
 * host(port) …`, `postgres: user database host(port) …`.
 */
export function titleGroup(title: string): string {
  const words = title
    .replace(/^postgres: /, '')
    .trim()
    .split(/\s+/);
  const what = words.join(' ');
  if (what.startsWith('io worker')) return IO_WORKERS;
  for (const type of BACKGROUND_TYPES) if (what.startsWith(type)) return BACKGROUND;
  if (words[0] === 'walsender') return 'WAL senders';
  if (words.length >= 3 && words[2]?.includes('(')) {
    return backendGroup({ backend_type: 'client backend', datname: words[1] ?? null, application_name: null });
  }
  return `not in pg_stat_activity (${what || 'no title'})`;
}

export const POSTMASTER = 'postmaster';
export const UNSEEN = 'ended between samples (not attributed)';

/** PostgreSQL's CPU over the run, in cores, by group (largest first). */
export interface BackendCpuResult {
  readonly seconds: number;
  readonly groups: readonly { readonly group: string; readonly cores: number }[];
  /** Backends pg_stat_activity listed that were not children of the postmaster: 0 when the mapping holds. */
  readonly strangers: number;
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function title(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

interface Backend {
  /** CPU ticks when the run started (0 for a process started during it), and at the latest sample. */
  readonly first: number;
  last: number;
  group: string | undefined;
  /** Its process title, for a backend pg_stat_activity has not shown (yet). */
  title: string;
  /** How many times pg_stat_activity was asked without showing it. */
  misses: number;
}

/** Times pg_stat_activity may not show a child before its group is taken from its title. */
const MAX_MISSES = 3;

/**
 * Samples the postmaster's children every `intervalMs` (their CPU from /proc/<pid>/stat, the last
 * reading kept per pid, so a backend that ends during the run counts up to its last sample) and
 * asks pg_stat_activity what each new one is, on a connection of its own whose backend is counted
 * apart (a child it does not show after a few samples is grouped by its process title). What ended
 * after its last sample, or between two samples, is the postmaster's children that ended (its
 * cutime and cstime) less what was sampled of them.
 */
export class BackendCpu {
  private readonly backends = new Map<number, Backend>();
  private readonly started = performance.now();
  private readonly postmasterFirst: { own: number; ended: number };
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  private readonly strangers = new Set<number>();
  /** A sample that failed (pg_stat_activity not answered): end() throws it. */
  private failure: Error | undefined;

  private constructor(
    private readonly postmaster: number,
    private readonly client: pg.Client,
    private readonly ownPid: number,
  ) {
    const stat = processStat(postmaster);
    this.postmasterFirst = { own: stat?.ownTicks ?? 0, ended: stat?.childrenTicks ?? 0 };
    for (const pid of children(postmaster)) {
      const ticks = processStat(pid)?.ownTicks;
      if (ticks !== undefined)
        this.backends.set(pid, { first: ticks, last: ticks, group: undefined, title: title(pid), misses: 0 });
    }
  }

  static async start(server: EmbeddedPostgres, intervalMs = 250): Promise<BackendCpu> {
    const client = new pg.Client({ ...server.connectionConfig('postgres'), application_name: BENCH_APPLICATION });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid').catch(async (error) => {
      await client.end();
      throw error;
    });
    const sampler = new BackendCpu(server.pid ?? 0, client, Number(rows[0]?.pid));
    try {
      await sampler.attribute();
    } catch (error) {
      await client.end();
      throw error;
    }
    sampler.timer = setInterval(() => {
      sampler.sampling ??= sampler
        .sample()
        .catch((error: Error) => {
          sampler.failure ??= error;
        })
        .finally(() => {
          sampler.sampling = undefined;
        });
    }, intervalMs);
    return sampler;
  }

  private async sample(): Promise<void> {
    let unknown = false;
    for (const pid of children(this.postmaster)) {
      const ticks = processStat(pid)?.ownTicks;
      if (ticks === undefined) continue;
      const backend = this.backends.get(pid);
      if (backend) backend.last = ticks;
      else this.backends.set(pid, { first: 0, last: ticks, group: undefined, title: title(pid), misses: 0 });
      if (!backend?.group) unknown = true;
    }
    if (unknown) await this.attribute();
  }

  /** Gives each backend without a group its group, from pg_stat_activity or, once gone from it, its title. */
  private async attribute(): Promise<void> {
    const { rows } = await this.client.query<Activity & { pid: number }>(
      'SELECT pid, backend_type, datname, application_name FROM pg_stat_activity',
    );
    const known = new Set(this.backends.keys());
    for (const row of rows) {
      const backend = this.backends.get(row.pid);
      if (!backend) {
        // Started after this sample's read of /proc: the next sample reads it; a pid that is no child at all is counted.
        if (!children(this.postmaster).includes(row.pid)) this.strangers.add(row.pid);
        continue;
      }
      // A connection still starting (authenticating) has no database yet: asked again at the next sample.
      if (row.backend_type === 'client backend' && !row.datname) continue;
      known.delete(row.pid);
      if (backend.group) continue;
      backend.group =
        row.pid === this.ownPid
          ? "this breakdown's pg_stat_activity queries"
          : backendGroup({ ...row, application_name: row.application_name || null });
    }
    for (const pid of known) {
      const backend = this.backends.get(pid);
      if (!backend || backend.group) continue;
      backend.title = title(pid) || backend.title;
      if (++backend.misses >= MAX_MISSES) backend.group = titleGroup(backend.title);
    }
  }

  async end(): Promise<BackendCpuResult> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
    let seconds: number;
    let stat: ReturnType<typeof processStat>;
    let alive: Set<number>;
    try {
      if (this.failure) throw this.failure;
      await this.sample();
      seconds = (performance.now() - this.started) / 1000;
      // Before this connection's backend ends, which is then neither alive nor in the postmaster's cutime yet.
      stat = processStat(this.postmaster);
      alive = new Set(children(this.postmaster));
    } finally {
      await this.client.end();
    }
    const ticks = new Map<string, number>();
    const add = (group: string, n: number) => ticks.set(group, (ticks.get(group) ?? 0) + n);
    add(POSTMASTER, (stat?.ownTicks ?? 0) - this.postmasterFirst.own);
    let endedSampled = 0;
    for (const [pid, backend] of this.backends) {
      add(backend.group ?? titleGroup(backend.title), backend.last - backend.first);
      if (!alive.has(pid)) endedSampled += backend.last;
    }
    // The children that ended during the run, in full, less what the samples saw of them.
    add(UNSEEN, Math.max(0, (stat?.childrenTicks ?? 0) - this.postmasterFirst.ended - endedSampled));
    const groups = [...ticks]
      .map(([group, n]) => ({ group, cores: n / TICKS_PER_SECOND / seconds }))
      .sort((a, b) => b.cores - a.cores);
    return { seconds, groups, strangers: this.strangers.size };
  }
}
