import type { PlanNode, WindowTableFunction } from './nodes.ts';

export type WindowColumn = 'start' | 'end' | 'time';

/** Where a field comes from when it is a window column: the window TVF, and which column. */
export interface WindowColumnSource {
  readonly tvf: WindowTableFunction;
  readonly column: WindowColumn;
}

/**
 * Whether `field` of `node` is window_start, window_end or window_time of a window TVF: the TVF's
 * own columns, passed on unchanged through Calcs (filters included), or the group keys of a
 * window aggregate that groups by them.
 */
export function windowColumnOf(
  node: PlanNode,
  field: number,
  { throughAggregates = true } = {},
): WindowColumnSource | undefined {
  let current = node;
  let index = field;
  for (;;) {
    switch (current.kind) {
      case 'Calc': {
        const expr = current.projection[index];
        if (expr?.kind !== 'input') return undefined;
        index = expr.index;
        current = current.input;
        continue;
      }
      case 'Expand': {
        // A column every grouping set keeps (window_start and window_end of a window aggregate's sets).
        const kept = current.projects.every((project) => project[index]?.kind === 'input');
        if (!kept || index >= current.input.fields.length) return undefined;
        current = current.input;
        continue;
      }
      case 'WindowAggregate': {
        if (!throughAggregates || index >= current.groupKeys.length) return undefined;
        index = current.groupKeys[index] as number;
        current = current.input;
        continue;
      }
      case 'WindowTableFunction': {
        const width = current.fields.length;
        const column: WindowColumn | undefined =
          index === width - 3 ? 'start' : index === width - 2 ? 'end' : index === width - 1 ? 'time' : undefined;
        return column ? { tvf: current, column } : undefined;
      }
      default:
        return undefined;
    }
  }
}

/** The window TVF below a node that reads one (through Calcs, Expands, window aggregates and window ranks). */
export function windowTvfBelow(node: PlanNode): WindowTableFunction | undefined {
  let current = node;
  for (;;) {
    switch (current.kind) {
      case 'WindowTableFunction':
        return current;
      case 'Calc':
      case 'Expand':
      case 'WindowAggregate':
      case 'WindowRank':
      case 'WindowDeduplicate':
        current = current.input;
        continue;
      default:
        return undefined;
    }
  }
}

/** Whether the rows of `node` are those of a SESSION window TVF (through Calcs). */
export function readsSessionWindow(node: PlanNode): boolean {
  let current = node;
  while (current.kind === 'Calc') current = current.input;
  return current.kind === 'WindowTableFunction' && current.window.type === 'SESSION';
}
