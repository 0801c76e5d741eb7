/**
 * `tableName.compositeType.*`: the fields of a ROW column as columns of their own, named as the
 * fields (Flink 1.18's value-access function, expanded as Calcite expands a structured column's star).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planScript } from '../../src/plan/planner.ts';
import { buildGraph, type SinkVertex } from '../../src/runtime/graph.ts';
import { push } from '../../src/runtime/push.ts';
import { SqlError } from '../../src/sql/sql-error.ts';
import { formatType } from '../../src/types/data-type.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';
import { c, show } from '../exec/changes.ts';

const plan = (query: string, sink = 'id BIGINT, city STRING, zip INT') =>
  planScript(
    'composite.sql',
    `CREATE TABLE users (id BIGINT, address ROW<city STRING, zip INT>, name STRING)
       WITH ('connector' = 'kafka', 'topic' = 'users', 'format' = 'json');
     CREATE TABLE out_users (${sink}) WITH ('connector' = 'kafka', 'topic' = 'out', 'format' = 'json');
     INSERT INTO out_users ${query};`,
    new Map(),
    {},
  ).jobs[0]?.sinks ?? [];

describe('tableName.compositeType.*', () => {
  for (const query of [
    'SELECT id, users.address.* FROM users',
    'SELECT id, u.address.* FROM users AS u',
    'SELECT id, address.* FROM users',
  ]) {
    it(`expands the ROW's fields: ${query}`, () => {
      const sinks = plan(query);
      const fields = sinks[0]?.input.fields ?? [];
      assert.deepEqual(
        fields.map((f) => `${f.name} ${formatType(f.type)}`),
        ['id BIGINT', 'city STRING', 'zip INT'],
      );
      const graph = buildGraph(sinks, { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 });
      push(
        graph.sources[0] as (typeof graph.sources)[number],
        [c('+I', 1n, ['Lyon', 69001], 'ann'), c('+I', 2n, null, 'bo')],
        0,
      );
      assert.deepEqual(show((graph.sinks[0] as SinkVertex).pending), ['+I(1, Lyon, 69001)', '+I(2, NULL, NULL)']);
    });
  }

  it('refuses a star on a column that is not a ROW', () => {
    assert.throws(
      () => plan('SELECT users.name.* FROM users', 'name STRING'),
      (error: unknown) => error instanceof SqlError && /needs a ROW column, but 'users.name' is/.test(error.message),
    );
  });
});
