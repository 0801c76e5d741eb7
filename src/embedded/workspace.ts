import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RivuletError } from '../common/errors.ts';
import { embeddedPassword, PGPASS_FILE } from './pgpass.ts';
import { EmbeddedPostgres, SUPERUSER } from './postgres-server.ts';
import { privateFile } from './private-file.ts';
import { isNodeProcessAlive, isProcessAlive, waitForExit } from './process-alive.ts';

/**
 * A Rivulet data directory (`.rivulet/` by default): the embedded cluster in `postgres/`, its log in
 * `postgres.log`, and `rivulet.pid`, which marks the directory as held by one running instance.
 */
export class Workspace {
  readonly dir: string;
  private released = false;

  private constructor(dir: string) {
    this.dir = dir;
  }

  get postgresDir(): string {
    return join(this.dir, 'postgres');
  }

  get postgresLog(): string {
    return join(this.dir, 'postgres.log');
  }

  private get lockFile(): string {
    return join(this.dir, 'rivulet.pid');
  }

  /** Takes the directory for this process, or fails if another live instance holds it. */
  static async acquire(dir: string): Promise<Workspace> {
    const workspace = new Workspace(resolve(dir));
    mkdirSync(workspace.dir, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(workspace.lockFile, 'wx');
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return workspace;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockFailure(workspace, error);
      }
      const holder = Number(readFileSync(workspace.lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isNodeProcessAlive(holder)) {
        throw new RivuletError(
          'DATA_DIR_IN_USE',
          `data directory ${workspace.dir} is held by another running Rivulet (pid ${holder})`,
          'stop that instance first (Ctrl-C in its terminal), or start this one with another --data-dir',
        );
      }
      await workspace.stopOrphanedServer();
      rmSync(workspace.lockFile, { force: true });
    }
  }

  /** The password file of the embedded server (`pgpass`, mode 0600, in libpq's format). */
  get passwordFile(): string {
    return join(this.dir, PGPASS_FILE);
  }

  /** The file of the REST API's token (mode 0600), unless another token is given. */
  get restTokenFile(): string {
    return join(this.dir, 'rest-token');
  }

  /**
   * Starts (and on first use creates) the embedded PostgreSQL cluster of this workspace. Its
   * superuser's password is made with the directory and kept in `pgpass`.
   */
  startPostgres(port: number): Promise<EmbeddedPostgres> {
    const password = embeddedPassword(this.dir, SUPERUSER);
    return EmbeddedPostgres.start({ dataDir: this.postgresDir, port, logFile: this.postgresLog, password });
  }

  /** The REST API's bearer token for this directory: 32 random bytes, made once and kept in `rest-token`. */
  restToken(): string {
    return privateFile(this.restTokenFile, () => `${randomBytes(32).toString('base64url')}\n`).trim();
  }

  /**
   * The transactional id of this instance's writers on a kafka log, made once and kept in
   * `kafka-transactional-id`: after a crash, the next start's jobs fence their predecessors.
   */
  kafkaTransactionalId(): string {
    const file = join(this.dir, 'kafka-transactional-id');
    if (!existsSync(file)) writeFileSync(file, `rivulet-${randomUUID()}\n`);
    return readFileSync(file, 'utf8').trim();
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    rmSync(this.lockFile, { force: true });
  }

  /**
   * The previous holder died without stopping its server (SIGKILL, power loss of the terminal):
   * shut that server down so this start can own the cluster.
   */
  private async stopOrphanedServer(): Promise<void> {
    let pid: number;
    try {
      pid = Number(readFileSync(join(this.postgresDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 20_000))) {
      process.kill(pid, 'SIGQUIT');
      await waitForExit(pid, 10_000);
    }
  }
}

function lockFailure(workspace: Workspace, cause: unknown): RivuletError {
  return new RivuletError(
    'DATA_DIR_LOCK_FAILED',
    `cannot take data directory ${workspace.dir}: ${(cause as Error).message}`,
    'check that the directory is writable, or choose another with --data-dir',
    { cause },
  );
}
