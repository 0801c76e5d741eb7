import type { Change } from './change.ts';

/**
 * An operator turns batches of input changes into output changes, keeping its own state. Inputs
 * are numbered (a join has 0 = left and 1 = right). Operators are synchronous; I/O belongs to
 * sources and sinks.
 */
export interface Operator {
  process(changes: readonly Change[], input: number): Change[];
}

export function isAccumulate(kind: Change['kind']): boolean {
  return kind === '+I' || kind === '+U';
}
