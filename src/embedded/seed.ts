import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import pg from 'pg';
import { RivuletError } from '../common/errors.ts';
import type { EmbeddedPostgres } from './postgres-server.ts';

export interface SeededDatabase {
  readonly name: string;
  readonly file: string;
  /** true when this start created it; false when it was already there and left as it was. */
  readonly created: boolean;
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Creates one database per `<name>.sql` file in `dir` that the server does not have yet, running the
 * file in it. A database is built under a staging name and renamed when complete, so a crash while
 * seeding leaves nothing half-made and an existing database is never seeded twice.
 */
export async function seedDatabases(server: EmbeddedPostgres, dir: string): Promise<SeededDatabase[]> {
  const files = listSeedFiles(dir);
  const admin = new pg.Client(server.connectionConfig('postgres'));
  await admin.connect();
  try {
    const seeded: SeededDatabase[] = [];
    for (const file of files) {
      const name = basename(file, '.sql');
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount) {
        seeded.push({ name, file, created: false });
        continue;
      }
      const staging = `${name}__seeding`;
      await admin.query(`DROP DATABASE IF EXISTS ${staging}`);
      await admin.query(`CREATE DATABASE ${staging}`);
      try {
        await runScript(server, staging, file);
      } catch (error) {
        await admin.query(`DROP DATABASE IF EXISTS ${staging}`);
        throw error;
      }
      await admin.query(`ALTER DATABASE ${staging} RENAME TO ${name}`);
      seeded.push({ name, file, created: true });
    }
    return seeded;
  } finally {
    await admin.end();
  }
}

function listSeedFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (cause) {
    throw new RivuletError(
      'EXAMPLE_NOT_FOUND',
      `cannot read database scripts in ${dir}: ${(cause as Error).message}`,
      'pass an example directory that has a databases/ folder of <name>.sql files',
      { cause },
    );
  }
  const files = entries.filter((entry) => entry.endsWith('.sql')).sort();
  for (const file of files) {
    const name = basename(file, '.sql');
    if (!DATABASE_NAME.test(name)) {
      throw new RivuletError(
        'BAD_DATABASE_NAME',
        `${join(dir, file)}: '${name}' is not a plain database name (lowercase letters, digits, _)`,
        'rename the file to <database_name>.sql',
      );
    }
  }
  return files.map((file) => join(dir, file));
}

async function runScript(server: EmbeddedPostgres, database: string, file: string): Promise<void> {
  const sql = readFileSync(file, 'utf8');
  const client = new pg.Client(server.connectionConfig(database));
  await client.connect();
  try {
    await client.query(`BEGIN;\n${sql}\n;COMMIT;`);
  } catch (error) {
    throw scriptError(file, sql, error as pg.DatabaseError);
  } finally {
    await client.end();
  }
}

/** Locates a server error in the script by the character position PostgreSQL reports. */
function scriptError(file: string, sql: string, error: pg.DatabaseError): RivuletError {
  const offset = Number(error.position) - 1 - 'BEGIN;\n'.length;
  let where = relative(process.cwd(), file);
  if (Number.isInteger(offset) && offset >= 0) {
    const before = sql.slice(0, offset).split('\n');
    where += `:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
  }
  return new RivuletError(
    'SEED_SCRIPT_FAILED',
    `${where}: ${error.message}`,
    'fix the script; the database was not created, and the next start tries again',
    { cause: error },
  );
}

/** Creates an empty database unless it exists. */
export async function createDatabaseIfMissing(server: EmbeddedPostgres, name: string): Promise<void> {
  const admin = new pg.Client(server.connectionConfig('postgres'));
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}
