import { type BindContext, type BoundExpr, literal, type ScalarFunction } from '../expr/bound.ts';
import { callableFunctionNames, lookupFunction } from '../expr/functions/registry.ts';
import type { Expression, FunctionCall, IntervalLiteral, Literal } from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import {
  type DataType,
  formatType,
  isTemporal,
  sameType,
  T,
  withNullable,
  withoutTimeAttribute,
} from '../types/data-type.ts';
import { parseDate, parseTime, parseTimestamp } from '../types/temporal.ts';
import { explicitCastProblem, isImplicitCast } from '../types/type-rules.ts';
import { AGGREGATE_FUNCTIONS } from './built-in-functions.ts';
import { foldConstants } from './fold.ts';
import { userScalarFunction } from './function-scope.ts';
import type { Scope } from './scope.ts';

const COMPARISONS: Readonly<Record<string, string>> = {
  '=': 'EQUALS',
  '<>': 'NOT_EQUALS',
  '<': 'LESS_THAN',
  '<=': 'LESS_THAN_OR_EQUAL',
  '>': 'GREATER_THAN',
  '>=': 'GREATER_THAN_OR_EQUAL',
  'IS DISTINCT FROM': 'IS_DISTINCT_FROM',
  'IS NOT DISTINCT FROM': 'IS_NOT_DISTINCT_FROM',
};

const MICROS: Readonly<Record<string, number>> = {
  DAY: 86_400_000_000,
  HOUR: 3_600_000_000,
  MINUTE: 60_000_000,
  SECOND: 1_000_000,
};

export interface BindEnvironment {
  readonly source: SqlSource;
  /** Called for a column reference the scope does not resolve itself (e.g. after aggregation). */
  readonly rewrite?: (expr: Expression) => BoundExpr | undefined;
}

