import { createHash } from 'node:crypto';
import { describeNode } from '../plan/explain.ts';
import type { Vertex } from '../runtime/graph.ts';
import type { JobHandle } from '../runtime/job-handle.ts';
import { vertexNode } from '../runtime/vertex-metrics.ts';

/** A vertex of a job's graph with the id and name the REST API and /metrics give it. */
export interface JobVertex {
  readonly vertex: Vertex;
  readonly id: string;
  readonly name: string;
  /** The ids of the vertices it reads from. */
  readonly inputs: readonly string[];
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
  return order.map((vertex) => ({
    vertex,
    id: ids.get(vertex) as string,
    name: vertexName(vertex),
    inputs: inputs.get(vertex) ?? [],
  }));
}

function vertexName(vertex: Vertex): string {
  const node = vertexNode(vertex);
  if (node) return describeNode(node);
  // The one vertex without a plan node of its own: the materializer in front of an upsert sink.
  return vertex.kind === 'operator' ? 'SinkMaterializer' : vertex.kind;
}
