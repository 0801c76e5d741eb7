import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isNodeProcessAlive } from '../embedded/process-alive.ts';

/**
 * The engines this OS user runs on this machine, one file per REST port in a directory only the
 * user may enter (as Jupyter keeps its servers' tokens in its runtime directory): how `rivulet sql
 * --engine http://127.0.0.1:PORT` finds the token of the instance its user started, with no flag.
 */
interface LocalEngine {
  readonly pid: number;
  readonly restUrl: string;
  readonly dataDir: string;
  readonly token: string;
}

/** `$RIVULET_RUNTIME_DIR`, or `~/.local/share/rivulet/runtime`. */
export function runtimeDir(): string {
  return process.env.RIVULET_RUNTIME_DIR || join(homedir(), '.local', 'share', 'rivulet', 'runtime');
}

function fileOf(port: number): string {
  return join(runtimeDir(), `engine-${port}.json`);
}

/** The runtime directory, made private to this user; undefined if it belongs to someone else. */
function privateRuntimeDir(): string | undefined {
  const dir = runtimeDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = statSync(dir);
  if (process.getuid && stat.uid !== process.getuid()) return undefined;
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

/**
 * Publishes the engine on `port` with its token, in a file of mode 0600. Returns why it could not,
 * for a warning: the engine still runs, and its users pass the token themselves.
 */
export function publishLocalEngine(port: number, engine: LocalEngine): string | undefined {
  try {
    const dir = privateRuntimeDir();
    if (!dir) return `${runtimeDir()} belongs to another user`;
    const file = fileOf(port);
    const staging = `${file}.${process.pid}.tmp`;
    writeFileSync(staging, `${JSON.stringify(engine, null, 2)}\n`, { mode: 0o600 });
    renameSync(staging, file);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Removes the file of the engine on `port` if this process wrote it. */
export function withdrawLocalEngine(port: number): void {
  if (readLocalEngine(port)?.pid === process.pid) rmSync(fileOf(port), { force: true });
}

function readLocalEngine(port: number): LocalEngine | undefined {
  try {
    const file = fileOf(port);
    const stat = statSync(file);
    if ((process.getuid && stat.uid !== process.getuid()) || (stat.mode & 0o077) !== 0) return undefined;
    const engine = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalEngine>;
    if (typeof engine.pid !== 'number' || typeof engine.token !== 'string' || typeof engine.restUrl !== 'string')
      return undefined;
    return engine as LocalEngine;
  } catch {
    return undefined;
  }
}

/** Loopback names: the token of a local engine is never sent anywhere else. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The token of the running engine this user started on the loopback port of `restUrl`, if any. */
export function localEngineToken(restUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(restUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) return undefined;
  const engine = readLocalEngine(Number(url.port || 80));
  return engine && isNodeProcessAlive(engine.pid) ? engine.token : undefined;
}
