import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { RivuletError } from '../common/errors.ts';

/**
 * The text of a file only its owner may read (a password, a token), created with mode 0600 from
 * `create()` when it does not exist yet. A file that others may read or write is refused, as ssh
 * refuses such a key: its secret may be known.
 */
export function privateFile(file: string, create: () => string): string {
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, create());
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unreadable(file, error);
  }
  assertPrivate(file);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
}

/** Fails unless only the owner may read and write `file` (no group or other permission bits). */
export function assertPrivate(file: string): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new RivuletError(
      'SECRET_FILE_EXPOSED',
      `${file} holds a secret but its mode is ${mode.toString(8)}: other users may read it`,
      `run chmod 600 ${file} (and, if others may have read it, remove it so that a new one is made)`,
    );
  }
}

function unreadable(file: string, cause: unknown): RivuletError {
  return new RivuletError(
    'SECRET_FILE_UNREADABLE',
    `cannot read or create ${file}: ${(cause as Error).message}`,
    'check the permissions of the data directory',
    { cause },
  );
}
