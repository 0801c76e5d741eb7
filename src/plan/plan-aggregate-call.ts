import type { AggregateFunction } from '../exec/accumulators.ts';
import { type BoundExpr, literal } from '../expr/bound.ts';
import type { Expression, FunctionCall } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import {
  type DataType,
  describeType,
  formatType,
  isCharacterString,
  isNumeric,
  MAX_DECIMAL_PRECISION,
  sameType,
  T,
  withNullable,
  withoutTimeAttribute,
} from '../types/data-type.ts';
import { bindCall } from './bind-expression.ts';
import type { PlanContext } from './relation.ts';

/** Adds an aggregate call (or finds the same one) and gives its position among the calls. */
export type AddCall = (
  fn: AggregateFunction,
  args: readonly BoundExpr[],
  distinct: boolean,
  filter: BoundExpr | undefined,
  type: DataType,
) => number;

/** The value of an aggregate written in SQL over the aggregate's output, given each call's output column. */
export type AggregateOutput = (ref: (call: number) => BoundExpr) => BoundExpr;

/** STDDEV and VARIANCE are Calcite's names for the sample variants. */
const VARIANCES: Readonly<Record<string, { readonly population: boolean; readonly sqrt: boolean }>> = {
  STDDEV_POP: { population: true, sqrt: true },
  STDDEV_SAMP: { population: false, sqrt: true },
  STDDEV: { population: false, sqrt: true },
  VAR_POP: { population: true, sqrt: false },
  VAR_SAMP: { population: false, sqrt: false },
  VARIANCE: { population: false, sqrt: false },
};

export function isVariance(name: string): boolean {
  return name in VARIANCES;
}

/**
 * Plans one aggregate call of a GROUP BY or window aggregate: its FILTER, its arguments, and the
 * aggregate calls that compute it. STDDEV_* and VAR_* are reduced to SUM and COUNT calls and an
 * expression over their results, as Flink 1.18's AggregateReduceFunctionsRule does, so that their
 * types, overflow and rounding are those of Flink's arithmetic.
 */
export function planAggregateCall(
  call: FunctionCall,
  bind: (expr: Expression) => BoundExpr,
  add: AddCall,
  ctx: PlanContext,
): AggregateOutput {
  const fail = (message: string, hint?: string) => new SqlError('SQL_INVALID_CALL', ctx.source, call.at, message, hint);
  const filter = call.filter ? bind(call.filter) : undefined;
  if (filter && filter.type.kind !== 'BOOLEAN') {
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      call.filter?.at ?? call.at,
      `FILTER expression must be of type BOOLEAN, got ${describeType(filter.type)}`,
      'write FILTER (WHERE condition)',
    );
  }
  const args = call.args.map(bind);
  const direct = (fn: AggregateFunction, type: DataType): AggregateOutput => {
    const index = add(fn, args, call.distinct, filter, type);
    return (ref) => ref(index);
  };
  if (call.star) {
    if (call.name !== 'COUNT') throw fail(`${call.name}(*) is not allowed`, `${call.name} takes an argument`);
    return direct('COUNT', T.bigint(false));
  }
  const variance = VARIANCES[call.name];
  if (variance) {
    if (args.length !== 1) throw fail(`${call.name} takes one argument`);
    return reduceVariance(call, args[0] as BoundExpr, filter, variance, add, ctx);
  }
  switch (call.name) {
    case 'LISTAGG': {
      if (args.length < 1 || args.length > 2) throw fail('LISTAGG takes a value and an optional separator');
      for (const arg of args) {
        if (!['CHAR', 'VARCHAR', 'NULL'].includes(arg.type.kind)) {
          throw fail(
            `LISTAGG takes character strings, got ${args.map((a) => describeType(a.type)).join(', ')}`,
            'CAST the value AS STRING',
          );
        }
      }
      return direct('LISTAGG', T.string(true));
    }
    case 'JSON_OBJECTAGG_NULL_ON_NULL':
    case 'JSON_OBJECTAGG_ABSENT_ON_NULL':
    case 'JSON_ARRAYAGG_NULL_ON_NULL':
    case 'JSON_ARRAYAGG_ABSENT_ON_NULL': {
      const jsonArgs = jsonAggregateArguments(call, args, fail, ctx);
      const index = add(call.name, jsonArgs, false, filter, T.string(false));
      return (ref) => ref(index);
    }
    case 'COUNT':
      // Flink 1.18's streaming planner has no plan for it ("Cannot generate a valid execution plan").
      if (args.length > 1 && call.distinct)
        throw fail(
          'COUNT(DISTINCT) of several arguments cannot be planned on a stream, as in Flink 1.18',
          'count the distinct rows of a subquery: SELECT k, COUNT(*) FROM (SELECT DISTINCT k, a, b FROM t WHERE a IS NOT NULL AND b IS NOT NULL) GROUP BY k',
        );
      if (args.length !== 1) {
        throw fail(
          args.length === 0 ? 'COUNT needs an argument or *' : 'COUNT of several arguments needs DISTINCT',
          'write COUNT(x), COUNT(DISTINCT x) or COUNT(*)',
        );
      }
      break;
    default:
      if (args.length !== 1) throw fail(`${call.name} takes one argument`);
  }
  const { fn, type } = aggregateType(call, args[0]?.type, ctx);
  return direct(fn, type);
}

