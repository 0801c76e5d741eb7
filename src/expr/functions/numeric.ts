import {
  type DataType,
  describeType,
  isInteger,
  isNumeric,
  MAX_DECIMAL_PRECISION,
  T,
  withNullable,
} from '../../types/data-type.ts';
import {
  decimalFromDouble,
  decimalToDouble,
  divideHalfUp,
  fitsPrecision,
  pow10,
  rescale,
  truncateScale,
} from '../../types/decimal.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import type { Evaluator, Value } from '../value.ts';
import { wrapInteger } from './arithmetic.ts';
import { anyNullable, strict } from './definition.ts';

export function numericArgument(name: string, arg: BoundExpr | undefined, ctx: BindContext): BoundExpr {
  if (!arg) ctx.fail(`${name} needs a numeric argument`);
  if (!isNumeric(arg.type) && arg.type.kind !== 'NULL')
    ctx.fail(`${name} needs a numeric argument, got ${describeType(arg.type)}`);
  return arg;
}

export function integerValue(value: Value): number {
  return typeof value === 'bigint' ? Number(value) : (value as number);
}

export const ABS: ScalarFunction = {
  name: 'ABS',
  signatures: ['ABS(NUMERIC)'],
  bind(args, ctx) {
    const arg = numericArgument('ABS', args[0], ctx);
    return { args, type: arg.type.kind === 'NULL' ? T.int() : arg.type };
  },
  compile(args, call) {
    switch (call.type.kind) {
      case 'BIGINT':
        return strict((a: bigint) => BigInt.asIntN(64, a < 0n ? -a : a))(args);
      case 'DECIMAL':
        return strict((a: bigint) => (a < 0n ? -a : a))(args);
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT': {
        const kind = call.type.kind;
        return strict((a: number) => wrapInteger(kind, Math.abs(a)))(args);
      }
      default:
        return strict((a: number) => Math.abs(a))(args);
    }
  },
};

/** Result type of ROUND(DECIMAL(p, s), r) (Flink's findRoundDecimalType). */
export function roundDecimalType(
  precision: number,
  scale: number,
  round: number,
): { precision: number; scale: number } {
  if (round >= scale) return { precision, scale };
  if (round < 0) return { precision: Math.min(MAX_DECIMAL_PRECISION, 1 + precision - scale), scale: 0 };
  return { precision: Math.min(MAX_DECIMAL_PRECISION, 1 + precision - scale + round), scale: round };
}

/**
 * ROUND(x[, d]) rounds HALF_UP and TRUNCATE(x[, d]) toward zero, to d decimal places (d may be negative);
 * both type their result as Flink's ROUND_FUNCTION_NULLABLE does, which needs a literal d for a DECIMAL.
 */
function roundingFunction(name: 'ROUND' | 'TRUNCATE', towardZero: boolean): ScalarFunction {
  const shorten = towardZero ? truncateScale : rescale;
  const dropDigits = (value: bigint, factor: bigint) =>
    (towardZero ? value / factor : divideHalfUp(value, factor)) * factor;
  return {
    name,
    signatures: [`${name}(NUMERIC)`, `${name}(NUMERIC, INT)`],
    bind(args, ctx) {
      const arg = numericArgument(name, args[0], ctx);
      const digitsArg = args[1];
      if (args.length > 2) ctx.fail(`${name} takes 1 or 2 arguments, got ${args.length}`);
      if (digitsArg && !isInteger(digitsArg.type))
        ctx.fail(`the second argument of ${name} must be an integer, got ${describeType(digitsArg.type)}`);
      if (arg.type.kind === 'DECIMAL') {
        if (digitsArg && digitsArg.kind !== 'literal')
          ctx.fail(`${name} of a DECIMAL needs a literal number of digits`, `write ${name}(x, 2)`);
        const digits = digitsArg ? integerValue((digitsArg as { value: Value }).value) : 0;
        const { precision, scale } = roundDecimalType(arg.type.precision, arg.type.scale, digits);
        return { args, type: T.decimal(precision, scale, anyNullable(args)) };
      }
      return { args, type: withNullable(arg.type.kind === 'NULL' ? T.int() : arg.type, anyNullable(args)) };
    },
    compile(args, call) {
      const source = call.args[0]?.type as DataType;
      const type = call.type;
      const operands: readonly Evaluator[] = args.length > 1 ? args : [...args, () => 0];
      if (type.kind === 'DECIMAL' && source.kind === 'DECIMAL') {
        const fromScale = source.scale;
        return strict((value: bigint, digits: number | bigint) => {
          const places = integerValue(digits);
          // Round at `places`, then express at the result scale.
          const rounded = places >= fromScale ? value : rescale(shorten(value, fromScale, places), places, fromScale);
          const result = rescale(rounded, fromScale, type.scale);
          return fitsPrecision(result, type.precision) ? result : null;
        })(operands);
      }
      if (type.kind === 'BIGINT' || type.kind === 'INT' || type.kind === 'SMALLINT' || type.kind === 'TINYINT') {
        const big = type.kind === 'BIGINT';
        return strict((value: number | bigint, digits: number | bigint) => {
          const places = integerValue(digits);
          if (places >= 0) return value;
          const rounded = dropDigits(BigInt(value), pow10(-places));
          return big ? BigInt.asIntN(64, rounded) : Number(BigInt.asIntN(32, rounded));
        })(operands);
      }
      const round = type.kind === 'FLOAT' ? Math.fround : (x: number) => x;
      return strict((value: number, digits: number | bigint) =>
        round(roundDouble(value, integerValue(digits), towardZero)),
      )(operands);
    },
  };
}

