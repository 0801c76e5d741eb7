import type { ResolvedConnector } from '../connectors/registry.ts';
import type { InsertStatement, Query, Statement } from '../sql/ast.ts';
import { parseScript } from '../sql/parser.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import { substituteVariables } from '../sql/substitute.ts';
import { isRowtime } from '../types/data-type.ts';
import { type LoadedFunctions, loadDeclaredFunctions } from '../udf/load-functions.ts';
import { ROW_NUMBER_WITHOUT_FILTER } from './bind-expression.ts';
import { Catalog } from './catalog.ts';
import { explainPlan, inputsOf, updateProducer } from './explain.ts';
import { withFunctions } from './function-scope.ts';
import type { PlanNode, Sink } from './nodes.ts';
import { objectName } from './object-name.ts';
import { planQuery } from './plan-query.ts';
import { tableReference } from './plan-table.ts';
import type { PlanContext } from './relation.ts';
import { settingProblem, settingWarnings } from './settings.ts';
import { answerShow } from './show/answer.ts';
import type { StatementResult } from './show/result.ts';
import { mapToSinkColumns, type SinkTarget, sinkTarget } from './sink-target.ts';

/** One job: the sinks of one INSERT, or of one statement set, and the settings in force for it. */
export interface PlannedJob {
  readonly name: string;
  readonly sinks: readonly Sink[];
  readonly settings: ReadonlyMap<string, string>;
  /** `file:line:col` of the INSERT or statement set. */
  readonly location: string;
  /** Settings and table options in force for the job that have no effect here, one line each: printed when it starts. */
  readonly warnings: readonly string[];
}

export interface PlannedScript {
  readonly source: SqlSource;
  readonly catalog: Catalog;
  readonly settings: ReadonlyMap<string, string>;
  readonly jobs: readonly PlannedJob[];
  /** The output of each EXPLAIN statement in the script. */
  readonly explains: readonly string[];
  /** The answers of the SHOW and DESCRIBE statements, in script order. */
  readonly results: readonly StatementResult[];
}

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

/**
 * planScript, loading first the module of each CREATE FUNCTION, its path relative to `directory`
 * (the script's): what every command that runs or checks a script uses.
 */
export async function planScriptWithFunctions(
  name: string,
  text: string,
  variables: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv,
  directory: string,
): Promise<PlannedScript> {
  const source = substituteVariables(name, text, variables, env);
  const statements = parseScript(source);
  return planStatements(statements, source, await loadDeclaredFunctions(statements, source, directory));
}

/** `functions`: the function of each CREATE FUNCTION, loaded before (see loadDeclaredFunctions). */
export function planStatements(
  statements: readonly Statement[],
  source: SqlSource,
  functions: LoadedFunctions = new Map(),
): PlannedScript {
  const catalog = new Catalog();
  return withFunctions(catalog.functions, () => planInCatalog(statements, source, functions, catalog));
}

