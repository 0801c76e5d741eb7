import { RivuletError } from '../common/errors.ts';
import type { LookupSource } from '../connectors/lookup-source.ts';
import type { ConnectorTable } from '../connectors/table.ts';
import { CalcOperator } from '../exec/calc.ts';
import type { Change } from '../exec/change.ts';
import { CorrelateOperator } from '../exec/correlate.ts';
import { ExpandOperator } from '../exec/expand.ts';
import { type LookupCache, LookupJoinOperator } from '../exec/lookup-join.ts';
import type { Operator } from '../exec/operator.ts';
import { WatermarkAssignerOperator } from '../exec/window.ts';
import { compileCast } from '../expr/cast.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { EvaluationError, Value } from '../expr/value.ts';
import type { LookupJoin, PlanNode, Sink, TableSourceScan } from '../plan/nodes.ts';
import { type SpillableState, stateMemory } from '../state/state-memory.ts';
import type { RowField } from '../types/data-type.ts';
import type { LookupRetry } from './lookup-retry.ts';
import { statefulOperator } from './stateful-operators.ts';
import { setVertexNode, setVertexStates, startVertexClock } from './vertex-metrics.ts';
import { windowJoinOperator, windowOperator, windowStateful } from './window-operators.ts';

interface Edge {
  readonly target: Vertex;
  readonly input: number;
  /** Which of the target's incoming edges this is (its watermark is tracked per edge). */
  readonly slot: number;
}

export interface SourceVertex {
  readonly kind: 'source';
  readonly name: string;
  readonly scan: TableSourceScan;
  readonly outputs: Edge[];
}

export interface OperatorVertex {
  readonly kind: 'operator';
  readonly operator: Operator;
  readonly outputs: Edge[];
  /** The latest watermark of each incoming edge (by slot); -Infinity before the first. */
  readonly inputWatermarks: number[];
  /**
   * The watermark of its inputs the operator last saw (the minimum over its incoming edges); until
   * then, and when absent, -Infinity. It differs from `watermark` where the operator holds it back.
   */
  inputWatermark?: number;
  /** The watermark this vertex last sent downstream. */
  watermark: number;
}

export interface SinkVertex {
  readonly kind: 'sink';
  readonly name: string;
  readonly sink: Sink;
  /** Changes waiting for the next commit. */
  pending: Change[];
}

export type Vertex = SourceVertex | OperatorVertex | SinkVertex;

/** The executable form of a job: sources, operators and sinks wired as the plan says. */
export interface JobGraph {
  readonly sources: SourceVertex[];
  readonly sinks: SinkVertex[];
  /** Every operator, each after the operators it reads from. */
  readonly operators: OperatorVertex[];
  /** Whether an operator keeps state built from earlier input (then a restart replays the sources). */
  stateful: boolean;
  /** Set while changes of records processed before a restart are pushed (see pushReplayed). */
  readonly replay: { active: boolean };
  /** Lookup joins, whose missing keys the job looks up between pushes (resolveLookups). */
  readonly lookups: LookupVertex[];
  /**
   * Set by the running job: sets aside for its dead-letter topic the source record of a change on
   * which a Calc right after its source failed; false where that cannot be (see CalcOperator).
   */
  setAside?: (change: Change, error: EvaluationError) => boolean;
}

export interface LookupVertex {
  readonly vertex: OperatorVertex;
  readonly operator: LookupJoinOperator;
  readonly lookup: LookupSource;
  /** A LOOKUP hint's retry of keys that found no row. */
  readonly retry?: LookupRetry;
}

/** The table a source vertex reads, as its connector opens it. */
export function sourceTable(scan: TableSourceScan): ConnectorTable {
  return {
    name: scan.table.name,
    fields: scan.fields,
    key: (scan.table.primaryKey ?? []).map((name) => scan.fields.findIndex((f) => f.name === name)),
    options: scan.table.connector,
    partitionKeys: scan.table.connector.partitionKeys,
  };
}