/** Types an expression against the columns in scope, turning operators into canonical calls. */
export function bindExpression(expr: Expression, scope: Scope, env: BindEnvironment): BoundExpr {
  const rewritten = env.rewrite?.(expr);
  if (rewritten) return rewritten;
  const bind = (e: Expression) => bindExpression(e, scope, env);
  const call = (name: string, args: readonly BoundExpr[], at: number) => bindCall(name, args, at, env.source);
  switch (expr.kind) {
    case 'literal':
      return bindLiteral(expr, env.source);
    case 'interval':
      return bindInterval(expr, env.source);
    case 'column':
      return bindColumn(expr.parts, expr.at, scope, env.source);
    case 'unary': {
      const operand = bind(expr.operand);
      if (expr.operator === '+') return operand;
      return call(expr.operator === '-' ? 'NEGATE' : 'NOT', [operand], expr.at);
    }
    case 'binary': {
      const left = bind(expr.left);
      const right = bind(expr.right);
      switch (expr.operator) {
        case 'AND':
        case 'OR':
          return call(expr.operator, [left, right], expr.at);
        case '||':
          return call('CONCAT_OPERATOR', [left, right], expr.at);
        case '+':
        case '-': {
          const datetime = [left, right].some((side) => isTemporal(side.type) || side.type.kind.startsWith('INTERVAL'));
          if (datetime) return call(expr.operator === '+' ? 'DATETIME_PLUS' : 'DATETIME_MINUS', [left, right], expr.at);
          return call(expr.operator === '+' ? 'PLUS' : 'MINUS', [left, right], expr.at);
        }
        case '*':
          return call('TIMES', [left, right], expr.at);
        case '/':
          return call('DIVIDE', [left, right], expr.at);
        case '%':
          return call('MOD', [left, right], expr.at);
        default:
          return call(COMPARISONS[expr.operator] as string, [left, right], expr.at);
      }
    }
    case 'is': {
      const operand = bind(expr.operand);
      const test = expr.test === 'UNKNOWN' ? 'NULL' : expr.test;
      return call(`IS_${expr.negated ? 'NOT_' : ''}${test}`, [operand], expr.at);
    }
    case 'between': {
      const operand = bind(expr.operand);
      const low = bind(expr.low);
      const high = bind(expr.high);
      const within = (a: BoundExpr, b: BoundExpr) =>
        call(
          'AND',
          [call('GREATER_THAN_OR_EQUAL', [operand, a], expr.at), call('LESS_THAN_OR_EQUAL', [operand, b], expr.at)],
          expr.at,
        );
      const test = expr.symmetric ? call('OR', [within(low, high), within(high, low)], expr.at) : within(low, high);
      return expr.negated ? call('NOT', [test], expr.at) : test;
    }
    case 'in': {
      const test = call('IN', [bind(expr.operand), ...expr.list.map(bind)], expr.at);
      return expr.negated ? call('NOT', [test], expr.at) : test;
    }
    case 'like': {
      const args = [bind(expr.operand), bind(expr.pattern), ...(expr.escape ? [bind(expr.escape)] : [])];
      const test = call('LIKE', args, expr.at);
      return expr.negated ? call('NOT', [test], expr.at) : test;
    }
    case 'case': {
      const operand = expr.operand ? bind(expr.operand) : undefined;
      const args: BoundExpr[] = [];
      for (const { when, result } of expr.whens) {
        const condition = operand ? call('EQUALS', [operand, bind(when)], when.at) : bind(when);
        args.push(condition, bind(result));
      }
      args.push(expr.else ? bind(expr.else) : literal(null, T.null()));
      return call('CASE', args, expr.at);
    }
    case 'cast': {
      const operand = bind(expr.operand);
      const problem = operand.type.kind === 'NULL' ? undefined : explicitCastProblem(operand.type, expr.type);
      if (problem) throw new SqlError('SQL_INVALID_CAST', env.source, expr.at, problem);
      const type = withNullable(expr.type, expr.try || operand.type.kind === 'NULL' || operand.type.nullable);
      if (operand.type.kind === 'NULL') return literal(null, type);
      return foldConstants({ kind: 'cast', operand, type, try: expr.try, implicit: false });
    }
    case 'extract': {
      const unit = literal(expr.unit, T.string(false));
      return call('EXTRACT', [unit, bind(expr.operand)], expr.at);
    }
    case 'call': {
      if (expr.over) throw overNotSupported(expr, env.source);
      if (AGGREGATE_FUNCTIONS.has(expr.name)) {
        throw new SqlError(
          'SQL_AGGREGATE_NOT_ALLOWED',
          env.source,
          expr.at,
          `aggregate function ${expr.name} is not allowed here`,
          'aggregates belong in the SELECT list or HAVING of a query with GROUP BY (or over the whole input)',
        );
      }
      if (expr.name === 'GROUPING' || expr.name === 'GROUPING_ID' || expr.name === 'GROUP_ID') {
        throw new SqlError(
          'SQL_AGGREGATE_NOT_ALLOWED',
          env.source,
          expr.at,
          `${expr.name} operator may only occur in an aggregate query`,
          'use it in the SELECT list or HAVING of a query with GROUP BY',
        );
      }
      if (expr.star) throw new SqlError('SQL_SYNTAX', env.source, expr.at, `${expr.name}(*) is only valid for COUNT`);
      if (expr.distinct)
        throw new SqlError(
          'SQL_SYNTAX',
          env.source,
          expr.at,
          `DISTINCT is only valid in aggregate functions, not ${expr.name}`,
        );
      const user = userScalarFunction(expr.name, env.source, expr.at);
      if (user) return bindFunction(user, expr.args.map(bind), expr.at, env.source, true);
      return call(expr.name, expr.args.map(bind), expr.at);
    }
    case 'exists':
    case 'inSubquery':
    case 'scalarSubquery':
      // The planner replaces the subqueries it runs (conditions of WHERE and HAVING, values in SELECT) by joins.
      throw new SqlError(
        'SQL_UNSUPPORTED',
        env.source,
        expr.at,
        `${expr.kind === 'scalarSubquery' ? 'a scalar subquery' : `${expr.kind === 'exists' ? 'EXISTS' : 'IN'} with a subquery`} is only supported in WHERE, HAVING and the SELECT list`,
        'Flink runs these as joins; write the join yourself where the subquery stands elsewhere',
      );
  }
}

/**
 * A column, or the field of a ROW column: `col`, `t.col`, then `col.field`, `t.col.field`, ... when
 * no column is named by the whole path (a qualified column comes first, as in Flink).
 */
function bindColumn(parts: readonly string[], at: number, scope: Scope, source: SqlSource): BoundExpr {
  const input = (index: number): BoundExpr => {
    const field = scope.fields[index] as { name: string; type: DataType };
    return { kind: 'input', index, name: field.name, type: field.type };
  };
  if (parts.length > 1 && scope.matches(parts).length === 0) {
    for (let length = parts.length - 1; length >= 1; length--) {
      const prefix = parts.slice(0, length);
      if (scope.matches(prefix).length === 0) continue;
      let value = input(scope.resolve(prefix, source, at));
      for (const name of parts.slice(length))
        value = bindCall('DOT', [value, literal(name, T.string(false))], at, source);
      return value;
    }
  }
  return input(scope.resolve(parts, source, at));
}

