import type { BoundExpr } from '../bound.ts';
import type { Evaluator, Value } from '../value.ts';

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
