import { T } from '../../types/data-type.ts';
import type { BoundExpr, ScalarFunction } from '../bound.ts';
import { anyNullable, strict } from './definition.ts';
import { doubleFunction, numericArgument } from './numeric.ts';

// Trigonometry, logarithms and constants: DOUBLE results computed as Flink 1.18 does with
// java.lang.Math (a NaN or an infinity is a value, not an error).

export const SIN = doubleFunction('SIN', 1, Math.sin);
export const COS = doubleFunction('COS', 1, Math.cos);
export const TAN = doubleFunction('TAN', 1, Math.tan);
export const COT = doubleFunction('COT', 1, (x) => 1 / Math.tan(x));
export const ASIN = doubleFunction('ASIN', 1, Math.asin);
export const ACOS = doubleFunction('ACOS', 1, Math.acos);
export const ATAN = doubleFunction('ATAN', 1, Math.atan);
export const ATAN2 = doubleFunction('ATAN2', 2, Math.atan2);
export const SINH = doubleFunction('SINH', 1, Math.sinh);
export const COSH = doubleFunction('COSH', 1, Math.cosh);
export const TANH = doubleFunction('TANH', 1, Math.tanh);

const RADIANS_TO_DEGREES = 180 / Math.PI;
const DEGREES_TO_RADIANS = Math.PI / 180;
export const DEGREES = doubleFunction('DEGREES', 1, (x) => x * RADIANS_TO_DEGREES);
export const RADIANS = doubleFunction('RADIANS', 1, (x) => x * DEGREES_TO_RADIANS);

/** LOG2(x) = ln(x) / ln(2), as Flink computes it (not Math.log2, which can differ in the last digit). */
export const LOG2 = doubleFunction('LOG2', 1, (x) => Math.log(x) / Math.LN2);

/** LOG(x) is the natural logarithm; LOG(base, x) = ln(x) / ln(base). */
export const LOG: ScalarFunction = {
  name: 'LOG',
  signatures: ['LOG(NUMERIC)', 'LOG(NUMERIC, NUMERIC)'],
  bind(args, ctx) {
    if (args.length < 1 || args.length > 2) ctx.fail(`LOG takes 1 or 2 arguments, got ${args.length}`);
    const cast = args.map((arg: BoundExpr) => ctx.cast(numericArgument('LOG', arg, ctx), T.double(arg.type.nullable)));
    return { args: cast, type: T.double(anyNullable(args)) };
  },
  compile: (args) =>
    args.length === 1
      ? strict((x: number) => Math.log(x))(args)
      : strict((base: number, x: number) => Math.log(x) / Math.log(base))(args),
};

function constant(name: string, value: number): ScalarFunction {
  return {
    name,
    signatures: [`${name}()`],
    bind(args, ctx) {
      if (args.length !== 0) ctx.fail(`${name} takes no arguments, got ${args.length}`);
      return { args, type: T.double(false) };
    },
    compile: () => () => value,
  };
}

export const PI = constant('PI', Math.PI);
export const E = constant('E', Math.E);
