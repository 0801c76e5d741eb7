import { type DataType, describeType, isInteger, isNumeric, T, withNullable } from '../../types/data-type.ts';
import { divideHalfUp, fitsPrecision, pow10, rescale } from '../../types/decimal.ts';
import { type ArithmeticOperator, arithmeticType } from '../../types/type-rules.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import { EvaluationError, type Evaluator, type Value } from '../value.ts';
import { anyNullable, strict } from './definition.ts';

/** Wraps a JS number to the range of a Java integer type, as Flink's generated code overflows. */
export function wrapInteger(kind: 'TINYINT' | 'SMALLINT' | 'INT', value: number): number {
  switch (kind) {
    case 'TINYINT':
      return (value << 24) >> 24;
    case 'SMALLINT':
      return (value << 16) >> 16;
    case 'INT':
      return value | 0;
  }
}

function bindArithmetic(operator: ArithmeticOperator) {
  return (args: readonly BoundExpr[], ctx: BindContext) => {
    const [left, right] = args as [BoundExpr, BoundExpr];
    if (left.type.kind === 'NULL' && right.type.kind === 'NULL') return { args, type: T.int() };
    const l = left.type.kind === 'NULL' ? right.type : left.type;
    const r = right.type.kind === 'NULL' ? left.type : right.type;
    const type = arithmeticType(operator, l, r);
    if (!type) ctx.fail(`cannot apply '${operator}' to ${describeTypes(args)}`, 'both sides must be numeric');
    // Operands are brought to the result type, except DECIMAL operands which keep their own scale.
    const operand = (arg: BoundExpr) => {
      if (type.kind === 'DECIMAL') {
        if (arg.type.kind === 'DECIMAL') return arg;
        const digits = isInteger(arg.type) ? { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 }[arg.type.kind] : 19;
        return ctx.cast(arg, T.decimal(digits, 0, arg.type.nullable));
      }
      return ctx.cast(arg, withNullable(type, arg.type.kind === 'NULL' || arg.type.nullable));
    };
    return { args: [operand(left), operand(right)], type: withNullable(type, anyNullable(args)) };
  };
}

function describeTypes(args: readonly BoundExpr[]): string {
  return args.map((arg) => describeType(arg.type)).join(' and ');
}

function divisionByZero(): never {
  throw new EvaluationError('DIVISION_BY_ZERO', 'division by zero');
}

function compileArithmetic(operator: ArithmeticOperator) {
  return (args: readonly Evaluator[], call: { args: readonly BoundExpr[]; type: DataType }): Evaluator => {
    const type = call.type;
    switch (type.kind) {
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT': {
        const kind = type.kind;
        const op: Record<ArithmeticOperator, (a: number, b: number) => number> = {
          '+': (a, b) => wrapInteger(kind, a + b),
          '-': (a, b) => wrapInteger(kind, a - b),
          '*': (a, b) => {
            const product = a * b;
            return wrapInteger(
              kind,
              Number.isSafeInteger(product) ? product : Number(BigInt.asIntN(32, BigInt(a) * BigInt(b))),
            );
          },
          '/': (a, b) => (b === 0 ? divisionByZero() : wrapInteger(kind, Math.trunc(a / b))),
          '%': (a, b) => (b === 0 ? divisionByZero() : a % b),
        };
        return strict(op[operator] as (...v: never[]) => Value)(args);
      }
      case 'BIGINT': {
        const op: Record<ArithmeticOperator, (a: bigint, b: bigint) => bigint> = {
          '+': (a, b) => BigInt.asIntN(64, a + b),
          '-': (a, b) => BigInt.asIntN(64, a - b),
          '*': (a, b) => BigInt.asIntN(64, a * b),
          '/': (a, b) => (b === 0n ? divisionByZero() : BigInt.asIntN(64, a / b)),
          '%': (a, b) => (b === 0n ? divisionByZero() : a % b),
        };
        return strict(op[operator] as (...v: never[]) => Value)(args);
      }
      case 'FLOAT':
      case 'DOUBLE': {
        const round = type.kind === 'FLOAT' ? Math.fround : (x: number) => x;
        const op: Record<ArithmeticOperator, (a: number, b: number) => number> = {
          '+': (a, b) => round(a + b),
          '-': (a, b) => round(a - b),
          '*': (a, b) => round(a * b),
          '/': (a, b) => round(a / b),
          '%': (a, b) => round(a % b),
        };
        return strict(op[operator] as (...v: never[]) => Value)(args);
      }
      case 'DECIMAL':
        return strict(decimalOperation(operator, call.args, type.precision, type.scale) as (...v: never[]) => Value)(
          args,
        );
      default:
        throw new Error(`arithmetic on ${describeType(type)}`);
    }
  };
}

