import type { RankStrategy, SortField } from '../exec/rank.ts';
import type { BoundExpr } from '../expr/bound.ts';
import type { PlanNode } from './nodes.ts';

/**
 * How a field's values change over a changelog, as Flink's FlinkRelMdModifiedMonotonicity tells
 * it: never updated (constant), updated only upwards or downwards, or anyhow.
 */
type Monotonicity = 'constant' | 'increasing' | 'decreasing' | 'not';

/**
 * The strategy Flink's RankProcessStrategy picks: AppendFast for an insert-only input; UpdateFast
 * when the input's unique key contains the partition key, every ORDER BY column only moves towards
 * the top (an increasing one ordered DESC, a decreasing one ASC, or a constant one) and the input
 * can send updates without their -U (an aggregate, through Calcs without a filter); Retract
 * otherwise.
 */
export function rankStrategy(
  input: PlanNode,
  partitionKeys: readonly number[],
  orderKeys: readonly SortField[],
): RankStrategy {
  if (input.changelog.kind === 'insert-only') return { kind: 'AppendFast' };
  const key = input.uniqueKey;
  if (!key || !partitionKeys.every((k) => key.includes(k))) return { kind: 'Retract' };
  const fields = monotonicity(input);
  const monotonic =
    fields !== undefined &&
    orderKeys.length > 0 &&
    orderKeys.every((order) => {
      const field = fields[order.field];
      if (field === 'constant') return true;
      return order.descending ? field === 'increasing' : field === 'decreasing';
    });
  return monotonic && updatesOnlyAfter(input) ? { kind: 'UpdateFast', rowKey: key } : { kind: 'Retract' };
}

/** Each field's monotonicity, or undefined where the node may delete rows (Flink's null). */
function monotonicity(node: PlanNode): readonly Monotonicity[] | undefined {
  const all = (m: Monotonicity) => node.fields.map(() => m);
  switch (node.kind) {
    case 'TableSourceScan':
      return all(node.changelog.kind === 'insert-only' ? 'constant' : 'not');
    case 'Values':
    case 'WindowAggregate':
    case 'GroupWindowAggregate':
    case 'WindowRank':
    case 'WindowDeduplicate':
    case 'WindowJoin':
      return node.kind === 'Values' ? all('constant') : undefined;
    case 'WatermarkAssigner':
    case 'LookupJoin':
    case 'OverAggregate':
    case 'Expand':
    case 'WindowTableFunction': {
      const input = monotonicity(node.input);
      if (!input) return undefined;
      return all(input.every((m) => m === 'constant') ? 'constant' : 'not');
    }
    case 'Calc': {
      const input = monotonicity(node.input);
      if (!input) return undefined;
      if (input.every((m) => m === 'constant')) return all('constant');
      // A filter over changing fields may retract what it let through: Flink's planner gives it
      // no monotonic field either way for a Top-N, since a filter cannot drop the -U of an update.
      if (node.condition) return all('not');
      return node.projection.map((expr) => projected(expr, input));
    }
    case 'GroupAggregate': {
      const input = monotonicity(node.input);
      if (!input || node.groupKeys.some((k) => input[k] !== 'constant')) return undefined;
      const inputUpdates = input.some((m) => m !== 'constant');
      return [
        ...node.groupKeys.map((): Monotonicity => 'constant'),
        ...node.calls.map((call): Monotonicity => {
          const own: Monotonicity =
            call.fn === 'COUNT'
              ? 'increasing'
              : call.fn === 'MAX'
                ? 'increasing'
                : call.fn === 'MIN'
                  ? 'decreasing'
                  : 'not';
          if (!inputUpdates) return own;
          // An update may move a row out of the FILTER: the result goes either way.
          if (call.filter !== undefined) return 'not';
          if (call.fn === 'COUNT') return own;
          if (call.args.length > 1) return 'not';
          return call.args.length === 1 && input[call.args[0] as number] !== own ? 'not' : own;
        }),
      ];
    }
    case 'Deduplicate': {
      const input = monotonicity(node.input);
      if (!input || input.some((m) => m !== 'constant')) return undefined;
      if (!node.spec.keepLastRow && !node.spec.rowtime) return all('constant');
      return node.fields.map((_, i) => (node.spec.keys.includes(i) ? 'constant' : 'not'));
    }
    case 'Union': {
      const inputs = node.inputs.map(monotonicity);
      if (inputs.some((m) => m === undefined)) return undefined;
      const first = inputs[0] as readonly Monotonicity[];
      return inputs.every((m) => m?.every((f, i) => f === first[i])) ? first : all('not');
    }
    // A ChangelogNormalize emits deletes, which Flink's UpdatableTopNFunction cannot take.
    case 'ChangelogNormalize':
    case 'Join':
    case 'IntervalJoin':
    case 'TemporalJoin':
    case 'Rank':
    case 'Sink':
      return undefined;
  }
}

function projected(expr: BoundExpr, input: readonly Monotonicity[]): Monotonicity {
  if (expr.kind === 'input') return input[expr.index] ?? 'not';
  if (expr.kind === 'cast') return projected(expr.operand, input);
  return 'not';
}

/** Whether the input can send its updates without -U (Flink's ONLY_UPDATE_AFTER). */
function updatesOnlyAfter(node: PlanNode): boolean {
  if (node.changelog.kind === 'insert-only') return true;
  switch (node.kind) {
    case 'GroupAggregate':
      return true;
    case 'Calc':
      return node.condition === undefined && updatesOnlyAfter(node.input);
    case 'WatermarkAssigner':
    case 'LookupJoin':
      return updatesOnlyAfter(node.input);
    default:
      return false;
  }
}
