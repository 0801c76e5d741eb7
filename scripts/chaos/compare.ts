import pg from 'pg';
import { ANY, type CheckedTable, WATERMARK_CUTOFF_SQL } from './oracle.ts';

type Row = Record<string, string | null>;

export interface Difference {
  readonly table: string;
  /** Rows the oracle computed. */
  readonly rows: number;
  /** Rows the oracle has and the sink lacks. */
  readonly missing: number;
  /** Rows the sink has and the oracle does not. */
  readonly extra: number;
  /** Rows under the same key with another value in some column. */
  readonly wrong: number;
  /** A few of them, for the report. */
  readonly examples: readonly string[];
}

export function diffRows(table: CheckedTable, actual: readonly Row[], expected: readonly Row[]): Difference {
  const keyOf = (row: Row) => table.key.map((column) => row[column]).join('|');
  const want = new Map(expected.map((row) => [keyOf(row), row]));
  if (want.size !== expected.length)
    throw new Error(`the oracle of ${table.name} gives ${expected.length - want.size} rows under a key it already has`);
  const examples: string[] = [];
  const note = (text: string) => {
    if (examples.length < 5) examples.push(`${table.name} ${text}`);
  };
  let extra = 0;
  let wrong = 0;
  const seen = new Set<string>();
  for (const row of actual) {
    const key = keyOf(row);
    seen.add(key);
    const expectedRow = want.get(key);
    if (!expectedRow) {
      extra++;
      note(`extra ${JSON.stringify(row)}`);
      continue;
    }
    const columns = Object.keys(expectedRow).filter(
      (column) => expectedRow[column] !== ANY && expectedRow[column] !== row[column],
    );
    if (columns.length > 0) {
      wrong++;
      note(`wrong ${key}: ${columns.map((c) => `${c}=${row[c]} (expected ${expectedRow[c]})`).join(', ')}`);
    }
  }
  let missing = 0;
  for (const [key, row] of want) {
    if (seen.has(key)) continue;
    missing++;
    note(`missing ${JSON.stringify(row)}`);
  }
  return { table: table.name, rows: expected.length, missing, extra, wrong, examples };
}

/** Each sink table against its oracle query over the source tables. */
export async function compareTables(
  sourceUrl: string,
  sinkUrl: string,
  tables: readonly CheckedTable[],
): Promise<Difference[]> {
  const source = new pg.Client({ connectionString: sourceUrl });
  const sink = new pg.Client({ connectionString: sinkUrl });
  await source.connect();
  await sink.connect();
  try {
    // One snapshot of the sources for every oracle query.
    await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const cutoff = (await source.query<{ cutoff: string }>(WATERMARK_CUTOFF_SQL)).rows[0]?.cutoff ?? null;
    const params = (sql: string) => (sql.includes('$1') ? [cutoff] : []);
    const differences: Difference[] = [];
    for (const table of tables) {
      const expected = (await source.query<Row>(table.oracleSql, params(table.oracleSql))).rows;
      const actual = (await sink.query<Row>(table.sinkSql, params(table.sinkSql))).rows;
      differences.push(diffRows(table, actual, expected));
    }
    await source.query('COMMIT');
    return differences;
  } finally {
    await source.end().catch(() => undefined);
    await sink.end().catch(() => undefined);
  }
}

export const totalDifferences = (differences: readonly Difference[]) =>
  differences.reduce((sum, d) => sum + d.missing + d.extra + d.wrong, 0);
