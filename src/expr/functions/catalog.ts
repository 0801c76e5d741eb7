import { T } from '../../types/data-type.ts';
import type { ScalarFunction } from '../bound.ts';

/**
 * CURRENT_DATABASE(): the session's current database, STRING NOT NULL. Rivulet has one catalog and
 * one database, Flink's defaults (src/plan/catalog.ts), and no USE statement, so it is always
 * Flink's default name.
 */
export const CURRENT_DATABASE: ScalarFunction = {
  name: 'CURRENT_DATABASE',
  signatures: ['CURRENT_DATABASE()'],
  bind(args, ctx) {
    if (args.length > 0) ctx.fail('CURRENT_DATABASE takes no arguments');
    return { args, type: T.string(false) };
  },
  compile: () => () => 'default_database',
};
