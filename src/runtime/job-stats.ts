import { COMMIT_SECONDS_BUCKETS, Histogram, type HistogramSnapshot, LATENCY_SECONDS_BUCKETS } from './histogram.ts';

/** Where a commit left one source, as text (`partition 0 at offset 42`, `LSN 0/16B3748`). */
export interface CommittedPosition {
  readonly source: string;
  readonly position: string;
}

/** One committed transaction of a job's output and source positions. */
export interface CommitRecord {
  readonly id: number;
  readonly completedAt: number;
  readonly millis: number;
  /** Output changes the commit made durable, including those held in its transaction before it. */
  readonly records: number;
  readonly positions: readonly CommittedPosition[];
}

/** The latest commits a job keeps. */
const RECENT_COMMITS_KEPT = 100;

/** JobStats as plain data, as a worker sends it to the job's proxy on the main thread. */
export interface JobStatsSnapshot {
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly commits: number;
  readonly commitMillis: number;
  readonly commitMillisMin: number;
  readonly commitMillisMax: number;
  readonly recentCommits: readonly CommitRecord[];
  readonly commitSeconds: HistogramSnapshot;
  readonly sourceToCommitSeconds: HistogramSnapshot;
  readonly deadLetters: readonly (readonly [string, number])[];
}

/** What a job has done over all its runs, for `rivulet list`, the REST API and /metrics. */
export class JobStats {
  recordsIn = 0;
  recordsOut = 0;
  /** Transactions committed (each one a consistent checkpoint of output and positions). */
  commits = 0;
  commitMillis = 0;
  /** The shortest and longest commit so far, and the latest commits (at most 100, the latest last). */
  commitMillisMin = Number.POSITIVE_INFINITY;
  commitMillisMax = 0;
  readonly recentCommits: CommitRecord[] = [];
  /** Every commit's duration, in seconds. */
  readonly commitSeconds = new Histogram(COMMIT_SECONDS_BUCKETS);
  /**
   * For each commit that covers new source transactions: seconds from the commit time of the
   * latest of them at the source to the commit of the job's output.
   */
  readonly sourceToCommitSeconds = new Histogram(LATENCY_SECONDS_BUCKETS);
  /** Records committed to dead-letter topics, by the source table they could not be read into. */
  readonly deadLetters = new Map<string, number>();
  /** Per source group, the source commit time (µs) already observed in sourceToCommitSeconds. */
  private readonly observedSourceMicros = new Map<string, number>();

  commit(millis: number, records: number, positions: readonly CommittedPosition[]): void {
    this.commits++;
    this.commitMillis += millis;
    this.recentCommits.push({ id: this.commits, completedAt: Date.now(), millis, records, positions });
    if (this.recentCommits.length > RECENT_COMMITS_KEPT) this.recentCommits.shift();
    this.commitMillisMin = Math.min(this.commitMillisMin, millis);
    this.commitMillisMax = Math.max(this.commitMillisMax, millis);
    this.commitSeconds.observe(millis / 1000);
  }

  deadLettered(table: string, count: number): void {
    this.deadLetters.set(table, (this.deadLetters.get(table) ?? 0) + count);
  }

  /** Observes now − the source commit time (µs) of the newest source transaction a commit covers, if any is new. */
  observeSourceToCommit(sources: readonly { readonly group: string; readonly sourceMicros: number }[]): void {
    let newest = 0;
    for (const { group, sourceMicros } of sources) {
      if (sourceMicros <= (this.observedSourceMicros.get(group) ?? 0)) continue;
      this.observedSourceMicros.set(group, sourceMicros);
      newest = Math.max(newest, sourceMicros);
    }
    if (newest > 0) this.sourceToCommitSeconds.observe(Math.max(0, Date.now() / 1000 - newest / 1_000_000));
  }

  snapshot(): JobStatsSnapshot {
    return {
      recordsIn: this.recordsIn,
      recordsOut: this.recordsOut,
      commits: this.commits,
      commitMillis: this.commitMillis,
      commitMillisMin: this.commitMillisMin,
      commitMillisMax: this.commitMillisMax,
      recentCommits: [...this.recentCommits],
      commitSeconds: this.commitSeconds.snapshot(),
      sourceToCommitSeconds: this.sourceToCommitSeconds.snapshot(),
      deadLetters: [...this.deadLetters],
    };
  }

  /**
   * Takes the figures of a snapshot in place of its own (a job's proxy, from its worker), added to
   * `earlier`: the totals of the job's earlier workers, so that its counters never go back.
   */
  load(snapshot: JobStatsSnapshot, earlier?: JobStatsSnapshot): void {
    const before = earlier?.commits ?? 0;
    this.recordsIn = snapshot.recordsIn + (earlier?.recordsIn ?? 0);
    this.recordsOut = snapshot.recordsOut + (earlier?.recordsOut ?? 0);
    this.commits = snapshot.commits + before;
    this.commitMillis = snapshot.commitMillis + (earlier?.commitMillis ?? 0);
    this.commitMillisMin = Math.min(snapshot.commitMillisMin, earlier?.commitMillisMin ?? Number.POSITIVE_INFINITY);
    this.commitMillisMax = Math.max(snapshot.commitMillisMax, earlier?.commitMillisMax ?? 0);
    const recent = [
      ...(earlier?.recentCommits ?? []),
      ...snapshot.recentCommits.map((commit) => ({ ...commit, id: commit.id + before })),
    ];
    this.recentCommits.splice(0, this.recentCommits.length, ...recent.slice(-RECENT_COMMITS_KEPT));
    this.commitSeconds.load(snapshot.commitSeconds, earlier?.commitSeconds);
    this.sourceToCommitSeconds.load(snapshot.sourceToCommitSeconds, earlier?.sourceToCommitSeconds);
    this.deadLetters.clear();
    for (const [table, count] of [...(earlier?.deadLetters ?? []), ...snapshot.deadLetters])
      this.deadLetters.set(table, (this.deadLetters.get(table) ?? 0) + count);
  }
}
