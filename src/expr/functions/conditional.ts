import { describeType, withNullable } from '../../types/data-type.ts';
import { commonType } from '../../types/type-rules.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import type { Evaluator } from '../value.ts';
import { valuesEqual } from './comparison.ts';

/** The common type of the given results, with each result cast to it. */
function unify(results: readonly BoundExpr[], ctx: BindContext, what: string) {
  const type = commonType(results.map((result) => result.type));
  if (!type)
    ctx.fail(
      `${what} has results of incompatible types: ${results.map((r) => describeType(r.type)).join(', ')}`,
      'CAST the results to one type',
    );
  return { type, results: results.map((result) => (result.type.kind === 'NULL' ? result : ctx.cast(result, type))) };
}

/** Searched CASE: args are when1, then1, when2, then2, ..., else (always present; NULL when not written). */
export const CASE: ScalarFunction = {
  name: 'CASE',
  signatures: ['CASE WHEN BOOLEAN THEN ANY ... ELSE ANY END'],
  bind(args, ctx) {
    const conditions = args.filter((_, i) => i % 2 === 0 && i < args.length - 1);
    for (const condition of conditions) {
      if (condition.type.kind !== 'BOOLEAN' && condition.type.kind !== 'NULL')
        ctx.fail(`CASE WHEN needs a BOOLEAN condition, got ${describeType(condition.type)}`);
    }
    const results = args.filter((_, i) => i % 2 === 1 || i === args.length - 1);
    const { type, results: cast } = unify(results, ctx, 'CASE');
    const out: BoundExpr[] = [];
    for (let i = 0; i < conditions.length; i++) out.push(conditions[i] as BoundExpr, cast[i] as BoundExpr);
    out.push(cast[cast.length - 1] as BoundExpr);
    return { args: out, type };
  },
  compile(args) {
    const pairs = (args.length - 1) / 2;
    const conditions = args.filter((_, i) => i % 2 === 0 && i < args.length - 1);
    const results = args.filter((_, i) => i % 2 === 1);
    const otherwise = args[args.length - 1] as Evaluator;
    if (pairs === 1) {
      const [when, then] = [conditions[0] as Evaluator, results[0] as Evaluator];
      return (row) => (when(row) === true ? then(row) : otherwise(row));
    }
    return (row) => {
      for (let i = 0; i < pairs; i++)
        if ((conditions[i] as Evaluator)(row) === true) return (results[i] as Evaluator)(row);
      return otherwise(row);
    };
  },
};

function coalescing(name: string, arity?: number): ScalarFunction {
  return {
    name,
    signatures: [arity ? `${name}(ANY, ANY)` : `${name}(ANY, ANY...)`],
    bind(args, ctx) {
      if (arity !== undefined ? args.length !== arity : args.length < 1)
        ctx.fail(`${name} takes ${arity ?? 'one or more'} arguments, got ${args.length}`);
      const { type, results } = unify(args, ctx, name);
      const nullable = args.every((arg) => arg.type.kind === 'NULL' || arg.type.nullable);
      return { args: results, type: withNullable(type, nullable) };
    },
    compile(args) {
      return (row) => {
        for (const arg of args) {
          const value = arg(row);
          if (value !== null) return value;
        }
        return null;
      };
    },
  };
}

export const COALESCE = coalescing('COALESCE');
export const IFNULL = coalescing('IFNULL', 2);

export const NULLIF: ScalarFunction = {
  name: 'NULLIF',
  signatures: ['NULLIF(ANY, ANY)'],
  bind(args, ctx) {
    if (args.length !== 2) ctx.fail(`NULLIF takes 2 arguments, got ${args.length}`);
    const { type, results } = unify(args, ctx, 'NULLIF');
    return { args: results, type: withNullable(type, true) };
  },
  compile(args) {
    const [a, b] = args as [Evaluator, Evaluator];
    return (row) => {
      const x = a(row);
      if (x === null) return null;
      const y = b(row);
      return y !== null && valuesEqual(x, y) ? null : x;
    };
  },
};

/** IF(condition, then, else). */
export const IF: ScalarFunction = {
  name: 'IF',
  signatures: ['IF(BOOLEAN, ANY, ANY)'],
  bind(args, ctx) {
    if (args.length !== 3) ctx.fail(`IF takes 3 arguments, got ${args.length}`);
    const [condition, ...results] = args as [BoundExpr, BoundExpr, BoundExpr];
    if (condition.type.kind !== 'BOOLEAN' && condition.type.kind !== 'NULL')
      ctx.fail(`IF needs a BOOLEAN condition, got ${describeType(condition.type)}`);
    const unified = unify(results, ctx, 'IF');
    return { args: [condition, ...unified.results], type: unified.type };
  },
  compile(args) {
    const [condition, then, otherwise] = args as [Evaluator, Evaluator, Evaluator];
    return (row) => (condition(row) === true ? then(row) : otherwise(row));
  },
};

export { IS_ALPHA, IS_DECIMAL, IS_DIGIT } from './character-tests.ts';
export { TYPEOF } from './type-of.ts';
