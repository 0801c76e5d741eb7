import { RivuletError } from '../common/errors.ts';
import type { CdcTable } from '../connectors/cdc/cdc-table.ts';
import { JdbcLookup } from '../connectors/jdbc-lookup.ts';
import type { JdbcScanTable } from '../connectors/jdbc-scan.ts';
import { JdbcTableWriter } from '../connectors/jdbc-sink.ts';
import { type KafkaTable, kafkaTableBatchWriter } from '../connectors/kafka-table.ts';
import { GroupAggregateOperator } from '../exec/aggregate.ts';
import { CalcOperator } from '../exec/calc.ts';
import type { Change } from '../exec/change.ts';
import { JoinOperator } from '../exec/join.ts';
import { LookupJoinOperator } from '../exec/lookup-join.ts';
import { NormalizeOperator } from '../exec/normalize.ts';
import type { Operator } from '../exec/operator.ts';
import { UpsertMaterializerOperator } from '../exec/upsert-materializer.ts';
import {
  WatermarkAssignerOperator,
  WindowAggregateOperator,
  WindowTableFunctionOperator,
  type WindowTime,
} from '../exec/window.ts';
import { compileCast } from '../expr/cast.ts';
import type { EvalEnv } from '../expr/functions/definition.ts';
import type { Value } from '../expr/value.ts';
import type { ProduceRecord } from '../log/log.ts';
import type { LookupJoin, PlanNode, Sink, TableReference, WindowTableFunction } from '../plan/nodes.ts';
import { stateMemory } from '../state/state-memory.ts';
import type { RowField } from '../types/data-type.ts';
import { countBatch, observeSourceLatency, setVertexNode } from './vertex-metrics.ts';

interface Edge {
  readonly target: Vertex;
  readonly input: number;
  /** Which of the target's incoming edges this is (its watermark is tracked per edge). */
  readonly slot: number;
}

export interface SourceVertex {
  readonly kind: 'source';
  readonly name: string;
  readonly table: KafkaTable | CdcTable | JdbcScanTable;
  readonly outputs: Edge[];
}

export interface OperatorVertex {
  readonly kind: 'operator';
  readonly operator: Operator;
  readonly outputs: Edge[];
  /** The latest watermark of each incoming edge (by slot); -Infinity before the first. */
  readonly inputWatermarks: number[];
  /** The watermark this vertex last sent downstream. */
  watermark: number;
}

export type SinkTarget =
  | {
      readonly kind: 'log';
      readonly topic: string;
      readonly compacted: boolean;
      /** Records of a batch, stamped with `timestamp` (ms) when given. */
      readonly encode: (changes: readonly Change[], timestamp?: number) => ProduceRecord[];
    }
  | {
      readonly kind: 'jdbc';
      readonly url: string;
      readonly username?: string;
      readonly password?: string;
      readonly maxRetries: number;
      readonly writer: JdbcTableWriter;
    };

export interface SinkVertex {
  readonly kind: 'sink';
  readonly name: string;
  readonly target: SinkTarget;
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
}

export interface LookupVertex {
  readonly vertex: OperatorVertex;
  readonly operator: LookupJoinOperator;
  readonly lookup: JdbcLookup;
}

/** A lookup join on a jdbc table: the operator and the reader of the table's rows by key. */
function lookupJoin(node: LookupJoin, env: EvalEnv): { operator: LookupJoinOperator; lookup: JdbcLookup } {
  const connector = node.table.connector;
  if (connector.factory.identifier !== 'jdbc')
    unsupported(`a lookup join on a '${connector.factory.identifier}' table`);
  const username = connector.get('username');
  const password = connector.get('password');
  const lookup = new JdbcLookup({
    url: String(connector.get('url')),
    ...(username !== undefined ? { username: String(username) } : {}),
    ...(password !== undefined ? { password: String(password) } : {}),
    table: String(connector.get('table-name')),
    fields: node.lookupFields,
    keyColumns: node.keys.map((k) => k.lookup),
    maxRetries: Number(connector.get('lookup.max-retries') ?? 3),
  });
  const toColumnType = node.keys.map((k) => {
    const from = (node.input.fields[k.input] as RowField).type;
    const to = (node.lookupFields[k.lookup] as RowField).type;
    return from.kind === to.kind ? (value: Value) => value : compileCast(from, to, env, false, false);
  });
  const maxRows = connector.get('lookup.partial-cache.max-rows') ?? connector.get('lookup.cache.max-rows');
  const ttl = connector.get('lookup.partial-cache.expire-after-write') ?? connector.get('lookup.cache.ttl');
  const partial = connector.get('lookup.cache') === 'PARTIAL' || maxRows !== undefined;
  const operator = new LookupJoinOperator(
    node.type,
    node.keys.map((k) => k.input),
    toColumnType,
    node.lookupFields.length,
    node.residual,
    env,
    {
      partial,
      maxRows: maxRows === undefined ? Number.POSITIVE_INFINITY : Number(maxRows),
      expireAfterWriteMs: ttl === undefined ? Number.POSITIVE_INFINITY : Number(ttl),
      cacheMissingKey:
        (connector.get('lookup.partial-cache.cache-missing-key') ??
          connector.get('lookup.cache.caching-missing-key')) !== false,
    },
  );
  return { operator, lookup };
}

