import { formatType, T, withoutTimeAttribute } from '../../types/data-type.ts';
import type { BoundExpr, ScalarFunction } from '../bound.ts';

/** The serializable spelling of a type (Flink's asSerializableString): no aliases, no time attributes. */
function serializable(text: string): string {
  return text
    .replace(/\bSTRING\b/g, 'VARCHAR(2147483647)')
    .replace(/\bBYTES\b/g, 'VARBINARY(2147483647)')
    .replace(/\bTIMESTAMP_LTZ\((\d)\)/g, 'TIMESTAMP($1) WITH LOCAL TIME ZONE');
}

/** TYPEOF(x[, force_serializable]): the type of the argument as text, known when planning. */
export const TYPEOF: ScalarFunction = {
  name: 'TYPEOF',
  signatures: ['TYPEOF(ANY)', 'TYPEOF(ANY, BOOLEAN literal)'],
  bind(args, ctx) {
    if (args.length < 1 || args.length > 2) ctx.fail(`TYPEOF takes 1 or 2 arguments, got ${args.length}`);
    const force = args[1];
    if (force && !(force.kind === 'literal' && typeof force.value === 'boolean'))
      ctx.fail('the second argument of TYPEOF must be the literal TRUE or FALSE');
    return { args, type: T.string(true) };
  },
  compile(_args, call) {
    const [input, force] = call.args as [BoundExpr, BoundExpr | undefined];
    const forced = force !== undefined && (force as { value: unknown }).value === true;
    const text = forced ? serializable(formatType(withoutTimeAttribute(input.type))) : formatType(input.type);
    return () => text;
  },
};
