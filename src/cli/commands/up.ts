import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { publishInstance, withdrawInstance } from '../../embedded/instance.ts';
import type { EmbeddedPostgres } from '../../embedded/postgres-server.ts';
import { createDatabaseIfMissing, type SeededDatabase, seedDatabases } from '../../embedded/seed.ts';
import { Workspace } from '../../embedded/workspace.ts';
import { PostgresLog } from '../../log/postgres/postgres-log.ts';
import { Engine } from '../../runtime/engine.ts';
import { startRestServer } from '../../server/rest.ts';
import { portOption } from '../options.ts';

interface UpOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly pgPort: number;
  readonly example?: string;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start Rivulet: the embedded PostgreSQL, and with --example its databases')
    .option('--data-dir <dir>', 'where Rivulet keeps its data', '.rivulet')
    .option('--port <port>', 'port of the REST API on 127.0.0.1', portOption('--port'), 8081)
    .option('--pg-port <port>', 'port of the embedded PostgreSQL on 127.0.0.1', portOption('--pg-port'), 5433)
    .option('--example <dir>', 'create the databases of this example (its databases/<name>.sql) on first start')
    .action((options: UpOptions) => up(options));
}

async function up(options: UpOptions): Promise<void> {
  const startedAt = performance.now();
  const workspace = await Workspace.acquire(options.dataDir);
  let server: EmbeddedPostgres | undefined;
  let engine: Engine | undefined;
  let rest: Server | undefined;
  try {
    server = await workspace.startPostgres(options.pgPort);
    const databases = options.example ? await seedDatabases(server, databasesDir(options.example)) : [];
    const logUrl = await prepareLog(server);
    engine = new Engine(await PostgresLog.open(logUrl));
    rest = await startRestServer(engine, options.port).catch((cause: NodeJS.ErrnoException) => {
      throw cause.code === 'EADDRINUSE'
        ? new RivuletError(
            'PORT_IN_USE',
            `port ${options.port} on 127.0.0.1 is already in use by another program`,
            'stop that program, or choose another port with --port',
          )
        : cause;
    });
    const restUrl = `http://127.0.0.1:${options.port}`;
    publishInstance(workspace.dir, { pid: process.pid, logUrl, postgresPort: server.port, restUrl });
    printReady(server, workspace, databases, logUrl, restUrl, performance.now() - startedAt);
  } catch (error) {
    rest?.close();
    await engine?.close();
    await engine?.log.close();
    await server?.stop();
    workspace.release();
    throw error;
  }
  await untilStopRequested();
  process.stdout.write('\nStopping… ');
  withdrawInstance(workspace.dir);
  rest.close();
  await engine.close();
  await engine.log.close();
  await server.stop();
  workspace.release();
  process.stdout.write('stopped.\n');
}

/** The log lives in its own database of the embedded server, `rivulet`. */
async function prepareLog(server: EmbeddedPostgres): Promise<string> {
  await createDatabaseIfMissing(server, 'rivulet');
  const url = server.url('rivulet');
  const log = await PostgresLog.open(url, { maintenanceIntervalMs: 0 });
  await log.close();
  return url;
}

function databasesDir(example: string): string {
  const dir = join(example, 'databases');
  return existsSync(dir) ? dir : example;
}

function printReady(
  server: EmbeddedPostgres,
  workspace: Workspace,
  databases: readonly SeededDatabase[],
  logUrl: string,
  restUrl: string,
  elapsedMs: number,
): void {
  const where = relative(process.cwd(), workspace.dir) || '.';
  const lines = [
    `PostgreSQL ${server.version} (embedded) on ${server.host}:${server.port}, data in ${where}/`,
    ...databases.map(
      (db) =>
        `  ${db.name.padEnd(10)} ${server.url(db.name)}   ${db.created ? `created from ${relative(process.cwd(), db.file)}` : 'already there, kept as it was'}`,
    ),
  ];
  lines.push(`  log        ${logUrl}   (topics: npx rivulet topics)`);
  lines.push(`REST API on ${restUrl} (jobs: npx rivulet list; submit: npx rivulet sql -f FILE)`);
  if (databases.length > 0) {
    lines.push('Open psql on them:', ...databases.map((db) => `  psql ${server.url(db.name)}`));
  }
  lines.push(`Ready in ${(elapsedMs / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function untilStopRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve(signal));
  });
}
