import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RivuletError } from '../common/errors.ts';

/** The OS identity the PostgreSQL server runs as; `undefined` means "as this process". */
export interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const SERVER_USER_NAME = 'postgres';

/**
 * PostgreSQL refuses to run as root. When we are root, the server runs as the `postgres` OS user,
 * created (as a system account without a home) when the machine has none.
 */
export function serverUserFor(dataDir: string): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = lookupUser(SERVER_USER_NAME) ?? createSystemUser(SERVER_USER_NAME);
  assertTraversable(dataDir, user);
  return user;
}

function lookupUser(name: string): ServerUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { name, uid, gid };
  } catch {
    return undefined;
  }
}

function createSystemUser(name: string): ServerUser {
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
      stdio: 'pipe',
    });
  } catch (cause) {
    throw new RivuletError(
      'PG_USER_CREATE_FAILED',
      `running as root, and the OS user '${name}' that PostgreSQL must run as could not be created`,
      `create it yourself (useradd --system ${name}) or run Rivulet as a non-root user`,
      { cause },
    );
  }
  const user = lookupUser(name);
  if (!user) throw new RivuletError('PG_USER_CREATE_FAILED', `OS user '${name}' was created but cannot be looked up`);
  return user;
}

/** Every ancestor of the data directory must let the server user pass through it. */
function assertTraversable(dataDir: string, user: ServerUser): void {
  for (let dir = dirname(resolve(dataDir)); ; dir = dirname(dir)) {
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(dir);
    } catch {
      stat = undefined; // not created yet: it will be, with default permissions
    }
    if (stat) {
      const mode = stat.mode;
      const passable =
        (stat.uid === user.uid && mode & 0o100) || (stat.gid === user.gid && mode & 0o010) || mode & 0o001;
      if (!passable) {
        throw new RivuletError(
          'PG_DATA_DIR_UNREACHABLE',
          `PostgreSQL runs as OS user '${user.name}', which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)})`,
          `choose a data directory that user can reach with --data-dir (for example under /var/tmp), or run chmod o+x ${dir}`,
        );
      }
    }
    if (dir === dirname(dir)) return;
  }
}