/**
 * Looks up the keys the lookup joins are missing and goes on with the changes waiting for them,
 * until no change waits; then ends the batch for each lookup join (its cache policy).
 */
export async function resolveLookups(graph: JobGraph, replaying = false): Promise<void> {
  for (;;) {
    const waiting = graph.lookups.filter((l) => l.operator.waiting);
    if (waiting.length === 0) break;
    for (const { vertex, operator, lookup } of waiting) {
      const keys = operator.missingKeys();
      if (keys.length > 0) operator.fill(keys, await lookup.lookup(keys));
      const out = operator.resume();
      graph.replay.active = replaying;
      try {
        for (const edge of vertex.outputs) push(edge.target, out, edge.input);
      } finally {
        graph.replay.active = false;
      }
    }
  }
  for (const { operator } of graph.lookups) operator.endBatch();
}

function unsupported(what: string): never {
  throw new RivuletError('NOT_SUPPORTED_YET', `${what} cannot run yet`, 'see the status table in README.md');
}

/** The kafka or upsert-kafka view of a table with these (physical) fields. */
export function kafkaTable(table: TableReference, fields: readonly RowField[]): KafkaTable {
  const connector = table.connector.factory.identifier;
  if (connector !== 'kafka' && connector !== 'upsert-kafka') unsupported(`a '${connector}' table ('${table.name}')`);
  return {
    name: table.name,
    connector,
    topic: String(table.connector.get('topic')),
    fields,
    key: (table.primaryKey ?? []).map((name) => fields.findIndex((f) => f.name === name)),
    options: table.connector,
  };
}

