/**
 * CURRENT_WATERMARK(rowtime) through the job graph: the watermark the Calc has received from the
 * WatermarkAssigner before each batch, NULL before the first, as Flink 1.18 documents it (its
 * example filters late rows with `WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts)`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planScript } from '../../src/plan/planner.ts';
import { buildGraph, type SinkVertex } from '../../src/runtime/graph.ts';
import { push } from '../../src/runtime/push.ts';
import { SqlError } from '../../src/sql/sql-error.ts';
import { formatTimestamp, parseTimestamp, resolveTimeZone } from '../../src/types/temporal.ts';
import type { TimeValue } from '../../src/types/time-value.ts';
import { c, show } from './changes.ts';

const at = (time: string) => parseTimestamp(`2025-07-11 ${time}`, true) as number;
const hms = (value: TimeValue | null) => (value === null ? null : formatTimestamp(value, 3).slice(11));

const plan = (query: string, rowtime = 'ts TIMESTAMP(3)') =>
  planScript(
    'watermark.sql',
    `CREATE TABLE events (user_id STRING, ${rowtime}, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
       WITH ('connector' = 'kafka', 'topic' = 'events', 'format' = 'json');
     CREATE TABLE out_events (user_id STRING, ts TIMESTAMP(3), wm TIMESTAMP(3))
       WITH ('connector' = 'kafka', 'topic' = 'out', 'format' = 'json');
     INSERT INTO out_events ${query};`,
    new Map(),
    {},
  ).jobs[0]?.sinks ?? [];

describe('CURRENT_WATERMARK', () => {
  it('reads the watermark the operator has received, NULL before the first; filters late rows', () => {
    const graph = buildGraph(
      plan(`SELECT user_id, ts, CURRENT_WATERMARK(ts) FROM events
            WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts)`),
      { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 },
    );
    const source = graph.sources[0] as (typeof graph.sources)[number];
    const sink = graph.sinks[0] as SinkVertex;
    const rows = () =>
      show(
        sink.pending.map((ch) => ({
          ...ch,
          row: [ch.row[0] ?? null, hms(ch.row[1] as TimeValue), hms(ch.row[2] as TimeValue)],
        })),
      );
    push(source, [c('+I', 'a', at('12:00:10')), c('+I', 'b', at('12:00:20'))], 0);
    assert.deepEqual(rows(), ['+I(a, 12:00:10.000, NULL)', '+I(b, 12:00:20.000, NULL)'], 'no watermark yet');
    sink.pending.length = 0;
    // The assigner sent 12:00:15 after the first batch.
    push(source, [c('+I', 'c', at('12:00:12')), c('+I', 'd', at('12:00:30'))], 0);
    assert.deepEqual(rows(), ['+I(d, 12:00:30.000, 12:00:15.000)'], 'c is at or before the watermark: late');
    sink.pending.length = 0;
    push(source, [c('+I', 'e', at('12:00:26'))], 0);
    assert.deepEqual(rows(), ['+I(e, 12:00:26.000, 12:00:25.000)']);
  });

  it('is typed as the rowtime without its time attribute, nullable', () => {
    const sinks = plan('SELECT user_id, ts, CURRENT_WATERMARK(ts) FROM events');
    const fields = sinks[0]?.input.fields ?? [];
    assert.deepEqual(fields[2]?.type, { kind: 'TIMESTAMP', precision: 3, nullable: true });
  });

  it('refuses an argument that is not a rowtime attribute', () => {
    assert.throws(
      () => plan('SELECT user_id, ts, CURRENT_WATERMARK(CAST(ts AS TIMESTAMP(3))) FROM events'),
      (error: unknown) =>
        error instanceof SqlError &&
        /The argument of CURRENT_WATERMARK must be a rowtime attribute/.test(error.message),
    );
  });
});
