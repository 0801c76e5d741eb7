import type { JobHandle } from '../../src/runtime/job-handle.ts';

/**
 * Polls `check` until it gives a value, failing at once with the cause when one of `jobs` has
 * failed, and after `timeoutMs` with what was awaited.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  jobs: readonly JobHandle[] = [],
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    const failed = jobs.find((job) => job.status === 'FAILED');
    if (failed) throw failed.failure;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
