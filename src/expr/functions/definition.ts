import type { DataType } from '../../types/data-type.ts';
import type { TimeZone } from '../../types/temporal.ts';
import type { BoundCall, BoundExpr } from '../bound.ts';
import type { Evaluator, Value } from '../value.ts';

/** What a function needs from the binder while it types a call. */
export interface BindContext {
  /** Fails the call with a message located at it. */
  fail(message: string, hint?: string): never;
  /** The argument converted to `type` by an implicit cast (itself when it already is). */
  cast(arg: BoundExpr, type: DataType): BoundExpr;
}

/** What evaluation needs from the job: the session time zone, the processing-time clock and the operator's watermark. */
export interface EvalEnv {
  readonly timeZone: TimeZone;
  /** The current instant in microseconds since the epoch. */
  nowMicros(): number;
  /** The watermark the evaluating operator last received (ms since the epoch), undefined before the first. */
  currentWatermark?(): number | undefined;
}

export interface ScalarFunction {
  readonly name: string;
  /** Human-readable signatures for error messages, e.g. `CONCAT(STRING, STRING...)`. */
  readonly signatures: readonly string[];
  /** Checks the arguments, gives the result type, and may wrap arguments in implicit casts. */
  readonly bind: (args: readonly BoundExpr[], ctx: BindContext) => { args: readonly BoundExpr[]; type: DataType };
  readonly compile: (args: readonly Evaluator[], call: BoundCall, env: EvalEnv) => Evaluator;
  /** False for functions whose value changes from call to call (NOW, PROCTIME, RAND). */
  readonly deterministic?: boolean;
  /** False for functions whose callers read the call, not only its value (JSON_OBJECT nests as JSON): never folded. */
  readonly foldable?: boolean;
  /** True for functions whose value depends on the session time zone (FROM_UNIXTIME). */
  readonly zoned?: boolean;
}

/** A function that is NULL when any argument is NULL, and otherwise applies `apply`. */
export function strict(apply: (...values: never[]) => Value): (args: readonly Evaluator[]) => Evaluator {
  const fn = apply as (...values: Value[]) => Value;
  return (args) => {
    switch (args.length) {
      case 0:
        return () => fn();
      case 1: {
        const [a] = args as [Evaluator];
        return (row) => {
          const x = a(row);
          return x === null ? null : fn(x);
        };
      }
      case 2: {
        const [a, b] = args as [Evaluator, Evaluator];
        return (row) => {
          const x = a(row);
          if (x === null) return null;
          const y = b(row);
          return y === null ? null : fn(x, y);
        };
      }
      default:
        return (row) => {
          const values: Value[] = [];
          for (const arg of args) {
            const value = arg(row);
            if (value === null) return null;
            values.push(value);
          }
          return fn(...values);
        };
    }
  };
}

export function anyNullable(args: readonly BoundExpr[]): boolean {
  return args.some((arg) => arg.type.kind === 'NULL' || arg.type.nullable);
}
