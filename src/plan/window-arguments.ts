import type { WindowTableFunction as WindowAst } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { bindExpression } from './bind-expression.ts';
import type { PlanContext } from './relation.ts';
import { Scope } from './scope.ts';

/**
 * The INTERVAL arguments of a window TVF after DATA and TIMECOL, as Flink 1.18 takes them:
 * TUMBLE(size [, offset]), HOP(slide, size [, offset]), CUMULATE(step, size [, offset]),
 * SESSION(gap). The offset (microseconds) shifts where windows start; it may be negative.
 */
export function windowArguments(
  ref: WindowAst,
  ctx: PlanContext,
): { readonly sizes: WindowAst['intervals']; readonly offset?: number } {
  const expected = ref.window === 'TUMBLE' || ref.window === 'SESSION' ? 1 : 2;
  const withOffset = ref.window !== 'SESSION' && ref.intervals.length === expected + 1;
  if (ref.intervals.length !== expected && !withOffset) {
    const sizes =
      ref.window === 'SESSION'
        ? 'a gap'
        : expected === 1
          ? 'a size'
          : ref.window === 'HOP'
            ? 'a slide and a size'
            : 'a step and a size';
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      ref.at,
      ref.window === 'SESSION'
        ? 'SESSION takes a gap as an INTERVAL, and no offset (as in Flink)'
        : `${ref.window} takes ${sizes} as INTERVALs, and optionally an offset`,
    );
  }
  if (!withOffset) return { sizes: ref.intervals };
  const argument = ref.intervals[expected] as WindowAst['intervals'][number];
  const bound = bindExpression(argument, new Scope([]), { source: ctx.source });
  if (bound.kind !== 'literal' || bound.type.kind !== 'INTERVAL_DAY_TIME' || bound.value === null) {
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      argument.at,
      `the offset of ${ref.window} must be an INTERVAL literal such as INTERVAL '15' MINUTE or -INTERVAL '1' HOUR`,
    );
  }
  const offset = bound.value as number;
  if (offset % 1000 !== 0)
    throw new SqlError('SQL_INVALID_CALL', ctx.source, argument.at, 'window offsets must be whole milliseconds');
  return { sizes: ref.intervals.slice(0, expected), offset };
}
