import { RivuletError } from '../../common/errors.ts';
import type { PlanNode, Sink, TableSourceScan } from '../../plan/nodes.ts';
import type { PlannedJob } from '../../plan/planner.ts';
import { exchangeConnector } from './exchange.ts';
import { defaultMaxParallelism, type KeyGroupRange, keyGroupRange } from './key-groups.ts';
import { sinkKeyFollowsPartition } from './sink-key.ts';

/**
 * How a job with `parallelism.default` = p > 1 runs: cut at its hash exchange, the input of its
 * keyed operator (aggregate, join, Top-N, deduplication). The router runs what is below the cut
 * (sources, projections, filters, the normalization of upsert sources) and writes each change into
 * the exchange's topic, partitioned by key group; subtask i runs the rest, reading the partitions
 * of its key-group range only (Flink's computeKeyGroupRangeForOperatorIndex).
 */
export interface ParallelLayout {
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly router: PlannedJob;
  /** The plan of subtask `index` (0-based), and the key groups it owns. */
  subtask(index: number): { readonly plan: PlannedJob; readonly keyGroups: KeyGroupRange };
}

/** A cut of one input of a keyed operator: what the router writes, keyed by `key`. */
interface Cut {
  readonly input: PlanNode;
  readonly key: readonly number[];
  readonly name: string;
  readonly topic: string;
}

/** Operators that keep state by event or processing time: the exchange does not carry watermarks yet. */
const TIMED = new Set<PlanNode['kind']>([
  'IntervalJoin',
  'WindowJoin',
  'TemporalJoin',
  'OverAggregate',
  'WindowTableFunction',
  'WindowAggregate',
  'GroupWindowAggregate',
  'WindowRank',
  'WindowDeduplicate',
]);

function inputsOf(node: PlanNode): readonly PlanNode[] {
  if ('inputs' in node) return node.inputs;
  if ('left' in node) return [node.left, node.right];
  if ('input' in node) return [node.input];
  return [];
}

/** The keys a keyed operator partitions its inputs by, one per input; undefined for any other node. */
function exchangeKeys(node: PlanNode): readonly (readonly number[])[] | undefined {
  switch (node.kind) {
    case 'GroupAggregate':
      return [node.groupKeys];
    case 'Rank':
      return [node.spec.partitionKeys];
    case 'Deduplicate':
      return [node.spec.keys];
    case 'Join':
      return [node.leftKeys, node.rightKeys];
    default:
      return undefined;
  }
}

/** The keyed operator nearest the sink in a tree. */
function firstKeyed(node: PlanNode): PlanNode | undefined {
  if (exchangeKeys(node)) return node;
  for (const input of inputsOf(node)) {
    const found = firstKeyed(input);
    if (found) return found;
  }
  return undefined;
}

function countKeyed(node: PlanNode): number {
  const own = exchangeKeys(node) ? 1 : 0;
  return own + inputsOf(node).reduce((sum, input) => sum + countKeyed(input), 0);
}

function refuse(job: PlannedJob, what: string, hint: string): never {
  throw new RivuletError('PARALLELISM_NOT_SUPPORTED', `job ${job.name} (${job.location}): ${what}`, hint);
}

const ONE = "remove SET 'parallelism.default' (or set it to 1) for this job";

/**
 * A topic name of the job's own, whatever characters its name has; of its generation, so that a
 * start from scratch (see JobStore) does not read the exchanged changes of the one before.
 */
function exchangeTopic(job: string, generation: number, n: number): string {
  const name = job.replace(/[^A-Za-z0-9._-]/g, '_');
  return `__rivulet_exchange.${name}${generation > 0 ? `@${generation}` : ''}.${n}`;
}

/**
 * The job's parallel layout; undefined when it runs as one task (parallelism 1, or nothing keyed
 * to divide: a job of projections only, whose parallelism is then warned about as before).
 */
