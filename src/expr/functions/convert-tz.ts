import { describeType, isCharacterString, T } from '../../types/data-type.ts';
import { compileDateFormat } from '../../types/date-format.ts';
import { instantToLocal, resolveTimeZone, type TimeZone } from '../../types/temporal.ts';
import type { ScalarFunction } from '../bound.ts';
import { EvaluationError } from '../value.ts';
import { strict } from './definition.ts';

const TEXT = compileDateFormat('yyyy-MM-dd HH:mm:ss', 'simple');

function zone(id: string): TimeZone {
  try {
    return resolveTimeZone(id);
  } catch (error) {
    // Java's TimeZone.getTimeZone silently reads an unknown id as GMT; a typo is better reported.
    throw new EvaluationError('INVALID_ARGUMENT', `CONVERT_TZ: ${(error as Error).message}`);
  }
}

/** CONVERT_TZ('yyyy-MM-dd HH:mm:ss', from zone, to zone): the same instant on the other zone's clock; NULL when the text does not parse. */
export const CONVERT_TZ: ScalarFunction = {
  name: 'CONVERT_TZ',
  signatures: ['CONVERT_TZ(STRING, STRING, STRING)'],
  bind(args, ctx) {
    if (args.length !== 3) ctx.fail(`CONVERT_TZ takes 3 arguments, got ${args.length}`);
    for (const [i, arg] of args.entries()) {
      if (arg.type.kind !== 'NULL' && !isCharacterString(arg.type))
        ctx.fail(`argument ${i + 1} of CONVERT_TZ must be a character string, got ${describeType(arg.type)}`);
    }
    return { args, type: T.string(true) };
  },
  compile: (args) =>
    strict((text: string, from: string, to: string) => {
      const instant = TEXT.parseInstant(text, zone(from));
      return instant === null ? null : TEXT.format(instantToLocal(zone(to), instant));
    })(args),
};
