import type { Value } from '../expr/value.ts';

/**
 * The running state of one aggregate of one group; every value it took can be taken back. Its
 * state can be saved (as plain data the v8 serializer writes) and given to the factory again.
 */
export interface Accumulator {
  add(value: Value): void;
  retract(value: Value): void;
  result(): Value;
  save(): unknown;
  /** Estimated heap bytes. */
  weight(): number;
}

/** Heap bytes of an accumulator of fixed size, and of each value one keeps. */
export const FIXED = 64;
export const PER_VALUE = 96;
