import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { RivuletError } from '../common/errors.ts';
import { underBatchScheduling } from './batch-scheduling.ts';
import { findPostgresBinaries } from './binaries.ts';
import { isPortTaken } from './ports.ts';
import { isProcessAlive } from './process-alive.ts';
import { type ServerUser, serverUserFor } from './server-user.ts';

export interface EmbeddedPostgresOptions {
  /** The cluster directory (PGDATA); created with initdb when it holds no cluster yet. */
  readonly dataDir: string;
  readonly port: number;
  /** Where the server writes its log; defaults to `<dataDir>.log`. */
  readonly logFile?: string;
  /** Extra server settings, passed as `-c name=value`. */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * The superuser's password. With one, every connection must give it (SCRAM, on loopback only);
   * without, loopback connections are trusted, which only throwaway servers (tests, benchmarks) do.
   */
  readonly password?: string;
}

export const SERVER_HOST = '127.0.0.1';
export const SUPERUSER = 'postgres';

/**
 * Settings every embedded server runs with: loopback only, no Unix socket (the data directory may
 * not be writable for a socket), logical decoding, and room for one slot and WAL sender per source
 * table of several pipelines.
 */
const BASE_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: SERVER_HOST,
  unix_socket_directories: '',
  wal_level: 'logical',
  max_replication_slots: '64',
  max_wal_senders: '64',
  max_connections: '200',
};

const READY_TIMEOUT_MS = 60_000;
const running = new Set<EmbeddedPostgres>();

// A server must not outlive the process that started it by accident: on exit, ask each for a fast
// shutdown. (A SIGKILLed parent cannot do this; the next start handles that case.)
process.on('exit', () => {
  for (const server of running) server.signal('SIGINT');
});

/** A PostgreSQL server from the npm-packaged binaries, run as a child process on loopback. */
export class EmbeddedPostgres {
  readonly port: number;
  readonly host = SERVER_HOST;
  readonly dataDir: string;
  readonly logFile: string;
  /** The server's version, known once it accepts connections. */
  version = '';
  /** The superuser's password; undefined for a server that trusts loopback connections. */
  readonly password: string | undefined;
  readonly createdCluster: boolean;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  private constructor(init: {
    options: EmbeddedPostgresOptions;
    logFile: string;
    createdCluster: boolean;
    child: ChildProcess;
    exited: Promise<void>;
  }) {
    this.port = init.options.port;
    this.password = init.options.password;
    this.dataDir = init.options.dataDir;
    this.logFile = init.logFile;
    this.createdCluster = init.createdCluster;
    this.child = init.child;
    this.exited = init.exited;
  }

  /** initdb when needed, then start the server and wait until it accepts connections. */
  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const binaries = await findPostgresBinaries();
    const user = serverUserFor(options.dataDir);
    const logFile = options.logFile ?? `${options.dataDir}.log`;
    assertDataDirFree(options.dataDir);
    if (await isPortTaken(SERVER_HOST, options.port)) throw portInUse(options.port);
    const createdCluster = !existsSync(`${options.dataDir}/PG_VERSION`);
    if (createdCluster) initCluster(binaries.initdb, options.dataDir, user);
    const settings = Object.entries({ ...BASE_SETTINGS, ...options.settings }).flatMap(([name, value]) => [
      '-c',
      `${name}=${value}`,
    ]);
    if (options.password !== undefined) {
      requirePassword(binaries.postgres, options.dataDir, settings, user, options.password);
    }

