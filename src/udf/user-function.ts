import { Cursor } from '../sql/cursor.ts';
import { parseDataType } from '../sql/parse-type.ts';
import { SqlSource } from '../sql/source.ts';
import type { DataType } from '../types/data-type.ts';

/**
 * A user-defined function as a script declared it (CREATE FUNCTION) and its module exported it,
 * its types read from the export's hints (see docs/udf.md). Flink's three kinds: a scalar function
 * gives one value per call, a table function any number of rows (LATERAL TABLE), an aggregate
 * function one value per group from an accumulator.
 */
export type UserFunction = UserScalarFunction | UserTableFunction | UserAggregateFunction;

interface Common {
  /** The name as declared (functions are looked up case-insensitively, as in Flink). */
  readonly name: string;
  /** `module#export` as written in AS. */
  readonly identifier: string;
  /** The module's absolute path. */
  readonly modulePath: string;
  /** TEMPORARY SYSTEM: found before the built-in functions of the same name. */
  readonly system: boolean;
  /** The declared argument types; undefined when the export declares none (any arguments, passed as they are). */
  readonly args: readonly DataType[] | undefined;
  readonly result: DataType;
}

export interface UserScalarFunction extends Common {
  readonly kind: 'scalar';
  readonly eval: (...args: unknown[]) => unknown;
  readonly deterministic: boolean;
}

export interface UserTableFunction extends Common {
  readonly kind: 'table';
  /** Returns (or yields) the rows of one call: an array of values per row for a ROW result, else the value. */
  readonly eval: (...args: unknown[]) => Iterable<unknown> | null | undefined;
}

export interface UserAggregateFunction extends Common {
  readonly kind: 'aggregate';
  readonly createAccumulator: () => unknown;
  readonly accumulate: (accumulator: unknown, ...args: unknown[]) => void;
  readonly retract: ((accumulator: unknown, ...args: unknown[]) => void) | undefined;
  readonly merge: ((accumulator: unknown, others: Iterable<unknown>) => void) | undefined;
  readonly getValue: (accumulator: unknown) => unknown;
}

/** Why an export is not a function this engine can run, with what to write instead. */
export class FunctionShapeError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

const SHAPES =
  "export a function with its types (`export const f = { eval: (s: string) => s.toUpperCase(), args: ['STRING'], result: 'STRING' }`), a table function (`{ kind: 'table', eval: function* (...) { yield [...] }, result: 'ROW<a STRING, b INT>' }`) or an aggregate function (`{ createAccumulator, accumulate, retract?, merge?, getValue, result: 'BIGINT' }`); see docs/udf.md";

type Hints = { readonly [key: string]: unknown };

/** The function an export describes: its kind, from `kind` or its methods, and its types, from its hints. */
export function describeExport(
  exported: unknown,
  declaration: { name: string; identifier: string; modulePath: string; system: boolean },
): UserFunction {
  if (exported === undefined) throw new FunctionShapeError(`the module has no export of that name`, SHAPES);
  if (typeof exported !== 'function' && (typeof exported !== 'object' || exported === null)) {
    throw new FunctionShapeError(`the export is a ${typeof exported}, not a function`, SHAPES);
  }
  const hints = exported as Hints;
  const kind = hints.kind ?? (typeof hints.createAccumulator === 'function' ? 'aggregate' : undefined);
  const common = {
    ...declaration,
    args: argumentTypes(hints.args),
    result: resultType(hints.result),
  };
  const method = (key: string, required: boolean): ((...args: unknown[]) => unknown) | undefined => {
    const value = hints[key];
    if (typeof value === 'function') return (value as (...args: unknown[]) => unknown).bind(exported);
    if (value === undefined && !required) return undefined;
    throw new FunctionShapeError(
      `${kind === 'aggregate' ? 'the aggregate function' : 'the export'} has no method '${key}'`,
      SHAPES,
    );
  };
  switch (kind) {
    case 'aggregate':
      return {
        kind: 'aggregate',
        ...common,
        createAccumulator: method('createAccumulator', true) as () => unknown,
        accumulate: method('accumulate', true) as UserAggregateFunction['accumulate'],
        retract: method('retract', false),
        merge: method('merge', false) as UserAggregateFunction['merge'],
        getValue: method('getValue', true) as UserAggregateFunction['getValue'],
      };
    case 'table':
      return { kind: 'table', ...common, eval: method('eval', true) as UserTableFunction['eval'] };
    case undefined:
    case 'scalar': {
      const evaluate =
        typeof exported === 'function' ? (exported as (...args: unknown[]) => unknown) : method('eval', true);
      if (!evaluate) throw new FunctionShapeError("the export has no method 'eval'", SHAPES);
      return { kind: 'scalar', ...common, eval: evaluate, deterministic: hints.deterministic !== false };
    }
    default:
      throw new FunctionShapeError(`'kind' is ${JSON.stringify(kind)}; it is 'scalar', 'table' or 'aggregate'`, SHAPES);
  }
}

function argumentTypes(args: unknown): DataType[] | undefined {
  if (args === undefined) return undefined;
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string')) {
    throw new FunctionShapeError("'args' must be an array of SQL type names", "e.g. args: ['INT', 'STRING']");
  }
  return args.map((arg) => typeHint(arg as string, "'args'"));
}

function resultType(result: unknown): DataType {
  if (typeof result !== 'string') {
    throw new FunctionShapeError(
      'the export declares no result type',
      "JavaScript keeps no types at run time: give it as `result: 'STRING'` (any SQL type, e.g. 'DECIMAL(10, 2)', 'ROW<word STRING, length INT>')",
    );
  }
  return typeHint(result, "'result'");
}

/** A SQL type name of a hint (`'DECIMAL(10, 2)'`, `'ARRAY<STRING>'`), parsed as the DDL parses it. */
export function typeHint(text: string, where: string): DataType {
  const source = new SqlSource(where, text);
  try {
    const cursor = new Cursor(source);
    const type = parseDataType(cursor);
    if (!cursor.atEnd()) throw cursor.unexpected('expected the end of the type');
    return type;
  } catch (error) {
    throw new FunctionShapeError(`${where} type '${text}' is not a SQL type: ${(error as Error).message}`, SHAPES);
  }
}
