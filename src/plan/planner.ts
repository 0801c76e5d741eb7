import { parseDuration } from '../connectors/options.ts';
import type { BoundExpr } from '../expr/bound.ts';
import type { InsertStatement, Statement } from '../sql/ast.ts';
import { parseScript } from '../sql/parser.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import { substituteVariables } from '../sql/substitute.ts';
import { type DataType, formatType, T, withNullable } from '../types/data-type.ts';
import { resolveTimeZone } from '../types/temporal.ts';
import { isImplicitCast } from '../types/type-rules.ts';
import { implicitCast } from './bind-expression.ts';
import { identity, makeCalc } from './build.ts';
import { Catalog, type CatalogTable, objectName } from './catalog.ts';
import { describeNode, explainPlan, inputsOf } from './explain.ts';
import type { Field, PlanNode, Sink } from './nodes.ts';
import { type PlanContext, planQuery } from './plan-query.ts';
import { tableReference } from './plan-table.ts';

/** One job: the sinks of one INSERT, or of one statement set, and the settings in force for it. */
export interface PlannedJob {
  readonly name: string;
  readonly sinks: readonly Sink[];
  readonly settings: ReadonlyMap<string, string>;
  /** `file:line:col` of the INSERT or statement set. */
  readonly location: string;
}

export interface PlannedScript {
  readonly source: SqlSource;
  readonly catalog: Catalog;
  readonly settings: ReadonlyMap<string, string>;
  readonly jobs: readonly PlannedJob[];
  /** The output of each EXPLAIN statement in the script. */
  readonly explains: readonly string[];
}

