import { useRef } from 'preact/hooks';
import { bucketQuantile } from '../src/common/bucket-quantile.ts';
import type { Series } from './chart.tsx';

type Buckets = readonly { readonly le: number | null; readonly count: number }[];

const WINDOW_MS = 10_000;
const HISTORY_POINTS = 300;

/** The q-quantile (ms) of the observations between two cumulative readings of a histogram. */
function windowQuantile(before: Buckets, after: Buckets, q: number): number | undefined {
  const seconds = bucketQuantile(
    after.map((bucket, i) => ({
      le: bucket.le ?? Number.POSITIVE_INFINITY,
      count: bucket.count - (before[i]?.count ?? 0),
    })),
    q,
  );
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * p50 and p99 of the job's source-to-commit latency over the latest 10 s, one point per snapshot
 * (a gap where no commit covered a new source transaction).
 */
export function useLatencySeries(
  id: string,
  now: number | undefined,
  buckets: Buckets | undefined,
  labels: readonly string[],
): Series {
  const state = useRef({ id, last: 0, readings: [] as { now: number; buckets: Buckets }[], series: empty(labels) });
  if (state.current.id !== id) state.current = { id, last: 0, readings: [], series: empty(labels) };
  const current = state.current;
  if (now !== undefined && buckets !== undefined && now !== current.last) {
    current.last = now;
    current.readings = [...current.readings.filter((reading) => reading.now >= now - WINDOW_MS), { now, buckets }];
    const oldest = current.readings[0];
    const p50 = oldest && oldest.now < now ? windowQuantile(oldest.buckets, buckets, 0.5) : undefined;
    const p99 = oldest && oldest.now < now ? windowQuantile(oldest.buckets, buckets, 0.99) : undefined;
    const { times, values } = current.series;
    current.series = {
      labels,
      times: [...times, now / 1000].slice(-HISTORY_POINTS),
      values: [
        [...(values[0] ?? []), p50 ?? null].slice(-HISTORY_POINTS),
        [...(values[1] ?? []), p99 ?? null].slice(-HISTORY_POINTS),
      ],
    };
  }
  if (current.series.labels.join() !== labels.join()) current.series = { ...current.series, labels };
  return current.series;
}

function empty(labels: readonly string[]): Series {
  return { labels, times: [], values: [[], []] };
}
