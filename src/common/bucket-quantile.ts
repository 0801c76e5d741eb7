/** A histogram bucket as Prometheus exposes it: observations at or below `le`, cumulative. */
export interface CumulativeBucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The q-quantile of a histogram given by cumulative buckets (the last one `le: Infinity`),
 * interpolated linearly inside its bucket as Prometheus' histogram_quantile does; the highest
 * finite bound when it falls in the +Inf bucket; undefined without observations. Used by the
 * engine and by the dashboard's page alike.
 */
export function bucketQuantile(buckets: readonly CumulativeBucket[], q: number): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerBound;
      const inBucket = count - lowerCount;
      return lowerBound + (le - lowerBound) * (inBucket === 0 ? 1 : (rank - lowerCount) / inBucket);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}
