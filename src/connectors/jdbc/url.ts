import { RivuletError } from '../../common/errors.ts';
import type { PgConnection } from '../pg/connection.ts';
import type { ResolvedOptions } from '../table.ts';

/** The database of a PostgreSQL JDBC URL, with the table's `username` and `password` before the URL's own. */
export function parseJdbcUrl(url: string, username?: string, password?: string): PgConnection {
  const match = /^jdbc:postgresql:\/\/([^/:?]+)(?::(\d+))?\/([^?]+)(?:\?(.*))?$/.exec(url);
  if (!match) {
    throw new RivuletError('OPTION_INVALID', `'url' must look like jdbc:postgresql://host:port/database, got '${url}'`);
  }
  const params = new URLSearchParams(match[4] ?? '');
  const user = username ?? params.get('user') ?? undefined;
  const secret = password ?? params.get('password') ?? undefined;
  return {
    host: match[1] as string,
    port: Number(match[2] ?? 5432),
    database: match[3] as string,
    ...(user !== undefined ? { user } : {}),
    ...(secret !== undefined ? { password: secret } : {}),
  };
}

/** The database a jdbc table's options name; a connection may take 'connection.max-retry-timeout' to be made. */
export function jdbcConnection(options: ResolvedOptions): PgConnection {
  const username = options.get('username');
  const password = options.get('password');
  const timeout = options.get('connection.max-retry-timeout');
  return {
    ...parseJdbcUrl(
      String(options.get('url')),
      username === undefined ? undefined : String(username),
      password === undefined ? undefined : String(password),
    ),
    ...(timeout !== undefined ? { connectTimeoutMs: Number(timeout) } : {}),
  };
}
