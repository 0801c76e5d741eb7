/** What Flink 1.18 refuses of LAG on a stream: a bounded window (rows retracted), and a bad call. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planScript } from '../../src/plan/planner.ts';
import { SqlError } from '../../src/sql/sql-error.ts';

const plan = (select: string) =>
  planScript(
    'lag.sql',
    `CREATE TABLE t1 (a INT, b BIGINT, rowtime TIMESTAMP(3), WATERMARK FOR rowtime AS rowtime)
       WITH ('connector' = 'kafka', 'topic' = 't1', 'format' = 'json');
     CREATE TABLE out1 (a INT, l BIGINT) WITH ('connector' = 'kafka', 'topic' = 'out', 'format' = 'json');
     INSERT INTO out1 SELECT a, ${select} FROM t1;`,
    new Map(),
    {},
  );

const refused = (select: string, code: string, message: RegExp) =>
  assert.throws(
    () => plan(select),
    (error: unknown) => error instanceof SqlError && error.code === code && message.test(error.message),
  );

describe('LAG OVER on a stream', () => {
  it('plans over an unbounded window, ROWS or RANGE', () => {
    plan('LAG(b) OVER (PARTITION BY a ORDER BY rowtime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)');
    plan('LAG(b, 1, 0) OVER (PARTITION BY a ORDER BY rowtime)');
  });

  it('is refused over a bounded window, as Flink refuses LAG with retraction', () => {
    refused(
      'LAG(b) OVER (PARTITION BY a ORDER BY rowtime ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
      'SQL_UNSUPPORTED',
      /LAG Function with retraction is not supported in stream mode/,
    );
  });

  it('refuses a non-integer offset and a default of another type', () => {
    refused("LAG(b, 'x') OVER (PARTITION BY a ORDER BY rowtime)", 'SQL_INVALID_CALL', /offset of LAG is an INT/);
    refused("LAG(b, 1, 'x') OVER (PARTITION BY a ORDER BY rowtime)", 'SQL_INVALID_CALL', /default of LAG/);
  });
});
