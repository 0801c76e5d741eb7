import type pg from 'pg';

/** Where a PostgreSQL database is and whom to connect as. The password never goes into a message. */
export interface PgConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
  /** 0 or unset: the driver's default (no timeout). */
  readonly connectTimeoutMs?: number;
}

/** Session settings that fix PostgreSQL's text output of values, whatever the server defaults are. */
export const TEXT_OUTPUT_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3 -c bytea_output=hex';

/** Raw text for every type: values are read by value-text.ts, not by the driver. */
const RAW_TYPES: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value };

export function clientConfig(connection: PgConnection): pg.ClientConfig {
  return {
    host: connection.host,
    port: connection.port,
    database: connection.database,
    ...(connection.user !== undefined ? { user: connection.user } : {}),
    ...(connection.password !== undefined ? { password: connection.password } : {}),
    ...(connection.connectTimeoutMs ? { connectionTimeoutMillis: connection.connectTimeoutMs } : {}),
  };
}

/** A client whose values arrive as PostgreSQL's text, in the formats TEXT_OUTPUT_OPTIONS fixes. */
export function textClientConfig(connection: PgConnection): pg.ClientConfig {
  return { ...clientConfig(connection), options: TEXT_OUTPUT_OPTIONS, types: RAW_TYPES };
}

/** `postgresql://postgres@127.0.0.1:5433/source_db`: where, never with the password. */
export function describeConnection(connection: PgConnection): string {
  const user = connection.user ? `${connection.user}@` : '';
  return `postgresql://${user}${connection.host}:${connection.port}/${connection.database}`;
}