    const logFd = openSync(logFile, 'a');
    const logStart = statSync(logFile).size;
    const args = ['-D', options.dataDir, '-p', String(options.port), ...settings];
    const [command, commandArgs] = underBatchScheduling(binaries.postgres, args);
    const child = spawn(command, commandArgs, {
      detached: true, // Ctrl-C in the terminal reaches us only; we stop the server in order
      stdio: ['ignore', logFd, logFd],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    closeSync(logFd);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
    spawnFailed.catch(() => undefined);

    const server = new EmbeddedPostgres({ options, logFile, createdCluster, child, exited });
    running.add(server);
    exited.then(() => running.delete(server));
    try {
      server.version = await Promise.race([
        waitUntilAccepting(options.port, options.password),
        spawnFailed,
        exited.then(() => {
          throw startFailure(options, readFrom(logFile, logStart));
        }),
      ]);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** A libpq connection URI for a database on this server, to show: without the password. */
  url(database: string): string {
    return `postgresql://${SUPERUSER}@${this.host}:${this.port}/${database}`;
  }

  /** The connection URI with the password, to connect with; never to be shown. */
  connectionUrl(database: string): string {
    if (this.password === undefined) return this.url(database);
    return `postgresql://${SUPERUSER}:${encodeURIComponent(this.password)}@${this.host}:${this.port}/${database}`;
  }

  connectionConfig(database: string): pg.ClientConfig {
    return {
      host: this.host,
      port: this.port,
      user: SUPERUSER,
      database,
      ...(this.password !== undefined ? { password: this.password } : {}),
    };
  }

  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** Fast shutdown (SIGINT); immediate shutdown (SIGQUIT) if it takes longer than `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    this.signal('SIGINT');
    const inTime = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, graceMs, false).unref()),
    ]);
    if (!inTime) {
      this.signal('SIGQUIT');
      await this.exited;
    }
  }
}

function initCluster(initdb: string, dataDir: string, user: ServerUser | undefined): void {
  const staging = `${dataDir}.initdb`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  mkdirSync(staging, { mode: 0o700 });
  if (user) chownSync(staging, user.uid, user.gid);
  const result = spawnSync(
    initdb,
    ['-D', staging, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-instructions'],
    { encoding: 'utf8', ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { ...process.env, LC_MESSAGES: 'C' } },
  );
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const output = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim();
    throw new RivuletError('PG_INITDB_FAILED', `initdb failed for ${dataDir}: ${output}`);
  }
  // Only a complete cluster gets the real name, so a crash during initdb never leaves half a cluster.
  renameSync(staging, dataDir);
}

/** Who may connect: the superuser with its password over loopback TCP, nobody else, nothing else. */
const PASSWORD_HBA = `# Written by Rivulet at every start: password (SCRAM) on loopback only; there is no Unix socket.
# TYPE  DATABASE     USER  ADDRESS       METHOD
host    all          all   127.0.0.1/32  scram-sha-256
host    replication  all   127.0.0.1/32  scram-sha-256
`;

/**
 * Gives the superuser `password` (in single-user mode, before the server listens) and makes the
 * server ask every client for it. Done at every start, so a cluster made before passwords (trusting
 * loopback), or one whose password file was replaced, takes the current password.
 */
function requirePassword(
  postgres: string,
  dataDir: string,
  settings: readonly string[],
  user: ServerUser | undefined,
  password: string,
): void {
  if (/[\n\0]/.test(password)) {
    throw new RivuletError('PG_PASSWORD_INVALID', "the embedded server's password holds a line break or NUL");
  }
  const literal = `'${password.replaceAll("'", "''")}'`;
  // The server's settings too: with replication slots, a single-user backend also needs wal_level=logical.
  const result = spawnSync(postgres, ['--single', '-D', dataDir, ...settings, 'postgres'], {
    input: `ALTER ROLE ${SUPERUSER} PASSWORD ${literal}\n`,
    encoding: 'utf8',
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const failed = /\b(?:ERROR|FATAL|PANIC):/.exec(result.stderr ?? '');
  if (result.status !== 0 || failed) {
    const output = `${result.stderr ?? ''}${result.error?.message ?? ''}`
      .split('\n')
      .filter((line) => /ERROR|FATAL|PANIC|error/.test(line) && !line.includes(password))
      .join('\n    ');
    throw new RivuletError(
      'PG_START_FAILED',
      `could not set the password of the embedded server in ${dataDir}:\n    ${output || `exit status ${result.status}`}`,
      'is another PostgreSQL using this data directory? Stop it and start again',
    );
  }
  const hba = join(dataDir, 'pg_hba.conf');
  writeFileSync(hba, PASSWORD_HBA, { mode: 0o600 });
  if (user) chownSync(hba, user.uid, user.gid);
}

function assertDataDirFree(dataDir: string): void {
  const pidFile = `${dataDir}/postmaster.pid`;
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) throw dataDirInUse(dataDir, pid);
}

/** Resolves with the server's version once it accepts connections. */
async function waitUntilAccepting(port: number, password: string | undefined): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const client = new pg.Client({
      host: SERVER_HOST,
      port,
      user: SUPERUSER,
      database: 'postgres',
      ...(password !== undefined ? { password } : {}),
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const result = await client.query<{ server_version: string }>('SHOW server_version');
      await client.end();
      return result.rows[0]?.server_version ?? 'unknown';
    } catch (error) {
      await client.end().catch(() => undefined);
      // 28xxx: invalid authorization; waiting does not change the password.
      if (String((error as { code?: unknown }).code).startsWith('28')) {
        throw new RivuletError(
          'PG_AUTH_FAILED',
          `the embedded PostgreSQL on ${SERVER_HOST}:${port} refused its password: ${(error as Error).message}`,
          'another server may listen on this port; choose another with --pg-port',
        );
      }
      if (Date.now() > deadline) {
        throw new RivuletError(
          'PG_START_TIMEOUT',
          `PostgreSQL on ${SERVER_HOST}:${port} did not accept connections within ${READY_TIMEOUT_MS / 1000} s: ${(error as Error).message}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  }
}

function readFrom(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

function startFailure(options: EmbeddedPostgresOptions, log: string): RivuletError {
  if (/lock file "postmaster\.pid" already exists/.test(log)) {
    const pid = Number(/Is another postmaster \(PID (\d+)\)/.exec(log)?.[1]);
    return dataDirInUse(options.dataDir, Number.isInteger(pid) ? pid : undefined);
  }
  if (/could not bind .* socket: Address already in use/.test(log)) return portInUse(options.port);
  if (/database files are incompatible with server/.test(log)) {
    return new RivuletError(
      'PG_VERSION_MISMATCH',
      `the cluster in ${options.dataDir} was made by another PostgreSQL major version`,
      'start with another --data-dir, or remove that directory to start afresh (its data is lost)',
    );
  }
  const lastLines = log.trim().split('\n').slice(-5).join('\n    ');
  return new RivuletError(
    'PG_START_FAILED',
    `PostgreSQL exited while starting:\n    ${lastLines}`,
    `see ${options.logFile ?? `${options.dataDir}.log`}`,
  );
}

function dataDirInUse(dataDir: string, pid: number | undefined): RivuletError {
  const holder = pid ? `a running PostgreSQL (pid ${pid})` : 'a running PostgreSQL';
  return new RivuletError(
    'DATA_DIR_IN_USE',
    `data directory ${dataDir} is held by ${holder}`,
    'stop that instance first, or start this one with another --data-dir',
  );
}

function portInUse(port: number): RivuletError {
  return new RivuletError(
    'PORT_IN_USE',
    `port ${port} on ${SERVER_HOST} is already in use by another program`,
    'stop that program, or choose another port with --pg-port',
  );
}
