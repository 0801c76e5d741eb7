import { createHash } from 'node:crypto';
import { describeType, isInteger, T } from '../../types/data-type.ts';
import type { BoundExpr, ScalarFunction } from '../bound.ts';
import { EvaluationError } from '../value.ts';
import { anyNullable, strict } from './definition.ts';
import { expect, stringFunction, toNumber } from './string.ts';

// Hash functions of Flink 1.18: the digest of the string's UTF-8 bytes as lower-case hex digits,
// typed CHAR(hex length), NULL when the string is NULL.

function digest(name: string, algorithm: string, hexLength: number): ScalarFunction {
  return stringFunction(
    name,
    ['string'],
    (args) => T.char(hexLength, anyNullable(args)),
    (s: string) => createHash(algorithm).update(s, 'utf8').digest('hex'),
  );
}

export const MD5 = digest('MD5', 'md5', 32);
export const SHA1 = digest('SHA1', 'sha1', 40);
export const SHA224 = digest('SHA224', 'sha224', 56);
export const SHA256 = digest('SHA256', 'sha256', 64);
export const SHA384 = digest('SHA384', 'sha384', 96);
export const SHA512 = digest('SHA512', 'sha512', 128);

const SHA2_LENGTHS = new Set([224, 256, 384, 512]);

/** SHA2(s, bits): SHA-224, -256, -384 or -512 by bit length; VARCHAR(128). */
export const SHA2: ScalarFunction = {
  name: 'SHA2',
  signatures: ['SHA2(STRING, INT)'],
  bind(args, ctx) {
    expect('SHA2', args, ctx, ['string', 'int']);
    const bits = args[1] as BoundExpr;
    if (bits.type.kind !== 'NULL' && !isInteger(bits.type))
      ctx.fail(`argument 2 of SHA2 must be an integer, got ${describeType(bits.type)}`);
    if (bits.kind === 'literal' && bits.value !== null && !SHA2_LENGTHS.has(toNumber(bits.value))) {
      ctx.fail(`SHA2 does not support a hash length of ${String(bits.value)} bits`, 'use 224, 256, 384 or 512');
    }
    return { args, type: T.varchar(128, anyNullable(args)) };
  },
  compile: (args) =>
    strict((s: string, bits: number | bigint) => {
      const length = toNumber(bits);
      if (!SHA2_LENGTHS.has(length))
        throw new EvaluationError('INVALID_ARGUMENT', `SHA2 does not support a hash length of ${length} bits`);
      return createHash(`sha${length}`).update(s, 'utf8').digest('hex');
    })(args),
};
