import { type DataType, describeType, isCharacterString, isInteger, T, withNullable } from '../../types/data-type.ts';
import { commonType } from '../../types/type-rules.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import { toText } from '../cast.ts';
import { collectionKey, sameValue } from '../collections.ts';
import type { Evaluator, Value } from '../value.ts';
import { compareValues } from './comparison.ts';
import { anyNullable, strict } from './definition.ts';

/**
 * Flink 1.18's array functions (ARRAY_CONTAINS ... ARRAY_JOIN) and the cheap ones of 1.19/1.20
 * (ARRAY_MIN, ARRAY_EXCEPT, ARRAY_INTERSECT). Elements are compared as SQL values, NULL equal to NULL.
 */

type ArrayType = DataType & { kind: 'ARRAY' };

function arrayArg(name: string, args: readonly BoundExpr[], i: number, ctx: BindContext): ArrayType {
  const type = args[i]?.type;
  if (type?.kind !== 'ARRAY')
    return ctx.fail(`argument ${i + 1} of ${name} must be an ARRAY, got ${type ? describeType(type) : 'nothing'}`);
  return type;
}

function arity(name: string, args: readonly BoundExpr[], ctx: BindContext, min: number, max = min): void {
  if (args.length < min || args.length > max)
    ctx.fail(`${name} takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`);
}

/** The element argument cast to the array's element type (a NULL literal kept as it is). */
function elementArg(name: string, element: DataType, arg: BoundExpr, ctx: BindContext): BoundExpr {
  if (arg.type.kind === 'NULL') return arg;
  const common = commonType([element, arg.type]);
  if (!common)
    ctx.fail(`${name} looks for ${describeType(arg.type)} in an ARRAY of ${describeType(element)}`, 'CAST it');
  return ctx.cast(arg, withNullable(element, arg.type.nullable));
}

/** ARRAY_CONTAINS, ARRAY_POSITION, ARRAY_REMOVE: an array and an element cast to its element type. */
function bindNeedle(
  name: string,
  args: readonly BoundExpr[],
  ctx: BindContext,
): { args: BoundExpr[]; array: ArrayType } {
  arity(name, args, ctx, 2);
  const array = arrayArg(name, args, 0, ctx);
  return { args: [args[0] as BoundExpr, elementArg(name, array.element, args[1] as BoundExpr, ctx)], array };
}

/** An array function of an array and an element: NULL when the array is NULL, whatever the element. */
function nullArrayOnly(
  args: readonly Evaluator[],
  apply: (values: readonly Value[], element: Value) => Value,
): Evaluator {
  const [array, element] = args as [Evaluator, Evaluator];
  return (row) => {
    const values = array(row) as readonly Value[] | null;
    return values === null ? null : apply(values, element(row));
  };
}

/** Checks the 1 to 2 arguments after the array: each NULL or of the type `accepts` tells. */
function checkOptions(
  name: string,
  args: readonly BoundExpr[],
  ctx: BindContext,
  min: number,
  accepts: (type: DataType) => boolean,
  what: string,
): void {
  arity(name, args, ctx, min, min + 1);
  args.slice(1).forEach((arg, i) => {
    if (arg.type.kind !== 'NULL' && !accepts(arg.type))
      ctx.fail(`argument ${i + 2} of ${name} must be ${what}, got ${describeType(arg.type)}`);
  });
}

/** Arrays brought to one ARRAY type, nullable when any of them is. */
function commonArrays(
  name: string,
  args: readonly BoundExpr[],
  ctx: BindContext,
): { args: BoundExpr[]; type: ArrayType } {
  for (let i = 0; i < args.length; i++) arrayArg(name, args, i, ctx);
  const common = commonType(args.map((arg) => arg.type));
  if (common?.kind !== 'ARRAY')
    return ctx.fail(
      `${name} takes ARRAYs of one element type, got ${args.map((a) => describeType(a.type)).join(', ')}`,
    );
  const type = withNullable(common, anyNullable(args));
  return { args: args.map((arg) => ctx.cast(arg, withNullable(type, arg.type.nullable))), type };
}

/** The distinct elements in their first order. */
function distinct(values: readonly Value[], seen = new Set<string>()): Value[] {
  const out: Value[] = [];
  for (const value of values) {
    const key = collectionKey(value);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(value);
    }
  }
  return out;
}

function keys(values: readonly Value[]): Set<string> {
  return new Set(values.map(collectionKey));
}

