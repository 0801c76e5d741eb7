import { randomUUID } from 'node:crypto';
import { describeType, isInteger, T } from '../../types/data-type.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import { EvaluationError, type Evaluator, type Value } from '../value.ts';
import { JavaRandom } from './java-random.ts';

// RAND, RAND_INTEGER and UUID: non-deterministic, so never folded into constants. A seeded RAND
// follows java.util.Random exactly, as Flink's does: with a literal seed one generator serves the
// whole job, so rows get successive numbers of its sequence; with a seed taken from the row, each
// row gets the first number of a generator seeded with its value.

function integerArguments(name: string, args: readonly BoundExpr[], ctx: BindContext, counts: number[]): void {
  if (!counts.includes(args.length)) ctx.fail(`${name} takes ${counts.join(' or ')} argument(s), got ${args.length}`);
  args.forEach((arg, i) => {
    if (arg.type.kind !== 'NULL' && !isInteger(arg.type))
      ctx.fail(`argument ${i + 1} of ${name} must be an integer, got ${describeType(arg.type)}`);
  });
}

function seedOf(value: Value): bigint {
  return typeof value === 'bigint' ? value : BigInt(value as number);
}

/** A generator per call site (literal or absent seed) or per row (a seed from the row). */
function generator(seed: Evaluator | undefined, seedArg: BoundExpr | undefined): (row: readonly Value[]) => JavaRandom {
  if (!seed) {
    const random = JavaRandom.unseeded();
    return () => random;
  }
  if (seedArg?.kind === 'literal') {
    const value = seed([]);
    const random = value === null ? JavaRandom.unseeded() : new JavaRandom(seedOf(value));
    return () => random;
  }
  return (row) => {
    const value = seed(row);
    return value === null ? JavaRandom.unseeded() : new JavaRandom(seedOf(value));
  };
}

/** RAND() and RAND(seed): a DOUBLE in [0, 1). */
export const RAND: ScalarFunction = {
  name: 'RAND',
  signatures: ['RAND()', 'RAND(INT)'],
  deterministic: false,
  bind(args, ctx) {
    integerArguments('RAND', args, ctx, [0, 1]);
    return { args, type: T.double(false) };
  },
  compile(args, call) {
    const next = generator(args[0], call.args[0]);
    return (row) => next(row).nextDouble();
  },
};

/** RAND_INTEGER(bound) and RAND_INTEGER(seed, bound): an INT in [0, bound); a bound <= 0 fails the record. */
export const RAND_INTEGER: ScalarFunction = {
  name: 'RAND_INTEGER',
  signatures: ['RAND_INTEGER(INT)', 'RAND_INTEGER(INT, INT)'],
  deterministic: false,
  bind(args, ctx) {
    integerArguments('RAND_INTEGER', args, ctx, [1, 2]);
    const bound = args[args.length - 1] as BoundExpr;
    return { args, type: T.int(bound.type.kind === 'NULL' || bound.type.nullable) };
  },
  compile(args, call) {
    const bound = args[args.length - 1] as Evaluator;
    const next = generator(args.length === 2 ? args[0] : undefined, args.length === 2 ? call.args[0] : undefined);
    return (row) => {
      const value = bound(row);
      if (value === null) return null;
      const limit = Number(value);
      if (limit <= 0 || limit > 2147483647)
        throw new EvaluationError('INVALID_ARGUMENT', `RAND_INTEGER's bound must be a positive INT, got ${limit}`);
      return next(row).nextInt(limit);
    };
  },
};

/** UUID(): a random (version 4) UUID, CHAR(36). */
export const UUID: ScalarFunction = {
  name: 'UUID',
  signatures: ['UUID()'],
  deterministic: false,
  bind(args, ctx) {
    if (args.length !== 0) ctx.fail(`UUID takes no arguments, got ${args.length}`);
    return { args, type: T.char(36, false) };
  },
  compile: () => () => randomUUID(),
};
