import { type DataType, describeType, T } from '../../types/data-type.ts';
import { compareTimes, WideTime } from '../../types/time-value.ts';
import { commonType } from '../../types/type-rules.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import { sameValue } from '../collections.ts';
import type { Evaluator, Value } from '../value.ts';
import { anyNullable, strict } from './definition.ts';

/** Orders two non-null values of the same type: negative, zero or positive. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'string' || typeof a === 'bigint' || (typeof a === 'number' && typeof b === 'number')) {
    return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  }
  // A TIME or TIMESTAMP is a number or a WideTime (src/types/time-value.ts), and one may meet the other.
  if (a instanceof WideTime || b instanceof WideTime)
    return compareTimes(a as number | WideTime, b as number | WideTime);
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
    return a.length - b.length;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
      const x = a[i] as Value;
      const y = b[i] as Value;
      if (x === null || y === null) {
        if (x !== y) return x === null ? -1 : 1;
        continue;
      }
      const c = compareValues(x, y);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  // MAP and MULTISET have no order (Flink compares them only for equality).
  if (a instanceof Map && b instanceof Map) return sameValue(a, b) ? 0 : 1;
  return 0;
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return sameValue(a, b);
}

/** Brings the operands of a comparison to their common type. */
export function bindToCommonType(
  args: readonly BoundExpr[],
  ctx: BindContext,
  what: string,
): { args: BoundExpr[]; type: DataType } {
  const type = commonType(args.map((arg) => arg.type));
  if (!type) {
    ctx.fail(
      `${what} cannot compare ${args.map((arg) => describeType(arg.type)).join(' with ')}`,
      'CAST one side to the type of the other',
    );
  }
  return { args: args.map((arg) => (arg.type.kind === 'NULL' ? arg : ctx.cast(arg, type))), type };
}

function comparison(name: string, symbol: string, test: (order: number) => boolean): ScalarFunction {
  const ordering = symbol !== '=' && symbol !== '<>';
  return {
    name,
    signatures: [`ANY ${symbol} ANY`],
    bind(args, ctx) {
      const unified = bindToCommonType(args, ctx, `'${symbol}'`);
      if (ordering && (unified.type.kind === 'MAP' || unified.type.kind === 'MULTISET')) {
        ctx.fail(
          `Cannot apply '${symbol}' to arguments of type ${args.map((arg) => describeType(arg.type)).join(' and ')}`,
          `a ${unified.type.kind} has no order; compare it with = or <>, or compare its values`,
        );
      }
      return { args: unified.args, type: T.boolean(anyNullable(args)) };
    },
    compile: (args) => strict((a: never, b: never) => test(compareValues(a, b)))(args),
  };
}

export const EQUALS: ScalarFunction = {
  ...comparison('EQUALS', '=', (order) => order === 0),
  compile: (args) => strict((a: Value, b: Value) => valuesEqual(a, b))(args),
};
export const NOT_EQUALS: ScalarFunction = {
  ...comparison('NOT_EQUALS', '<>', (order) => order !== 0),
  compile: (args) => strict((a: Value, b: Value) => !valuesEqual(a, b))(args),
};
export const LESS_THAN = comparison('LESS_THAN', '<', (order) => order < 0);
export const LESS_THAN_OR_EQUAL = comparison('LESS_THAN_OR_EQUAL', '<=', (order) => order <= 0);
export const GREATER_THAN = comparison('GREATER_THAN', '>', (order) => order > 0);
export const GREATER_THAN_OR_EQUAL = comparison('GREATER_THAN_OR_EQUAL', '>=', (order) => order >= 0);

function distinctness(name: string, distinct: boolean): ScalarFunction {
  return {
    name,
    signatures: [`ANY IS ${distinct ? '' : 'NOT '}DISTINCT FROM ANY`],
    bind(args, ctx) {
      return { args: bindToCommonType(args, ctx, 'IS DISTINCT FROM').args, type: T.boolean(false) };
    },
    compile(args) {
      const [a, b] = args as [Evaluator, Evaluator];
      return (row) => {
        const x = a(row);
        const y = b(row);
        const same = x === null || y === null ? x === y : valuesEqual(x, y);
        return distinct ? !same : same;
      };
    },
  };
}

export const IS_DISTINCT_FROM = distinctness('IS_DISTINCT_FROM', true);
export const IS_NOT_DISTINCT_FROM = distinctness('IS_NOT_DISTINCT_FROM', false);

/** `x IN (a, b, ...)`: args are the operand then the list; NULL when no match and a NULL is involved. */
export const IN: ScalarFunction = {
  name: 'IN',
  signatures: ['ANY IN (ANY, ...)'],
  bind(args, ctx) {
    const unified = bindToCommonType(args, ctx, 'IN');
    return { args: unified.args, type: T.boolean(anyNullable(args)) };
  },
  compile(args, call) {
    const [operand, ...list] = args as [Evaluator, ...Evaluator[]];
    const literals = call.args.slice(1).every((arg) => arg.kind === 'literal');
    if (literals) {
      const values = list.map((evaluate) => evaluate([]));
      const hasNull = values.includes(null);
      const keyed = values.every((value) => value === null || typeof value !== 'object');
      const set = new Set(values);
      return (row) => {
        const x = operand(row);
        if (x === null) return null;
        if (keyed ? set.has(x) : values.some((value) => value !== null && valuesEqual(x, value))) return true;
        return hasNull ? null : false;
      };
    }
    return (row) => {
      const x = operand(row);
      if (x === null) return null;
      let sawNull = false;
      for (const evaluate of list) {
        const value = evaluate(row);
        if (value === null) sawNull = true;
        else if (valuesEqual(x, value)) return true;
      }
      return sawNull ? null : false;
    };
  },
};

/** GREATEST and LEAST: the largest or smallest argument in their common type; NULL when any argument is. */
function extreme(name: string, wins: (order: number) => boolean): ScalarFunction {
  return {
    name,
    signatures: [`${name}(ANY, ANY...)`],
    bind(args, ctx) {
      if (args.length < 1) ctx.fail(`${name} needs at least one argument`);
      const unified = bindToCommonType(args, ctx, name);
      if (unified.type.kind === 'MAP' || unified.type.kind === 'MULTISET')
        ctx.fail(`${name} cannot order values of type ${describeType(unified.type)}`);
      return { args: unified.args, type: { ...unified.type, nullable: anyNullable(args) } as DataType };
    },
    compile: (args) =>
      strict((...values: Value[]) => {
        let best = values[0] as Value;
        for (let i = 1; i < values.length; i++) {
          const value = values[i] as Value;
          if (wins(compareValues(value, best))) best = value;
        }
        return best;
      })(args),
  };
}

export const GREATEST = extreme('GREATEST', (order) => order > 0);
export const LEAST = extreme('LEAST', (order) => order < 0);
