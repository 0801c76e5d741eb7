import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketQuantile } from '../../src/common/bucket-quantile.ts';

// Expected values follow the rules of Prometheus' histogram_quantile (its documentation, "Functions"):
// linear interpolation within a bucket, 0 as the lower bound of the lowest bucket, and the upper
// bound of the second-highest bucket when the quantile falls into the +Inf bucket.
const BUCKETS = [
  { le: 1, count: 10 },
  { le: 2, count: 20 },
  { le: 4, count: 30 },
  { le: Number.POSITIVE_INFINITY, count: 40 },
];

describe('bucketQuantile, as histogram_quantile', () => {
  it('interpolates linearly within the bucket the rank falls in, from 0 in the lowest', () => {
    assert.equal(bucketQuantile(BUCKETS, 0.125), 0.5);
    assert.equal(bucketQuantile(BUCKETS, 0.375), 1.5);
    assert.equal(bucketQuantile(BUCKETS, 0.625), 3);
  });

  it('answers the highest finite bound for a rank in the +Inf bucket', () => {
    assert.equal(bucketQuantile(BUCKETS, 0.99), 4);
  });

  it('has no quantile without observations', () => {
    assert.equal(
      bucketQuantile(
        [
          { le: 1, count: 0 },
          { le: Number.POSITIVE_INFINITY, count: 0 },
        ],
        0.5,
      ),
      undefined,
    );
  });
});
