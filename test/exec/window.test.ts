import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AggregateCall } from '../../src/exec/accumulators.ts';
import type { Change } from '../../src/exec/change.ts';
import type { Operator } from '../../src/exec/operator.ts';
import {
  assignWindows,
  WatermarkAssignerOperator,
  WindowAggregateOperator,
  type WindowSpec,
  WindowTableFunctionOperator,
} from '../../src/exec/window.ts';
import type { WindowTime } from '../../src/exec/window-time.ts';
import type { BoundExpr } from '../../src/expr/bound.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import { planScript } from '../../src/plan/planner.ts';
import { buildGraph, type OperatorVertex, type SinkVertex } from '../../src/runtime/graph.ts';
import { fireProcessingTime, push, pushReplayed, pushWatermark } from '../../src/runtime/push.ts';
import { T } from '../../src/types/data-type.ts';
import { formatTimestamp, parseTimestamp, resolveTimeZone } from '../../src/types/temporal.ts';
import { epochMillis, fromEpochMillis, type TimeValue } from '../../src/types/time-value.ts';
import { c, show } from './changes.ts';

const SECOND = 1_000_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const DATE = '2025-07-11';

/** A time on the test day: at('12:00:05') or at('12:00:59.999'); other days in full. */
const at = (time: string) => parseTimestamp(time.length > 12 ? time : `${DATE} ${time}`, true) as number;
/** The same time in milliseconds, as watermarks, timers and assignWindows count. */
const ms = (time: string) => epochMillis(at(time));
/** The reverse of `at`: on the test day '12:00', '12:00:05' or '12:00:59.999'; other days in full. */
const hms = (value: TimeValue) => {
  const full = formatTimestamp(value, 3).replace(/\.000$/, '');
  return full.startsWith(DATE) ? full.slice(11).replace(/^(\d\d:\d\d):00$/, '$1') : full;
};
/** `hms` of milliseconds. */
const hmsMillis = (millis: number) => hms(fromEpochMillis(millis));
/** Changes as text with the timestamps at `columns` written as times. */
const text = (changes: readonly Change[], columns: readonly number[]) =>
  show(changes.map((ch) => ({ ...ch, row: ch.row.map((v, i) => (columns.includes(i) ? hms(v as TimeValue) : v)) })));

const UTC: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };
const EVENT_TIME: WindowTime = { kind: 'ROWTIME', zone: undefined };

const tumble = (size: number): WindowSpec => ({ type: 'TUMBLE', timeField: 2, timeKind: 'ROWTIME', size });
const hop = (slide: number, size: number): WindowSpec => ({
  type: 'HOP',
  timeField: 2,
  timeKind: 'ROWTIME',
  size,
  slide,
});
const cumulate = (step: number, size: number): WindowSpec => ({
  type: 'CUMULATE',
  timeField: 2,
  timeKind: 'ROWTIME',
  size,
  slide: step,
});
const windowsText = (spec: WindowSpec, time: string) =>
  assignWindows(spec, ms(time)).map((w) => `[${hmsMillis(w.start)}, ${hmsMillis(w.end)})`);

// Rows of events(user STRING, amount BIGINT, ts TIMESTAMP(3)).
const event = (user: string, amount: number, time: string) => c('+I', user, BigInt(amount), at(time));

/**
 * SELECT window_start, window_end, user, COUNT(*), SUM(amount)
 * FROM TABLE(<window>(TABLE events, DESCRIPTOR(ts), ...)) GROUP BY window_start, window_end, user
 * as the plan runs it: window TVF, a projection, the window aggregate.
 */
class WindowQuery {
  readonly tvf: WindowTableFunctionOperator;
  readonly aggregate: WindowAggregateOperator;

  constructor(spec: WindowSpec, time: WindowTime = EVENT_TIME, env: EvalEnv = UTC) {
    this.tvf = new WindowTableFunctionOperator(spec, time, env);
    const calls: AggregateCall[] = [
      { fn: 'COUNT', args: [], distinct: false, type: T.bigint(false), name: 'n' },
      { fn: 'SUM', args: [3], distinct: false, type: T.bigint(), name: 'total' },
    ];
    const input = [T.timestamp(3), T.timestamp(3), T.string(), T.bigint()];
    this.aggregate = new WindowAggregateOperator([0, 1, 2], 1, calls, input, time);
  }

