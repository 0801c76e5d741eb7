import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { isRivuletError } from '../../src/common/errors.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { EmbeddedPostgres } from '../../src/embedded/postgres-server.ts';
import { PostgresLog } from '../../src/log/postgres/postgres-log.ts';

/** A throwaway PostgreSQL (wal_level=logical) on a free loopback port, removed by `dispose`. */
export interface TestPostgres {
  readonly server: EmbeddedPostgres;
  readonly dir: string;
  /** A connected client on `database`; closed by `dispose`. */
  connect(database?: string): Promise<pg.Client>;
  dispose(): Promise<void>;
}

/** A postgres log in a new database `rivulet` of the server, without background maintenance. */
export async function openTestLog(pg: TestPostgres): Promise<PostgresLog> {
  await (await pg.connect()).query('CREATE DATABASE rivulet');
  return PostgresLog.open(pg.server.url('rivulet'), { maintenanceIntervalMs: 0 });
}

export async function startTestPostgres(settings?: Record<string, string>): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-test-pg-'));
  chmodSync(dir, 0o711); // when we are root, the server runs as another OS user that must pass through
  const server = await startOnFreePort(join(dir, 'data'), settings).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const clients: pg.Client[] = [];
  return {
    server,
    dir,
    async connect(database = 'postgres') {
      const client = new pg.Client(server.connectionConfig(database));
      await client.connect();
      clients.push(client);
      return client;
    },
    async dispose() {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Another process may take the free port between the probe and the bind: try again then. */
async function startOnFreePort(dataDir: string, settings?: Record<string, string>): Promise<EmbeddedPostgres> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    try {
      return await EmbeddedPostgres.start({ dataDir, port, ...(settings ? { settings } : {}) });
    } catch (error) {
      if (!(isRivuletError(error) && error.code === 'PORT_IN_USE') || attempt >= 5) throw error;
    }
  }
}
