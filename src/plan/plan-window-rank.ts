import type { SortField } from '../exec/rank-buffer.ts';
import { SqlError } from '../sql/sql-error.ts';
import { isRowtime, T } from '../types/data-type.ts';
import { INSERT_ONLY } from './changelog.ts';
import type { Field, PlanNode, WindowTableFunction } from './nodes.ts';
import type { PlanContext } from './relation.ts';
import { windowColumnOf } from './window-columns.ts';

const RANK_FIELD = 'w0$o0';

/**
 * A ROW_NUMBER whose PARTITION BY holds window_start and window_end of one window TVF (read
 * directly or through a window aggregate): Flink's WindowRank, or its WindowDeduplicate for a
 * Top-1 ordered by one event-time attribute. Both emit each window's rows once, as inserts, when
 * the window ends. Undefined for any other partitioning (a regular Top-N).
 */
export function planWindowRank(
  input: PlanNode,
  partitionKeys: readonly number[],
  orderKeys: readonly SortField[],
  range: readonly [number, number] | { readonly field: number },
  outputRankNumber: boolean,
  at: number,
  ctx: PlanContext,
): PlanNode | undefined {
  let start: number | undefined;
  let end: number | undefined;
  let tvf: WindowTableFunction | undefined;
  for (const key of partitionKeys) {
    const source = windowColumnOf(input, key);
    if (!source || (tvf !== undefined && source.tvf !== tvf)) continue;
    if (source.column === 'start' && start === undefined) start = key;
    else if (source.column === 'end' && end === undefined) end = key;
    else continue;
    tvf = source.tvf;
  }
  if (start === undefined || end === undefined || tvf === undefined) return undefined;
  if (!Array.isArray(range)) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      at,
      `Rank strategy rankEnd=$${(range as { readonly field: number }).field} is not supported on window rank currently.`,
      'a window Top-N needs a constant rank end: rn <= N',
    );
  }
  const [rankStart, rankEnd] = range as readonly [number, number];
  const window = tvf.window;
  if (window.type === 'SESSION') {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      at,
      'a window Top-N or deduplication over SESSION windows is not supported',
      'as in Flink 1.18: TUMBLE, HOP and CUMULATE windows are',
    );
  }
  const first = orderKeys[0] as SortField;
  const orderType = input.fields[first.field]?.type;
  const rowtime = orderType !== undefined && isRowtime(orderType);
  if (rankStart === 1 && rankEnd === 1 && orderKeys.length === 1 && rowtime) {
    return {
      kind: 'WindowDeduplicate',
      input,
      window,
      windowStart: start,
      spec: { windowEnd: end, keys: partitionKeys, keepLastRow: first.descending, timeField: first.field },
      fields: input.fields,
      changelog: INSERT_ONLY,
      uniqueKey: partitionKeys,
    };
  }
  const fields: Field[] = outputRankNumber
    ? [...input.fields, { name: RANK_FIELD, type: T.bigint(false) }]
    : [...input.fields];
  const uniqueKey =
    rankStart === 1 && rankEnd === 1
      ? partitionKeys
      : outputRankNumber
        ? [...partitionKeys, input.fields.length]
        : undefined;
  return {
    kind: 'WindowRank',
    input,
    window,
    windowStart: start,
    spec: { windowEnd: end, partitionKeys, orderKeys, rankStart, rankEnd, outputRankNumber },
    fields,
    changelog: INSERT_ONLY,
    ...(uniqueKey ? { uniqueKey } : {}),
  };
}
