import type { AggregateCall } from '../exec/accumulators.ts';
import { formatType } from '../types/data-type.ts';
import type { PlanNode } from './nodes.ts';
import type { PlannedJob } from './planner.ts';

/**
 * What a job's committed positions and written output stand for: its sources and sinks, and the
 * keys and aggregates of its stateful operators, by field name and type. A job stopped with one
 * shape resumes from its positions under another only if the two are equal; a projection or a
 * filter may change, a key, an aggregate or a table may not (the sink would hold rows of both).
 */
export function stateShape(job: PlannedJob): readonly string[] {
  const lines: string[] = [];
  const seen = new Set<PlanNode>();
  const visit = (node: PlanNode): void => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const input of inputsOf(node)) visit(input);
    const line = describe(node);
    if (line) lines.push(line);
  };
  for (const sink of job.sinks) visit(sink);
  return lines;
}

/** The first difference between two shapes, as "… became …", or undefined when they are equal. */
export function shapeChange(before: readonly string[], after: readonly string[]): string | undefined {
  const length = Math.max(before.length, after.length);
  for (let i = 0; i < length; i++) {
    const was = before[i];
    const is = after[i];
    if (was === is) continue;
    if (was === undefined) return `${is} was added`;
    if (is === undefined) return `${was} was removed`;
    return `${was} became ${is}`;
  }
  return undefined;
}

function inputsOf(node: PlanNode): readonly PlanNode[] {
  if ('inputs' in node) return node.inputs;
  if ('left' in node) return [node.left, node.right];
  if ('input' in node) return [node.input];
  return [];
}

function fieldsOf(node: PlanNode, indices: readonly number[]): string {
  return indices.map((i) => node.fields[i]?.name ?? `#${i}`).join(', ');
}

function calls(input: PlanNode, list: readonly AggregateCall[]): string {
  return list
    .map(
      (call) =>
        `${call.userDefined?.name ?? call.fn}(${call.distinct ? 'DISTINCT ' : ''}${fieldsOf(input, call.args) || '*'})${call.filter === undefined ? '' : ` FILTER ${fieldsOf(input, [call.filter])}`}`,
    )
    .join(', ');
}

function describe(node: PlanNode): string | undefined {
  switch (node.kind) {
    case 'TableSourceScan':
      return `source ${node.table.name} (${node.fields.map((f) => `${f.name} ${formatType(f.type)}`).join(', ')})`;
    case 'ChangelogNormalize':
      return `the changes of (${fieldsOf(node.input, node.key)})`;
    case 'Join':
      return `a ${node.type} JOIN on (${fieldsOf(node.left, node.leftKeys)}) = (${fieldsOf(node.right, node.rightKeys)})`;
    case 'IntervalJoin':
      return `a ${node.type} interval join on (${fieldsOf(node.left, node.leftKeys)}) = (${fieldsOf(node.right, node.rightKeys)}) within [${node.bounds.leftLowerBound}, ${node.bounds.leftUpperBound}] ms`;
    case 'WindowJoin':
      return `a ${node.type} window join on (${fieldsOf(node.left, [node.leftWindow.windowStart, node.leftWindow.windowEnd, ...node.leftKeys])}) = (${fieldsOf(node.right, [node.rightWindow.windowStart, node.rightWindow.windowEnd, ...node.rightKeys])})`;
    case 'TemporalJoin':
      return `a ${node.type} temporal join on (${fieldsOf(node.left, node.leftKeys)}) = (${fieldsOf(node.right, node.rightKeys)}) as of ${fieldsOf(node.left, [node.leftTimeIndex])}`;
    case 'GroupAggregate':
      return `GROUP BY (${fieldsOf(node.input, node.groupKeys)}) with ${calls(node.input, node.calls) || 'no aggregate'}`;
    case 'Rank': {
      const spec = node.spec;
      const order = spec.orderKeys.map((o) => `${fieldsOf(node.input, [o.field])} ${o.descending ? 'DESC' : 'ASC'}`);
      const end = spec.rankEndField === undefined ? spec.rankEnd : fieldsOf(node.input, [spec.rankEndField]);
      return `ROW_NUMBER over (${fieldsOf(node.input, spec.partitionKeys)}) by (${order.join(', ')}) in ${spec.rankStart}..${end}`;
    }
    case 'Deduplicate':
      return `the ${node.spec.keepLastRow ? 'last' : 'first'} row of (${fieldsOf(node.input, node.spec.keys)}) by ${fieldsOf(node.input, [node.spec.timeField])}`;
    case 'OverAggregate': {
      const spec = node.spec;
      const frame = `${spec.unit} ${spec.preceding === undefined ? 'UNBOUNDED' : spec.preceding} PRECEDING`;
      return `OVER (PARTITION BY (${fieldsOf(node.input, spec.partitionKeys)}) ORDER BY ${fieldsOf(node.input, [spec.timeField])} ${frame}) with ${calls(node.input, spec.calls)}`;
    }
    case 'WindowAggregate':
      return `a ${node.window.type} window of ${node.window.size} µs${node.window.slide === undefined ? '' : ` by ${node.window.slide} µs`} GROUP BY (${fieldsOf(node.input, node.groupKeys)}) with ${calls(node.input, node.calls) || 'no aggregate'}`;
    case 'GroupWindowAggregate':
      return `a legacy ${node.window.type} window of ${node.window.size} µs${node.window.slide === undefined ? '' : ` by ${node.window.slide} µs`} on ${fieldsOf(node.input, [node.window.timeField])} GROUP BY (${fieldsOf(node.input, node.groupKeys)}) with ${calls(node.input, node.calls) || 'no aggregate'}`;
    case 'WindowRank': {
      const spec = node.spec;
      const order = spec.orderKeys.map((o) => `${fieldsOf(node.input, [o.field])} ${o.descending ? 'DESC' : 'ASC'}`);
      return `ROW_NUMBER per window over (${fieldsOf(node.input, spec.partitionKeys)}) by (${order.join(', ')}) in ${spec.rankStart}..${spec.rankEnd}`;
    }
    case 'WindowDeduplicate':
      return `the ${node.spec.keepLastRow ? 'last' : 'first'} row per window of (${fieldsOf(node.input, node.spec.keys)}) by ${fieldsOf(node.input, [node.spec.timeField])}`;
    case 'Sink':
      return `sink ${node.table.name} (${node.columns.join(', ')})${node.sinkKey ? ` keyed by (${node.sinkKey.map((i) => node.columns[i]).join(', ')})` : ''}`;
    case 'Calc':
    case 'Expand':
    case 'WatermarkAssigner':
    case 'WindowTableFunction':
    case 'LookupJoin':
    case 'Union':
    case 'Values':
      return undefined;
  }
}
