import type { LookupSource } from '../connectors/lookup-source.ts';
import type { LookupResult } from '../exec/lookup-join.ts';
import { rowKey } from '../exec/row-key.ts';
import type { Row, Value } from '../expr/value.ts';

/** A LOOKUP hint's retry: Flink's `fixed_delay` strategy on `lookup_miss`. */
export interface LookupRetry {
  readonly delayMs: number;
  readonly maxAttempts: number;
}

/**
 * Looks the keys up; with a retry, a key that found no row is looked up again after the delay, up
 * to `maxAttempts` more times, as Flink's RetryableLookupFunctionDelegator does (attempt n may be
 * retried while n <= max-attempts; so 'max-attempts' = '3' reads a missing key 4 times). The keys
 * still missing are retried together, one query per attempt, and the batch waits meanwhile, as
 * Flink's synchronous lookup holds its task.
 */
export async function lookupWithRetry(
  lookup: LookupSource,
  keys: readonly Value[][],
  retry: LookupRetry | undefined,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<LookupResult> {
  const first = await lookup.lookup(keys);
  if (!retry) return first;
  const found = new Map<string, readonly Row[]>(first);
  const missing = (candidates: readonly Value[][]) =>
    candidates.filter((key) => (found.get(rowKey(key))?.length ?? 0) === 0);
  let waiting = missing(keys);
  for (let attempt = 1; attempt <= retry.maxAttempts && waiting.length > 0; attempt++) {
    await sleep(retry.delayMs);
    for (const [key, rows] of await lookup.lookup(waiting)) found.set(key, rows);
    waiting = missing(waiting);
  }
  return found;
}
