import pg from 'pg';
import { RivuletError } from '../../common/errors.ts';
import { clientConfig, describeConnection, type PgConnection } from '../pg/connection.ts';
import { quoteIdentifier } from '../pg/quote.ts';
import { parseLsn } from './pgoutput.ts';

/** The source database, as the table's options give it. */
export interface CdcConnection extends PgConnection {
  readonly user: string;
  readonly password: string;
  readonly connectTimeoutMs: number;
  /** How often a connection that could not be made is tried again ('connect.max-retries'). */
  readonly connectRetries: number;
}

export interface CdcTarget {
  readonly schema: string;
  readonly table: string;
  readonly slot: string;
  readonly publication: string;
  /** Whether Rivulet may create the publication or add the table to it. */
  readonly managePublication: boolean;
  readonly columns: readonly string[];
}

/** What the preflight learned about the table. */
export interface SourceTableInfo {
  readonly replicaIdentity: 'default' | 'full' | 'index' | 'nothing';
  readonly primaryKey: readonly string[];
  readonly slot: { readonly exists: boolean; readonly confirmedFlush: bigint | undefined };
}

/** A connection failure as a message a user can act on. */
export function connectError(connection: CdcConnection, cause: unknown): RivuletError {
  const code = (cause as { code?: string }).code;
  const where = describeConnection(connection);
  if (code === '28P01' || code === '28000') {
    return new RivuletError(
      'CDC_AUTH_FAILED',
      `PostgreSQL at ${where} refused the user '${connection.user}': ${(cause as Error).message}`,
      "check 'username' and 'password' of the postgres-cdc table",
      { cause },
    );
  }
  if (code === '3D000') {
    return new RivuletError(
      'CDC_DATABASE_NOT_FOUND',
      `database '${connection.database}' does not exist at ${connection.host}:${connection.port}`,
      "check 'database-name' of the postgres-cdc table",
      { cause },
    );
  }
  return new RivuletError(
    'CDC_UNREACHABLE',
    `cannot reach PostgreSQL at ${where}: ${(cause as Error).message || code || 'connection failed'}`,
    "check that PostgreSQL is running, and the 'hostname' and 'port' of the postgres-cdc table",
    { cause },
  );
}

const IDENTITY = { d: 'default', f: 'full', i: 'index', n: 'nothing' } as const;

async function single<T extends pg.QueryResultRow>(client: pg.Client, sql: string, values: unknown[] = []) {
  return (await client.query<T>(sql, values)).rows[0];
}

/** Whether a failed connection attempt may succeed when tried again (not a refused login or a missing database). */
function transient(cause: unknown): boolean {
  const code = (cause as { code?: string }).code;
  return code !== '28P01' && code !== '28000' && code !== '3D000';
}

/** A connected client, the connection tried again up to `connectRetries` times (Flink CDC's connect.max-retries). */
async function connectWithRetries(connection: CdcConnection): Promise<pg.Client> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client(clientConfig(connection));
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (cause) {
      await client.end().catch(() => undefined);
      if (attempt >= connection.connectRetries || !transient(cause)) throw connectError(connection, cause);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * 2 ** attempt)));
    }
  }
}

/**
 * Checks, before anything is read, everything that would make capture fail later, each with one
 * clear message: wal_level, the REPLICATION privilege, the table, SELECT on it, its key or
 * replica identity, its columns, the publication, and the slot (not held by another client).
 * Creates the publication (or adds the table to it) when Rivulet manages it.
 */
