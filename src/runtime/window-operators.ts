import { GroupWindowAggregateOperator, rowTime } from '../exec/group-window.ts';
import type { Operator } from '../exec/operator.ts';
import { SessionWindowAggregateOperator, type SessionWindowSpec } from '../exec/session-window.ts';
import { WindowAggregateOperator, WindowTableFunctionOperator } from '../exec/window.ts';
import { WindowJoinOperator } from '../exec/window-join.ts';
import { WindowDeduplicateOperator, WindowRankOperator } from '../exec/window-rank.ts';
import type { WindowTime } from '../exec/window-time.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type {
  GroupWindowAggregate,
  PlanNode,
  WindowAggregate,
  WindowDeduplicate,
  WindowJoin,
  WindowRank,
  WindowTableFunction,
} from '../plan/nodes.ts';
import { windowTvfBelow } from '../plan/window-columns.ts';
import type { DataType } from '../types/data-type.ts';
import { epochMillis, type TimeValue } from '../types/time-value.ts';

export type WindowNode = WindowTableFunction | WindowAggregate | GroupWindowAggregate | WindowRank | WindowDeduplicate;

/** How windows on a time attribute of `type` read time: TIMESTAMP_LTZ windows are aligned in the session time zone. */
function windowTime(kind: WindowTime['kind'], type: DataType | undefined, env: EvalEnv): WindowTime {
  return { kind, zone: type?.kind === 'TIMESTAMP_LTZ' ? env.timeZone : undefined };
}

/** How the windows of the window TVF below `node` read time. */
function tvfTime(node: PlanNode, env: EvalEnv): WindowTime {
  const tvf = windowTvfBelow(node);
  if (!tvf) throw new Error(`${node.kind} reads a window table function`);
  return windowTime(tvf.window.timeKind, tvf.input.fields[tvf.window.timeField]?.type, env);
}

/** Whether a restart must rebuild the node's state by replay: event-time windows (processing time is gone). */
export function windowStateful(node: WindowNode): boolean {
  return node.kind !== 'WindowTableFunction' && node.window.timeKind === 'ROWTIME';
}

/**
 * The operator that runs a window node, as a job runs it (and the operator fixtures drive it).
 * `replaying` tells processing-time operators that the rows are re-read after a restart.
 */
export function windowOperator(node: WindowNode, env: EvalEnv, replaying: () => boolean = () => false): Operator {
  const inputTypes = node.input.fields.map((f) => f.type);
  switch (node.kind) {
    case 'WindowTableFunction':
      return new WindowTableFunctionOperator(node.window, tvfTime(node, env), env, replaying);
    case 'WindowAggregate': {
      const time = tvfTime(node, env);
      if (node.window.type !== 'SESSION')
        return new WindowAggregateOperator(node.groupKeys, node.windowEndKey, node.calls, inputTypes, time);
      const windowKeys = new Map<number, 'start' | 'end' | 'time'>([
        [node.windowStartKey, 'start'],
        [node.windowEndKey, 'end'],
        ...(node.windowTimeKey !== undefined ? [[node.windowTimeKey, 'time'] as const] : []),
      ]);
      const partitionKeys = node.groupKeys.filter((_, i) => !windowKeys.has(i));
      let partition = 0;
      const spec: SessionWindowSpec = {
        partitionKeys,
        gap: node.window.size / 1000,
        calls: node.calls,
        layout: { kind: 'windowKeys', keys: node.groupKeys.map((_, i) => windowKeys.get(i) ?? partition++) },
      };
      // The window TVF gives each row of a SESSION the window [time, time + gap): its start is the row's time.
      const start = node.groupKeys[node.windowStartKey] as number;
      return new SessionWindowAggregateOperator(spec, inputTypes, time, env, (row) =>
        row[start] == null ? null : epochMillis(row[start] as TimeValue),
      );
    }
    case 'GroupWindowAggregate': {
      const window = node.window;
      const time = windowTime(window.timeKind, node.input.fields[window.timeField]?.type, env);
      if (window.type !== 'SESSION')
        return new GroupWindowAggregateOperator(
          { window, groupKeys: node.groupKeys, calls: node.calls, properties: node.properties },
          inputTypes,
          time,
          env,
          replaying,
        );
      const spec: SessionWindowSpec = {
        partitionKeys: node.groupKeys,
        gap: window.size / 1000,
        calls: node.calls,
        layout: { kind: 'properties', properties: node.properties },
      };
      return new SessionWindowAggregateOperator(spec, inputTypes, time, env, rowTime(window, time, env), replaying);
    }
    case 'WindowRank':
      return new WindowRankOperator(node.spec, tvfTime(node, env));
    case 'WindowDeduplicate':
      return new WindowDeduplicateOperator(node.spec, tvfTime(node, env));
  }
}

/** The operator of a window join: both sides' windows are the same and on event time (the planner checks). */
export function windowJoinOperator(node: WindowJoin, env: EvalEnv): Operator {
  return new WindowJoinOperator(
    {
      type: node.type,
      windowEnds: [node.leftWindow.windowEnd, node.rightWindow.windowEnd],
      leftKeys: node.leftKeys,
      rightKeys: node.rightKeys,
      ...(node.nullSafe ? { nullSafe: node.nullSafe } : {}),
      widths: [node.left.fields.length, node.right.fields.length],
      ...(node.residual ? { residual: node.residual } : {}),
    },
    tvfTime(node.left, env),
    env,
  );
}
