import { RivuletError } from '../../common/errors.ts';
import { murmur2 } from '../../log/partitioner.ts';

/**
 * Flink's key groups (org.apache.flink.runtime.state.KeyGroupRangeAssignment): a key belongs to
 * one of `maxParallelism` key groups, and subtask i of p owns a contiguous range of them, so that a
 * change of p moves whole key groups and never splits one. Flink hashes a key with its Java
 * hashCode, which cannot be reproduced here: the key group is the key bytes' murmur2 (Kafka's, as
 * the log partitions keyed records) modulo maxParallelism.
 */

/** Flink's bounds: the default max parallelism is at least 128, and no parallelism exceeds 32768. */
export const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

/** The key groups [start, end] (both inclusive) a subtask owns. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

function roundUpToPowerOfTwo(n: number): number {
  let power = 1;
  while (power < n) power *= 2;
  return power;
}

/** computeDefaultMaxParallelism: p·1.5 rounded up to a power of two, within [128, 32768]. */
export function defaultMaxParallelism(parallelism: number): number {
  checkParallelism(parallelism, 'parallelism.default');
  return Math.min(
    Math.max(roundUpToPowerOfTwo(parallelism + Math.floor(parallelism / 2)), DEFAULT_LOWER_BOUND_MAX_PARALLELISM),
    UPPER_BOUND_MAX_PARALLELISM,
  );
}

/** computeKeyGroupRangeForOperatorIndex. */
export function keyGroupRange(maxParallelism: number, parallelism: number, index: number): KeyGroupRange {
  checkParallelism(parallelism, 'parallelism.default');
  checkParallelism(maxParallelism, 'pipeline.max-parallelism');
  if (maxParallelism < parallelism) {
    throw new RivuletError(
      'PARALLELISM_INVALID',
      `parallelism ${parallelism} is greater than the max parallelism ${maxParallelism}`,
      "raise 'pipeline.max-parallelism' before the job's first start, or lower 'parallelism.default'",
    );
  }
  return {
    start: Math.floor((index * maxParallelism + parallelism - 1) / parallelism),
    end: Math.floor(((index + 1) * maxParallelism - 1) / parallelism),
  };
}

/** computeOperatorIndexForKeyGroup: the subtask that owns a key group. */
export function subtaskOfKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The key group of a key's bytes. */
export function keyGroupOf(key: Uint8Array, maxParallelism: number): number {
  return (murmur2(key) & 0x7fffffff) % maxParallelism;
}

function checkParallelism(value: number, setting: string): void {
  if (!Number.isInteger(value) || value < 1 || value > UPPER_BOUND_MAX_PARALLELISM) {
    throw new RivuletError(
      'PARALLELISM_INVALID',
      `'${setting}' = '${value}' is not within 1 and ${UPPER_BOUND_MAX_PARALLELISM}`,
      `set '${setting}' to a whole number from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`,
    );
  }
}
