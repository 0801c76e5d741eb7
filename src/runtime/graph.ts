import { RivuletError } from '../common/errors.ts';
import { JdbcTableWriter } from '../connectors/jdbc-sink.ts';
import { type KafkaTable, kafkaTableWriter } from '../connectors/kafka-table.ts';
import { GroupAggregateOperator } from '../exec/aggregate.ts';
import { CalcOperator } from '../exec/calc.ts';
import type { Change } from '../exec/change.ts';
import { JoinOperator } from '../exec/join.ts';
import { NormalizeOperator } from '../exec/normalize.ts';
import type { Operator } from '../exec/operator.ts';
import { UpsertMaterializerOperator } from '../exec/upsert-materializer.ts';
import type { EvalEnv } from '../expr/functions/definition.ts';
import type { ProduceRecord } from '../log/log.ts';
import type { PlanNode, Sink, TableReference } from '../plan/nodes.ts';
import type { RowField } from '../types/data-type.ts';

interface Edge {
  readonly target: Vertex;
  readonly input: number;
}

export interface SourceVertex {
  readonly kind: 'source';
  readonly name: string;
  readonly table: KafkaTable;
  readonly outputs: Edge[];
}

export interface OperatorVertex {
  readonly kind: 'operator';
  readonly operator: Operator;
  readonly outputs: Edge[];
}

export type SinkTarget =
  | {
      readonly kind: 'log';
      readonly topic: string;
      readonly compacted: boolean;
      readonly encode: (change: Change) => ProduceRecord | undefined;
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
  const graph: JobGraph = { sources: [], sinks: [] };
  const built = new Map<PlanNode, Vertex>();

  const connect = (node: PlanNode, target: Vertex, input: number): void => {
    const vertex = build(node);
    if (vertex.kind === 'sink') throw new Error('a sink has no outputs');
    vertex.outputs.push({ target, input });
  };
  const operator = (op: Operator, ...inputs: PlanNode[]): OperatorVertex => {
    const vertex: OperatorVertex = { kind: 'operator', operator: op, outputs: [] };
    for (const [i, input] of inputs.entries()) connect(input, vertex, i);
    return vertex;
  };
  const passThrough: Operator = { process: (changes) => [...changes] };

  const build = (node: PlanNode): Vertex => {
    const existing = built.get(node);
    if (existing) return existing;
    let vertex: Vertex;
    switch (node.kind) {
      case 'TableSourceScan': {
        if (node.columns.some((column) => 'metadata' in column))
          unsupported(`metadata columns of '${node.table.name}'`);
        const source: SourceVertex = {
          kind: 'source',
          name: node.table.name,
          table: kafkaTable(node.table, node.fields),
          outputs: [],
        };
        graph.sources.push(source);
        vertex = source;
        break;
      }
      case 'ChangelogNormalize':
        vertex = operator(new NormalizeOperator(node.key), node.input);
        break;
      case 'Calc':
        vertex = operator(new CalcOperator(node.projection, node.condition, env), node.input);
        break;
      case 'WatermarkAssigner':
        vertex = operator(passThrough, node.input);
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
          ),
          node.left,
          node.right,
        );
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
        break;
      case 'Union': {
        const union: OperatorVertex = { kind: 'operator', operator: passThrough, outputs: [] };
        for (const input of node.inputs) connect(input, union, 0);
        vertex = union;
        break;
      }
      case 'Sink':
        vertex = buildSink(node);
        break;
      case 'Values':
        return unsupported('VALUES');
      case 'LookupJoin':
        return unsupported('a lookup join');
      case 'WindowTableFunction':
      case 'WindowAggregate':
        return unsupported('a window table function');
    }
    built.set(node, vertex);
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
        encode: kafkaTableWriter(table),
      };
    }
    const sink: SinkVertex = { kind: 'sink', name: node.table.name, target, pending: [] };
    graph.sinks.push(sink);
    const feed = node.upsertMaterialize
      ? operator(new UpsertMaterializerOperator(node.sinkKey ?? []), node.input)
      : undefined;
    if (feed) feed.outputs.push({ target: sink, input: 0 });
    else connect(node.input, sink, 0);
    return sink;
  };

  for (const sink of sinks) build(sink);
  return graph;
}

/** Pushes changes into a vertex and on through the graph, collecting sink output in `pending`. */
export function push(vertex: Vertex, changes: readonly Change[], input: number): void {
  if (changes.length === 0) return;
  switch (vertex.kind) {
    case 'sink':
      vertex.pending.push(...changes);
      return;
    case 'source':
      for (const edge of vertex.outputs) push(edge.target, changes, edge.input);
      return;
    case 'operator': {
      const out = vertex.operator.process(changes, input);
      for (const edge of vertex.outputs) push(edge.target, out, edge.input);
    }
  }
}