/** The table a sink vertex writes, as its connector opens it: the written columns and the upsert key. */
export function sinkTable(sink: Sink): ConnectorTable {
  const fields: RowField[] = sink.columns.map((name, i) => ({
    name,
    type: (sink.fields[i] ?? (sink.input.fields[i] as RowField)).type,
  }));
  return {
    name: sink.table.name,
    fields,
    key: sink.sinkKey ?? [],
    options: sink.table.connector,
    partitionKeys: sink.table.connector.partitionKeys,
  };
}

/** Gives back the spill files of the graph's operators (a job that stops or restarts). */
export function closeOperators(graph: JobGraph): void {
  for (const vertex of graph.operators) vertex.operator.close?.();
}

/** Closes the sources of the graph's lookup joins. */
export async function closeLookups(graph: JobGraph): Promise<void> {
  const lookups = graph.lookups.splice(0);
  await Promise.all(lookups.map(({ lookup }) => lookup.close().catch(() => undefined)));
}

/** The cache of a lookup join whose source is not opened: it never looks anything up. */
const NOT_CACHED: LookupCache = {
  partial: false,
  maxRows: 0,
  expireAfterWriteMs: 0,
  expireAfterAccessMs: 0,
  cacheMissingKey: false,
};

function unsupported(what: string): never {
  throw new RivuletError('NOT_SUPPORTED_YET', `${what} cannot run yet`, 'see the status table in README.md');
}

/**
 * Builds the vertices of the plans of one job; each plan node becomes one vertex. Keyed state
 * lives `stateTtlMs` without being written (the job's `table.exec.state.ttl`; 0 = forever) unless
 * a STATE_TTL hint says otherwise. Without `openLookups` (a graph only shown, as a worker's job's
 * proxy shows it), the lookup joins' sources are not opened and the graph has no `lookups`.
 */
export function buildGraph(sinks: readonly Sink[], env: EvalEnv, stateTtlMs = 0, openLookups = true): JobGraph {
  for (const sink of sinks) checkReadOnceSources(sink.input, sink.upsertMaterialize);
  const builder = new GraphBuilder(env, stateTtlMs, openLookups);
  for (const sink of sinks) builder.build(sink);
  return builder.graph;
}

class GraphBuilder {
  readonly graph: JobGraph = {
    sources: [],
    sinks: [],
    operators: [],
    stateful: false,
    replay: { active: false },
    lookups: [],
  };
  private readonly built = new Map<PlanNode, Vertex>();

  constructor(
    private readonly env: EvalEnv,
    private readonly stateTtlMs: number,
    private readonly openLookups: boolean,
  ) {}

  build(node: PlanNode): Vertex {
    const existing = this.built.get(node);
    if (existing) return existing;
    // The states the node's operator registers while it is built (its inputs collect their own).
    const kept: SpillableState[] = [];
    const vertex = stateMemory().collect(kept, () => this.vertexOf(node));
    this.built.set(node, vertex);
    setVertexNode(vertex, node);
    setVertexStates(vertex, kept);
    startVertexClock(vertex);
    return vertex;
  }

  private vertexOf(node: PlanNode): Vertex {
    switch (node.kind) {
      case 'TableSourceScan': {
        const source: SourceVertex = { kind: 'source', name: node.table.name, scan: node, outputs: [] };
        this.graph.sources.push(source);
        return source;
      }
      case 'Sink':
        return this.sink(node);
      case 'Union': {
        const union = operatorVertex({ process: (changes) => [...changes] });
        for (const input of node.inputs) this.link(this.build(input), union, 0);
        this.graph.operators.push(union);
        return union;
      }
      case 'LookupJoin':
        return this.lookupJoin(node);
      case 'Values':
        return unsupported('VALUES');
      default:
        return this.operator(node);
    }
  }

  /**
   * The vertex of an operator node with its inputs. Its expressions read the watermark the vertex
   * has received (CURRENT_WATERMARK), NULL before the first.
   */
  private operator(node: Exclude<PlanNode, TableSourceScan | Sink | LookupJoin | { kind: 'Union' | 'Values' }>) {
    let vertex: OperatorVertex | undefined;
    const currentWatermark = () => {
      const watermark = vertex?.inputWatermark;
      return watermark === undefined || watermark === Number.NEGATIVE_INFINITY ? undefined : watermark;
    };
    vertex = this.operatorWith(node, { ...this.env, currentWatermark });
    return vertex;
  }

