import type { Row, Value } from '../expr/value.ts';
import { type StateRetention, WriteTimes } from '../state/idle-state.ts';
import { pack, unpack } from '../state/packed-row.ts';
import { SpillableMap } from '../state/spillable-map.ts';
import type { DataType } from '../types/data-type.ts';
import { type Accumulator, type AggregateCall, accumulatorFactory, callInput } from './accumulators.ts';
import type { Change } from './change.ts';
import { isAccumulate, type Operator } from './operator.ts';
import { keySelector, rowsEqual } from './row-key.ts';

interface Group {
  readonly keys: Value[];
  rows: number;
  readonly accumulators: Accumulator[];
  emitted: Row | undefined;
  /** Estimated heap bytes, as of the end of the last batch that touched the group. */
  bytes: number;
  /** The newest source time of the changes of the current batch that touched the group. */
  time: number | undefined;
}

/** Heap bytes of a group with its key and Map slot, before its accumulators and result row. */
const GROUP_BYTES = 200;

function groupBytes(group: Group): number {
  let bytes = GROUP_BYTES + 16 * group.keys.length;
  for (const accumulator of group.accumulators) bytes += accumulator.weight();
  if (group.emitted) bytes += 16 * group.emitted.length;
  return bytes;
}

/**
 * GROUP BY with retraction: each group keeps one accumulator per aggregate and its row count.
 * After each batch, every group it touched emits its new result: +I for a new group, -U/+U when
 * the result changed, -D when the last row left (as Flink's group aggregate with mini-batches).
 * With a state TTL, a group not written for that long is forgotten: a later row starts it anew
 * (+I) and a retraction of it changes nothing; and a group's result is emitted as -U/+U even when
 * it did not change, as Flink does so that the state downstream is written too.
 */
export class GroupAggregateOperator implements Operator {
  private readonly keyOf: (row: Row) => unknown;
  private readonly groups: SpillableMap<Group>;
  private readonly factories: ((saved?: unknown) => Accumulator)[];
  private readonly inputs: ((row: Row) => Value | undefined)[];
  private readonly times: WriteTimes | undefined;

  constructor(
    private readonly groupKeys: readonly number[],
    calls: readonly AggregateCall[],
    inputTypes: readonly DataType[],
    private readonly retention?: StateRetention,
  ) {
    this.keyOf = keySelector(groupKeys);
    this.times = retention ? new WriteTimes(retention) : undefined;
    this.factories = calls.map((call) => accumulatorFactory(call, inputTypes));
    this.inputs = calls.map(callInput);
    this.groups = new SpillableMap<Group>({
      bytes: (group) => group.bytes,
      encode: (group) =>
        pack([
          group.keys,
          group.rows,
          group.accumulators.map((a) => a.save() as Value),
          group.emitted ?? null,
          group.bytes,
        ]),
      decode: (packed) => {
        const [keys, rows, saved, emitted, bytes] = unpack(packed) as [Value[], number, Value[], Row | null, number];
        return {
          keys: [...keys],
          rows,
          accumulators: this.factories.map((f, i) => f(saved[i])),
          emitted: emitted ?? undefined,
          bytes,
          time: undefined,
        };
      },
    });
  }

  close(): void {
    this.groups.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const touched = new Map<unknown, Group>();
    const times = this.times;
    const now = this.retention ? this.retention.now() : 0;
    for (const change of changes) {
      const key = this.keyOf(change.row);
      if (times?.expired(key, now) && !touched.has(key)) {
        this.groups.delete(key);
        times.forget(key);
      }
      let group = this.groups.get(key);
      const accumulate = isAccumulate(change.kind);
      if (!group) {
        if (!accumulate) continue; // retracting from a group that does not exist: nothing to undo
        group = {
          keys: this.groupKeys.map((i) => change.row[i] ?? null),
          rows: 0,
          accumulators: this.factories.map((f) => f()),
          emitted: undefined,
          bytes: GROUP_BYTES,
          time: undefined,
        };
        this.groups.set(key, group);
      }
      if (!touched.has(key)) {
        touched.set(key, group);
        group.time = change.time;
      } else if (change.time !== undefined && !((group.time ?? 0) >= change.time)) {
        group.time = change.time;
      }
      group.rows += accumulate ? 1 : -1;
      for (let i = 0; i < this.inputs.length; i++) {
        const value = (this.inputs[i] as (row: Row) => Value | undefined)(change.row);
        if (value === undefined) continue;
        const accumulator = group.accumulators[i] as Accumulator;
        if (accumulate) accumulator.add(value);
        else accumulator.retract(value);
      }
    }
    const out: Change[] = [];
    for (const [key, group] of touched) {
      if (group.rows <= 0) {
        if (group.emitted) out.push({ kind: '-D', row: group.emitted, time: group.time });
        this.groups.delete(key);
        times?.forget(key);
        continue;
      }
      const result = [...group.keys, ...group.accumulators.map((a) => a.result())];
      const time = group.time;
      if (!group.emitted) out.push({ kind: '+I', row: result, time });
      else if (times || !rowsEqual(group.emitted, result))
        out.push({ kind: '-U', row: group.emitted, time }, { kind: '+U', row: result, time });
      times?.written(key, now);
      group.emitted = result;
      const bytes = groupBytes(group);
      this.groups.grow(bytes - group.bytes);
      group.bytes = bytes;
    }
    return out;
  }

  /** Gives back the memory of groups whose state has expired. */
  onProcessingTime(): Change[] {
    if (this.times && this.retention) this.times.sweep(this.retention.now(), (key) => this.groups.delete(key));
    return [];
  }
}
