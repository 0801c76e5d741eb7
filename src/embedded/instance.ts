import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RivuletError } from '../common/errors.ts';
import { readEmbeddedPassword } from './pgpass.ts';
import { SERVER_HOST, SUPERUSER } from './postgres-server.ts';
import { isNodeProcessAlive } from './process-alive.ts';

/** What a running `rivulet up` publishes in its data directory for the other commands. */
export interface InstanceInfo {
  readonly pid: number;
  /** URL of the log: as given with --log, or the embedded server's without its password. */
  readonly logUrl: string;
  readonly postgresPort: number;
  /** The engine's REST API, e.g. http://127.0.0.1:8081. */
  readonly restUrl: string;
}

/** A running instance as the commands on this machine see it, with what they need to connect. */
export interface RunningInstance extends InstanceInfo {
  /** URL of the log, with the password when the log is on the embedded server: never to be shown. */
  readonly logUrl: string;
  /** The embedded server's password, from the data directory's `pgpass` (undefined for a server without one). */
  readonly postgresPassword: string | undefined;
}

const FILE = 'instance.json';

/** Publishes the instance, mode 0600: a log URL given with --log may carry its own password. */
export function publishInstance(dataDir: string, info: InstanceInfo): void {
  const file = join(dataDir, FILE);
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function withdrawInstance(dataDir: string): void {
  rmSync(join(dataDir, FILE), { force: true });
}

/** The running instance of a data directory, or a clear error saying how to start one. */
export function findInstance(dataDir: string): RunningInstance {
  const where = resolve(dataDir);
  let info: InstanceInfo | undefined;
  try {
    info = JSON.parse(readFileSync(join(where, FILE), 'utf8')) as InstanceInfo;
  } catch {
    info = undefined;
  }
  if (!info || !isNodeProcessAlive(info.pid)) {
    throw new RivuletError(
      'NOT_RUNNING',
      `no running Rivulet uses ${where}`,
      'start one with `npm start` (or `rivulet up`), pass --data-dir of a running one, or name a log with --log',
    );
  }
  const postgresPassword = readEmbeddedPassword(where, SUPERUSER);
  return { ...info, logUrl: withEmbeddedPassword(info.logUrl, info.postgresPort, postgresPassword), postgresPassword };
}

/** A URL of the embedded server's superuser, given without a password, with the password. */
function withEmbeddedPassword(url: string, port: number, password: string | undefined): string {
  if (password === undefined) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const embedded =
    /^postgres(?:ql)?:$/.test(parsed.protocol) &&
    parsed.hostname === SERVER_HOST &&
    parsed.port === String(port) &&
    parsed.username === SUPERUSER &&
    parsed.password === '';
  if (!embedded) return url;
  parsed.password = password;
  return parsed.toString();
}