  /** Rows in; the aggregate emits nothing until time passes. */
  rows(...changes: Change[]): string[] {
    const windowed = this.tvf.process(changes).map((ch) => ({
      kind: ch.kind,
      row: [ch.row[3] ?? null, ch.row[4] ?? null, ch.row[0] ?? null, ch.row[1] ?? null],
    }));
    return text(this.aggregate.process(windowed), [0, 1]);
  }

  watermark(time: string): string[] {
    return text(this.aggregate.onWatermark(ms(time)), [0, 1]);
  }

  clock(time: string): string[] {
    return text(this.aggregate.onProcessingTime(ms(time)), [0, 1]);
  }
}

describe('window assignment (as Flink assigns windows)', () => {
  it('TUMBLE puts a time in the one window of its size that holds it; the end is exclusive', () => {
    assert.deepEqual(windowsText(tumble(MINUTE), '12:00:59.999'), ['[12:00, 12:01)']);
    assert.deepEqual(windowsText(tumble(MINUTE), '12:01'), ['[12:01, 12:02)']);
    assert.deepEqual(windowsText(tumble(DAY), '23:59:59'), [`[00:00, ${'2025-07-12 00:00:00'})`]);
  });

  it('HOP lists every window of its size starting at a multiple of the slide, latest start first', () => {
    assert.deepEqual(windowsText(hop(30 * SECOND, 2 * MINUTE), '12:00:40'), [
      '[12:00:30, 12:02:30)',
      '[12:00, 12:02)',
      '[11:59:30, 12:01:30)',
      '[11:59, 12:01)',
    ]);
    assert.deepEqual(
      windowsText(hop(2 * MINUTE, MINUTE), '12:01:10'),
      [],
      'a slide longer than the size leaves gaps that no window covers',
    );
  });

  it('CUMULATE lists the windows of its period that grow by the step and hold the time, smallest first', () => {
    assert.deepEqual(windowsText(cumulate(10 * SECOND, MINUTE), '12:00:25'), [
      '[12:00, 12:00:30)',
      '[12:00, 12:00:40)',
      '[12:00, 12:00:50)',
      '[12:00, 12:01)',
    ]);
    assert.deepEqual(windowsText(cumulate(10 * SECOND, MINUTE), '12:00:59'), ['[12:00, 12:01)']);
  });

  it('floors times before 1970 too', () => {
    assert.deepEqual(windowsText(tumble(MINUTE), '1969-12-31 23:59:30'), [
      '[1969-12-31 23:59:00, 1970-01-01 00:00:00)',
    ]);
  });
});

// WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
const tsMinus5s: BoundExpr = {
  kind: 'call',
  name: 'DATETIME_MINUS',
  args: [
    { kind: 'input', index: 2, name: 'ts', type: T.timestamp(3) },
    { kind: 'literal', value: 5 * SECOND, type: T.intervalDayTime(false) },
  ],
  type: T.timestamp(3),
};

describe('WatermarkAssigner', () => {
  it('passes rows through and keeps the largest watermark seen (bounded out-of-orderness)', () => {
    const assigner = new WatermarkAssignerOperator(2, tsMinus5s, UTC, 'ts');
    assert.equal(assigner.generatedWatermark(), undefined, 'no watermark before the first row');
    const rows = [event('a', 1, '12:00:10'), event('b', 2, '12:00:30'), event('a', 3, '12:00:20')];
    assert.deepEqual(assigner.process(rows), rows);
    assert.equal(hmsMillis(assigner.generatedWatermark() as number), '12:00:25', 'max(ts) - 5 s');
    assigner.process([event('c', 4, '12:00:01')]);
    assert.equal(hmsMillis(assigner.generatedWatermark() as number), '12:00:25', 'an old row does not move it back');
  });

  it('fails on a NULL rowtime, as Flink does', () => {
    const assigner = new WatermarkAssignerOperator(2, tsMinus5s, UTC, 'ts');
    assert.throws(() => assigner.process([c('+I', 'a', 1n, null)]), /rowtime field 'ts' should not be NULL/);
  });
});

