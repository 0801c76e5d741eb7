import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RivuletError } from '../common/errors.ts';
import { isNodeProcessAlive } from './process-alive.ts';

/** What a running `rivulet up` publishes in its data directory for the other commands. */
export interface InstanceInfo {
  readonly pid: number;
  /** URL of the log database (no password: loopback trust authentication). */
  readonly logUrl: string;
  readonly postgresPort: number;
  /** The engine's REST API, e.g. http://127.0.0.1:8081. */
  readonly restUrl: string;
}

const FILE = 'instance.json';

export function publishInstance(dataDir: string, info: InstanceInfo): void {
  writeFileSync(join(dataDir, FILE), `${JSON.stringify(info, null, 2)}\n`);
}

export function withdrawInstance(dataDir: string): void {
  rmSync(join(dataDir, FILE), { force: true });
}

/** The running instance of a data directory, or a clear error saying how to start one. */
export function findInstance(dataDir: string): InstanceInfo {
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
  return info;
}
