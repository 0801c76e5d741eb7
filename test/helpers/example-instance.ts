import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { databaseUrl } from '../../src/cli/support.ts';
import { findInstance } from '../../src/embedded/instance.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { CliProcess } from './cli.ts';

/** One query on a fresh connection. */
export async function query(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** `rivulet up --example examples/ecommerce` in a temp dir on free ports, with the seed's orders in the sink. */
export interface ExampleInstance {
  readonly dataDir: string;
  readonly up: CliProcess;
  /** Connection URLs with the embedded server's password (from the data directory's pgpass). */
  readonly sourceUrl: string;
  readonly sinkUrl: string;
  /** Stops the instance (Ctrl-C) and removes its directory. */
  stop(): Promise<void>;
}

export async function startExampleInstance(): Promise<ExampleInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-instance-'));
  chmodSync(dir, 0o711);
  const dataDir = join(dir, 'data');
  const up = new CliProcess([
    'up',
    '--example',
    'examples/ecommerce',
    '--data-dir',
    dataDir,
    '--pg-port',
    String(await freeLoopbackPort()),
    '--port',
    String(await freeLoopbackPort()),
  ]);
  const stop = async () => {
    if (up.child.exitCode === null) {
      up.child.kill('SIGINT');
      await up.done;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await up.waitFor(/Ready in [\d.]+ s/);
    const instance = findInstance(dataDir);
    const sinkUrl = databaseUrl(instance, 'sink_db');
    const sourceUrl = databaseUrl(instance, 'source_db');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await query(sinkUrl, 'SELECT count(*)::int AS n FROM result.orders_with_user_info');
      if (row?.n === 5) break;
      assert.ok(Date.now() < deadline, `the sink has ${row?.n} orders`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { dataDir, up, sourceUrl, sinkUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