describe('window table function', () => {
  it('appends window_start, window_end and window_time (window_end - 1 ms) to each row', () => {
    const tvf = new WindowTableFunctionOperator(tumble(MINUTE), EVENT_TIME, UTC);
    const out = tvf.process([event('a', 1, '12:00:10'), event('b', 2, '12:01:00')]);
    assert.deepEqual(text(out, [2, 3, 4, 5]), [
      '+I(a, 1, 12:00:10, 12:00, 12:01, 12:00:59.999)',
      '+I(b, 2, 12:01, 12:01, 12:02, 12:01:59.999)',
    ]);
  });

  it('repeats a row once per hopping window, and skips a row without a time', () => {
    const tvf = new WindowTableFunctionOperator(hop(MINUTE, 2 * MINUTE), EVENT_TIME, UTC);
    const out = tvf.process([event('a', 1, '12:00:10'), c('+I', 'b', 2n, null)]);
    assert.deepEqual(text(out, [2, 3, 4, 5]), [
      '+I(a, 1, 12:00:10, 12:00, 12:02, 12:01:59.999)',
      '+I(a, 1, 12:00:10, 11:59, 12:01, 12:00:59.999)',
    ]);
  });

  it('aligns windows of a TIMESTAMP_LTZ time to the session time zone, window_time staying an instant', () => {
    // TIMESTAMP_LTZ values are instants; in Asia/Shanghai (UTC+8) 2025-07-11 01:00 UTC is 09:00 local.
    const shanghai = resolveTimeZone('Asia/Shanghai');
    const tvf = new WindowTableFunctionOperator(tumble(DAY), { kind: 'ROWTIME', zone: shanghai }, UTC);
    const out = tvf.process([c('+I', 'a', 1n, at('01:00:00'))]);
    // window_start/window_end: local wall clock (the 11th in Shanghai); window_time: 2025-07-11 15:59:59.999 UTC.
    assert.deepEqual(text(out, [2, 3, 4, 5]), ['+I(a, 1, 01:00, 00:00, 2025-07-12 00:00:00, 15:59:59.999)']);
  });
});