/**
 * The arguments of JSON_OBJECTAGG(key, value) and JSON_ARRAYAGG(value), checked, the value wrapped
 * in JSON_STRING as Flink's WrapJsonAggFunctionArgumentsRule does: the aggregate gets JSON text.
 */
function jsonAggregateArguments(
  call: FunctionCall,
  args: readonly BoundExpr[],
  fail: (message: string, hint?: string) => SqlError,
  ctx: PlanContext,
): BoundExpr[] {
  const object = call.name.startsWith('JSON_OBJECTAGG');
  const fn = object ? 'JSON_OBJECTAGG' : 'JSON_ARRAYAGG';
  if (call.distinct) throw fail(`DISTINCT is not allowed in ${fn}`);
  const [key, value] = object ? args : [undefined, args[0]];
  if (key && (!isCharacterString(key.type) || key.type.nullable)) {
    throw fail(
      `Invalid argument type at position 0. Data type STRING NOT NULL expected but ${formatType(key.type)} passed.`,
      "the key of JSON_OBJECTAGG is a string that is never NULL: declare the column NOT NULL, or COALESCE(k, '-')",
    );
  }
  const json = bindCall('JSON_STRING', [value as BoundExpr], call.at, ctx.source);
  return key ? [key, json] : [json];
}

/**
 * Calcite's reduction of the variance family (the same in Flink 1.18), with x cast to the result
 * type T (the type AVG(x) has):
 *   VAR_POP(x)  = CAST((SUM(x * x) - SUM(x) * SUM(x) / COUNT(x)) / COUNT(x) AS T)
 *   VAR_SAMP(x) = the same divided by CASE WHEN COUNT(x) = 1 THEN NULL ELSE COUNT(x) - 1 END
 *   STDDEV_*(x) = CAST(POWER(VAR_*, 0.5) AS T)
 * so that, like Flink, the variance of an INT column is computed in integer arithmetic.
 */
function reduceVariance(
  call: FunctionCall,
  arg: BoundExpr,
  filter: BoundExpr | undefined,
  variance: { readonly population: boolean; readonly sqrt: boolean },
  add: AddCall,
  ctx: PlanContext,
): AggregateOutput {
  if (!isNumeric(arg.type)) {
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      call.at,
      `${call.name} needs a numeric argument, got ${describeType(arg.type)}`,
    );
  }
  const type = aggregateType({ ...call, name: 'AVG' }, arg.type, ctx).type;
  const operator = (name: string, ...operands: BoundExpr[]) => bindCall(name, operands, call.at, ctx.source);
  const x = ensureType(arg, type);
  const square = operator('TIMES', x, x);
  const sumOf = (value: BoundExpr) =>
    add('SUM', [value], call.distinct, filter, aggregateType({ ...call, name: 'SUM' }, value.type, ctx).type);
  const sumOfSquares = sumOf(square);
  const sum = sumOf(arg);
  const count = add('COUNT', [arg], call.distinct, filter, T.bigint(false));
  return (ref) => {
    const n = ref(count);
    const total = ensureType(ref(sum), type);
    const deviations = operator('MINUS', ref(sumOfSquares), operator('DIVIDE', operator('TIMES', total, total), n));
    const one = literal(1, T.int(false));
    const denominator = variance.population
      ? n
      : operator('CASE', operator('EQUALS', n, one), literal(null, T.bigint(true)), operator('MINUS', n, one));
    const quotient = operator('DIVIDE', deviations, denominator);
    const result = variance.sqrt ? operator('POWER', quotient, literal(5n, T.decimal(1, 1, false))) : quotient;
    return ensureType(result, withNullable(type, true));
  };
}