/** Builds the vertices of the plans of one job; each plan node becomes one vertex. */
export function buildGraph(sinks: readonly Sink[], env: EvalEnv): JobGraph {
  const graph: JobGraph = {
    sources: [],
    sinks: [],
    operators: [],
    stateful: false,
    replay: { active: false },
    lookups: [],
  };
  const built = new Map<PlanNode, Vertex>();

  const link = (from: Vertex, target: Vertex, input: number): void => {
    if (from.kind === 'sink') throw new Error('a sink has no outputs');
    const slot = target.kind === 'operator' ? target.inputWatermarks.push(Number.NEGATIVE_INFINITY) - 1 : 0;
    from.outputs.push({ target, input, slot });
  };
  const connect = (node: PlanNode, target: Vertex, input: number): void => link(build(node), target, input);
  const operatorVertex = (op: Operator): OperatorVertex => ({
    kind: 'operator',
    operator: op,
    outputs: [],
    inputWatermarks: [],
    watermark: Number.NEGATIVE_INFINITY,
  });
  const operator = (op: Operator, ...inputs: PlanNode[]): OperatorVertex => {
    const vertex = operatorVertex(op);
    for (const [i, input] of inputs.entries()) connect(input, vertex, i);
    graph.operators.push(vertex);
    return vertex;
  };
  /** How windows over `node` (a window table function) read time. */
  const windowTime = (node: WindowTableFunction): WindowTime => ({
    kind: node.window.timeKind,
    zone: node.input.fields[node.window.timeField]?.type.kind === 'TIMESTAMP_LTZ' ? env.timeZone : undefined,
  });
  const passThrough: Operator = { process: (changes) => [...changes] };

  const build = (node: PlanNode): Vertex => {
    const existing = built.get(node);
    if (existing) return existing;
    let vertex: Vertex;
    switch (node.kind) {
      case 'TableSourceScan': {
        const identifier = node.table.connector.factory.identifier;
        const cdc = identifier === 'postgres-cdc';
        if (!cdc && node.columns.some((column) => 'metadata' in column))
          unsupported(`metadata columns of '${node.table.name}'`);
        const table: SourceVertex['table'] = cdc
          ? {
              name: node.table.name,
              connector: 'postgres-cdc',
              columns: node.columns,
              fields: node.fields,
              options: node.table.connector,
            }
          : identifier === 'jdbc'
            ? { name: node.table.name, connector: 'jdbc', fields: node.fields, options: node.table.connector }
            : kafkaTable(node.table, node.fields);
        const source: SourceVertex = { kind: 'source', name: node.table.name, table, outputs: [] };
        graph.sources.push(source);
        vertex = source;
        break;
      }
      case 'ChangelogNormalize':
        vertex = operator(new NormalizeOperator(node.key), node.input);
        graph.stateful = true;
        break;
      case 'Calc':
        vertex = operator(new CalcOperator(node.projection, node.condition, env), node.input);
        break;
      case 'WatermarkAssigner':
        vertex = operator(
          new WatermarkAssignerOperator(node.rowtime, node.watermark, env, node.fields[node.rowtime]?.name),
          node.input,
        );
        break;
      case 'Join':
        vertex = operator(
          new JoinOperator(
            node.type,
            node.leftKeys,
            node.rightKeys,
            [node.left.fields.length, node.right.fields.length],
            node.residual,
            env,
            [node.left.uniqueKey, node.right.uniqueKey],
          ),
          node.left,
          node.right,
        );
        graph.stateful = true;
        break;
      case 'GroupAggregate':
        vertex = operator(
          new GroupAggregateOperator(
            node.groupKeys,
            node.calls,
            node.input.fields.map((f) => f.type),
          ),
          node.input,
        );
        graph.stateful = true;
        break;
      case 'WindowTableFunction':
        vertex = operator(
          new WindowTableFunctionOperator(node.window, windowTime(node), env, () => graph.replay.active),
          node.input,
        );
        break;
      case 'WindowAggregate': {
        let tvf = node.input;
        while (tvf.kind === 'Calc') tvf = tvf.input;
        if (tvf.kind !== 'WindowTableFunction') throw new Error('a window aggregate reads a window table function');
        vertex = operator(
          new WindowAggregateOperator(
            node.groupKeys,
            node.windowEndKey,
            node.calls,
            node.input.fields.map((f) => f.type),
            windowTime(tvf),
          ),
          node.input,
        );
        // Processing-time windows are not rebuilt by a replay: the time each record was processed is gone.
        if (node.window.timeKind === 'ROWTIME') graph.stateful = true;
        break;
      }
      case 'Union': {
        const union = operatorVertex(passThrough);
        for (const input of node.inputs) connect(input, union, 0);
        graph.operators.push(union);
        vertex = union;
        break;
      }
      case 'Sink':
        vertex = buildSink(node);
        break;
      case 'Values':
        return unsupported('VALUES');
      case 'LookupJoin': {
        const join = lookupJoin(node, env);
        vertex = operator(join.operator, node.input);
        graph.lookups.push({ vertex, ...join });
        break;
      }
    }
    built.set(node, vertex);
    setVertexNode(vertex, node);
    return vertex;
  };

  const buildSink = (node: Sink): SinkVertex => {
    const connector = node.table.connector;
    const fields = node.columns.map((name, i) => ({
      name,
      type: node.fields[i]?.type ?? node.input.fields[i]?.type,
    })) as KafkaTable['fields'];
    let target: SinkTarget;
    if (connector.factory.identifier === 'jdbc') {
      const username = connector.get('username');
      const password = connector.get('password');
      target = {
        kind: 'jdbc',
        url: String(connector.get('url')),
        ...(username !== undefined ? { username: String(username) } : {}),
        ...(password !== undefined ? { password: String(password) } : {}),
        maxRetries: Number(connector.get('sink.max-retries') ?? 3),
        writer: new JdbcTableWriter({ table: String(connector.get('table-name')), fields, key: node.sinkKey ?? [] }),
      };
    } else {
      const table = kafkaTable(node.table, fields);
      target = {
        kind: 'log',
        topic: table.topic,
        compacted: table.connector === 'upsert-kafka',
        encode: kafkaTableBatchWriter(table),
      };
    }
    const sink: SinkVertex = { kind: 'sink', name: node.table.name, target, pending: [] };
    graph.sinks.push(sink);
    const feed = node.upsertMaterialize
      ? operator(new UpsertMaterializerOperator(node.sinkKey ?? [], node.uniqueKey), node.input)
      : undefined;
    if (feed) {
      link(feed, sink, 0);
      graph.stateful = true;
    } else connect(node.input, sink, 0);
    return sink;
  };

  for (const sink of sinks) {
    checkCdcConsumers(sink.input, sink.upsertMaterialize === true);
    build(sink);
  }
  return graph;
}

/**
 * A postgres-cdc source sends updates as upserts by key (the row before an update is in the WAL
 * only with REPLICA IDENTITY FULL), and its position is an LSN that cannot be replayed to rebuild
 * state. So it may feed projections into sinks, but not filters or stateful operators: those read
 * the table's topic in a second job, as the seed's layers do.
 */
