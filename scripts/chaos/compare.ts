import pg from 'pg';
import { type CheckedTable, compareWithOracle, type Difference } from '../../src/cli/validate/oracle-compare.ts';

export { type Difference, diffRows, totalDifferences } from '../../src/cli/validate/oracle-compare.ts';

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
    return await compareWithOracle(source, sink, tables);
  } finally {
    await source.end().catch(() => undefined);
    await sink.end().catch(() => undefined);
  }
}
