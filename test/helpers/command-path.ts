import { execFileSync } from 'node:child_process';

/** Where a program is on the PATH (as `command -v` finds it), or undefined. */
export function commandPath(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