export async function preflight(connection: CdcConnection, target: CdcTarget): Promise<SourceTableInfo> {
  const where = describeConnection(connection);
  const qualified = `${target.schema}.${target.table}`;
  const client = await connectWithRetries(connection);
  try {
    const wal = await single<{ wal_level: string }>(client, 'SHOW wal_level');
    if (wal?.wal_level !== 'logical') {
      throw new RivuletError(
        'CDC_WAL_LEVEL',
        `PostgreSQL at ${connection.host}:${connection.port} has wal_level = '${wal?.wal_level}'; change data capture needs 'logical'`,
        "run ALTER SYSTEM SET wal_level = 'logical'; as a superuser and restart PostgreSQL",
      );
    }
    const role = await single<{ ok: boolean }>(
      client,
      'SELECT rolreplication OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user',
    );
    if (!role?.ok) {
      throw new RivuletError(
        'CDC_NO_REPLICATION_PRIVILEGE',
        `user '${connection.user}' at ${where} lacks the REPLICATION attribute needed to read changes`,
        `run ALTER ROLE ${quoteIdentifier(connection.user)} REPLICATION; as a superuser`,
      );
    }
    const table = await single<{ oid: number; relreplident: keyof typeof IDENTITY; selectable: boolean }>(
      client,
      `SELECT c.oid, c.relreplident, has_table_privilege(c.oid, 'SELECT') AS selectable
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
      [target.schema, target.table],
    );
    if (!table) {
      throw new RivuletError(
        'CDC_TABLE_NOT_FOUND',
        `table ${qualified} does not exist in ${where}`,
        "check 'schema-name' and 'table-name' of the postgres-cdc table",
      );
    }
    if (!table.selectable) {
      throw new RivuletError(
        'CDC_NO_SELECT',
        `user '${connection.user}' may not SELECT from ${qualified} at ${where}; the snapshot reads it`,
        `run GRANT SELECT ON ${qualified} TO ${quoteIdentifier(connection.user)};`,
      );
    }
    const key = (
      await client.query<{ attname: string }>(
        `SELECT a.attname FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
          WHERE i.indrelid = $1 AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
        [table.oid],
      )
    ).rows.map((row) => row.attname);
    const identity = IDENTITY[table.relreplident];
    if (identity === 'nothing' || (identity === 'default' && key.length === 0)) {
      throw new RivuletError(
        'CDC_NO_REPLICA_IDENTITY',
        `table ${qualified} has ${identity === 'nothing' ? 'REPLICA IDENTITY NOTHING' : 'no primary key'}, so its updates and deletes cannot be captured`,
        `add a primary key, or run ALTER TABLE ${qualified} REPLICA IDENTITY FULL;`,
      );
    }
    const columns = new Set(
      (
        await client.query<{ attname: string }>(
          'SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
          [table.oid],
        )
      ).rows.map((row) => row.attname),
    );
    const missing = target.columns.filter((column) => !columns.has(column));
    if (missing.length > 0) {
      throw new RivuletError(
        'CDC_SCHEMA_MISMATCH',
        `table ${qualified} at ${where} has no column ${missing.map((c) => `'${c}'`).join(', ')}`,
        `its columns are: ${[...columns].join(', ')}`,
      );
    }
    await ensurePublication(client, target, qualified, where);
    const slot = await waitForSlot(client, target.slot, connection, where);
    return { replicaIdentity: identity, primaryKey: key, slot };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensurePublication(
  client: pg.Client,
  target: CdcTarget,
  qualified: string,
  where: string,
): Promise<void> {
  const quotedTable = `${quoteIdentifier(target.schema)}.${quoteIdentifier(target.table)}`;
  const publication = quoteIdentifier(target.publication);
  const exists = await single(client, 'SELECT 1 FROM pg_publication WHERE pubname = $1', [target.publication]);
  const covers =
    exists &&
    (await single(
      client,
      'SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3',
      [target.publication, target.schema, target.table],
    ));
  if (covers) return;
  if (!target.managePublication) {
    throw new RivuletError(
      'CDC_PUBLICATION',
      exists
        ? `publication '${target.publication}' at ${where} does not cover table ${qualified}`
        : `publication '${target.publication}' does not exist at ${where}`,
      exists
        ? `run ALTER PUBLICATION ${publication} ADD TABLE ${qualified};`
        : `run CREATE PUBLICATION ${publication} FOR TABLE ${qualified}; or leave 'publication.name' unset so Rivulet manages its own`,
    );
  }
  try {
    await client.query(
      exists
        ? `ALTER PUBLICATION ${publication} ADD TABLE ${quotedTable}`
        : `CREATE PUBLICATION ${publication} FOR TABLE ${quotedTable}`,
    );
  } catch (cause) {
    if ((cause as { code?: string }).code === '42710') return; // created concurrently
    throw new RivuletError(
      'CDC_PUBLICATION',
      `cannot ${exists ? 'add' : 'create'} publication '${target.publication}' for ${qualified} at ${where}: ${(cause as Error).message}`,
      `ask the table's owner to run CREATE PUBLICATION ${publication} FOR TABLE ${qualified}; and set 'publication.name'`,
      { cause },
    );
  }
}

/** The slot's state; waits briefly for a client that has just gone away to release it. */
async function waitForSlot(
  client: pg.Client,
  slot: string,
  connection: CdcConnection,
  where: string,
): Promise<SourceTableInfo['slot']> {
  const deadline = Date.now() + Math.min(connection.connectTimeoutMs, 10_000);
  for (;;) {
    const row = await single<{
      plugin: string;
      database: string;
      active_pid: number | null;
      application_name: string | null;
      confirmed_flush_lsn: string | null;
    }>(
      client,
      `SELECT s.plugin, s.database, s.active_pid, r.application_name, s.confirmed_flush_lsn::text
         FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
        WHERE s.slot_name = $1`,
      [slot],
    );
    if (!row) return { exists: false, confirmedFlush: undefined };
    if (row.plugin !== 'pgoutput' || row.database !== connection.database) {
      throw new RivuletError(
        'CDC_SLOT_CONFLICT',
        `replication slot '${slot}' at ${connection.host}:${connection.port} belongs to database '${row.database}' with plugin '${row.plugin}', not '${connection.database}' with pgoutput`,
        "give this table another 'slot.name'",
      );
    }
    if (row.active_pid === null) {
      return { exists: true, confirmedFlush: parseLsn(row.confirmed_flush_lsn ?? '0/0') };
    }
    if (Date.now() > deadline) {
      throw new RivuletError(
        'CDC_SLOT_IN_USE',
        `replication slot '${slot}' at ${where} is in use by another client (pid ${row.active_pid}${row.application_name ? `, application '${row.application_name}'` : ''})`,
        "stop the other pipeline reading this slot, or give this table its own 'slot.name' (one slot per source table)",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
