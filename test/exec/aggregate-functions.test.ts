import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Accumulator, type AggregateCall, accumulatorFactory, callInput } from '../../src/exec/accumulators.ts';
import { GroupAggregateOperator } from '../../src/exec/aggregate.ts';
import type { Value } from '../../src/expr/value.ts';
import { pack, unpack } from '../../src/state/packed-row.ts';
import { type DataType, T } from '../../src/types/data-type.ts';
import { c, show } from './changes.ts';

const call = (fn: AggregateCall['fn'], args: number[], type: DataType, extra: Partial<AggregateCall> = {}) =>
  ({ fn, args, distinct: false, type, name: fn, ...extra }) as AggregateCall;

/** The accumulator after its state went through the packed form that spilling and checkpoints write. */
function reloaded(make: (saved?: unknown) => Accumulator, accumulator: Accumulator): Accumulator {
  return make((unpack(pack([accumulator.save() as Value])) as Value[])[0]);
}

const multiset = (...entries: [Value, number][]) => new Map<Value, Value>(entries);

describe('COLLECT', () => {
  const make = accumulatorFactory(call('COLLECT', [0], { kind: 'MULTISET', element: T.int(), nullable: false }), [
    T.int(),
  ]);

  it('is the multiset of the non-null values, empty (not NULL) when there are none', () => {
    const acc = make();
    assert.deepEqual(acc.result(), multiset());
    for (const v of [3, null, 3, 5]) acc.add(v);
    assert.deepEqual(acc.result(), multiset([3, 2], [5, 1]));
  });

  it('takes retracted values back and survives a reload', () => {
    const acc = make();
    for (const v of [3, 3, 5]) acc.add(v);
    acc.retract(3);
    acc.retract(5);
    acc.retract(7); // never added: ignored
    const again = reloaded(make, acc);
    assert.deepEqual(again.result(), multiset([3, 1]));
    again.add(5);
    assert.deepEqual(again.result(), multiset([3, 1], [5, 1]));
  });

  it('with DISTINCT counts each value once', () => {
    const distinct = accumulatorFactory(
      call('COLLECT', [0], { kind: 'MULTISET', element: T.int(), nullable: false }, { distinct: true }),
      [T.int()],
    )();
    for (const v of [3, 3, 5]) distinct.add(v);
    assert.deepEqual(distinct.result(), multiset([3, 1], [5, 1]));
  });
});

describe('LISTAGG', () => {
  const make = accumulatorFactory(call('LISTAGG', [0], T.string(true)), [T.string()]);
  const withSeparator = accumulatorFactory(call('LISTAGG', [0, 1], T.string(true)), [T.string(), T.string()]);

  it("joins the values in arrival order with ',' by default, NULL when there are none", () => {
    const acc = make();
    assert.equal(acc.result(), null);
    for (const v of ['a', null, 'b', 'a']) acc.add(v);
    assert.equal(acc.result(), 'a,b,a');
  });

  it('takes back the earliest copy of a retracted value, and survives a reload', () => {
    const acc = make();
    for (const v of ['a', 'b', 'a']) acc.add(v);
    acc.retract('a');
    const again = reloaded(make, acc);
    assert.equal(again.result(), 'b,a');
    again.retract('b');
    again.retract('a');
    assert.equal(again.result(), null);
  });

  it('uses the separator of the latest row, and a NULL separator gives NULL', () => {
    const acc = withSeparator();
    acc.add(['x', '; ']);
    acc.add(['y', '; ']);
    assert.equal(reloaded(withSeparator, acc).result(), 'x; y');
    acc.add([null, '|']); // a NULL value changes nothing, not even the separator
    assert.equal(acc.result(), 'x; y');
    acc.add(['z', null]);
    assert.equal(acc.result(), null);
  });
});

describe('FILTER (WHERE ...)', () => {
  it('gives the accumulator only the rows whose filter is TRUE (not FALSE, not NULL)', () => {
    const input = callInput(call('SUM', [0], T.int(), { filter: 1 }));
    assert.equal(input([5, true]), 5);
    assert.equal(input([5, false]), undefined);
    assert.equal(input([5, null]), undefined);
    assert.equal(callInput(call('COUNT', [], T.bigint(false), { filter: 1 }))([5, true]), true);
    assert.deepEqual(callInput(call('LISTAGG', [0, 1], T.string()))(['a', '|']), ['a', '|']);
  });

  it('counts rows per call in a group aggregate; the group lives while any row does', () => {
    // Input: (k STRING, x INT, x > 1 BOOLEAN)
    const agg = new GroupAggregateOperator(
      [0],
      [
        call('COUNT', [], T.bigint(false), { filter: 2 }),
        call('COUNT', [1], T.bigint(false), { distinct: true, filter: 2 }),
      ],
      [T.string(), T.int(), T.boolean()],
    );
    assert.deepEqual(show(agg.process([c('+I', 'k', 1, false)])), ['+I(k, 0, 0)']);
    assert.deepEqual(show(agg.process([c('+I', 'k', 2, true), c('+I', 'k', 2, true)])), ['-U(k, 0, 0)', '+U(k, 2, 1)']);
    assert.deepEqual(show(agg.process([c('-D', 'k', 2, true), c('-D', 'k', 2, true)])), ['-U(k, 2, 1)', '+U(k, 0, 0)']);
    assert.deepEqual(show(agg.process([c('-D', 'k', 1, false)])), ['-D(k, 0, 0)']);
  });
});

describe('JSON_OBJECTAGG and JSON_ARRAYAGG (over the JSON text of each value, as JSON_STRING gives it)', () => {
  const objectAgg = accumulatorFactory(call('JSON_OBJECTAGG_NULL_ON_NULL', [0, 1], T.string(false)), [
    T.string(false),
    T.string(),
  ]);
  const arrayAgg = accumulatorFactory(call('JSON_ARRAYAGG_ABSENT_ON_NULL', [0], T.string(false)), [T.string()]);

  it("fail on a key given twice, with Flink's message", () => {
    const acc = objectAgg();
    acc.add(['Apple', '2']);
    assert.throws(() => acc.add(['Apple', '3']), /Key 'Apple' is already present. Duplicate keys are not allowed/);
  });

  it('are empty JSON ({} and []) for no values, and survive a reload', () => {
    const object = objectAgg();
    const array = arrayAgg();
    assert.equal(object.result(), '{}');
    assert.equal(array.result(), '[]');
    object.add(['Orange', null]);
    object.add(['Apple', '2']);
    array.add('"say \\"hi\\""');
    array.add(null);
    assert.equal(reloaded(objectAgg, object).result(), '{"Apple":2,"Orange":null}');
    assert.equal(reloaded(arrayAgg, array).result(), '["say \\"hi\\""]');
  });
});
