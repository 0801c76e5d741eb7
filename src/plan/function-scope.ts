import type { ScalarFunction } from '../expr/bound.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import { scalarCall, tableCall } from '../udf/call-function.ts';
import type { UserFunction } from '../udf/user-function.ts';
import { isBuiltInFunction } from './built-in-functions.ts';
import type { FunctionCatalog } from './function-catalog.ts';

let current: FunctionCatalog | undefined;

/**
 * Plans with a script's functions in scope of the binder. The binder is reached from some forty
 * places that have no catalog at hand; planning never awaits, so exactly one script's functions are
 * in scope while it runs.
 */
export function withFunctions<T>(functions: FunctionCatalog, plan: () => T): T {
  const previous = current;
  current = functions;
  try {
    return plan();
  } finally {
    current = previous;
  }
}

/**
 * The user function a call names, in Flink's order of resolution: a temporary system function, then
 * the built-in functions, then the script's other functions. Undefined when the call is not to one.
 */
export function userFunction(name: string): UserFunction | undefined {
  const fn = current?.get(name);
  if (!fn) return undefined;
  if (!fn.system && isBuiltInFunction(name)) return undefined;
  return fn;
}

const adapters = new WeakMap<UserFunction, ScalarFunction>();

/** The user scalar function a call names, as the expression compiler calls functions; a call of another kind is refused. */
export function userScalarFunction(name: string, source: SqlSource, at: number): ScalarFunction | undefined {
  const fn = userFunction(name);
  if (!fn) return undefined;
  switch (fn.kind) {
    case 'scalar': {
      const adapter = adapters.get(fn) ?? scalarCall(fn);
      adapters.set(fn, adapter);
      return adapter;
    }
    case 'table':
      throw new SqlError(
        'SQL_TABLE_FUNCTION_NOT_ALLOWED',
        source,
        at,
        `${fn.name} is a table function: it gives rows, not a value`,
        `call it in FROM: FROM t, LATERAL TABLE(${fn.name}(...)) AS r(a, b)`,
      );
    case 'aggregate':
      throw new SqlError(
        'SQL_AGGREGATE_NOT_ALLOWED',
        source,
        at,
        `aggregate function ${fn.name} is not allowed here`,
        'aggregates belong in the SELECT list or HAVING of a query with GROUP BY (or over the whole input)',
      );
  }
}

/** The user table function of LATERAL TABLE(name(...)), as a call whose value is the ARRAY of its rows. */
export function userTableFunction(name: string, source: SqlSource, at: number): ScalarFunction {
  const fn = userFunction(name);
  if (fn?.kind !== 'table') {
    throw new SqlError(
      fn ? 'SQL_INVALID_CALL' : 'SQL_UNKNOWN_FUNCTION',
      source,
      at,
      fn
        ? `${fn.name} is ${fn.kind === 'scalar' ? 'a scalar' : 'an aggregate'} function, not a table function`
        : `no table function '${name}'`,
      "declare a table function with CREATE FUNCTION name AS 'module.ts#export', its export having kind: 'table' (see docs/udf.md)",
    );
  }
  const adapter = adapters.get(fn) ?? tableCall(fn);
  adapters.set(fn, adapter);
  return adapter;
}
