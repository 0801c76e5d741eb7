import type { WindowSpec } from '../exec/window.ts';
import { SqlError } from '../sql/sql-error.ts';
import type { PlanNode, WindowJoinSide } from './nodes.ts';
import type { PlanContext } from './relation.ts';
import { type WindowColumn, windowColumnOf } from './window-columns.ts';

/** The window parts of a window join's condition, and the key pairs left besides them. */
export interface WindowJoinKeys {
  readonly leftWindow: WindowJoinSide;
  readonly rightWindow: WindowJoinSide;
  readonly leftKeys: number[];
  readonly rightKeys: number[];
  readonly nullSafe: boolean[];
}

function sameWindows(a: WindowSpec, b: WindowSpec): boolean {
  return a.type === b.type && a.size === b.size && a.slide === b.slide && (a.offset ?? 0) === (b.offset ?? 0);
}

/**
 * Whether a join's key pairs hold `L.window_start = R.window_start` and `L.window_end =
 * R.window_end` of the same window on both sides (window TVF columns, read directly or through
 * Calcs and window aggregates): then it is Flink's WindowJoin, and these are its windows and other
 * keys. Undefined otherwise, or when the two sides' windows differ: a regular join, as in Flink.
 */
export function windowJoinKeys(
  left: PlanNode,
  right: PlanNode,
  leftKeys: readonly number[],
  rightKeys: readonly number[],
  nullSafe: readonly boolean[],
  at: number,
  ctx: PlanContext,
): WindowJoinKeys | undefined {
  const pairs: Partial<Record<WindowColumn, { left: number; right: number }>> = {};
  const rest = { leftKeys: [] as number[], rightKeys: [] as number[], nullSafe: [] as boolean[] };
  let windows: [WindowSpec, WindowSpec] | undefined;
  leftKeys.forEach((l, i) => {
    const r = rightKeys[i] as number;
    const a = windowColumnOf(left, l);
    const b = windowColumnOf(right, r);
    const column = a && b && a.column === b.column && a.column !== 'time' ? a.column : undefined;
    if (a && b && column && pairs[column] === undefined && (!windows || windows[0] === a.tvf.window)) {
      pairs[column] = { left: l, right: r };
      windows = [a.tvf.window, b.tvf.window];
      return;
    }
    rest.leftKeys.push(l);
    rest.rightKeys.push(r);
    rest.nullSafe.push(nullSafe[i] ?? false);
  });
  if (!pairs.start || !pairs.end || !windows) return undefined;
  const [leftSpec, rightSpec] = windows;
  if (!sameWindows(leftSpec, rightSpec)) return undefined;
  if (leftSpec.type === 'SESSION') {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      at,
      'a window join over SESSION windows is not supported',
      'as in Flink 1.18: a window join reads TUMBLE, HOP or CUMULATE windows',
    );
  }
  if (leftSpec.timeKind === 'PROCTIME' || rightSpec.timeKind === 'PROCTIME') {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      at,
      'Processing time Window Join is not supported yet (as in Flink 1.18)',
      'put both window TVFs on an event-time attribute (a column with a WATERMARK)',
    );
  }
  return {
    ...rest,
    leftWindow: { window: leftSpec, windowStart: pairs.start.left, windowEnd: pairs.end.left },
    rightWindow: { window: rightSpec, windowStart: pairs.start.right, windowEnd: pairs.end.right },
  };
}
