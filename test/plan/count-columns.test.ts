/** COUNT of several arguments: refused, with DISTINCT too (Flink 1.18.1's streaming planner cannot plan it, run on Flink by the fixture harness). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planScript } from '../../src/plan/planner.ts';
import { SqlError } from '../../src/sql/sql-error.ts';

const plan = (call: string) =>
  planScript(
    'count.sql',
    `CREATE TABLE t (k STRING, a INT, b STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
     CREATE TABLE o (k STRING, n BIGINT, PRIMARY KEY (k) NOT ENFORCED)
       WITH ('connector' = 'upsert-kafka', 'topic' = 'o', 'key.format' = 'json', 'value.format' = 'json');
     INSERT INTO o SELECT k, ${call} FROM t GROUP BY k;`,
    new Map(),
    {},
  ).jobs[0]?.sinks[0];

describe('COUNT of several arguments', () => {
  it('refuses COUNT(DISTINCT a, b), as Flink 1.18 does on a stream', () => {
    assert.throws(
      () => plan('COUNT(DISTINCT a, b)'),
      (error: unknown) =>
        error instanceof SqlError &&
        error.code === 'SQL_INVALID_CALL' &&
        /COUNT\(DISTINCT\) of several arguments cannot be planned on a stream/.test(error.message),
    );
  });

  it('refuses COUNT(a, b) without DISTINCT', () => {
    assert.throws(
      () => plan('COUNT(a, b)'),
      (error: unknown) =>
        error instanceof SqlError &&
        error.code === 'SQL_INVALID_CALL' &&
        /COUNT of several arguments needs DISTINCT/.test(error.message),
    );
  });
});
