import { RivuletError } from '../../src/common/errors.ts';
import type { CatalogEntry } from '../../src/expr/functions/flink-catalog.ts';
import { planScript } from '../../src/plan/planner.ts';

/** What planning an entry's example found: supported, refused by the planner, or not applicable here. */
export type EntryStatus =
  | { readonly kind: 'supported' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'not applicable'; readonly reason: string };

/** The table every example reads; `ts` is its rowtime. */
const TABLE = `CREATE TABLE t (
  k STRING, i INT, big BIGINT, d DECIMAL(10, 2), dbl DOUBLE, s STRING, js STRING, b BOOLEAN,
  ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3), dt DATE, tm TIME(0), bin BYTES,
  arr ARRAY<INT>, m MAP<STRING, INT>, r ROW<a INT, b STRING>,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');`;

/** The query an example is planned in. */
export function exampleQuery(entry: CatalogEntry): string {
  switch (entry.shape) {
    case 'scalar':
      return `SELECT ${entry.example} FROM t`;
    case 'aggregate':
      return `SELECT k, ${entry.example} FROM t GROUP BY k`;
    case 'query':
      return entry.example;
  }
}

/** Plans the entry's example with EXPLAIN, as `rivulet explain` would; the outcome is its status. */
export function entryStatus(entry: CatalogEntry): EntryStatus {
  try {
    planScript('functions.sql', `${TABLE}\nEXPLAIN ${exampleQuery(entry)};\n`, new Map(), {});
    return { kind: 'supported' };
  } catch (error) {
    if (entry.notApplicable) return { kind: 'not applicable', reason: entry.notApplicable };
    // An error that is not a RivuletError is a planner bug: still a refusal, shown as one.
    const code = error instanceof RivuletError ? error.code : 'INTERNAL';
    return { kind: 'refused', reason: `${code}: ${withoutLocation(String((error as Error).message))}` };
  }
}

/** The message without its `file:line:col: ` prefix, which only points into the generated script. */
function withoutLocation(message: string): string {
  return message.replace(/^functions\.sql:\d+:\d+: /, '').split('\n')[0] ?? '';
}
