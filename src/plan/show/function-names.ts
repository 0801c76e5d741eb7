import { callableFunctionNames } from '../../expr/functions/registry.ts';
import { AGGREGATE_FUNCTIONS } from '../built-in-functions.ts';

/**
 * The names SHOW FUNCTIONS lists, sorted: the built-in scalar functions a user can call and the
 * aggregate functions, and the script's user-defined functions (CREATE FUNCTION), which
 * SHOW USER FUNCTIONS lists alone.
 */
export function functionNames(options: { builtIn?: boolean; user?: readonly string[] } = {}): string[] {
  const names = new Set(options.user ?? []);
  if (options.builtIn !== false)
    for (const name of [...callableFunctionNames(), ...AGGREGATE_FUNCTIONS]) names.add(name);
  return [...names].sort();
}
