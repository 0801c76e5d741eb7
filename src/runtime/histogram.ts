/** Upper bounds (seconds) of the buckets of a checkpoint's duration. */
export const COMMIT_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Upper bounds (seconds) of the buckets of the time from a source commit to the job's commit. */
export const LATENCY_SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** A histogram's observations as plain data, to send from a worker to the engine's main thread. */
export interface HistogramSnapshot {
  readonly perBucket: readonly number[];
  readonly count: number;
  readonly sum: number;
}

/**
 * A Prometheus-style histogram: the number of observations at or below each upper bound
 * (cumulative when read, as the exposition format wants), their count and their sum.
 */
export class Histogram {
  /** Observations per bucket (not cumulative); the last one counts those above every bound. */
  private readonly perBucket: number[];
  count = 0;
  sum = 0;

  constructor(readonly bounds: readonly number[]) {
    this.perBucket = new Array(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let i = this.bounds.findIndex((bound) => value <= bound);
    if (i === -1) i = this.bounds.length;
    this.perBucket[i] = (this.perBucket[i] ?? 0) + 1;
    this.count++;
    this.sum += value;
  }

  /** Cumulative counts: for each bound, the observations at or below it, then `+Inf` (= count). */
  cumulative(): { le: number; count: number }[] {
    let running = 0;
    const out = this.bounds.map((le, i) => {
      running += this.perBucket[i] ?? 0;
      return { le, count: running };
    });
    out.push({ le: Number.POSITIVE_INFINITY, count: this.count });
    return out;
  }

  snapshot(): HistogramSnapshot {
    return { perBucket: [...this.perBucket], count: this.count, sum: this.sum };
  }

  /**
   * Takes the observations of a snapshot of a histogram with the same bounds, in place of its own,
   * added to those of `earlier` when given.
   */
  load(snapshot: HistogramSnapshot, earlier?: HistogramSnapshot): void {
    const perBucket = snapshot.perBucket.map((n, i) => n + (earlier?.perBucket[i] ?? 0));
    this.perBucket.splice(0, this.perBucket.length, ...perBucket);
    this.count = snapshot.count + (earlier?.count ?? 0);
    this.sum = snapshot.sum + (earlier?.sum ?? 0);
  }
}
