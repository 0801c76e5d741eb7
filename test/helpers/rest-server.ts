import type { Server } from 'node:http';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { startRestServer } from '../../src/server/rest.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from './postgres.ts';

/** An engine on a postgres log, with a database `sink` and a topic `events`, and its REST API. */
export interface RestTestServer {
  readonly pg: TestPostgres;
  readonly log: PostgresLog;
  readonly engine: Engine;
  readonly server: Server;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  dispose(): Promise<void>;
}

export async function startRestTestServer(token: string): Promise<RestTestServer> {
  const pg = await startTestPostgres();
  await (await pg.connect()).query('CREATE DATABASE sink');
  const log = await openTestLog(pg);
  await log.ensureTopic('events');
  const engine = new Engine(log);
  const port = await freeLoopbackPort();
  const server = await startRestServer(engine, port, { token });
  return {
    pg,
    log,
    engine,
    server,
    port,
    base: `http://127.0.0.1:${port}`,
    async dispose() {
      server.close();
      await engine.close();
      await log.close();
      await pg.dispose();
    },
  };
}