describe('window aggregate on event time', () => {
  it('TUMBLE: one +I per group when the watermark reaches window_end - 1 ms, then the window is gone', () => {
    const q = new WindowQuery(tumble(MINUTE));
    q.rows(event('a', 1, '12:00:10'), event('b', 2, '12:00:20'), event('a', 3, '12:00:50'), event('a', 4, '12:01:05'));
    assert.deepEqual(q.watermark('12:00:59.998'), [], 'the window [12:00, 12:01) can still get rows');
    assert.deepEqual(q.watermark('12:00:59.999'), ['+I(12:00, 12:01, a, 2, 4)', '+I(12:00, 12:01, b, 1, 2)']);
    assert.equal(q.aggregate.openWindows, 1, 'only [12:01, 12:02) is left');
    assert.deepEqual(q.watermark('12:01:30'), []);
    assert.deepEqual(q.watermark('12:05'), ['+I(12:01, 12:02, a, 1, 4)']);
    assert.equal(q.aggregate.openWindows, 0);
  });

  it('fires several windows at once in order of their end', () => {
    const q = new WindowQuery(tumble(MINUTE));
    q.rows(event('a', 1, '12:02:00'), event('a', 2, '12:00:00'), event('b', 3, '12:01:00'));
    assert.deepEqual(q.watermark('13:00'), [
      '+I(12:00, 12:01, a, 1, 2)',
      '+I(12:01, 12:02, b, 1, 3)',
      '+I(12:02, 12:03, a, 1, 1)',
    ]);
  });

  it('drops and counts a late row (its window has fired) but keeps one whose window is still open', () => {
    const q = new WindowQuery(tumble(MINUTE));
    q.rows(event('a', 1, '12:00:10'));
    assert.deepEqual(q.watermark('12:01:00'), ['+I(12:00, 12:01, a, 1, 1)']);
    q.rows(event('a', 100, '12:00:30'), event('a', 2, '12:01:30'), event('b', 200, '12:00:59.999'));
    assert.equal(q.aggregate.numLateRecordsDropped, 2);
    assert.deepEqual(q.watermark('12:02'), ['+I(12:01, 12:02, a, 1, 2)'], 'the late rows are nowhere');
  });

  it('HOP: a row counts in each window it falls in; late for one window, it still counts in the others', () => {
    const q = new WindowQuery(hop(MINUTE, 2 * MINUTE));
    q.rows(event('a', 1, '12:00:30'), event('a', 2, '12:01:30'));
    assert.deepEqual(q.watermark('12:01:00'), ['+I(11:59, 12:01, a, 1, 1)']);
    q.rows(event('a', 10, '12:00:45')); // late for [11:59, 12:01), on time for [12:00, 12:02)
    assert.equal(q.aggregate.numLateRecordsDropped, 1);
    assert.deepEqual(q.watermark('12:02:00'), ['+I(12:00, 12:02, a, 3, 13)']);
    assert.deepEqual(q.watermark('12:03:00'), ['+I(12:01, 12:03, a, 1, 2)']);
    assert.equal(q.aggregate.openWindows, 0, 'no empty window is emitted or kept');
  });

  it('CUMULATE: each growing window of the period fires with everything since the period began', () => {
    const q = new WindowQuery(cumulate(20 * SECOND, MINUTE));
    q.rows(event('a', 1, '12:00:05'), event('b', 2, '12:00:25'), event('a', 4, '12:00:45'));
    assert.deepEqual(q.watermark('12:00:20'), ['+I(12:00, 12:00:20, a, 1, 1)']);
    assert.deepEqual(q.watermark('12:00:40'), ['+I(12:00, 12:00:40, a, 1, 1)', '+I(12:00, 12:00:40, b, 1, 2)']);
    assert.deepEqual(q.watermark('12:01:00'), ['+I(12:00, 12:01, a, 2, 5)', '+I(12:00, 12:01, b, 1, 2)']);
  });

  it('keeps groups apart and takes COUNT(DISTINCT) like the group aggregate', () => {
    // SELECT window_start, window_end, city, COUNT(DISTINCT user) ... GROUP BY window_start, window_end, city
    const distinctUsers: AggregateCall = { fn: 'COUNT', args: [3], distinct: true, type: T.bigint(false), name: 'u' };
    const aggregate = new WindowAggregateOperator(
      [0, 1, 2],
      1,
      [distinctUsers],
      [T.timestamp(3), T.timestamp(3), T.string(), T.bigint()],
      EVENT_TIME,
    );
    const w = (city: string, user: number) => c('+I', at('12:00'), at('12:01'), city, BigInt(user));
    aggregate.process([w('北京', 1001), w('上海', 1002), w('北京', 1001), w('北京', 1003)]);
    assert.deepEqual(text(aggregate.onWatermark(ms('12:01')), [0, 1]), [
      '+I(12:00, 12:01, 北京, 2)',
      '+I(12:00, 12:01, 上海, 1)',
    ]);
  });

  it('ignores the clock on event time, and watermarks on processing time', () => {
    const q = new WindowQuery(tumble(MINUTE));
    q.rows(event('a', 1, '12:00:10'));
    assert.deepEqual(q.clock('23:00'), []);
    const p = new WindowQuery(tumble(MINUTE), { kind: 'PROCTIME', zone: resolveTimeZone('UTC') }, UTC);
    p.rows(event('a', 1, '12:00:10'));
    assert.deepEqual(p.watermark('23:00'), []);
  });
});

