/**
 * The kind of changes an edge of a plan carries, as Flink infers it:
 * - insert-only: every row is +I (append-only topics, window aggregates)
 * - upsert: +I, +U and -D by a key, without -U (upsert topics before normalization)
 * - retract: +I, -U, +U and -D (CDC, normalized upserts, joins, group aggregates)
 */
export type ChangelogMode =
  | { readonly kind: 'insert-only' }
  | { readonly kind: 'upsert'; readonly key: readonly number[] }
  | { readonly kind: 'retract' };

export const INSERT_ONLY: ChangelogMode = { kind: 'insert-only' };
export const RETRACT: ChangelogMode = { kind: 'retract' };

export function upsert(key: readonly number[]): ChangelogMode {
  return { kind: 'upsert', key };
}

/** The row kinds of a mode in Flink's EXPLAIN notation: [I], [I,UA,D], [I,UB,UA,D]. */
export function formatChangelog(mode: ChangelogMode): string {
  switch (mode.kind) {
    case 'insert-only':
      return 'I';
    case 'upsert':
      return 'I,UA,D';
    case 'retract':
      return 'I,UB,UA,D';
  }
}

export function isInsertOnly(mode: ChangelogMode): boolean {
  return mode.kind === 'insert-only';
}

/** The mode of an operator that combines inputs and may itself retract (outer joins, aggregates). */
export function combine(...modes: readonly ChangelogMode[]): ChangelogMode {
  return modes.every(isInsertOnly) ? INSERT_ONLY : RETRACT;
}