/** Calcite's ensureType ignoring nullability: a cast only when the types differ otherwise. */
function ensureType(expr: BoundExpr, type: DataType): BoundExpr {
  const target = withNullable(type, expr.type.nullable);
  if (sameType(expr.type, target)) return expr;
  return { kind: 'cast', operand: expr, type: target, try: false, implicit: true };
}

/** Result type of an aggregate, as Flink types it (SUM and AVG of an INT stay INT). */
export function aggregateType(
  call: FunctionCall,
  arg: DataType | undefined,
  ctx: PlanContext,
): { fn: AggregateFunction; type: DataType } {
  const name = call.name;
  const needNumeric = () => {
    if (!arg || !isNumeric(arg)) {
      throw new SqlError(
        'SQL_INVALID_CALL',
        ctx.source,
        call.at,
        `${name} needs a numeric argument, got ${arg ? describeType(arg) : 'none'}`,
      );
    }
    return arg;
  };
  const nullableWhenEmpty = (type: DataType) => withNullable(withoutTimeAttribute(type), true);
  switch (name) {
    case 'COUNT':
      return { fn: 'COUNT', type: T.bigint(false) };
    case 'SUM': {
      const t = needNumeric();
      if (t.kind === 'DECIMAL') return { fn: 'SUM', type: T.decimal(MAX_DECIMAL_PRECISION, t.scale, true) };
      return { fn: 'SUM', type: nullableWhenEmpty(t) };
    }
    case 'SUM0': {
      const t = needNumeric();
      return {
        fn: 'SUM0',
        type: withNullable(t.kind === 'DECIMAL' ? T.decimal(MAX_DECIMAL_PRECISION, t.scale) : t, false),
      };
    }
    case 'AVG': {
      const t = needNumeric();
      if (t.kind === 'DECIMAL')
        return { fn: 'AVG', type: T.decimal(MAX_DECIMAL_PRECISION, Math.max(6, t.scale), true) };
      return { fn: 'AVG', type: nullableWhenEmpty(t) };
    }
    case 'MIN':
    case 'MAX':
    case 'FIRST_VALUE':
    case 'LAST_VALUE': {
      if (!arg) throw new SqlError('SQL_INVALID_CALL', ctx.source, call.at, `${name} needs one argument`);
      if (
        !(
          isNumeric(arg) ||
          isCharacterString(arg) ||
          ['BOOLEAN', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ'].includes(arg.kind)
        )
      ) {
        throw new SqlError(
          'SQL_INVALID_CALL',
          ctx.source,
          call.at,
          `${name} cannot compare values of type ${describeType(arg)}`,
        );
      }
      return { fn: name, type: nullableWhenEmpty(arg) };
    }
    case 'COLLECT':
      if (!arg) throw new SqlError('SQL_INVALID_CALL', ctx.source, call.at, 'COLLECT needs one argument');
      return { fn: 'COLLECT', type: { kind: 'MULTISET', element: withoutTimeAttribute(arg), nullable: false } };
    case 'LISTAGG':
      if (!arg || !isCharacterString(arg))
        throw new SqlError('SQL_INVALID_CALL', ctx.source, call.at, 'LISTAGG takes a character string');
      return { fn: 'LISTAGG', type: T.string(true) };
    default:
      if (name.startsWith('JSON_OBJECTAGG') || name.startsWith('JSON_ARRAYAGG')) {
        throw new SqlError(
          'SQL_UNSUPPORTED',
          ctx.source,
          call.at,
          `${name.startsWith('JSON_OBJECTAGG') ? 'JSON_OBJECTAGG' : 'JSON_ARRAYAGG'} is not supported in OVER windows`,
          'Flink 1.18 computes it only in GROUP BY and TUMBLE or CUMULATE window aggregates',
        );
      }
      if (isVariance(name)) {
        throw new SqlError(
          'SQL_UNSUPPORTED',
          ctx.source,
          call.at,
          `Unsupported Function: '${name}' OVER a window`,
          'Flink 1.18 computes it in GROUP BY and window aggregates only: compute SUM(x), SUM(x * x) and COUNT(x) OVER the window and derive it',
        );
      }
      throw new SqlError(
        'SQL_UNSUPPORTED',
        ctx.source,
        call.at,
        `aggregate function ${name} is not supported yet`,
        'supported: COUNT, SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE, COLLECT, LISTAGG, STDDEV_POP, STDDEV_SAMP, VAR_POP, VAR_SAMP, VARIANCE',
      );
  }
}
