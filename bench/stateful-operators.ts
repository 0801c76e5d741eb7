/**
 * Throughput and state size of each stateful operator beyond the regular join, each built from
 * planned SQL by the job graph builder (so by the same factories a running job uses), next to the
 * join operator alone measured in the same run. The scenarios are in stateful-scenarios.ts.
 */
import type { Change } from '../src/exec/change.ts';
import type { Operator } from '../src/exec/operator.ts';
import type { PlanNode } from '../src/plan/nodes.ts';
import { planScript } from '../src/plan/planner.ts';
import { buildGraph, closeOperators, type JobGraph, type OperatorVertex } from '../src/runtime/graph.ts';
import { push } from '../src/runtime/push.ts';
import { vertexNode } from '../src/runtime/vertex-metrics.ts';
import { stateMemory } from '../src/state/state-memory.ts';
import { VARIABLES } from '../test/helpers/fixture-file.ts';
import type { Measurement } from './harness.ts';
import { env, joinOperatorRates, range, rowsPerSecond } from './operators.ts';
import { BATCH, SCENARIOS, type Scenario } from './stateful-scenarios.ts';

/** What reaches the first timed operator: a batch on one of its inputs, or a watermark. */
type Event = { readonly input: number; readonly changes: readonly Change[] } | { readonly watermark: number };

/** The job graph of a scenario's SQL. */
function graphOf(scenario: Scenario): JobGraph {
  const script = planScript(`${scenario.name}.sql`, scenario.sql, VARIABLES, {});
  const sinks = script.jobs[0]?.sinks;
  if (!sinks) throw new Error(`${scenario.name}: the SQL has no INSERT`);
  return buildGraph(sinks, env);
}

/** The vertices of the scenario's timed nodes, in its order (each the first of its kind after the previous). */
function timedVertices(graph: JobGraph, scenario: Scenario): OperatorVertex[] {
  const found: OperatorVertex[] = [];
  let from = 0;
  for (const kind of scenario.timed) {
    const at = graph.operators.findIndex((v, i) => i >= from && vertexNode(v)?.kind === kind);
    if (at < 0) throw new Error(`${scenario.name}: no ${kind} in the plan`);
    found.push(graph.operators[at] as OperatorVertex);
    from = at + 1;
  }
  return found;
}

/** The plan node of the scenario's first timed operator (what the test checks the plan by). */
export function timedNode(scenario: Scenario): PlanNode {
  const graph = graphOf(scenario);
  const node = vertexNode(timedVertices(graph, scenario)[0] as OperatorVertex) as PlanNode;
  closeOperators(graph);
  return node;
}

/**
 * What the first timed operator receives when the scenario's source rows go through the job
 * graph, batch by batch and table by table in turn: recorded once, in place of the operator, so
 * that the operators upstream (watermark assigners, window table functions) are not timed.
 */
export function recordInput(scenario: Scenario, keys: number, rows: number): Event[] {
  const graph = graphOf(scenario);
  const first = timedVertices(graph, scenario)[0] as OperatorVertex;
  const events: Event[] = [];
  const recorder: Operator = {
    process: (changes, input) => {
      events.push({ input, changes });
      return [];
    },
    onWatermark: (watermark) => {
      events.push({ watermark });
      return [];
    },
  };
  first.operator.close?.();
  (first as { operator: Operator }).operator = recorder;
  const decoders = graph.sources.map((source) => scenario.tables[source.name]);
  for (let start = 0; start < rows; start += BATCH) {
    for (const [s, source] of graph.sources.entries()) {
      const table = decoders[s];
      if (!table) throw new Error(`${scenario.name}: no rows for table ${source.name}`);
      const batch: Change[] = [];
      for (let i = start; i < Math.min(rows, start + BATCH); i++)
        batch.push({ kind: '+I', row: table(i, keys, source.scan.fields) });
      push(source, batch, 0);
    }
  }
  closeOperators(graph);
  return events;
}

/** The timed operators of a fresh graph of the scenario, to be fed the recorded events. */
function timedChain(scenario: Scenario): { graph: JobGraph; chain: Operator[] } {
  const graph = graphOf(scenario);
  return { graph, chain: timedVertices(graph, scenario).map((v) => v.operator) };
}

interface Replayed {
  readonly rowsOut: number;
  /** The most the state memory held above what it held before, after any event. */
  readonly peakStateBytes: number;
}

/** Feeds the events to the chain (each operator's output to the next); counts the last one's rows. */
function replay(chain: readonly Operator[], events: readonly Event[]): Replayed {
  const memory = stateMemory();
  const before = memory.used;
  let peak = 0;
  let rowsOut = 0;
  for (const event of events) {
    let out: Change[];
    if ('watermark' in event) {
      out = chain[0]?.onWatermark?.(event.watermark) ?? [];
    } else {
      out = (chain[0] as Operator).process(event.changes, event.input);
    }
    for (let i = 1; i < chain.length; i++) {
      const next = chain[i] as Operator;
      out = next.process(out, 0);
      if ('watermark' in event) out.push(...(next.onWatermark?.(event.watermark) ?? []));
    }
    rowsOut += out.length;
    peak = Math.max(peak, memory.used - before);
  }
  return { rowsOut, peakStateBytes: peak };
}

/** Rows out of the scenario's timed operators for `rows` rows per table over `keys` keys. */
export function runScenario(scenario: Scenario, keys: number, rows: number): Replayed {
  const events = recordInput(scenario, keys, rows);
  const { graph, chain } = timedChain(scenario);
  try {
    return replay(chain, events);
  } finally {
    closeOperators(graph);
  }
}

const KEYS = 100_000;
const ROWS = 200_000;
const RUNS = 3;
/** A line whose warm-up run takes longer is timed once more only, to keep the group short. */
const LONG_RUN_SECONDS = 1.5;

function rowsIn(events: readonly Event[]): number {
  let n = 0;
  for (const event of events) if ('changes' in event) n += event.changes.length;
  return n;
}

const ratio = (rate: number, join: number) => `${(rate / join).toFixed(2)}×`;

/** One rows/s line and one state bytes per key line per scenario, with the join operator's rows/s beside. */
export function statefulOperatorBenchmarks(): Measurement[] {
  const join = joinOperatorRates(ROWS, RUNS);
  const joinRate = join[0] as number;
  const measurements: Measurement[] = [
    {
      name: `stateful: join operator alone, the reference (LEFT, 100k users) (${range(join)})`,
      value: joinRate,
      unit: 'rows/s',
    },
  ];
  for (const scenario of SCENARIOS) {
    const events = recordInput(scenario, KEYS, scenario.rows ?? ROWS);
    const input = rowsIn(events);
    let peak = 0;
    const rates = rowsPerSecond(
      input,
      RUNS,
      () => timedChain(scenario),
      ({ graph, chain }) => {
        peak = replay(chain, events).peakStateBytes;
        closeOperators(graph);
      },
      LONG_RUN_SECONDS,
    );
    const rate = rates[0] as number;
    const target = Math.round(joinRate / 2).toLocaleString('en-US');
    measurements.push(
      {
        name: `stateful: ${scenario.name}, ${input / 1000}k rows in (${range(rates)}; ${ratio(rate, joinRate)} join)`,
        value: rate,
        unit: 'rows/s',
        target: `>= 0.5× join (${target} rows/s)`,
      },
      {
        name: `stateful: ${scenario.name}: state bytes per key (peak / ${KEYS / 1000}k keys)`,
        value: peak / KEYS,
        unit: 'bytes/key',
      },
    );
  }
  return measurements;
}
