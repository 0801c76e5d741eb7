import type { PlanNode, Sink } from '../../plan/nodes.ts';

/**
 * Whether every change of one sink key comes from one subtask, so that the subtasks' commits, in
 * whatever order they land, leave each key as its subtask last wrote it. That holds when the sink
 * takes inserts only, or when its key determines the keyed operator's partition key: some sink key
 * column is, unchanged, each partition key column (or a column equal to it). Otherwise an update
 * that moves a row between subtasks could reach the sink as an insert from one subtask before the
 * retraction from the other (the disorder Flink's SinkUpsertMaterializer repairs in one task).
 */
export function sinkKeyFollowsPartition(sink: Sink, keyed: PlanNode): boolean {
  if (sink.input.changelog.kind === 'insert-only' || sink.sinkKey === undefined) return true;
  const traced = new Set(sink.sinkKey.flatMap((field) => trace(sink.input, field, keyed) ?? []));
  const groups = partitionColumns(keyed);
  return groups?.every((group) => group.some((field) => traced.has(field))) ?? false;
}

/**
 * The keyed operator's partition key as its output columns: per key column, the output columns
 * that hold its value (both sides of an inner join's equality). Undefined where a key column can
 * be NULL for a row of another key (the padded side of an outer join).
 */
function partitionColumns(node: PlanNode): readonly (readonly number[])[] | undefined {
  switch (node.kind) {
    case 'GroupAggregate':
      return node.groupKeys.map((_, i) => [i]);
    case 'Rank':
      return node.spec.partitionKeys.map((field) => [field]);
    case 'Deduplicate':
      return node.spec.keys.map((field) => [field]);
    case 'Join': {
      const width = node.left.fields.length;
      const pairs = node.leftKeys.map((left, j) => [left, width + (node.rightKeys[j] as number)] as const);
      switch (node.type) {
        case 'INNER':
          return pairs.map(([left, right]) => [left, right]);
        case 'LEFT':
        case 'SEMI':
        case 'ANTI':
          return pairs.map(([left]) => [left]);
        case 'RIGHT':
          return pairs.map(([, right]) => [right]);
        case 'FULL':
          return undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The column of `target`'s output that output column `field` of `node` is, unchanged; undefined when computed. */
function trace(node: PlanNode, field: number, target: PlanNode): number | undefined {
  if (node === target) return field;
  switch (node.kind) {
    case 'Calc': {
      const expression = node.projection[field];
      return expression?.kind === 'input' ? trace(node.input, expression.index, target) : undefined;
    }
    case 'Rank':
    case 'Deduplicate':
    case 'WatermarkAssigner':
      return field < node.input.fields.length ? trace(node.input, field, target) : undefined;
    default:
      return undefined;
  }
}
