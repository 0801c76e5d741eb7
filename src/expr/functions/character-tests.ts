import { describeType, isCharacterString, T } from '../../types/data-type.ts';
import type { ScalarFunction } from '../bound.ts';
import type { Evaluator } from '../value.ts';

/**
 * IS_ALPHA, IS_DIGIT, IS_DECIMAL as Flink's SqlFunctionUtils defines them: FALSE for NULL and for the
 * empty string, never NULL themselves.
 */
function characterTest(name: string, test: (text: string) => boolean): ScalarFunction {
  return {
    name,
    signatures: [`${name}(STRING)`],
    bind(args, ctx) {
      if (args.length !== 1) ctx.fail(`${name} takes 1 argument, got ${args.length}`);
      const [arg] = args;
      if (arg && arg.type.kind !== 'NULL' && !isCharacterString(arg.type))
        ctx.fail(`${name} needs a character string, got ${describeType(arg.type)}`);
      return { args, type: T.boolean(false) };
    },
    compile(args) {
      const [operand] = args as [Evaluator];
      return (row) => {
        const value = operand(row);
        return typeof value === 'string' && value.length > 0 && test(value);
      };
    },
  };
}

/** Every character a letter (Java's Character.isLetter). */
export const IS_ALPHA = characterTest('IS_ALPHA', (text) => /^\p{L}+$/u.test(text));
/** Every character a digit (Java's Character.isDigit). */
export const IS_DIGIT = characterTest('IS_DIGIT', (text) => /^\p{Nd}+$/u.test(text));
/** A number as commons-lang's NumberUtils.isNumber reads one (signed, decimal point, exponent). */
export const IS_DECIMAL = characterTest('IS_DECIMAL', (text) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text));
