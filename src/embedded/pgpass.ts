import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RivuletError } from '../common/errors.ts';
import { assertPrivate, privateFile } from './private-file.ts';

/**
 * The embedded server's password lives in `<data-dir>/pgpass`, in libpq's password file format, so
 * that `PGPASSFILE=<data-dir>/pgpass psql postgresql://postgres@127.0.0.1:5433/…` connects as it is.
 */
export const PGPASS_FILE = 'pgpass';

/** The hosts a user types for the embedded server; the port is left open so that --pg-port may change. */
const HOSTS = ['127.0.0.1', 'localhost'];

/** libpq's escapes in a password file: backslash and colon. */
function escapeField(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}

function pgpassText(user: string, password: string): string {
  return HOSTS.map((host) => `${host}:*:*:${escapeField(user)}:${escapeField(password)}\n`).join('');
}

/** A line's fields, split at colons that are not escaped; the fifth, the password, is the rest of the line. */
function fieldsOf(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '\\' && i + 1 < line.length) current += line[++i];
    else if (c === ':' && fields.length < 4) {
      fields.push(current);
      current = '';
    } else current += c;
  }
  fields.push(current);
  return fields;
}

/** The password of `user` in a password file's text: that of the first line for that user. */
function passwordIn(text: string, user: string): string | undefined {
  for (const line of text.split('\n')) {
    const fields = fieldsOf(line);
    if (fields.length === 5 && fields[3] === user) return fields[4];
  }
  return undefined;
}

/** The password of the data directory's embedded server, made (24 random bytes) on first use. */
export function embeddedPassword(dataDir: string, user: string): string {
  const file = join(dataDir, PGPASS_FILE);
  return checked(
    file,
    user,
    privateFile(file, () => pgpassText(user, randomBytes(24).toString('base64url'))),
  );
}

/** The password of a running instance's embedded server, for the commands that connect to it. */
export function readEmbeddedPassword(dataDir: string, user: string): string | undefined {
  const file = join(dataDir, PGPASS_FILE);
  if (!existsSync(file)) return undefined;
  assertPrivate(file);
  return checked(file, user, readFileSync(file, 'utf8'));
}

function checked(file: string, user: string, text: string): string {
  const password = passwordIn(text, user);
  if (!password || /[\n\0]/.test(password)) {
    throw new RivuletError(
      'PGPASS_INVALID',
      `${file} has no password for the user ${user}`,
      `remove ${file}: the next start makes a new password and gives it to the server`,
    );
  }
  return password;
}
