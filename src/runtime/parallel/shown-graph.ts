import type { EvalEnv } from '../../expr/eval-env.ts';
import type { PlannedJob } from '../../plan/planner.ts';
import { stateTtlSetting } from '../../plan/settings.ts';
import { buildGraph, type JobGraph } from '../graph.ts';
import { parallelLayout } from './split-plan.ts';

/** The vertices of parallel jobs' routers, which run as one task. */
const ROUTER = new WeakSet<object>();

/** Whether a vertex of a parallel job's graph runs in its router (one task) rather than in each subtask. */
export function inRouter(vertex: object): boolean {
  return ROUTER.has(vertex);
}

/** The writer of subtask `index` of a parallel job: its log transactions and sink commits are its own. */
export function subtaskWriter(job: string, index: number): string {
  return `${job}#${index}`;
}

/**
 * A parallel job's graph as the REST API shows it: the router's vertices (its exchange sinks
 * among them) and a subtask's (its exchange sources among them), in the order graphVertices
 * numbers them: sources, operators, sinks.
 */
export function joinGraphs(router: JobGraph, subtask: JobGraph): JobGraph {
  for (const vertex of [...router.sources, ...router.operators, ...router.sinks]) ROUTER.add(vertex);
  return {
    sources: [...router.sources, ...subtask.sources],
    operators: [...router.operators, ...subtask.operators],
    sinks: [...router.sinks, ...subtask.sinks],
    stateful: router.stateful || subtask.stateful,
    replay: subtask.replay,
    lookups: [],
  };
}

/**
 * The graph a job's proxy shows, built without opening anything: a parallel job's as Job.currentGraph
 * has it, or of its `part` alone (0: the router, i + 1: subtask i).
 */
export function shownGraph(plan: PlannedJob, env: EvalEnv, part?: number): JobGraph {
  const ttl = stateTtlSetting(plan.settings);
  const layout = parallelLayout(plan);
  if (!layout) return buildGraph(plan.sinks, env, ttl, false);
  const router = () => buildGraph(layout.router.sinks, env, ttl, false);
  const subtask = (i: number) => buildGraph(layout.subtask(i).plan.sinks, env, ttl, false);
  if (part === undefined) return joinGraphs(router(), subtask(0));
  return part === 0 ? router() : subtask(part - 1);
}

/** The number of subtasks a job runs its keyed operators in, and its key groups: 1 and 1 unless it is parallel. */
export function parallelism(plan: PlannedJob): { readonly parallelism: number; readonly maxParallelism: number } {
  const layout = parallelLayout(plan);
  return { parallelism: layout?.parallelism ?? 1, maxParallelism: layout?.maxParallelism ?? 1 };
}