function planInCatalog(
  statements: readonly Statement[],
  source: SqlSource,
  functions: LoadedFunctions,
  catalog: Catalog,
): PlannedScript {
  const settings = new Map<string, string>();
  const jobs: PlannedJob[] = [];
  const explains: string[] = [];
  const results: StatementResult[] = [];
  const ctx: PlanContext = { catalog, source, settings };
  for (const statement of statements) {
    switch (statement.kind) {
      case 'set': {
        if (statement.key === undefined) break;
        const problem = settingProblem(statement.key, statement.value ?? '');
        if (problem) {
          throw new SqlError(
            'SQL_INVALID_SETTING',
            source,
            statement.at,
            `SET '${statement.key}': ${problem.message}`,
            problem.hint,
          );
        }
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
        // Validate now, so errors point at the view; a ROW_NUMBER it selects is filtered where it is read.
        if (view) validateView(view.query, ctx);
        break;
      }
      case 'createFunction': {
        const fn = functions.get(statement);
        if (!fn) {
          throw new SqlError(
            'SQL_FUNCTION_NOT_LOADED',
            source,
            statement.at,
            'this command plans without loading user-defined functions',
            'submit the script with rivulet sql -f, or check it with rivulet explain, which load them',
          );
        }
        catalog.functions.create(statement, fn, source);
        break;
      }
      case 'dropFunction':
        catalog.functions.drop(statement, source);
        break;
      case 'insert':
      case 'statementSet': {
        const inserts = statement.kind === 'insert' ? [statement] : statement.inserts;
        const sinks = inserts.map((insert) => planInsert(insert, ctx));
        jobs.push({
          name: settings.get('pipeline.name') || jobName(inserts, ctx),
          sinks,
          settings: new Map(settings),
          location: source.where(statement.at),
          warnings: [...settingWarnings(settings), ...tableWarnings(sinks)],
        });
        break;
      }
      case 'explain': {
        const inner = statement.statement;
        const roots =
          inner.kind === 'query'
            ? [planQuery(inner.query, ctx).node]
            : (inner.kind === 'insert' ? [inner] : inner.inserts).map((insert) => planInsert(insert, ctx));
        explains.push(roots.map(explainPlan).join('\n\n'));
        break;
      }
      case 'show':
        results.push(answerShow(statement, { catalog, source, statements }));
        break;
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
  return { source, catalog, settings, jobs, explains, results };
}

function validateView(query: Query, ctx: PlanContext): void {
  try {
    planQuery(query, ctx);
  } catch (error) {
    if (!(error instanceof SqlError && error.code === ROW_NUMBER_WITHOUT_FILTER)) throw error;
  }
}

/** The warnings of the options of every table a job reads, looks up or writes, each table once. */
function tableWarnings(sinks: readonly Sink[]): string[] {
  const tables = new Set<ResolvedConnector>();
  const visit = (node: PlanNode) => {
    if (node.kind === 'TableSourceScan' || node.kind === 'LookupJoin' || node.kind === 'Sink')
      tables.add(node.table.connector);
    for (const input of inputsOf(node)) visit(input);
  };
  for (const sink of sinks) visit(sink);
  return [...tables].flatMap((connector) => connector.warnings);
}

function jobName(inserts: readonly InsertStatement[], ctx: PlanContext): string {
  const names = inserts.map((insert) => `default_catalog.default_database.${objectName(insert.target, ctx.source)}`);
  return `insert-into_${names.join(',')}`;
}

/** INSERT INTO: column mapping, implicit casts, and the sink's changelog checks, as Flink does them. */
function planInsert(insert: InsertStatement, ctx: PlanContext): Sink {
  const target = sinkTarget(insert, ctx);
  const query = planQuery(insert.query, ctx);
  // Flink's CommonExecSink: the event-time timestamp a sink writes comes from at most one rowtime column.
  const rowtimes = query.node.fields.filter((field) => isRowtime(field.type));
  if (rowtimes.length > 1)
    throw new SqlError(
      'SQL_SINK_ROWTIMES',
      ctx.source,
      insert.at,
      `The query contains more than one rowtime attribute column [${rowtimes.map((f) => f.name).join(', ')}] for writing into table '${target.qualified}'`,
      'select the column that should be used as the event-time timestamp for the table sink and CAST the others to TIMESTAMP or TIMESTAMP_LTZ',
    );
  const node = mapToSinkColumns(query.node, insert, ctx, target);
  const { sinkKey, upsertMaterialize } = sinkChangelog(node, insert, ctx, target);
  return {
    kind: 'Sink',
    input: node,
    table: tableReference(target.table),
    columns: target.writable.map((c) => c.name),
    fields: node.fields,
    changelog: node.changelog,
    upsertMaterialize,
    ...(sinkKey ? { sinkKey } : {}),
    ...(node.uniqueKey ? { uniqueKey: node.uniqueKey } : {}),
  };
}

/** The sink's changelog checks: what its connector accepts, the sink key, and whether to materialize by it. */
function sinkChangelog(
  node: PlanNode,
  insert: InsertStatement,
  ctx: PlanContext,
  target: SinkTarget,
): { sinkKey: number[] | undefined; upsertMaterialize: boolean } {
  const { name, qualified, table, sinkCapability, writable } = target;
  const accepts = sinkCapability.accepts(
    {
      name,
      primaryKey: table.primaryKey,
      hasWatermark: table.watermark !== undefined,
      columns: table.columns.flatMap((column) => (column.kind === 'physical' ? [column.name] : [])),
    },
    table.connector,
  );
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
  return { sinkKey, upsertMaterialize };
}