function checkCdcConsumers(node: PlanNode, consumed: boolean): void {
  if (node.kind === 'TableSourceScan') {
    if (consumed && node.table.connector.factory.identifier === 'postgres-cdc') {
      throw new RivuletError(
        'NOT_SUPPORTED_YET',
        `postgres-cdc table '${node.table.name}' feeds a filter, join, aggregate or key change in the same job`,
        'write the table to an upsert-kafka topic in one job (as examples/ecommerce/1_cdc_source_to_kafka.sql does) and read that topic in the next',
      );
    }
    return;
  }
  const stateless = (node.kind === 'Calc' && node.condition === undefined) || node.kind === 'Union';
  const inputs: PlanNode[] =
    'inputs' in node
      ? [...node.inputs]
      : 'left' in node
        ? [node.left, node.right]
        : 'input' in node
          ? [node.input]
          : [];
  for (const input of inputs) checkCdcConsumers(input, consumed || !stateless);
}

/**
 * Pushes changes into a vertex and on through the graph, collecting sink output in `pending`. An
 * operator that generates watermarks sends its new watermark downstream after its changes. Every
 * operator and sink observes the latency of each change it processed from its source commit
 * (Change.time; `sourceMillis`, the source time of the batch's newest change, where it has none).
 */
export function push(vertex: Vertex, changes: readonly Change[], input: number, sourceMillis?: number): void {
  if (changes.length === 0) return;
  switch (vertex.kind) {
    case 'sink':
      vertex.pending.push(...changes);
      countBatch(vertex, changes.length, changes.length);
      observeSourceLatency(vertex, changes, sourceMillis);
      return;
    case 'source':
      countBatch(vertex, changes.length, changes.length);
      for (const edge of vertex.outputs) push(edge.target, changes, edge.input, sourceMillis);
      return;
    case 'operator': {
      const out = vertex.operator.process(changes, input);
      // Between two operator calls no operator holds a state entry: entries may go to disk.
      stateMemory().enforce();
      countBatch(vertex, changes.length, out.length);
      observeSourceLatency(vertex, changes, sourceMillis);
      for (const edge of vertex.outputs) push(edge.target, out, edge.input, sourceMillis);
      const generated = vertex.operator.generatedWatermark?.();
      if (generated !== undefined && generated > vertex.watermark) sendWatermark(vertex, generated);
    }
  }
}

/** Gives back the spill files of the graph's operators (a job that stops or restarts). */
export function closeOperators(graph: JobGraph): void {
  for (const vertex of graph.operators) vertex.operator.close?.();
}

function sendWatermark(vertex: OperatorVertex, watermark: number): void {
  vertex.watermark = watermark;
  for (const edge of vertex.outputs) pushWatermark(edge.target, watermark, edge.slot);
}

/**
 * Delivers a watermark on one incoming edge (`slot`) of a vertex. An operator's watermark is the
 * minimum over its incoming edges (none until every edge has one); when it advances, the operator
 * sees it first (a window may fire), then it goes on downstream. Sinks need none, and an operator
 * that generates watermarks ignores those from upstream.
 */
export function pushWatermark(vertex: Vertex, watermark: number, slot: number): void {
  if (vertex.kind !== 'operator' || vertex.operator.generatedWatermark) return;
  const inputs = vertex.inputWatermarks;
  if (!(watermark > (inputs[slot] ?? Number.POSITIVE_INFINITY))) return;
  inputs[slot] = watermark;
  const combined = Math.min(...inputs);
  if (combined <= vertex.watermark) return;
  const out = vertex.operator.onWatermark?.(combined) ?? [];
  countBatch(vertex, 0, out.length);
  for (const edge of vertex.outputs) push(edge.target, out, edge.input);
  sendWatermark(vertex, combined);
}

/** Tells every operator with processing-time timers the time; true when any of them emitted changes. */
export function fireProcessingTime(graph: JobGraph, now: number): boolean {
  let emitted = false;
  for (const vertex of graph.operators) {
    const out = vertex.operator.onProcessingTime?.(now);
    if (!out || out.length === 0) continue;
    emitted = true;
    countBatch(vertex, 0, out.length);
    for (const edge of vertex.outputs) push(edge.target, out, edge.input);
  }
  return emitted;
}

/**
 * Pushes changes of records that were processed before a restart, to rebuild state. The caller
 * discards what reaches the sinks; processing-time windows skip these rows (see WindowTableFunctionOperator).
 */
export function pushReplayed(graph: JobGraph, vertex: Vertex, changes: readonly Change[], input: number): void {
  graph.replay.active = true;
  try {
    push(vertex, changes, input);
  } finally {
    graph.replay.active = false;
  }
}