/** Exact DECIMAL arithmetic; a result that does not fit the result precision is NULL, as in Flink. */
function decimalOperation(
  operator: ArithmeticOperator,
  operands: readonly BoundExpr[],
  precision: number,
  scale: number,
): (a: bigint, b: bigint) => bigint | null {
  const [left, right] = operands.map((operand) => (operand.type.kind === 'DECIMAL' ? operand.type.scale : 0)) as [
    number,
    number,
  ];
  const fit = (value: bigint) => (fitsPrecision(value, precision) ? value : null);
  switch (operator) {
    case '+':
      return (a, b) => fit(rescale(a, left, scale) + rescale(b, right, scale));
    case '-':
      return (a, b) => fit(rescale(a, left, scale) - rescale(b, right, scale));
    case '*':
      return (a, b) => fit(rescale(a * b, left + right, scale));
    case '/':
      return (a, b) => {
        if (b === 0n) divisionByZero();
        // a / b at `scale`: (a * 10^(scale - left + right)) / b, rounded HALF_UP.
        const shift = scale - left + right;
        const numerator = shift >= 0 ? a * pow10(shift) : a;
        const denominator = shift >= 0 ? b : b * pow10(-shift);
        return fit(divideHalfUp(numerator, denominator));
      };
    case '%':
      return (a, b) => {
        if (b === 0n) divisionByZero();
        const common = Math.max(left, right);
        return fit(rescale(rescale(a, left, common) % rescale(b, right, common), common, scale));
      };
  }
}

function arithmetic(name: string, operator: ArithmeticOperator): ScalarFunction {
  return {
    name,
    signatures: [`NUMERIC ${operator} NUMERIC`],
    bind: bindArithmetic(operator),
    compile: compileArithmetic(operator),
  };
}

export const PLUS = arithmetic('PLUS', '+');
export const MINUS = arithmetic('MINUS', '-');
export const TIMES = arithmetic('TIMES', '*');
export const DIVIDE = arithmetic('DIVIDE', '/');
export const MOD = arithmetic('MOD', '%');

export const NEGATE: ScalarFunction = {
  name: 'NEGATE',
  signatures: ['-NUMERIC'],
  bind(args, ctx) {
    const [operand] = args as [BoundExpr];
    if (
      !isNumeric(operand.type) &&
      operand.type.kind !== 'INTERVAL_DAY_TIME' &&
      operand.type.kind !== 'INTERVAL_YEAR_MONTH'
    ) {
      ctx.fail(`cannot negate a value of type ${describeType(operand.type)}`);
    }
    return { args, type: operand.type };
  },
  compile(args, call) {
    switch (call.type.kind) {
      case 'BIGINT':
        return strict((a: bigint) => BigInt.asIntN(64, -a))(args);
      case 'DECIMAL':
        return strict((a: bigint) => -a)(args);
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT': {
        const kind = call.type.kind;
        return strict((a: number) => wrapInteger(kind, -a))(args);
      }
      default:
        return strict((a: number) => -a)(args);
    }
  },
};
