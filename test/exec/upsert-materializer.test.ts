import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpsertMaterializerOperator } from '../../src/exec/upsert-materializer.ts';
import { c, show } from './changes.ts';

describe('sink upsert materializer', () => {
  // GROUP BY city emits (orders, city); the sink is keyed by orders (position 0).
  it('turns retractions from another key into the right upserts and deletes', () => {
    const materialize = new UpsertMaterializerOperator([0]);
    assert.deepEqual(show(materialize.process([c('+I', 1n, '北京'), c('+I', 1n, '上海')])), [
      '+I(1, 北京)',
      '+U(1, 上海)',
    ]);
    // 上海 goes from 1 to 2 orders: the row keyed 1 is 北京 again, and key 2 appears.
    assert.deepEqual(show(materialize.process([c('-U', 1n, '上海'), c('+U', 2n, '上海')])), [
      '+U(1, 北京)',
      '+I(2, 上海)',
    ]);
    // 北京 is retracted: nothing is left under key 1.
    assert.deepEqual(show(materialize.process([c('-D', 1n, '北京')])), ['-D(1, 北京)']);
  });

  it('ignores retractions of rows it does not hold, and of rows that are not the current one', () => {
    const materialize = new UpsertMaterializerOperator([0]);
    assert.deepEqual(materialize.process([c('-D', 9n, 'x')]), []);
    materialize.process([c('+I', 1n, 'a'), c('+I', 1n, 'b')]);
    assert.deepEqual(materialize.process([c('-U', 1n, 'a')]), [], 'b is still the current row of key 1');
  });
});
