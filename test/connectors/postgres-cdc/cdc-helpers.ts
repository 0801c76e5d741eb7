import { PostgresCdcReader } from '../../../src/connectors/postgres-cdc/reader.ts';
import type { CdcTable } from '../../../src/connectors/postgres-cdc/settings.ts';
import type { Change } from '../../../src/exec/change.ts';
import { planScript } from '../../../src/plan/planner.ts';
import { buildGraph, sourceTable } from '../../../src/runtime/graph.ts';
import { resolveTimeZone } from '../../../src/types/temporal.ts';
import type { TestPostgres } from '../../helpers/postgres.ts';

/**
 * The postgres-cdc table of `CREATE TABLE src (<columns>) WITH (<options>)` on the test server,
 * with more options appended as `'key' = 'value'` pairs.
 */
export function cdcTable(pg: TestPostgres, columns: string, options: Record<string, string>): CdcTable {
  const withOptions = Object.entries({
    connector: 'postgres-cdc',
    hostname: '127.0.0.1',
    port: String(pg.server.port),
    username: 'postgres',
    password: 'secret-password',
    'database-name': 'cdc',
    'schema-name': 'public',
    ...options,
  })
    .map(([key, value]) => `'${key}' = '${value}'`)
    .join(', ');
  const script = planScript(
    'cdc.sql',
    `CREATE TABLE src (${columns}) WITH (${withOptions});
     CREATE TABLE out (${columns.replace(/\s+METADATA FROM '[^']*'( VIRTUAL)?/g, '')}) WITH ('connector' = 'upsert-kafka', 'topic' = 'out', 'key.format' = 'json', 'value.format' = 'json', 'properties.bootstrap.servers' = 'x');
     INSERT INTO out SELECT * FROM src;`,
    new Map(),
    {},
  );
  const job = script.jobs[0];
  if (!job) throw new Error('no job');
  const graph = buildGraph(job.sinks, { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 });
  const scan = graph.sources[0]?.scan;
  if (!scan) throw new Error('no source');
  return { ...sourceTable(scan), columns: scan.columns };
}

/** Polls until `count` changes arrived and the reader is at a commit point. */
export async function readChanges(reader: PostgresCdcReader, count: number, timeoutMs = 20_000): Promise<Change[]> {
  const out: Change[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count || !reader.atCommitPoint) {
    if (Date.now() > deadline) throw new Error(`timed out with ${out.length} of ${count} changes`);
    out.push(...(await reader.poll(5000, 100)));
  }
  return out;
}

/** Renders changes as `+I(1, a)` lines. */
export function render(changes: readonly Change[]): string[] {
  return changes.map(
    (c) =>
      `${c.kind}(${c.row
        .map((v) =>
          v === null
            ? 'NULL'
            : v instanceof Uint8Array
              ? Buffer.from(v).toString('hex')
              : Array.isArray(v)
                ? `[${v.join(',')}]`
                : String(v),
        )
        .join(', ')})`,
  );
}

export { PostgresCdcReader };
