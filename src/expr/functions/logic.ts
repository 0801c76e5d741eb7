import { describeType, T } from '../../types/data-type.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import type { Evaluator } from '../value.ts';
import { anyNullable } from './definition.ts';

function requireBooleans(args: readonly BoundExpr[], ctx: BindContext, what: string): void {
  for (const arg of args) {
    if (arg.type.kind !== 'BOOLEAN' && arg.type.kind !== 'NULL')
      ctx.fail(`${what} needs BOOLEAN operands, got ${describeType(arg.type)}`);
  }
}

/** Three-valued AND: FALSE wins over NULL, NULL over TRUE. */
export const AND: ScalarFunction = {
  name: 'AND',
  signatures: ['BOOLEAN AND BOOLEAN'],
  bind(args, ctx) {
    requireBooleans(args, ctx, 'AND');
    return { args, type: T.boolean(anyNullable(args)) };
  },
  compile(args) {
    const [a, b] = args as [Evaluator, Evaluator];
    return (row) => {
      const x = a(row);
      if (x === false) return false;
      const y = b(row);
      if (y === false) return false;
      return x === null || y === null ? null : true;
    };
  },
};

/** Three-valued OR: TRUE wins over NULL, NULL over FALSE. */
export const OR: ScalarFunction = {
  name: 'OR',
  signatures: ['BOOLEAN OR BOOLEAN'],
  bind(args, ctx) {
    requireBooleans(args, ctx, 'OR');
    return { args, type: T.boolean(anyNullable(args)) };
  },
  compile(args) {
    const [a, b] = args as [Evaluator, Evaluator];
    return (row) => {
      const x = a(row);
      if (x === true) return true;
      const y = b(row);
      if (y === true) return true;
      return x === null || y === null ? null : false;
    };
  },
};

export const NOT: ScalarFunction = {
  name: 'NOT',
  signatures: ['NOT BOOLEAN'],
  bind(args, ctx) {
    requireBooleans(args, ctx, 'NOT');
    return { args, type: T.boolean(anyNullable(args)) };
  },
  compile(args) {
    const [a] = args as [Evaluator];
    return (row) => {
      const x = a(row);
      return x === null ? null : !x;
    };
  },
};

function test(name: string, accepts: (value: unknown) => boolean, needsBoolean: boolean): ScalarFunction {
  return {
    name,
    signatures: [name.replaceAll('_', ' ')],
    bind(args, ctx) {
      if (needsBoolean) requireBooleans(args, ctx, name.replaceAll('_', ' '));
      return { args, type: T.boolean(false) };
    },
    compile(args) {
      const [a] = args as [Evaluator];
      return (row) => accepts(a(row));
    },
  };
}

export const IS_NULL = test('IS_NULL', (v) => v === null, false);
export const IS_NOT_NULL = test('IS_NOT_NULL', (v) => v !== null, false);
export const IS_TRUE = test('IS_TRUE', (v) => v === true, true);
export const IS_NOT_TRUE = test('IS_NOT_TRUE', (v) => v !== true, true);
export const IS_FALSE = test('IS_FALSE', (v) => v === false, true);
export const IS_NOT_FALSE = test('IS_NOT_FALSE', (v) => v !== false, true);