/** ARRAY_CONTAINS(array, element): whether the array has the element (NULL finds a NULL element). */
export const ARRAY_CONTAINS: ScalarFunction = {
  name: 'ARRAY_CONTAINS',
  signatures: ['ARRAY_CONTAINS(ARRAY, ANY)'],
  bind(args, ctx) {
    const { args: bound, array } = bindNeedle('ARRAY_CONTAINS', args, ctx);
    return { args: bound, type: T.boolean(array.nullable) };
  },
  compile: (args) => nullArrayOnly(args, (values, wanted) => values.some((value) => sameValue(value, wanted))),
};

/** ARRAY_POSITION(array, element): the 1-based position of its first occurrence, 0 when absent. */
export const ARRAY_POSITION: ScalarFunction = {
  name: 'ARRAY_POSITION',
  signatures: ['ARRAY_POSITION(ARRAY, ANY)'],
  bind(args, ctx) {
    const { args: bound } = bindNeedle('ARRAY_POSITION', args, ctx);
    return { args: bound, type: T.int(anyNullable(bound)) };
  },
  compile: (args) =>
    strict((values: readonly Value[], wanted: Value) => values.findIndex((v) => sameValue(v, wanted)) + 1)(args),
};

/** ARRAY_REMOVE(array, element): the array without the elements equal to it (NULL removes NULLs). */
export const ARRAY_REMOVE: ScalarFunction = {
  name: 'ARRAY_REMOVE',
  signatures: ['ARRAY_REMOVE(ARRAY, ANY)'],
  bind(args, ctx) {
    const { args: bound, array } = bindNeedle('ARRAY_REMOVE', args, ctx);
    return { args: bound, type: array };
  },
  compile: (args) => nullArrayOnly(args, (values, unwanted) => values.filter((value) => !sameValue(value, unwanted))),
};

function arrayToArray(name: string, apply: (values: readonly Value[]) => Value[]): ScalarFunction {
  return {
    name,
    signatures: [`${name}(ARRAY)`],
    bind(args, ctx) {
      arity(name, args, ctx, 1);
      return { args, type: arrayArg(name, args, 0, ctx) };
    },
    compile: (args) => strict(apply)(args),
  };
}

export const ARRAY_DISTINCT = arrayToArray('ARRAY_DISTINCT', (values) => distinct(values));
export const ARRAY_REVERSE = arrayToArray('ARRAY_REVERSE', (values) => [...values].reverse());

/** Two or more arrays of one type into one (ARRAY_UNION, ARRAY_CONCAT, ...): NULL when any is NULL. */
function arraysToArray(
  name: string,
  apply: (arrays: readonly (readonly Value[])[]) => Value[],
  max = 2,
): ScalarFunction {
  return {
    name,
    signatures: [max === 2 ? `${name}(ARRAY, ARRAY)` : `${name}(ARRAY, ...)`],
    bind(args, ctx) {
      arity(name, args, ctx, max === 2 ? 2 : 1, max);
      return commonArrays(name, args, ctx);
    },
    compile: (args) => strict((...arrays: (readonly Value[])[]) => apply(arrays))(args),
  };
}

export const ARRAY_UNION = arraysToArray('ARRAY_UNION', ([a = [], b = []]) => distinct([...a, ...b]));
export const ARRAY_CONCAT = arraysToArray('ARRAY_CONCAT', (arrays) => arrays.flat(), Number.MAX_SAFE_INTEGER);
/** 1.20: the distinct elements of the first array absent from the second, in the first's order. */
export const ARRAY_EXCEPT = arraysToArray('ARRAY_EXCEPT', ([a = [], b = []]) => distinct(a, keys(b)));
/** 1.20: the distinct elements of the first array also in the second, in the first's order. */
export const ARRAY_INTERSECT = arraysToArray('ARRAY_INTERSECT', ([a = [], b = []]) => {
  const inB = keys(b);
  return distinct(a).filter((value) => inB.has(collectionKey(value)));
});