  /** Builds an operator node's vertex with `env`; marks the graph stateful when the operator keeps state. */
  private operatorWith(
    node: Exclude<PlanNode, TableSourceScan | Sink | LookupJoin | { kind: 'Union' | 'Values' }>,
    env: EvalEnv,
  ): OperatorVertex {
    switch (node.kind) {
      case 'ChangelogNormalize':
        this.graph.stateful = true;
        return this.operatorOn(statefulOperator.normalize(node, env, this.stateTtlMs), node.input);
      case 'Calc': {
        const setAside = readsSourceRecords(node.input)
          ? (change: Change, error: EvaluationError) => this.graph.setAside?.(change, error) ?? false
          : undefined;
        return this.operatorOn(new CalcOperator(node.projection, node.condition, env, setAside), node.input);
      }
      case 'Correlate':
        return this.operatorOn(
          new CorrelateOperator(node.collection, node.joinType, node.fields.length - node.input.fields.length, env),
          node.input,
        );
      case 'Expand':
        return this.operatorOn(new ExpandOperator(node.projects, env), node.input);
      case 'WatermarkAssigner':
        return this.operatorOn(
          new WatermarkAssignerOperator(node.rowtime, node.watermark, env, node.fields[node.rowtime]?.name),
          node.input,
        );
      case 'Join':
        this.graph.stateful = true;
        return this.operatorOn(statefulOperator.join(node, env, this.stateTtlMs), node.left, node.right);
      case 'IntervalJoin':
        // Processing-time rows are not rebuilt by a replay: the time each record was processed is gone.
        if (node.bounds.rowtime) this.graph.stateful = true;
        return this.operatorOn(
          statefulOperator.intervalJoin(node, env, () => this.graph.replay.active),
          node.left,
          node.right,
        );
      case 'WindowJoin':
        // Event time only: a replay rebuilds the open windows' rows.
        this.graph.stateful = true;
        return this.operatorOn(windowJoinOperator(node, env), node.left, node.right);
      case 'TemporalJoin':
        this.graph.stateful = true;
        return this.operatorOn(statefulOperator.temporalJoin(node, env, this.stateTtlMs), node.left, node.right);
      case 'GroupAggregate':
        this.graph.stateful = true;
        return this.operatorOn(statefulOperator.aggregate(node, env, this.stateTtlMs), node.input);
      case 'Rank':
        this.graph.stateful = true;
        return this.operatorOn(statefulOperator.rank(node, env, this.stateTtlMs), node.input);
      case 'Deduplicate':
        // On processing time too: a replay gives the rows in the order they first came.
        this.graph.stateful = true;
        return this.operatorOn(statefulOperator.deduplicate(node, env, this.stateTtlMs), node.input);
      case 'OverAggregate':
        // Processing-time RANGE windows are not rebuilt by a replay: the time each record was processed is gone.
        if (node.spec.timeKind === 'ROWTIME' || node.spec.unit === 'ROWS' || node.spec.preceding === undefined)
          this.graph.stateful = true;
        return this.operatorOn(
          statefulOperator.over(node, env, this.stateTtlMs, () => this.graph.replay.active),
          node.input,
        );
      case 'WindowTableFunction':
      case 'WindowAggregate':
      case 'GroupWindowAggregate':
      case 'WindowRank':
      case 'WindowDeduplicate':
        // Processing-time windows are not rebuilt by a replay: the time each record was processed is gone.
        if (windowStateful(node)) this.graph.stateful = true;
        return this.operatorOn(
          windowOperator(node, env, () => this.graph.replay.active),
          node.input,
        );
    }
  }

  private operatorOn(op: Operator, ...inputs: PlanNode[]): OperatorVertex {
    const vertex = operatorVertex(op);
    for (const [i, input] of inputs.entries()) this.link(this.build(input), vertex, i);
    this.graph.operators.push(vertex);
    return vertex;
  }

  private link(from: Vertex, target: Vertex, input: number): void {
    if (from.kind === 'sink') throw new Error('a sink has no outputs');
    const slot = target.kind === 'operator' ? target.inputWatermarks.push(Number.NEGATIVE_INFINITY) - 1 : 0;
    from.outputs.push({ target, input, slot });
  }

