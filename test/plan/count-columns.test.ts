/** COUNT of several arguments: Flink 1.18 counts them only as DISTINCT (COUNT(DISTINCT a, b)). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planScript } from '../../src/plan/planner.ts';
import { SqlError } from '../../src/sql/sql-error.ts';
import { formatType } from '../../src/types/data-type.ts';

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
  it('plans COUNT(DISTINCT a, b) as one BIGINT NOT NULL count', () => {
    const fields = plan('COUNT(DISTINCT a, b)')?.input.fields ?? [];
    assert.equal(formatType(fields[1]?.type ?? { kind: 'NULL', nullable: true }), 'BIGINT NOT NULL');
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