describe('window aggregate on processing time', () => {
  it('assigns rows by the clock when they arrive and fires when the clock passes window_end', () => {
    let now = at('12:00:10.500');
    const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => now };
    const q = new WindowQuery(
      { ...tumble(10 * SECOND), timeKind: 'PROCTIME' },
      { kind: 'PROCTIME', zone: env.timeZone },
      env,
    );
    q.rows(event('a', 1, '08:00:00'), event('b', 2, '08:00:00')); // the row's own time plays no part
    now = at('12:00:15');
    q.rows(event('a', 3, '08:00:00'));
    now = at('12:00:21');
    q.rows(event('a', 4, '08:00:00'));
    // The window's timer is at its end - 1 ms; Flink fires a timer once the clock has passed it.
    assert.deepEqual(q.clock('12:00:19.999'), []);
    assert.deepEqual(q.clock('12:00:20'), ['+I(12:00:10, 12:00:20, a, 2, 4)', '+I(12:00:10, 12:00:20, b, 1, 2)']);
    assert.deepEqual(q.clock('12:00:31'), ['+I(12:00:20, 12:00:30, a, 1, 4)']);
    assert.equal(q.aggregate.numLateRecordsDropped, 0, 'nothing is late on processing time');
  });

  it('aligns windows to the session time zone and fires at the instant their local end passes', () => {
    // In Asia/Shanghai (UTC+8) a 1-day window ends at local midnight = 16:00 UTC the day before.
    const shanghai = resolveTimeZone('Asia/Shanghai');
    const now = at('10:00:00'); // 18:00 in Shanghai
    const env: EvalEnv = { timeZone: shanghai, nowMicros: () => now };
    const q = new WindowQuery({ ...tumble(DAY), timeKind: 'PROCTIME' }, { kind: 'PROCTIME', zone: shanghai }, env);
    q.rows(event('a', 1, '00:00:00'));
    assert.deepEqual(q.clock('15:59:59.999'), []);
    assert.deepEqual(q.clock('16:00:00'), ['+I(00:00, 2025-07-12 00:00:00, a, 1, 1)']);
  });
});

describe('watermarks and timers through the graph', () => {
  const plan = (query: string) =>
    planScript(
      'window.sql',
      `CREATE TABLE events (user_id STRING, amount BIGINT, ts TIMESTAMP(3), proc AS PROCTIME(),
         WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'kafka', 'topic' = 'events', 'format' = 'json');
       CREATE TABLE out_windows (window_start TIMESTAMP(3), window_end TIMESTAMP(3), user_id STRING, n BIGINT, total BIGINT)
         WITH ('connector' = 'kafka', 'topic' = 'out', 'format' = 'json');
       INSERT INTO out_windows ${query};`,
      new Map(),
      {},
    ).jobs[0]?.sinks ?? [];

  it('runs a TUMBLE query: the assigner watermark reaches the aggregate through the window TVF and calcs', () => {
    const graph = buildGraph(
      plan(`SELECT window_start, window_end, user_id, COUNT(*), SUM(amount)
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, user_id`),
      UTC,
    );
    const source = graph.sources[0] as (typeof graph.sources)[number];
    const sink = graph.sinks[0] as SinkVertex;
    assert.equal(graph.stateful, true, 'an event-time window keeps state: a restart replays its sources');
    push(source, [event('a', 1, '12:00:10'), event('a', 2, '12:00:40'), event('b', 5, '12:01:04')], 0);
    assert.deepEqual(text(sink.pending, [0, 1]), [], 'watermark 12:00:59: not yet');
    push(source, [event('b', 7, '12:01:05')], 0);
    assert.deepEqual(text(sink.pending, [0, 1]), ['+I(12:00, 12:01, a, 2, 3)']);
    push(source, [event('a', 9, '12:00:50'), event('c', 1, '12:02:30')], 0);
    assert.deepEqual(text(sink.pending.slice(1), [0, 1]), ['+I(12:01, 12:02, b, 2, 12)'], 'the late row is dropped');
  });

  it('fires processing-time windows from the job clock, and skips replayed rows', () => {
    let now = at('12:00:01');
    const graph = buildGraph(
      plan(`SELECT window_start, window_end, user_id, COUNT(*), SUM(amount)
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(proc), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, user_id`),
      { timeZone: resolveTimeZone('UTC'), nowMicros: () => now },
    );
    const source = graph.sources[0] as (typeof graph.sources)[number];
    const sink = graph.sinks[0] as SinkVertex;
    assert.equal(graph.stateful, false, 'processing-time windows are not rebuilt by a replay');
    pushReplayed(graph, source, [event('a', 100, '08:00')], 0);
    push(source, [event('a', 1, '08:00'), event('a', 2, '08:00')], 0);
    now = at('12:00:12');
    push(source, [event('a', 3, '08:00')], 0);
    assert.equal(fireProcessingTime(graph, ms('12:00:09')), false);
    assert.equal(fireProcessingTime(graph, ms('12:00:10')), true);
    assert.deepEqual(text(sink.pending, [0, 1]), ['+I(12:00, 12:00:10, a, 2, 3)']);
  });

  it('gives an operator with two inputs the minimum of their watermarks', () => {
    const seen: number[] = [];
    const recorder: Operator = {
      process: (changes) => [...changes],
      onWatermark: (watermark) => {
        seen.push(watermark);
        return [];
      },
    };
    const vertex = (operator: Operator): OperatorVertex => ({
      kind: 'operator',
      operator,
      outputs: [],
      inputWatermarks: [],
      watermark: Number.NEGATIVE_INFINITY,
    });
    const join = vertex(recorder);
    join.inputWatermarks.push(Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY);
    const downstream = vertex(recorder);
    downstream.inputWatermarks.push(Number.NEGATIVE_INFINITY);
    join.outputs.push({ target: downstream, input: 0, slot: 0 });
    pushWatermark(join, 10, 0);
    assert.deepEqual(seen, [], 'the other input has no watermark yet');
    pushWatermark(join, 5, 1);
    pushWatermark(join, 20, 0);
    pushWatermark(join, 4, 1);
    pushWatermark(join, 30, 1);
    // join: min(10, 5) = 5, then min(20, 5) = 5 (no change), 4 is older, then min(20, 30) = 20; each goes downstream.
    assert.deepEqual(seen, [5, 5, 20, 20]);
  });
});