  private sink(node: Sink): SinkVertex {
    const sink: SinkVertex = { kind: 'sink', name: node.table.name, sink: node, pending: [] };
    this.graph.sinks.push(sink);
    if (node.upsertMaterialize) {
      this.graph.stateful = true;
      const kept: SpillableState[] = [];
      const materializer = this.operatorOn(
        stateMemory().collect(kept, () => statefulOperator.upsertMaterializer(node, this.env, this.stateTtlMs)),
        node.input,
      );
      setVertexStates(materializer, kept);
      startVertexClock(materializer);
      this.link(materializer, sink, 0);
    } else this.link(this.build(node.input), sink, 0);
    return sink;
  }

  /** A lookup join: the operator, and the connector's source of the table's rows by key. */
  private lookupJoin(node: LookupJoin): OperatorVertex {
    const { table } = node;
    const lookup = table.connector.factory.lookup;
    if (!lookup) return unsupported(`a lookup join on a '${table.connector.factory.identifier}' table`);
    const opened = this.openLookups
      ? lookup.open({
          table: {
            name: table.name,
            fields: node.lookupFields,
            key: node.keys.map((k) => k.lookup),
            options: table.connector,
          },
        })
      : undefined;
    const toColumnType = node.keys.map((k) => {
      const from = (node.input.fields[k.input] as RowField).type;
      const to = (node.lookupFields[k.lookup] as RowField).type;
      return from.kind === to.kind ? (value: Value) => value : compileCast(from, to, this.env, false, false);
    });
    const operator = new LookupJoinOperator(
      node.type,
      node.keys.map((k) => k.input),
      toColumnType,
      node.lookupFields.length,
      node.residual,
      this.env,
      opened?.cache ?? NOT_CACHED,
    );
    const vertex = this.operatorOn(operator, node.input);
    const retry = node.lookupHint?.retry;
    if (opened) this.graph.lookups.push({ vertex, operator, lookup: opened.source, ...(retry ? { retry } : {}) });
    return vertex;
  }
}

/**
 * Whether a Calc over `input` sees its source's changes themselves, before any operator that keeps
 * state about them (a WatermarkAssigner only keeps the largest time): then dropping a change drops
 * its record whole, as if the source had set it aside.
 */
function readsSourceRecords(input: PlanNode): boolean {
  if (input.kind === 'TableSourceScan') return true;
  return input.kind === 'WatermarkAssigner' && input.input.kind === 'TableSourceScan';
}

function operatorVertex(op: Operator): OperatorVertex {
  return {
    kind: 'operator',
    operator: op,
    outputs: [],
    inputWatermarks: [],
    inputWatermark: Number.NEGATIVE_INFINITY,
    watermark: Number.NEGATIVE_INFINITY,
  };
}

/**
 * A source whose reads cannot be repeated (a replication slot) sends updates as upserts by key
 * (the row before an update is in the WAL only with REPLICA IDENTITY FULL), and a restart could not
 * replay it to rebuild state. So it may feed projections into sinks, but not filters or stateful
 * operators: those read the table's topic in a second job, as the seed's layers do.
 */
function checkReadOnceSources(node: PlanNode, consumed: boolean): void {
  if (node.kind === 'TableSourceScan') {
    const factory = node.table.connector.factory;
    if (consumed && factory.source?.readOnce) {
      throw new RivuletError(
        'NOT_SUPPORTED_YET',
        `${factory.identifier} table '${node.table.name}' feeds a filter, join, aggregate or key change in the same job`,
        'write the table to an upsert topic in one job (as examples/ecommerce/1_cdc_source_to_kafka.sql does) and read that topic in the next',
      );
    }
    return;
  }
  const stateless = (node.kind === 'Calc' && node.condition === undefined) || node.kind === 'Union';
  for (const input of planInputs(node)) checkReadOnceSources(input, consumed || !stateless);
}

function planInputs(node: PlanNode): readonly PlanNode[] {
  if ('inputs' in node) return node.inputs;
  if ('left' in node) return [node.left, node.right];
  if ('input' in node) return [node.input];
  return [];
}