/** ARRAY_APPEND / ARRAY_PREPEND(array, element): NULL when the array is; a NULL element is added. */
function arrayAdd(name: string, append: boolean): ScalarFunction {
  return {
    name,
    signatures: [`${name}(ARRAY, ANY)`],
    bind(args, ctx) {
      arity(name, args, ctx, 2);
      const array = arrayArg(name, args, 0, ctx);
      const item = args[1] as BoundExpr;
      const element =
        item.type.kind === 'NULL' ? withNullable(array.element, true) : commonType([array.element, item.type]);
      if (!element)
        return ctx.fail(`${name} adds ${describeType(item.type)} to an ARRAY of ${describeType(array.element)}`);
      const type: ArrayType = { kind: 'ARRAY', element, nullable: array.nullable };
      const cast = [
        ctx.cast(args[0] as BoundExpr, { ...type, nullable: array.nullable }),
        item.type.kind === 'NULL' ? item : ctx.cast(item, element),
      ];
      return { args: cast, type };
    },
    compile: (args) => nullArrayOnly(args, (values, item) => (append ? [...values, item] : [item, ...values])),
  };
}

export const ARRAY_APPEND = arrayAdd('ARRAY_APPEND', true);
export const ARRAY_PREPEND = arrayAdd('ARRAY_PREPEND', false);

/**
 * ARRAY_SLICE(array, start [, end]): the elements from start to end inclusive, 1-based; 0 is the
 * first, a negative offset counts from the end; an empty array when start is after end.
 */
export const ARRAY_SLICE: ScalarFunction = {
  name: 'ARRAY_SLICE',
  signatures: ['ARRAY_SLICE(ARRAY, INT [, INT])'],
  bind(args, ctx) {
    const array = arrayArg('ARRAY_SLICE', args, 0, ctx);
    checkOptions('ARRAY_SLICE', args, ctx, 2, isInteger, 'an integer');
    const offsets = args
      .slice(1)
      .map((arg) => (arg.type.kind === 'NULL' ? arg : ctx.cast(arg, T.int(arg.type.nullable))));
    return { args: [args[0] as BoundExpr, ...offsets], type: withNullable(array, anyNullable(args)) };
  },
  compile: (args) =>
    strict((values: readonly Value[], start: number, end?: number) => {
      const size = values.length;
      let from = start < 0 ? size + start + 1 : start;
      let to = end === undefined ? size : end < 0 ? size + end + 1 : end;
      from = Math.max(from, 1);
      to = Math.min(to, size);
      return from > to ? [] : values.slice(from - 1, to);
    })(args),
};

/** ARRAY_MAX / ARRAY_MIN(array): the greatest or least element, NULLs left out; NULL when none. */
function arrayExtreme(name: string, sign: 1 | -1): ScalarFunction {
  return {
    name,
    signatures: [`${name}(ARRAY)`],
    bind(args, ctx) {
      arity(name, args, ctx, 1);
      const array = arrayArg(name, args, 0, ctx);
      if (['MAP', 'MULTISET', 'ROW', 'ARRAY'].includes(array.element.kind))
        ctx.fail(`${name} needs comparable elements, got ${describeType(array.element)}`);
      return { args, type: withNullable(array.element, true) };
    },
    compile: (args) =>
      strict((values: readonly Value[]) => {
        let best: Value = null;
        for (const value of values) {
          if (value !== null && (best === null || sign * compareValues(value, best) > 0)) best = value;
        }
        return best;
      })(args),
  };
}

export const ARRAY_MAX = arrayExtreme('ARRAY_MAX', 1);
/** 1.20. */
export const ARRAY_MIN = arrayExtreme('ARRAY_MIN', -1);

/** ARRAY_JOIN(array, delimiter [, nullReplacement]): the elements as text; NULLs left out unless replaced. */
export const ARRAY_JOIN: ScalarFunction = {
  name: 'ARRAY_JOIN',
  signatures: ['ARRAY_JOIN(ARRAY<STRING>, STRING [, STRING])'],
  bind(args, ctx) {
    const array = arrayArg('ARRAY_JOIN', args, 0, ctx);
    if (!isCharacterString(array.element))
      ctx.fail(`ARRAY_JOIN joins an ARRAY of strings, got ${describeType(array)}`, 'CAST it AS ARRAY<STRING>');
    checkOptions('ARRAY_JOIN', args, ctx, 2, isCharacterString, 'a character string');
    return { args, type: T.string(anyNullable(args)) };
  },
  compile: (args, call, env) => {
    const text = toText(call.args[0]?.type.kind === 'ARRAY' ? call.args[0].type.element : T.string(), env);
    return strict((values: readonly Value[], delimiter: string, replacement?: string) => {
      const parts: string[] = [];
      for (const value of values) {
        if (value !== null) parts.push(text(value) as string);
        else if (replacement !== undefined) parts.push(replacement);
      }
      return parts.join(delimiter);
    })(args);
  },
};
