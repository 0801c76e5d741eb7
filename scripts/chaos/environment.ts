/**
 * What one chaos run stands on: the source and the sink PostgreSQL (a server each, with a proxy in
 * front of the sink), an Apache Kafka broker when the run uses the Kafka log, and the
 * engine: `rivulet up` as a user starts it, in a process group of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { EmbeddedPostgres } from '../../src/embedded/postgres-server.ts';
import { isProcessAlive, waitForExit } from '../../src/embedded/process-alive.ts';
import { FAULT_INJECTION_ENV } from '../../src/server/fault-injection.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'rivulet.js');
const HERE = join(ROOT, 'scripts', 'chaos');
const EXAMPLE = join(ROOT, 'examples', 'ecommerce');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A PostgreSQL server of the run's own, holding one database made from SQL files. */
export class DatabaseServer {
  private constructor(
    private server: EmbeddedPostgres,
    readonly port: number,
    private readonly dataDir: string,
    readonly database: string,
  ) {}

  static async start(dir: string, database: string, files: readonly string[]): Promise<DatabaseServer> {
    const port = await freeLoopbackPort();
    const dataDir = join(dir, database);
    const server = await EmbeddedPostgres.start({ dataDir, port });
    const created = new DatabaseServer(server, port, dataDir, database);
    await run(created.url('postgres'), `CREATE DATABASE ${database}`);
    for (const file of files) await run(created.url(database), readFileSync(file, 'utf8'));
    return created;
  }

  /** source_db of the example, with the tables and the order history of the chaos suite. */
  static source(dir: string): Promise<DatabaseServer> {
    return DatabaseServer.start(dir, 'source_db', [
      join(EXAMPLE, 'databases', 'source_db.sql'),
      join(HERE, 'source-extra.sql'),
    ]);
  }

  /** sink_db of the example, with the tables of the chaos suite's second pipeline. */
  static sink(dir: string): Promise<DatabaseServer> {
    return DatabaseServer.start(dir, 'sink_db', [
      join(EXAMPLE, 'databases', 'sink_db.sql'),
      join(HERE, 'sink-extra.sql'),
    ]);
  }

  url(database = this.database): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A fast shutdown (every session ends, the walsenders too), then a start on the same port and data. */
  async restart(downMs: number): Promise<void> {
    await this.server.stop();
    await sleep(downMs);
    this.server = await EmbeddedPostgres.start({ dataDir: this.dataDir, port: this.port });
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}

interface JobOverview {
  readonly jid: string;
  readonly name: string;
  readonly state: string;
}

/** `rivulet up` on one data directory, started again after each kill. */
export class Engine {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly logFile: string;
  readonly dataDir: string;
  private restPort = 0;
  private pgPort = 0;

  constructor(
    dir: string,
    private readonly extraArgs: readonly string[],
  ) {
    this.dataDir = join(dir, 'engine');
    this.logFile = join(dir, 'engine.log');
  }

  /** The `rivulet up` process (its embedded PostgreSQL is among its children), while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.restPort}`;
  }

  /** Starts `rivulet up` and waits for "Ready"; the same ports each time unless one was taken meanwhile. */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.restPort === 0 || attempt > 1) this.restPort = await freeLoopbackPort();
      if (this.pgPort === 0 || attempt > 1) this.pgPort = await freeLoopbackPort();
      const offset = existsSync(this.logFile) ? readFileSync(this.logFile).length : 0;
      const out = openSync(this.logFile, 'a');
      const args = ['up', '--data-dir', this.dataDir, '--port', `${this.restPort}`, '--pg-port', `${this.pgPort}`];
      // Fault injection on: the kill-worker scenario asks the engine to crash one of its workers.
      const child = spawn(process.execPath, [BIN, ...args, ...this.extraArgs], {
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, [FAULT_INJECTION_ENV]: '1' },
      });
      closeSync(out);
      this.child = child;
      this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
      const deadline = Date.now() + 90_000;
      for (;;) {
        const output = readFileSync(this.logFile, 'utf8').slice(offset);
        if (/Ready in [\d.]+ s/.test(output)) return;
        if (child.exitCode !== null || Date.now() > deadline) {
          if (/PORT_IN_USE/.test(output) && attempt < 3) break;
          throw new Error(`rivulet up did not start:\n${this.tail()}`);
        }
        await sleep(50);
      }
    }
  }

  private postmasterPid(): number | undefined {
    const file = join(this.dataDir, 'postgres', 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) ? pid : undefined;
  }

  /** SIGKILL of the engine's process group and of its embedded PostgreSQL's (the whole instance). */
  async killInstance(): Promise<void> {
    const postmaster = this.postmasterPid();
    // Without it the fault would be kill-engine's: the server is detached, in a group of its own.
    if (postmaster === undefined) throw new Error(`no running embedded PostgreSQL in ${this.dataDir}`);
    if (this.child?.pid) process.kill(-this.child.pid, 'SIGKILL');
    process.kill(-postmaster, 'SIGKILL');
    await this.exited;
    await waitForExit(postmaster, 10_000);
  }

  /** SIGKILL of the engine alone: its embedded PostgreSQL lives on, orphaned, until the next start. */
  async killEngine(): Promise<void> {
    if (this.child?.pid) process.kill(this.child.pid, 'SIGKILL');
    await this.exited;
  }

  /** Ctrl-C; then whatever is left of the instance is killed. */
  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGINT');
      await Promise.race([this.exited, sleep(20_000)]);
    }
    if (this.child?.exitCode === null && this.child.signalCode === null && this.child.pid)
      process.kill(-this.child.pid, 'SIGKILL');
    const postmaster = this.postmasterPid();
    if (postmaster) {
      process.kill(postmaster, 'SIGINT');
      if (!(await waitForExit(postmaster, 15_000))) process.kill(-postmaster, 'SIGKILL');
    }
  }

  private token(): string {
    return readFileSync(join(this.dataDir, 'rest-token'), 'utf8').trim();
  }

  /** POST /sql as `rivulet sql -f` does. */
  async submit(name: string, script: string, variables: Record<string, string>): Promise<void> {
    const response = await fetch(`${this.restUrl}/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token()}` },
      body: JSON.stringify({ name, script, variables }),
    });
    if (!response.ok) throw new Error(`submitting ${name}: HTTP ${response.status} ${await response.text()}`);
  }

  /** POST /workers/:n/crash: worker n ends on an uncaught error; resolves once the next one has started, with its jobs. */
  async crashWorker(worker: number): Promise<readonly string[]> {
    const response = await fetch(`${this.restUrl}/workers/${worker}/crash`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token()}` },
    });
    if (!response.ok) throw new Error(`crashing worker ${worker}: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as { jobs: string[] }).jobs;
  }

  async jobs(): Promise<JobOverview[]> {
    const response = await fetch(`${this.restUrl}/jobs/overview`);
    return ((await response.json()) as { jobs: JobOverview[] }).jobs;
  }

  async failureOf(jid: string): Promise<string> {
    const detail = (await (await fetch(`${this.restUrl}/jobs/${jid}`)).json()) as { 'failure-cause'?: string };
    return detail['failure-cause'] ?? 'no cause given';
  }

  tail(lines = 30): string {
    if (!existsSync(this.logFile)) return '';
    return readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  }
}

export const EXAMPLE_DIR = EXAMPLE;
export const CHAOS_DIR = HERE;
