import type pg from 'pg';

/**
 * A sink table checked against PostgreSQL computing the same result over the source tables. Both
 * queries give text in the same shape (numbers as PostgreSQL prints them, timestamps as
 * 'YYYY-MM-DD HH24:MI:SS.MS'), compared by key.
 */
export interface CheckedTable {
  /** schema.table in sink_db. */
  readonly name: string;
  readonly key: readonly string[];
  /** Rows of the sink table, as text. */
  readonly sinkSql: string;
  /** The same columns computed from source_db. Both queries may use `$1`, the watermark's cutoff. */
  readonly oracleSql: string;
  /** The query over source_db whose `cutoff` is `$1`; WATERMARK_CUTOFF_SQL when not given. */
  readonly cutoffSql?: string;
}

/** An expected value that any actual value matches. */
export const ANY = '<any>';

/** Where the watermark of the append-only stream of order versions stands, less a margin (`$1`). */
export const WATERMARK_CUTOFF_SQL = `SELECT (max(updated_at) - interval '6 seconds')::text AS cutoff FROM business.order_versions`;

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
  /** The cutoff the queries were given, if they take one. */
  readonly cutoff?: string | null;
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

/** The `$1` of a table's queries, from the same snapshot of the source as its oracle. */
export async function cutoffOf(source: Pick<pg.Client, 'query'>, table: CheckedTable): Promise<string | null> {
  if (!table.sinkSql.includes('$1') && !table.oracleSql.includes('$1')) return null;
  return (
    (await source.query<{ cutoff: string | null }>(table.cutoffSql ?? WATERMARK_CUTOFF_SQL)).rows[0]?.cutoff ?? null
  );
}

/** Each sink table against its oracle, all oracle queries over one snapshot of the source. */
export async function compareWithOracle(
  source: pg.Client,
  sink: pg.Client,
  tables: readonly CheckedTable[],
): Promise<Difference[]> {
  await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const differences: Difference[] = [];
    for (const table of tables) {
      const cutoff = await cutoffOf(source, table);
      const params = (sql: string) => (sql.includes('$1') ? [cutoff] : []);
      const expected = (await source.query<Row>(table.oracleSql, params(table.oracleSql))).rows;
      const actual = (await sink.query<Row>(table.sinkSql, params(table.sinkSql))).rows;
      differences.push({ ...diffRows(table, actual, expected), cutoff });
    }
    return differences;
  } finally {
    await source.query('COMMIT');
  }
}

export const totalDifferences = (differences: readonly Difference[]) =>
  differences.reduce((sum, d) => sum + d.missing + d.extra + d.wrong, 0);