/** Setting keys whose values are checked when SET (others are kept as given, like Flink's client). */
const SETTING_CHECKS: Readonly<Record<string, (value: string) => string | undefined>> = {
  'table.local-time-zone': (value) => {
    try {
      resolveTimeZone(value);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  },
  'execution.checkpointing.interval': (value) =>
    parseDuration(value) === undefined ? `'${value}' is not a duration such as '10s'` : undefined,
  'execution.checkpointing.timeout': (value) =>
    parseDuration(value) === undefined ? `'${value}' is not a duration such as '1min'` : undefined,
  'table.exec.state.ttl': (value) =>
    parseDuration(value) === undefined ? `'${value}' is not a duration such as '1 h'` : undefined,
  'parallelism.default': (value) =>
    /^[1-9]\d*$/.test(value) ? undefined : `'${value}' is not a positive whole number`,
  'execution.checkpointing.mode': (value) =>
    ['EXACTLY_ONCE', 'AT_LEAST_ONCE'].includes(value.toUpperCase())
      ? undefined
      : "expected 'EXACTLY_ONCE' or 'AT_LEAST_ONCE'",
};

/** Parses and plans a whole script: catalog, settings, one job per INSERT or statement set. */
export function planScript(
  name: string,
  text: string,
  variables: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): PlannedScript {
  const source = substituteVariables(name, text, variables, env);
  return planStatements(parseScript(source), source);
}

export function planStatements(statements: readonly Statement[], source: SqlSource): PlannedScript {
  const catalog = new Catalog();
  const settings = new Map<string, string>();
  const jobs: PlannedJob[] = [];
  const explains: string[] = [];
  const ctx: PlanContext = { catalog, source };
  for (const statement of statements) {
    switch (statement.kind) {
      case 'set': {
        if (statement.key === undefined) break;
        const problem = SETTING_CHECKS[statement.key]?.(statement.value ?? '');
        if (problem)
          throw new SqlError('SQL_INVALID_SETTING', source, statement.at, `SET '${statement.key}': ${problem}`);
        settings.set(statement.key, statement.value ?? '');
        break;
      }
      case 'reset':
        if (statement.key === undefined) settings.clear();
        else settings.delete(statement.key);
        break;
      case 'createTable':
        catalog.createTable(statement, source);
        break;
      case 'createView': {
        const view = catalog.createView(statement, source);
        if (view) planQuery(view.query, ctx); // validate now, so errors point at the view
        break;
      }
      case 'insert':
        jobs.push({
          name: jobName([statement], ctx),
          sinks: [planInsert(statement, ctx)],
          settings: new Map(settings),
          location: source.where(statement.at),
        });
        break;
      case 'statementSet':
        jobs.push({
          name: jobName(statement.inserts, ctx),
          sinks: statement.inserts.map((insert) => planInsert(insert, ctx)),
          settings: new Map(settings),
          location: source.where(statement.at),
        });
        break;
      case 'explain': {
        const inner = statement.statement;
        const roots =
          inner.kind === 'query'
            ? [planQuery(inner.query, ctx).node]
            : (inner.kind === 'insert' ? [inner] : inner.inserts).map((insert) => planInsert(insert, ctx));
        explains.push(roots.map(explainPlan).join('\n\n'));
        break;
      }
      case 'query':
        throw new SqlError(
          'SQL_QUERY_WITHOUT_SINK',
          source,
          statement.at,
          'a SELECT on its own has nowhere to go in a pipeline',
          'write INSERT INTO <table> SELECT ..., or EXPLAIN SELECT ... to see its plan',
        );
    }
  }
  return { source, catalog, settings, jobs, explains };
}

function jobName(inserts: readonly InsertStatement[], ctx: PlanContext): string {
  const names = inserts.map((insert) => `default_catalog.default_database.${objectName(insert.target, ctx.source)}`);
  return `insert-into_${names.join(',')}`;
}

function schemaText(fields: readonly { name: string; type: DataType }[]): string {
  return `[${fields.map((field) => `${field.name}: ${formatType(field.type)}`).join(', ')}]`;
}

/** INSERT INTO: column mapping, implicit casts, and the sink's changelog checks, as Flink does them. */
function planInsert(insert: InsertStatement, ctx: PlanContext): Sink {
  const name = objectName(insert.target, ctx.source);
  const entry = ctx.catalog.get(name);
  if (!entry)
    throw new SqlError(
      'SQL_UNKNOWN_TABLE',
      ctx.source,
      insert.target.at,
      `Object '${name}' not found`,
      `tables: ${ctx.catalog.names().join(', ') || 'none yet'}`,
    );
  if (entry.kind === 'view')
    throw new SqlError(
      'SQL_NOT_A_SINK',
      ctx.source,
      insert.target.at,
      `'${name}' is a view; INSERT INTO needs a table`,
    );
  const table: CatalogTable = entry;
  const sinkCapability = table.connector.factory.sink;
  if (!sinkCapability) {
    throw new SqlError(
      'SQL_NOT_A_SINK',
      ctx.source,
      insert.target.at,
      `Connector '${table.connector.factory.identifier}' can only be used as a source. It cannot be used as a sink.`,
    );
  }
  const writable = table.columns.filter(
    (column) => column.kind === 'physical' || (column.kind === 'metadata' && !column.virtual),
  );
  for (const column of writable) {
    if (column.kind === 'metadata' && !sinkCapability.metadata?.[column.metadataKey ?? column.name]) {
      throw new SqlError(
        'SQL_INVALID_METADATA',
        table.source,
        column.at,
        `metadata column '${column.name}' of '${name}' cannot be written; declare it VIRTUAL`,
      );
    }
  }
  const query = planQuery(insert.query, ctx);
  let node = query.node;

  // Partial column lists: the named columns from the query, NULL for the others.
  let targets = writable;
  if (insert.columnNames) {
    targets = insert.columnNames.map((id) => {
      const column = writable.find((c) => c.name === id.name);
      if (!column)
        throw new SqlError(
          'SQL_UNKNOWN_COLUMN',
          ctx.source,
          id.at,
          `'${id.name}' is not a writable column of '${name}'`,
        );
      return column;
    });
  }
  const qualified = `default_catalog.default_database.${name}`;
  const sinkFields = writable.map((c) => ({ name: c.name, type: c.type }));
  if (node.fields.length !== targets.length) {
    throw new SqlError(
      'SQL_SINK_SCHEMA_MISMATCH',
      ctx.source,
      insert.at,
      `Column types of query result and sink for '${qualified}' do not match.\nCause: Different number of columns.\n\nQuery schema: ${schemaText(node.fields)}\nSink schema:  ${schemaText(sinkFields)}`,
    );
  }
  const projection: BoundExpr[] = writable.map((column) => {
    const position = targets.indexOf(column);
    if (position < 0) {
      if (!column.type.nullable)
        throw new SqlError(
          'SQL_SINK_SCHEMA_MISMATCH',
          ctx.source,
          insert.at,
          `column '${column.name}' of '${name}' is NOT NULL and not in the column list`,
        );
      return {
        kind: 'cast',
        operand: { kind: 'literal', value: null, type: T.null() },
        type: column.type,
        try: false,
        implicit: true,
      };
    }
    const field = node.fields[position] as Field;
    const ref: BoundExpr = { kind: 'input', index: position, name: field.name, type: field.type };
    if (field.type.kind !== 'NULL' && !isImplicitCast(field.type, column.type)) {
      throw new SqlError(
        'SQL_SINK_SCHEMA_MISMATCH',
        ctx.source,
        insert.at,
        `Column types of query result and sink for '${qualified}' do not match.\nCause: Incompatible types for sink column '${column.name}' at position ${writable.indexOf(column)}.\n\nQuery schema: ${schemaText(node.fields)}\nSink schema:  ${schemaText(sinkFields)}`,
        `CAST the value: CAST(... AS ${formatType(withNullable(column.type, true))})`,
      );
    }
    return implicitCast(ref, column.type);
  });
  const needsCalc =
    projection.some((expr, i) => expr.kind !== 'input' || expr.index !== i) || projection.length !== node.fields.length;
  if (needsCalc)
    node = makeCalc(
      node,
      projection,
      writable.map((c) => c.name),
    );
  else
    node = node.fields.every((f, i) => f.name === writable[i]?.name)
      ? node
      : makeCalc(
          node,
          identity(node),
          writable.map((c) => c.name),
        );

  const accepts = sinkCapability.accepts({
    name,
    primaryKey: table.primaryKey,
    hasWatermark: table.watermark !== undefined,
  });
  if (accepts === 'append-only' && node.changelog.kind !== 'insert-only') {
    const producer = updateProducer(node);
    throw new SqlError(
      'SQL_SINK_CHANGELOG',
      ctx.source,
      insert.at,
      `Table sink '${qualified}' doesn't support consuming update and delete changes which is produced by node ${producer}`,
      sinkCapability.updatesHint,
    );
  }
  const sinkKey =
    accepts === 'upsert' && table.primaryKey
      ? table.primaryKey.map((key) => writable.findIndex((c) => c.name === key))
      : undefined;
  const upsertMaterialize =
    sinkKey !== undefined &&
    node.changelog.kind !== 'insert-only' &&
    !(node.uniqueKey && node.uniqueKey.length === sinkKey.length && node.uniqueKey.every((k) => sinkKey.includes(k)));
  return {
    kind: 'Sink',
    input: node,
    table: tableReference(table),
    columns: writable.map((c) => c.name),
    fields: node.fields,
    changelog: node.changelog,
    upsertMaterialize,
    ...(sinkKey ? { sinkKey } : {}),
    ...(node.uniqueKey ? { uniqueKey: node.uniqueKey } : {}),
  };
}

/** Nodes that pass their input's updates on rather than producing updates of their own. */
const PASS_THROUGH = new Set<PlanNode['kind']>([
  'Calc',
  'WatermarkAssigner',
  'ChangelogNormalize',
  'LookupJoin',
  'Union',
  'Sink',
]);

/** The node nearest the sink that produces the updates, as Flink names it in this error. */
function updateProducer(node: PlanNode): string {
  if (!PASS_THROUGH.has(node.kind)) return describeNode(node);
  const updating = inputsOf(node).find((input) => input.changelog.kind !== 'insert-only');
  return updating ? updateProducer(updating) : describeNode(node);
}