describe("windows at the ends of Flink's range", () => {
  it('assign the last millisecond of 9999 and the first of year 0 exactly', () => {
    assert.deepEqual(windowsText(tumble(MINUTE), '9999-12-31 23:59:59.999'), [
      '[9999-12-31 23:59:00, 10000-01-01 00:00:00)',
    ]);
    assert.deepEqual(windowsText(hop(30 * SECOND, MINUTE), '9999-12-31 23:59:59.999'), [
      '[9999-12-31 23:59:30, 10000-01-01 00:00:30)',
      '[9999-12-31 23:59:00, 10000-01-01 00:00:00)',
    ]);
    assert.deepEqual(windowsText(cumulate(30 * SECOND, MINUTE), '9999-12-31 23:59:59.999'), [
      '[9999-12-31 23:59:00, 10000-01-01 00:00:00)',
    ]);
    assert.deepEqual(windowsText(tumble(DAY), '0000-01-01 00:00:00'), ['[0000-01-01 00:00:00, 0000-01-02 00:00:00)']);
    assert.deepEqual(windowsText(tumble(MINUTE), '0001-01-01 00:00:00.001'), [
      '[0001-01-01 00:00:00, 0001-01-01 00:01:00)',
    ]);
  });

  it('keep watermarks exact and fire the last window of 9999 when the watermark reaches its last millisecond', () => {
    const assigner = new WatermarkAssignerOperator(2, tsMinus5s, UTC, 'ts');
    assigner.process([event('a', 1, '9999-12-31 23:59:59.999')]);
    assert.equal(assigner.generatedWatermark(), Date.UTC(9999, 11, 31, 23, 59, 54, 999));
    const q = new WindowQuery(tumble(MINUTE));
    q.rows(event('a', 1, '9999-12-31 23:59:00'), event('a', 2, '9999-12-31 23:59:59.999'));
    q.rows(event('b', 4, '9999-12-31 23:58:59.999'));
    assert.deepEqual(q.watermark('9999-12-31 23:58:59.999'), ['+I(9999-12-31 23:58:00, 9999-12-31 23:59:00, b, 1, 4)']);
    assert.deepEqual(q.watermark('9999-12-31 23:59:59.998'), []);
    assert.deepEqual(q.watermark('9999-12-31 23:59:59.999'), [
      '+I(9999-12-31 23:59:00, 10000-01-01 00:00:00, a, 2, 3)',
    ]);
  });
});
