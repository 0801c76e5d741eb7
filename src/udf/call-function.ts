import type { BindContext, BoundExpr, ScalarFunction } from '../expr/bound.ts';
import type { Evaluator, Value } from '../expr/value.ts';
import { type DataType, describeType, formatType, isCharacterString } from '../types/data-type.ts';
import { isImplicitCast } from '../types/type-rules.ts';
import { functionFailure, resultCheck } from './result-check.ts';
import type { UserFunction, UserScalarFunction, UserTableFunction } from './user-function.ts';

/** `name(INT, STRING)`, or `name(...)` for a function that declares no argument types. */
export function signatureOf(fn: UserFunction): string {
  return `${fn.name}(${fn.args ? fn.args.map(formatType).join(', ') : '...'})`;
}

/**
 * The arguments of a call of `fn` as it declares them: as many, each converted by an implicit cast
 * to its declared type; a call that does not fit is refused at planning with the expected signature.
 */
export function bindArguments(fn: UserFunction, args: readonly BoundExpr[], ctx: BindContext): readonly BoundExpr[] {
  const declared = fn.args;
  if (!declared) return args;
  const given = `${fn.name}(${args.map((arg) => describeType(arg.type)).join(', ')})`;
  const expected = `expected ${signatureOf(fn)}`;
  if (args.length !== declared.length) {
    ctx.fail(`function ${fn.name} takes ${declared.length} argument(s), got ${given}`, expected);
  }
  return args.map((arg, i) => {
    const type = declared[i] as DataType;
    if (arg.type.kind !== 'NULL' && !isImplicitCast(arg.type, type)) {
      ctx.fail(`invalid argument ${i + 1} of function ${fn.name}: ${describeType(arg.type)} in ${given}`, expected);
    }
    // A CHAR or VARCHAR is the same string at any length: no cast to change nothing.
    return isCharacterString(arg.type) && isCharacterString(type) ? arg : ctx.cast(arg, type);
  });
}

/**
 * A user scalar function as the expression compiler calls functions: the values are passed in the
 * engine's representation (src/expr/value.ts), NULL as null, and its result is checked against its
 * declared type. A throw fails the record with the function's name, the arguments and the message.
 */
export function scalarCall(fn: UserScalarFunction): ScalarFunction {
  return {
    name: fn.name,
    signatures: [signatureOf(fn)],
    deterministic: fn.deterministic,
    bind: (args, ctx) => ({ args: bindArguments(fn, args, ctx), type: fn.result }),
    compile: (args) => invoker(fn.name, fn.eval, args, resultCheck(fn.name, fn.result)),
  };
}

/**
 * A user table function as a call whose value is the ARRAY of the rows it returns (or yields), so
 * that LATERAL TABLE runs as the Correlate of UNNEST does: a ROW result gives its fields as
 * columns, any other type one column.
 */
const tableCalls = new WeakSet<ScalarFunction>();

/** Whether a call's function is a user table function (explain names it as Flink does, not $UNNEST_ROWS$1). */
export function isTableCall(fn: ScalarFunction | undefined): boolean {
  return fn !== undefined && tableCalls.has(fn);
}

export function tableCall(fn: UserTableFunction): ScalarFunction {
  const check = resultCheck(fn.name, fn.result);
  const fields = fn.result.kind === 'ROW' ? fn.result.fields.map((field) => field.name) : undefined;
  const toRow = (element: unknown): Value => {
    if (fields && element !== null && typeof element === 'object' && !Array.isArray(element)) {
      const record = element as Record<string, unknown>;
      return check(fields.map((field) => record[field] ?? null));
    }
    return check(element);
  };
  const call: ScalarFunction = {
    name: fn.name,
    signatures: [signatureOf(fn)],
    deterministic: false,
    bind: (args, ctx) => ({
      args: bindArguments(fn, args, ctx),
      type: { kind: 'ARRAY', element: fn.result, nullable: false },
    }),
    compile: (args) => {
      const rowsOf = (result: unknown): Value => {
        if (result === null || result === undefined) return [];
        return Array.from(result as Iterable<unknown>, toRow);
      };
      return invoker(fn.name, fn.eval, args, rowsOf);
    },
  };
  tableCalls.add(call);
  return call;
}

/** Calls `evaluate` with the values of `args`, unrolled for up to three arguments (the common calls). */
function invoker(
  name: string,
  evaluate: (...values: unknown[]) => unknown,
  args: readonly Evaluator[],
  result: (value: unknown) => Value,
): Evaluator {
  switch (args.length) {
    case 0:
      return () => {
        try {
          return result(evaluate());
        } catch (error) {
          throw functionFailure(name, [], error);
        }
      };
    case 1: {
      const [a] = args as [Evaluator];
      return (row) => {
        const x = a(row);
        let value: unknown;
        try {
          value = evaluate(x);
        } catch (error) {
          throw functionFailure(name, [x], error);
        }
        return result(value);
      };
    }
    case 2: {
      const [a, b] = args as [Evaluator, Evaluator];
      return (row) => {
        const x = a(row);
        const y = b(row);
        let value: unknown;
        try {
          value = evaluate(x, y);
        } catch (error) {
          throw functionFailure(name, [x, y], error);
        }
        return result(value);
      };
    }
    default:
      return (row) => {
        const values = args.map((arg) => arg(row));
        let value: unknown;
        try {
          value = evaluate(...values);
        } catch (error) {
          throw functionFailure(name, values, error);
        }
        return result(value);
      };
  }
}
