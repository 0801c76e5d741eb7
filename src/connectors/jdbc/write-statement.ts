import type pg from 'pg';
import { preparedName } from '../../common/prepared-statement.ts';
import type { SourcePositions } from '../sink-writer.ts';

/** A statement of a sink write: its text with parameters numbered from `base` + 1, and their values. */
export interface SinkStatement {
  readonly text: (base: number) => string;
  /** One array per parameter, in PostgreSQL's binary format (see ../pg/binary-array.ts). */
  readonly values: Buffer[];
}

export const POSITIONS_TABLE = 'rivulet_sink_positions';

/** The statement that records consumed positions, parameters numbered from `base` + 1. */
function positionsSql(base: number): string {
  return `INSERT INTO ${POSITIONS_TABLE} (group_id, topic, partition, next)
    SELECT * FROM unnest($${base + 1}::text[], $${base + 2}::text[], $${base + 3}::int[], $${base + 4}::bigint[])
    ON CONFLICT (group_id, topic, partition) DO UPDATE SET next = EXCLUDED.next`;
}

function positionValues(positions: readonly SourcePositions[]): unknown[] {
  const groups: string[] = [];
  const topics: string[] = [];
  const partitions: number[] = [];
  const nexts: string[] = [];
  for (const { group, topic, positions: byPartition } of positions) {
    for (const [partition, next] of byPartition) {
      groups.push(group);
      topics.push(topic);
      partitions.push(partition);
      nexts.push(next.toString());
    }
  }
  return [groups, topics, partitions, nexts];
}

/** The consumed positions as one statement. */
export function positionsStatement(positions: readonly SourcePositions[]): pg.QueryConfig {
  const text = positionsSql(0);
  return { name: preparedName(text), text, values: positionValues(positions) };
}

/**
 * A whole sink write as one statement, its own transaction: the tables' deletes and upserts and
 * the positions as data-modifying CTEs, so a commit takes one round trip. They all run on the same
 * snapshot and cannot see each other's rows, which is safe only while no two touch the same table
 * (the deletes and upserts of one writer never share a key): undefined when two would.
 */
export function singleWriteStatement(
  tables: readonly { readonly table: string; readonly statements: readonly SinkStatement[] }[],
  positions: readonly SourcePositions[],
): pg.QueryConfig | undefined {
  const written = tables.filter((t) => t.statements.length > 0);
  if (new Set(written.map((t) => t.table)).size !== written.length) return undefined;
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const { statements } of written) {
    for (const statement of statements) {
      parts.push(`w${parts.length} AS (${statement.text(values.length)})`);
      values.push(...statement.values);
    }
  }
  if (positions.length > 0) {
    parts.push(`w${parts.length} AS (${positionsSql(values.length)})`);
    values.push(...positionValues(positions));
  }
  if (parts.length === 0) return undefined;
  const text = `WITH ${parts.join(',\n')}\nSELECT 1`;
  return { name: preparedName(text), text, values };
}
