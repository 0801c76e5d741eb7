import { existsSync, realpathSync, type Stats, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/** Why a module was not loaded, with what to do. */
export class ModuleLoadError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/**
 * The absolute path of the module `path` names from `directory` (the script's), checked before any
 * of its code runs: a TypeScript or JavaScript file that no one but this process's user (or root)
 * owns or can change, nor any directory above it up to the root, except a root-owned sticky one
 * such as /tmp, where others can add entries but not replace ours: there the one entry that matters,
 * the `node_modules` a bare import would resolve, must not exist or must be ours too. So a user who
 * can write a shared directory cannot have their code run by the engine, whatever path a script names.
 */
export function checkedModulePath(path: string, directory: string): string {
  const absolute = isAbsolute(path) ? path : resolve(directory, path);
  if (!EXTENSIONS.has(extname(absolute))) {
    throw new ModuleLoadError(
      `'${path}' is not a TypeScript or JavaScript module`,
      `name a .ts, .mts, .js or .mjs file (relative to ${directory})`,
    );
  }
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    throw new ModuleLoadError(
      `module '${path}' not found (looked for ${absolute})`,
      `module paths are relative to the script's directory, ${directory}`,
    );
  }
  const file = statSync(real);
  if (!file.isFile()) throw new ModuleLoadError(`'${real}' is not a file`, 'name the module file');
  checkNoOneElseCanChange(real, file);
  // The directories above it too, up to the root: a bare import ('pkg') resolves node_modules in
  // any of them, and whoever can write one could put code there (or swap the module's directory).
  for (let directory = dirname(real); ; directory = dirname(directory)) {
    const stat = statSync(directory);
    if (isSharedSticky(stat)) checkSharedNodeModules(directory);
    else checkNoOneElseCanChange(directory, stat);
    if (dirname(directory) === directory) break;
  }
  return real;
}

/** A root-owned directory everyone can add to but no one can replace another's entries in (/tmp). */
function isSharedSticky(stat: Stats): boolean {
  return stat.uid === 0 && (stat.mode & 0o1002) === 0o1002;
}

/** In a shared sticky directory, a node_modules that bare imports would resolve must not be another's. */
function checkSharedNodeModules(directory: string): void {
  const nodeModules = join(directory, 'node_modules');
  if (!existsSync(nodeModules)) return;
  try {
    checkNoOneElseCanChange(nodeModules, statSync(nodeModules));
  } catch (error) {
    throw new ModuleLoadError(
      `the module is under '${directory}', which every user can write to, and its '${nodeModules}' is not this user's alone: a bare import in the module could load code from it (${(error as Error).message})`,
      `move the module under a directory only you can write, or remove '${nodeModules}'`,
    );
  }
}

/** Refuses a file or directory owned by another user, or writable by group or others. */
function checkNoOneElseCanChange(what: string, stat: Stats): void {
  const uid = process.getuid?.() ?? 0;
  if (stat.uid !== uid && stat.uid !== 0) {
    throw new ModuleLoadError(
      `'${what}' belongs to another user (uid ${stat.uid}); the engine runs code only from files of its own user (uid ${uid})`,
      'copy the module into a directory of your own',
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new ModuleLoadError(
      `'${what}' can be changed by other users (mode ${(stat.mode & 0o777).toString(8)}); the engine runs no code others could have changed`,
      `chmod go-w '${what}'`,
    );
  }
}

/**
 * Imports a module in this process (tsx compiles TypeScript). The file's modification time is part
 * of the URL, so a module changed since it was last loaded is loaded again.
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = `${pathToFileURL(path).href}?mtime=${statSync(path).mtimeMs}`;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ModuleLoadError(
      `module '${path}' failed to load: ${(error as Error).message}`,
      'fix the module; it is imported as an ES module',
    );
  }
}
