/**
 * Per-vertex state size, spilled bytes and busy time, as /jobs/:id reports them: each keyed state
 * belongs to the operator that built it, spilled entries move its bytes from memory to disk, and an
 * operator's calls count as its busy time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describeNode } from '../../src/plan/explain.ts';
import { planScript } from '../../src/plan/planner.ts';
import { buildGraph, closeOperators, type JobGraph } from '../../src/runtime/graph.ts';
import { push } from '../../src/runtime/push.ts';
import { vertexNode, vertexStateSize, vertexTimes } from '../../src/runtime/vertex-metrics.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';
import { c } from '../exec/changes.ts';

const graphOf = (query: string): JobGraph =>
  buildGraph(
    planScript(
      'state.sql',
      `CREATE TABLE events (user_id STRING, n BIGINT)
         WITH ('connector' = 'kafka', 'topic' = 'events', 'format' = 'json');
       CREATE TABLE counts (user_id STRING, total BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
         WITH ('connector' = 'upsert-kafka', 'topic' = 'counts', 'key.format' = 'json', 'value.format' = 'json');
       INSERT INTO counts ${query};`,
      new Map(),
      {},
    ).jobs[0]?.sinks ?? [],
    { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 },
  );

const names = (graph: JobGraph) =>
  graph.operators.map((vertex) => {
    const node = vertexNode(vertex);
    return node ? describeNode(node).replace(/\(.*/, '') : 'SinkMaterializer';
  });

describe('the state and time of each vertex', () => {
  const memory = stateMemory();
  const { limit, dir } = memory;
  const spillDir = mkdtempSync(join(tmpdir(), 'vertex-state-'));
  after(() => {
    memory.configure(limit, dir);
    rmSync(spillDir, { recursive: true, force: true });
  });

  it('gives each stateful operator the bytes of its own state, and none to the others', () => {
    // Two aggregates: the inner one keeps (user_id, n) groups, the outer one user_id groups.
    const graph = graphOf(
      'SELECT user_id, COUNT(*) FROM (SELECT user_id, n FROM events GROUP BY user_id, n) GROUP BY user_id',
    );
    const source = graph.sources[0] as JobGraph['sources'][number];
    const before = memory.used;
    push(source, [c('+I', 'a', 1n), c('+I', 'a', 2n), c('+I', 'b', 1n)], 0);
    const aggregates = graph.operators.filter((vertex) => vertexNode(vertex)?.kind === 'GroupAggregate');
    assert.equal(aggregates.length, 2, names(graph).join(', '));
    const sizes = aggregates.map((vertex) => vertexStateSize(vertex));
    for (const size of sizes) {
      assert.ok(size && size.memoryBytes > 0, JSON.stringify(size));
      assert.equal(size?.spilledBytes, 0);
    }
    // Every byte of state the push added belongs to one of the two, none to both.
    assert.equal((sizes[0]?.memoryBytes ?? 0) + (sizes[1]?.memoryBytes ?? 0), memory.used - before);
    for (const vertex of [source, ...graph.operators, ...graph.sinks]) {
      if (!aggregates.includes(vertex as (typeof aggregates)[number]))
        assert.equal(vertexStateSize(vertex), undefined, vertex.kind);
    }
    closeOperators(graph);
    assert.deepEqual(vertexStateSize(aggregates[0] as object), { memoryBytes: 0, spilledBytes: 0 });
  });

  it('moves the bytes of spilled entries from memory to disk', () => {
    const graph = graphOf('SELECT user_id, COUNT(*) FROM events GROUP BY user_id');
    const source = graph.sources[0] as JobGraph['sources'][number];
    const aggregate = graph.operators.find((vertex) => vertexNode(vertex)?.kind === 'GroupAggregate');
    assert.ok(aggregate);
    // A budget of one byte: every entry goes to disk after the operator's call.
    memory.configure(1, spillDir);
    push(
      source,
      Array.from({ length: 20 }, (_, i) => c('+I', `user-${i}`, BigInt(i))),
      0,
    );
    const size = vertexStateSize(aggregate);
    assert.ok(size && size.spilledBytes > 0, JSON.stringify(size));
    assert.equal(size.memoryBytes, 0);
    closeOperators(graph);
    assert.deepEqual(vertexStateSize(aggregate), { memoryBytes: 0, spilledBytes: 0 });
    memory.configure(limit, dir);
  });

  it("counts an operator's calls as its busy time, and nothing as back-pressured", () => {
    const graph = graphOf('SELECT user_id, COUNT(*) FROM events GROUP BY user_id');
    const source = graph.sources[0] as JobGraph['sources'][number];
    const aggregate = graph.operators.find((vertex) => vertexNode(vertex)?.kind === 'GroupAggregate');
    assert.ok(aggregate);
    assert.equal(vertexTimes(aggregate).busyMs, 0);
    push(source, [c('+I', 'a', 1n)], 0);
    const times = vertexTimes(aggregate);
    assert.ok(times.busyMs >= 0 && times.idleMs >= 0);
    assert.equal(times.backPressuredMs, 0);
    // Per second: between 0 and the 1000 ms a second has.
    assert.ok(times.busyMsPerSecond >= 0 && times.busyMsPerSecond <= 1000);
    closeOperators(graph);
  });
});