export const ROUND = roundingFunction('ROUND', false);
export const TRUNCATE = roundingFunction('TRUNCATE', true);

/** Enough decimal places to hold any double's shortest text exactly (5e-324 has 324). */
const EXACT_DOUBLE_SCALE = 340;

/** HALF_UP or toward-zero rounding of a double at `places`, on its shortest decimal text (Java's BigDecimal.valueOf). */
function roundDouble(value: number, places: number, towardZero: boolean): number {
  if (!Number.isFinite(value)) return value;
  if (towardZero) {
    const exact = decimalFromDouble(value, EXACT_DOUBLE_SCALE) as bigint;
    if (places >= 0) return decimalToDouble(truncateScale(exact, EXACT_DOUBLE_SCALE, places), places);
    const factor = pow10(-places);
    return decimalToDouble((truncateScale(exact, EXACT_DOUBLE_SCALE, 0) / factor) * factor, 0);
  }
  if (places >= 0) return decimalToDouble(decimalFromDouble(value, places) as bigint, places);
  const factor = pow10(-places);
  return decimalToDouble(divideHalfUp(decimalFromDouble(value, 0) as bigint, factor) * factor, 0);
}

/** FLOOR and CEIL: a DECIMAL(p, s) with s > 0 becomes DECIMAL(p - s + 1, 0); other types keep theirs. */
function floorCeil(name: string, up: boolean): ScalarFunction {
  return {
    name,
    signatures: [`${name}(NUMERIC)`],
    bind(args, ctx) {
      if (args.length !== 1) ctx.fail(`${name} takes 1 argument, got ${args.length}`);
      const arg = numericArgument(name, args[0], ctx);
      if (arg.type.kind === 'DECIMAL' && arg.type.scale > 0) {
        return {
          args,
          type: T.decimal(
            Math.min(MAX_DECIMAL_PRECISION, arg.type.precision - arg.type.scale + 1),
            0,
            arg.type.nullable,
          ),
        };
      }
      return { args, type: arg.type.kind === 'NULL' ? T.int() : arg.type };
    },
    compile(args, call) {
      const source = call.args[0]?.type as DataType;
      if (source.kind === 'DECIMAL') {
        const factor = pow10(source.scale);
        return strict((value: bigint) => {
          const quotient = value / factor;
          const exact = quotient * factor === value;
          if (exact) return quotient;
          return up ? (value > 0n ? quotient + 1n : quotient) : value < 0n ? quotient - 1n : quotient;
        })(args);
      }
      if (source.kind === 'FLOAT' || source.kind === 'DOUBLE')
        return strict((value: number) => (up ? Math.ceil(value) : Math.floor(value)))(args);
      return strict((value: Value) => value)(args);
    },
  };
}

export const FLOOR = floorCeil('FLOOR', false);
export const CEIL = floorCeil('CEIL', true);
export const CEILING = { ...CEIL, name: 'CEILING' };

export function doubleFunction(name: string, arity: number, apply: (...values: number[]) => number): ScalarFunction {
  return {
    name,
    signatures: [`${name}(${Array(arity).fill('NUMERIC').join(', ')})`],
    bind(args, ctx) {
      if (args.length !== arity) ctx.fail(`${name} takes ${arity} argument(s), got ${args.length}`);
      const cast = args.map((arg) => ctx.cast(numericArgument(name, arg, ctx), T.double(arg.type.nullable)));
      return { args: cast, type: T.double(anyNullable(args)) };
    },
    compile: (args) => strict(apply as (...values: never[]) => Value)(args),
  };
}

export const POWER = doubleFunction('POWER', 2, Math.pow);
export const SQRT = doubleFunction('SQRT', 1, Math.sqrt);
export const LN = doubleFunction('LN', 1, Math.log);
export const LOG10 = doubleFunction('LOG10', 1, Math.log10);
export const EXP = doubleFunction('EXP', 1, Math.exp);

export const SIGN: ScalarFunction = {
  name: 'SIGN',
  signatures: ['SIGN(NUMERIC)'],
  bind(args, ctx) {
    const arg = numericArgument('SIGN', args[0], ctx);
    return { args, type: arg.type.kind === 'NULL' ? T.int() : arg.type };
  },
  compile(args, call) {
    const type = call.type;
    if (type.kind === 'DECIMAL') {
      const one = pow10(type.scale);
      return strict((a: bigint) => (a > 0n ? one : a < 0n ? -one : 0n))(args);
    }
    if (type.kind === 'BIGINT') return strict((a: bigint) => (a > 0n ? 1n : a < 0n ? -1n : 0n))(args);
    return strict((a: number) => Math.sign(a))(args);
  },
};
