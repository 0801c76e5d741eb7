import { createHash } from 'node:crypto';
import { describeNode } from '../plan/explain.ts';
import type { Vertex } from '../runtime/graph.ts';
import type { JobHandle } from '../runtime/job-handle.ts';
import { inRouter } from '../runtime/parallel/shown-graph.ts';
import { vertexNode } from '../runtime/vertex-metrics.ts';

/** A vertex of a job's graph with the id and name the REST API and /metrics give it. */
export interface JobVertex {
  readonly vertex: Vertex;
  readonly id: string;
  readonly name: string;
  /** The ids of the vertices it reads from. */
  readonly inputs: readonly string[];
  /** The tasks it runs as: 1, or a parallel job's parallelism for a vertex of its subtasks. */
  readonly parallelism: number;
  /**
   * The vertex in each subtask, where the job shows them (one in its own thread); otherwise the
   * vertex alone (a router's vertex, a job of one task, or a worker's job, whose proxy shows subtask 0).
   */
  readonly subtasks: readonly Vertex[];
}

/** The vertices of the job's latest graph, sources first, each after the vertices it reads from. */
export function graphVertices(job: JobHandle): JobVertex[] {
  const graph = job.currentGraph;
  if (!graph) return [];
  const order: Vertex[] = [...graph.sources, ...graph.operators, ...graph.sinks];
  const ids = new Map(order.map((vertex, i) => [vertex, createHash('md5').update(`${job.id}/${i}`).digest('hex')]));
  const inputs = new Map<Vertex, string[]>(order.map((vertex) => [vertex, []]));
  for (const vertex of order) {
    if (vertex.kind === 'sink') continue;
    for (const edge of vertex.outputs) inputs.get(edge.target)?.push(ids.get(vertex) as string);
  }
  const subtaskOrders = (job.subtaskGraphs ?? []).map((g) => [...g.sources, ...g.operators, ...g.sinks]);
  return order.map((vertex, i) => {
    const parallel = job.parallelism > 1 && !inRouter(vertex);
    const subtasks = parallel && subtaskOrders.length > 0 ? subtaskOrders.map((o) => o[i] ?? vertex) : [vertex];
    return {
      vertex,
      id: ids.get(vertex) as string,
      name: vertexName(vertex),
      inputs: inputs.get(vertex) ?? [],
      parallelism: parallel ? job.parallelism : 1,
      subtasks,
    };
  });
}

function vertexName(vertex: Vertex): string {
  const node = vertexNode(vertex);
  if (node) return describeNode(node);
  // The one vertex without a plan node of its own: the materializer in front of an upsert sink.
  return vertex.kind === 'operator' ? 'SinkMaterializer' : vertex.kind;
}
