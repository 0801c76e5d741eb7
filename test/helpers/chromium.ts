import { execFileSync } from 'node:child_process';

/** Debian's chromium on the PATH (.ci/run installs it), or undefined. */
export function chromiumPath(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
