// User-defined functions of the udf example, one of each kind Flink defines (see docs/udf.md).
// Values arrive in the engine's representation: STRING as string, INT as number, BIGINT as bigint.

/** Scalar: 'alice@example.com' → 'a***@example.com'; NULL stays NULL. */
export const maskEmail = {
  args: ['STRING'],
  result: 'STRING',
  eval(email: string | null): string | null {
    if (email === null) return null;
    const at = email.indexOf('@');
    return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
  },
};

/** Table: 'fast, cheap' → the rows ('fast', 1), ('cheap', 2); NULL or '' → no row. */
export const splitTags = {
  kind: 'table',
  args: ['STRING'],
  result: 'ROW<tag STRING, position INT>',
  *eval(tags: string | null): Generator<[string, number]> {
    if (!tags) return;
    let position = 0;
    for (const tag of tags.split(',')) {
      const trimmed = tag.trim();
      if (trimmed !== '') yield [trimmed, ++position];
    }
  },
};

interface WeightedAvgAccumulator {
  sum: bigint;
  count: number;
}

/**
 * Aggregate: Flink's WeightedAvg of its user-defined functions page, sum(value * weight) /
 * sum(weight) in integer division, NULL for no rows. retract makes it usable over an updating input.
 */
export const weightedAvg = {
  args: ['BIGINT', 'INT'],
  result: 'BIGINT',
  createAccumulator: (): WeightedAvgAccumulator => ({ sum: 0n, count: 0 }),
  accumulate(acc: WeightedAvgAccumulator, value: bigint | null, weight: number | null): void {
    if (value === null || weight === null) return;
    acc.sum += value * BigInt(weight);
    acc.count += weight;
  },
  retract(acc: WeightedAvgAccumulator, value: bigint | null, weight: number | null): void {
    if (value === null || weight === null) return;
    acc.sum -= value * BigInt(weight);
    acc.count -= weight;
  },
  merge(acc: WeightedAvgAccumulator, others: Iterable<WeightedAvgAccumulator>): void {
    for (const other of others) {
      acc.sum += other.sum;
      acc.count += other.count;
    }
  },
  getValue: (acc: WeightedAvgAccumulator): bigint | null => (acc.count === 0 ? null : acc.sum / BigInt(acc.count)),
};
