import { inputsOf } from '../../plan/explain.ts';
import type { PlanNode } from '../../plan/nodes.ts';
import type { PlannedJob } from '../../plan/planner.ts';

/**
 * The topics a job writes or reads (its tables whose connector names one). Jobs that share a topic
 * hand records over through it, from memory when both run in one worker.
 */
export function jobTopics(plan: PlannedJob): ReadonlySet<string> {
  const topics = new Set<string>();
  const visit = (node: PlanNode): void => {
    if (node.kind === 'TableSourceScan') {
      const topic = node.table.connector.factory.topic?.(node.table.connector);
      if (topic !== undefined) topics.add(topic);
    }
    for (const input of inputsOf(node)) visit(input);
  };
  for (const sink of plan.sinks) {
    const topic = sink.table.connector.factory.topic?.(sink.table.connector);
    if (topic !== undefined) topics.add(topic);
    visit(sink.input);
  }
  return topics;
}

/** What placement reads of a worker: its jobs and the topics each writes or reads. */
export interface PlacementSlot {
  readonly jobs: ReadonlyMap<string, { readonly topics: ReadonlySet<string> }>;
}

/**
 * The worker a job goes to. A job that shares topics with jobs already placed goes where they are,
 * so that records pass between them from memory: to the worker whose jobs it is connected to
 * through the most jobs (counting the jobs connected to those, and so on, on that worker); a job
 * connected to none goes to the worker with the fewest jobs. Ties go to the first such worker.
 */
export function chooseSlot<S extends PlacementSlot>(slots: readonly S[], topics: ReadonlySet<string>): S {
  let chosen = slots[0] as S;
  let chosenLinked = linkedJobs(chosen, topics);
  for (const slot of slots.slice(1)) {
    const linked = linkedJobs(slot, topics);
    if (linked > chosenLinked || (linked === chosenLinked && slot.jobs.size < chosen.jobs.size)) {
      chosen = slot;
      chosenLinked = linked;
    }
  }
  return chosen;
}

/** The jobs of the slot reachable from `topics` through topics they share. */
function linkedJobs(slot: PlacementSlot, topics: ReadonlySet<string>): number {
  const reached = new Set<string>();
  const open = new Set(topics);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, job] of slot.jobs) {
      if (reached.has(id) || ![...job.topics].some((topic) => open.has(topic))) continue;
      reached.add(id);
      for (const topic of job.topics) open.add(topic);
      grew = true;
    }
  }
  return reached.size;
}