/** The code of a ROW_NUMBER() OVER that no filter on its result makes a Top-N (a view may still be filtered). */
export const ROW_NUMBER_WITHOUT_FILTER = 'SQL_ROW_NUMBER_WITHOUT_FILTER';

/** Window functions Flink runs only as Top-N or deduplication (a filter on their result). */
const RANKING_FUNCTIONS = new Set(['ROW_NUMBER', 'RANK', 'DENSE_RANK']);

/**
 * A call with OVER where no Top-N or deduplication takes it: Flink plans ROW_NUMBER only when a
 * filter on its result follows, and has no streaming RANK or DENSE_RANK.
 */
function overNotSupported(expr: FunctionCall, source: SqlSource): SqlError {
  if (expr.name === 'RANK' || expr.name === 'DENSE_RANK') {
    return new SqlError(
      'SQL_UNSUPPORTED',
      source,
      expr.at,
      `${expr.name}() on streaming table is not supported currently`,
      'use ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) in a subquery filtered by the outer WHERE (Top-N)',
    );
  }
  if (RANKING_FUNCTIONS.has(expr.name)) {
    return new SqlError(
      ROW_NUMBER_WITHOUT_FILTER,
      source,
      expr.at,
      "ROW_NUMBER() OVER runs only as Flink's Top-N or deduplication: an unbounded ROW_NUMBER is not supported on a stream",
      "select it in a subquery and filter it in the outer query's WHERE: SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY c DESC) AS rn FROM t) WHERE rn <= 10 (also rn = 1, rn < N, rn BETWEEN a AND b)",
    );
  }
  if (AGGREGATE_FUNCTIONS.has(expr.name)) {
    return new SqlError(
      'SQL_UNSUPPORTED',
      source,
      expr.at,
      `Windowed aggregate expression is illegal here: ${expr.name} OVER belongs in the SELECT list`,
      'compute it in the SELECT list of a subquery and filter or group by its column in the query around it',
    );
  }
  return new SqlError(
    'SQL_UNSUPPORTED',
    source,
    expr.at,
    `${expr.name} OVER is not supported`,
    'Flink runs aggregates (COUNT, SUM, AVG, MIN, MAX, ...) OVER a window, and ROW_NUMBER() OVER filtered on its result (Top-N, deduplication)',
  );
}

/** Binds a call to a registered function, letting it type its arguments. */
export function bindCall(name: string, args: readonly BoundExpr[], at: number, source: SqlSource): BoundExpr {
  const fn = lookupFunction(name);
  if (!fn) {
    const signature = `${name}(${args.map((arg) => formatType(arg.type)).join(', ')})`;
    const similar = callableFunctionNames().filter((known) => known.startsWith(name.slice(0, 3)));
    throw new SqlError(
      'SQL_UNKNOWN_FUNCTION',
      source,
      at,
      `No match found for function signature ${signature}`,
      similar.length > 0
        ? `similar functions: ${similar.join(', ')}`
        : `functions: ${callableFunctionNames().join(', ')}`,
    );
  }
  return bindFunction(fn, args, at, source, false);
}

/** A call of `fn`, which types its arguments; `user`: a user-defined function, which the call carries. */
export function bindFunction(
  fn: ScalarFunction,
  args: readonly BoundExpr[],
  at: number,
  source: SqlSource,
  user: boolean,
): BoundExpr {
  const ctx: BindContext = {
    fail(message, hint) {
      throw new SqlError('SQL_INVALID_CALL', source, at, message, hint ?? `signatures: ${fn.signatures.join(', ')}`);
    },
    cast: implicitCast,
  };
  const bound = fn.bind(args, ctx);
  return foldConstants({ kind: 'call', name: fn.name, args: bound.args, type: bound.type, ...(user ? { fn } : {}) });
}

/** `arg` as `type` (keeping its nullability), through an implicit cast when the types differ. */
export function implicitCast(arg: BoundExpr, type: DataType): BoundExpr {
  const target = withNullable(withoutTimeAttribute(type), arg.type.kind === 'NULL' || arg.type.nullable);
  if (arg.type.kind === 'NULL') return literal(null, withNullable(target, true));
  if (sameType(arg.type, target)) return arg;
  return foldConstants({
    kind: 'cast',
    operand: arg,
    type: target,
    try: false,
    implicit: isImplicitCast(arg.type, target),
  });
}

