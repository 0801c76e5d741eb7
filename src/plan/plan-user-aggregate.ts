import type { AggregateCall } from '../exec/accumulators.ts';
import type { BindContext, BoundExpr } from '../expr/bound.ts';
import type { Expression, FunctionCall } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import type { DataType } from '../types/data-type.ts';
import { userAggregate } from '../udf/aggregate.ts';
import { bindArguments, signatureOf } from '../udf/call-function.ts';
import { type BindEnvironment, bindCall, bindExpression, implicitCast } from './bind-expression.ts';
import { insertOnly } from './build.ts';
import { AGGREGATE_FUNCTIONS } from './built-in-functions.ts';
import { userFunction } from './function-scope.ts';
import type { PlanNode } from './nodes.ts';
import type { PlanContext } from './relation.ts';
import type { Scope } from './scope.ts';

/** Whether an expression is a call of an aggregate function, built-in or the script's own (not OVER one). */
export function isAggregateCall(expr: Expression): expr is FunctionCall {
  return (
    expr.kind === 'call' &&
    !expr.over &&
    (AGGREGATE_FUNCTIONS.has(expr.name) || userFunction(expr.name)?.kind === 'aggregate')
  );
}

/**
 * The argument (the ROW of them when there are several) and the aggregate of a call of a user
 * aggregate function; undefined for a built-in aggregate. Arguments are checked against the
 * function's declared types as a scalar call's are.
 */
export function userAggregateCall(
  call: FunctionCall,
  scope: Scope,
  env: BindEnvironment,
  ctx: PlanContext,
): { arg: BoundExpr | undefined; type: DataType; userDefined: AggregateCall['userDefined'] } | undefined {
  const fn = userFunction(call.name);
  if (fn?.kind !== 'aggregate') return undefined;
  if (call.star) throw new SqlError('SQL_SYNTAX', ctx.source, call.at, `${fn.name}(*) is only valid for COUNT`);
  const bind: BindContext = {
    fail(message, hint) {
      throw new SqlError('SQL_INVALID_CALL', ctx.source, call.at, message, hint ?? signatureOf(fn));
    },
    cast: implicitCast,
  };
  const args = bindArguments(
    fn,
    call.args.map((arg) => bindExpression(arg, scope, env)),
    bind,
  );
  const arg = args.length > 1 ? bindCall('ROW', args, call.at, ctx.source) : args[0];
  return { arg, type: fn.result, userDefined: userAggregate(fn, args.length) };
}

/**
 * As in Flink, a user aggregate function over an updating input must have a retract method: the
 * aggregate takes back what each -U and -D retracts.
 */
export function checkRetractable(
  calls: readonly AggregateCall[],
  astCalls: readonly FunctionCall[],
  input: PlanNode,
  ctx: PlanContext,
): void {
  if (insertOnly(input)) return;
  for (const call of calls) {
    const fn = call.userDefined ? userFunction(call.userDefined.name) : undefined;
    if (fn?.kind !== 'aggregate' || fn.retract) continue;
    const at = astCalls.find((c) => c.name.toUpperCase() === fn.name.toUpperCase())?.at ?? 0;
    throw new SqlError(
      'SQL_UDF_RETRACT',
      ctx.source,
      at,
      `function ${fn.name} has no retract method, but its input is updating (${input.changelog.kind}): the aggregate must take back retracted rows`,
      'add retract(accumulator, ...args) to the export, the inverse of accumulate (see docs/udf.md)',
    );
  }
}
