import { randomBytes } from 'node:crypto';

const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK = (1n << 48n) - 1n;

/**
 * java.util.Random's 48-bit linear congruential generator, bit for bit, so that a seeded RAND or
 * RAND_INTEGER gives the numbers Flink's would.
 */
export class JavaRandom {
  private seed: bigint;

  constructor(seed: bigint) {
    this.seed = (BigInt.asIntN(64, seed) ^ MULTIPLIER) & MASK;
  }

  static unseeded(): JavaRandom {
    return new JavaRandom(randomBytes(8).readBigInt64BE());
  }

  private next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  nextDouble(): number {
    return (this.next(26) * 2 ** 27 + this.next(27)) * 2 ** -53;
  }

  /** A number in [0, bound) for a positive bound. */
  nextInt(bound: number): number {
    const first = this.next(31);
    const m = bound - 1;
    if ((bound & m) === 0) return Number((BigInt(bound) * BigInt(first)) >> 31n);
    // Java's int arithmetic: a sum past 2^31 - 1 wraps negative, which rejects the draw.
    for (let u = first; ; u = this.next(31)) {
      const r = u % bound;
      if (((u - r + m) | 0) >= 0) return r;
    }
  }
}