function bindLiteral(expr: Literal, source: SqlSource): BoundExpr {
  const invalid = (what: string): never => {
    throw new SqlError(
      'SQL_INVALID_LITERAL',
      source,
      expr.at,
      `'${expr.text}' is not a valid ${what} literal`,
      what === 'TIME'
        ? "write 'HH:mm:ss' with up to 9 fraction digits, from 00:00:00 to 23:59:59.999999999"
        : "write 'yyyy-MM-dd' (and ' HH:mm:ss' with up to 9 fraction digits), from 0000-01-01 to 9999-12-31 23:59:59.999999999",
    );
  };
  switch (expr.type) {
    case 'null':
      return literal(null, T.null());
    case 'boolean':
      return literal(expr.text === 'TRUE', T.boolean(false));
    case 'string':
      return literal(expr.text, T.char(Array.from(expr.text).length, false));
    case 'number':
      return numberLiteral(expr.text);
    case 'date':
      return literal(parseDate(expr.text) ?? invalid('DATE'), T.date(false));
    case 'time': {
      const value = parseTime(expr.text) ?? invalid('TIME');
      return literal(value, T.time(fractionDigits(expr.text), false));
    }
    case 'timestamp':
    case 'timestampLtz': {
      // Year 0 is in: Flink's range begins at 0000-01-01.
      const value = parseTimestamp(expr.text, true) ?? invalid('TIMESTAMP');
      const precision = fractionDigits(expr.text);
      return literal(
        value,
        expr.type === 'timestamp' ? T.timestamp(precision, false) : T.timestampLtz(precision, false),
      );
    }
  }
}

function fractionDigits(text: string): number {
  const fraction = /\.(\d+)\s*$/.exec(text)?.[1];
  return Math.min(fraction?.length ?? 0, 9);
}

/** 1 is INT, 3000000000 BIGINT, 1.50 DECIMAL(3, 2), 1e3 DOUBLE (Flink's literal types). */
function numberLiteral(text: string): BoundExpr {
  if (/[eE]/.test(text)) return literal(Number(text), T.double(false));
  if (!text.includes('.')) {
    const value = BigInt(text);
    if (value >= -2147483648n && value <= 2147483647n) return literal(Number(value), T.int(false));
    if (value === BigInt.asIntN(64, value)) return literal(value, T.bigint(false));
    const digits = text.replace('-', '').replace(/^0+(?=\d)/, '').length;
    return literal(value, T.decimal(Math.min(digits, 38), 0, false));
  }
  const [whole = '', fraction = ''] = text.replace('-', '').split('.');
  const unscaled = BigInt(`${text.startsWith('-') ? '-' : ''}${whole}${fraction}` || '0');
  const precision = Math.max((whole.replace(/^0+/, '') + fraction).length, fraction.length, 1);
  return literal(unscaled, T.decimal(Math.min(precision, 38), fraction.length, false));
}

function bindInterval(expr: IntervalLiteral, source: SqlSource): BoundExpr {
  const sign = expr.negative ? -1 : 1;
  const invalid = (): never => {
    throw new SqlError(
      'SQL_INVALID_LITERAL',
      source,
      expr.at,
      `'${expr.text}' is not a valid INTERVAL ${expr.unit}${expr.toUnit ? ` TO ${expr.toUnit}` : ''}`,
    );
  };
  const text = expr.text.trim();
  if (expr.unit === 'YEAR' || expr.unit === 'MONTH') {
    if (expr.toUnit === 'MONTH' && expr.unit === 'YEAR') {
      const match = /^(-?)(\d+)-(\d+)$/.exec(text) ?? invalid();
      const months = Number(match[2]) * 12 + Number(match[3]);
      return literal(sign * (match[1] ? -months : months), T.intervalYearMonth(false));
    }
    if (!/^-?\d+$/.test(text)) invalid();
    return literal(sign * Number(text) * (expr.unit === 'YEAR' ? 12 : 1), T.intervalYearMonth(false));
  }
  if (!expr.toUnit) {
    if (!/^-?\d+(\.\d+)?$/.test(text) || (expr.unit !== 'SECOND' && text.includes('.'))) invalid();
    return literal(sign * Math.round(Number(text) * (MICROS[expr.unit] as number)), T.intervalDayTime(false));
  }
  // DAY TO SECOND style: 'D HH:MM:SS.fff' with the leading and trailing fields given by the units.
  const match = /^(-?)(?:(\d+) )?(\d+)(?::(\d+))?(?::(\d+(?:\.\d+)?))?$/.exec(text) ?? invalid();
  const units = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  const parts = [match[2], match[3], match[4], match[5]].filter((part) => part !== undefined).map(Number);
  const start = units.indexOf(expr.unit);
  let micros = 0;
  parts.forEach((value, i) => {
    micros += value * (MICROS[units[start + i] as string] ?? invalid());
  });
  return literal(sign * (match[1] ? -1 : 1) * Math.round(micros), T.intervalDayTime(false));
}
