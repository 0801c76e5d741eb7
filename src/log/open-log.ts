import { RivuletError } from '../common/errors.ts';
import type { Log } from './log.ts';
import { PostgresLog } from './postgres/postgres-log.ts';

/** Opens the log a `--log` URL names: `postgres://…` (or `postgresql://…`) or `kafka://host:port`. */
export async function openLog(url: string): Promise<Log> {
  if (/^postgres(ql)?:\/\//.test(url)) return PostgresLog.open(url);
  if (/^kafka:\/\//.test(url)) {
    throw new RivuletError(
      'NOT_BUILT_YET',
      'the kafka log is not built yet',
      'use the postgres log (the default) for now',
    );
  }
  throw new RivuletError(
    'BAD_OPTION',
    `--log must be postgres://… or kafka://host:port, got '${url.replace(/:[^:@/]*@/, ':***@')}'`,
    'for example --log postgres://postgres@127.0.0.1:5433/rivulet',
  );
}