export function parallelLayout(job: PlannedJob, generation = 0): ParallelLayout | undefined {
  const parallelism = Number(job.settings.get('parallelism.default') ?? '1');
  if (parallelism <= 1) return undefined;
  const keyedSinks = job.sinks.filter((sink) => countKeyed(sink.input) > 0);
  if (keyedSinks.length === 0) return undefined;
  const configuredMax = job.settings.get('pipeline.max-parallelism');
  const maxParallelism = configuredMax === undefined ? defaultMaxParallelism(parallelism) : Number(configuredMax);
  keyGroupRange(maxParallelism, parallelism, 0);
  const cuts: Cut[] = [];
  const cutBelow = (node: PlanNode): void => {
    if (TIMED.has(node.kind)) {
      refuse(
        job,
        `${node.kind} keeps state by time, which the exchange between parallel subtasks does not carry yet`,
        ONE,
      );
    }
    const keys = exchangeKeys(node);
    if (!keys) {
      for (const input of inputsOf(node)) cutBelow(input);
      return;
    }
    const inputs = inputsOf(node);
    for (const [i, input] of inputs.entries()) {
      if (countKeyed(input) > 0) {
        refuse(
          job,
          `${node.kind} reads the output of another keyed operator: a second hash exchange, which parallel jobs do not have yet`,
          `split the job in two at the inner operator (an INSERT into an upsert topic, read by a second job), or ${ONE}`,
        );
      }
      const n = cuts.length + 1;
      const cut: Cut = {
        input,
        key: keys[i] as readonly number[],
        name: `exchange#${n}`,
        topic: exchangeTopic(job.name, generation, n),
      };
      cuts.push(cut);
    }
  };
  for (const sink of job.sinks) {
    if (countKeyed(sink.input) === 0) {
      refuse(
        job,
        `the INSERT into '${sink.table.name}' has no keyed operator, beside others that have: the job cannot be divided by key`,
        `put it into a job of its own, or ${ONE}`,
      );
    }
    cutBelow(sink.input);
    // Then also a sink's upsert materializer (keyed by the sink key) sees every change of its keys.
    const keyed = firstKeyed(sink.input);
    if (keyed && !sinkKeyFollowsPartition(sink, keyed)) {
      refuse(
        job,
        `the key of '${sink.table.name}' does not determine the key ${keyed.kind} divides its rows by: an update that moves a row between subtasks could reach the sink out of order`,
        `give the sink a primary key that includes the ${keyed.kind}'s key columns, or ${ONE}`,
      );
    }
  }
  const all = { start: 0, end: maxParallelism - 1 };
  const router: PlannedJob = {
    ...job,
    sinks: cuts.map((cut) => exchangeSink(cut, maxParallelism, all)),
  };
  return {
    parallelism,
    maxParallelism,
    router,
    subtask(index) {
      const keyGroups = keyGroupRange(maxParallelism, parallelism, index);
      const scans = new Map(cuts.map((cut) => [cut.input, exchangeScan(cut, maxParallelism, keyGroups)]));
      const rewrite = (node: PlanNode): PlanNode => scans.get(node) ?? rewriteInputs(node, rewrite);
      const sinks = job.sinks.map((sink) => rewrite(sink) as Sink);
      return { plan: { ...job, sinks, warnings: [] }, keyGroups };
    },
  };
}

/**
 * What a job's parallel layout adds to its state shape (see plan/state-shape.ts): a job that ran as
 * one task keeps its state nowhere a parallel run rebuilds it from (the exchange topics), and the
 * other way round, and its key groups cannot change while it keeps state. Rescaling between
 * parallelisms above 1 leaves the shape as it is.
 */
export function parallelShape(job: PlannedJob): readonly string[] {
  const layout = parallelLayout(job);
  return layout ? [`its keyed operators in subtasks over ${layout.maxParallelism} key groups`] : [];
}

function exchangeSink(cut: Cut, maxParallelism: number, keyGroups: KeyGroupRange): Sink {
  const { input } = cut;
  return {
    kind: 'Sink',
    input,
    fields: input.fields,
    changelog: input.changelog,
    table: {
      name: cut.name,
      connector: exchangeConnector({ topic: cut.topic, maxParallelism, keyGroups }),
    },
    columns: input.fields.map((field) => field.name),
    sinkKey: cut.key,
    upsertMaterialize: false,
  };
}

function exchangeScan(cut: Cut, maxParallelism: number, keyGroups: KeyGroupRange): TableSourceScan {
  const { input } = cut;
  return {
    kind: 'TableSourceScan',
    fields: input.fields,
    changelog: input.changelog,
    ...(input.uniqueKey ? { uniqueKey: input.uniqueKey } : {}),
    table: { name: cut.name, connector: exchangeConnector({ topic: cut.topic, maxParallelism, keyGroups }) },
    columns: input.fields.map((field) => ({ physical: field.name })),
  };
}

/** `node` with each input rewritten (the same node when none changes). */
function rewriteInputs(node: PlanNode, rewrite: (node: PlanNode) => PlanNode): PlanNode {
  if ('inputs' in node) return { ...node, inputs: node.inputs.map(rewrite) };
  if ('left' in node) return { ...node, left: rewrite(node.left), right: rewrite(node.right) };
  if ('input' in node) return { ...node, input: rewrite(node.input) };
  return node;
}
