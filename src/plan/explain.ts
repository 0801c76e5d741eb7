import { shownOptionValue } from '../connectors/secret-text.ts';
import type { AggregateCall } from '../exec/accumulators.ts';
import type { RankSpec } from '../exec/rank.ts';
import type { WindowSpec } from '../exec/window.ts';
import type { BoundExpr } from '../expr/bound.ts';
import { toText } from '../expr/cast.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import { formatType } from '../types/data-type.ts';
import { resolveTimeZone } from '../types/temporal.ts';
import { isTableCall } from '../udf/call-function.ts';
import { uniqueNames } from './build.ts';
import { calciteType } from './calcite-type.ts';
import { formatChangelog } from './changelog.ts';
import type { Field, PlanNode, TableReference, WindowJoinSide } from './nodes.ts';
import { REPLICATE_ROWS } from './replicate-rows.ts';
import { windowTvfBelow } from './window-columns.ts';

const INFIX: Readonly<Record<string, string>> = {
  PLUS: '+',
  MINUS: '-',
  TIMES: '*',
  DIVIDE: '/',
  MOD: '%',
  EQUALS: '=',
  NOT_EQUALS: '<>',
  LESS_THAN: '<',
  LESS_THAN_OR_EQUAL: '<=',
  GREATER_THAN: '>',
  GREATER_THAN_OR_EQUAL: '>=',
  AND: 'AND',
  OR: 'OR',
  CONCAT_OPERATOR: '||',
  IS_DISTINCT_FROM: 'IS DISTINCT FROM',
  IS_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM',
  DATETIME_PLUS: '+',
  DATETIME_MINUS: '-',
};

const POSTFIX: Readonly<Record<string, string>> = {
  IS_NULL: 'IS NULL',
  IS_NOT_NULL: 'IS NOT NULL',
  IS_TRUE: 'IS TRUE',
  IS_NOT_TRUE: 'IS NOT TRUE',
  IS_FALSE: 'IS FALSE',
  IS_NOT_FALSE: 'IS NOT FALSE',
};

/** Functions written without parentheses in SQL. */
const NILADIC = new Set(['CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME']);

/** Literal text needs no time zone; UTC keeps EXPLAIN output the same on every machine. */
const EXPLAIN_ENV: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };

/** An expression as readable SQL, with input references by field name. */
export function formatExpression(expr: BoundExpr, input: readonly Field[]): string {
  const f = (e: BoundExpr) => formatExpression(e, input);
  switch (expr.kind) {
    case 'input':
      return input[expr.index]?.name ?? `$${expr.index}`;
    case 'literal': {
      if (expr.value === null) return 'NULL';
      if (expr.type.kind === 'INTERVAL_DAY_TIME') return `INTERVAL '${Number(expr.value) / 1_000_000}' SECOND`;
      if (expr.type.kind === 'INTERVAL_YEAR_MONTH') return `INTERVAL '${expr.value}' MONTH`;
      const text = toText(expr.type, EXPLAIN_ENV)(expr.value) as string;
      switch (expr.type.kind) {
        case 'CHAR':
        case 'VARCHAR':
          return `'${text.replaceAll("'", "''")}'`;
        case 'DATE':
        case 'TIME':
        case 'TIMESTAMP':
          return `${expr.type.kind} '${text}'`;
        case 'TIMESTAMP_LTZ':
          return `TIMESTAMP_LTZ '${text}'`;
        default:
          return text;
      }
    }
    case 'cast':
      return `${expr.try ? 'TRY_CAST' : 'CAST'}(${f(expr.operand)} AS ${formatType(expr.type)})`;
    case 'call': {
      const args = expr.args;
      const infix = INFIX[expr.name];
      if (infix && args.length === 2) return `(${f(args[0] as BoundExpr)} ${infix} ${f(args[1] as BoundExpr)})`;
      const postfix = POSTFIX[expr.name];
      if (postfix) return `(${f(args[0] as BoundExpr)} ${postfix})`;
      switch (expr.name) {
        case 'NOT':
          return `NOT(${f(args[0] as BoundExpr)})`;
        case 'NEGATE':
          return `-(${f(args[0] as BoundExpr)})`;
        case 'IN':
          return `(${f(args[0] as BoundExpr)} IN (${args.slice(1).map(f).join(', ')}))`;
        case 'LIKE':
          return `(${f(args[0] as BoundExpr)} LIKE ${f(args[1] as BoundExpr)}${args[2] ? ` ESCAPE ${f(args[2])}` : ''})`;
        case 'CASE': {
          const parts: string[] = [];
          for (let i = 0; i + 1 < args.length; i += 2)
            parts.push(`WHEN ${f(args[i] as BoundExpr)} THEN ${f(args[i + 1] as BoundExpr)}`);
          return `CASE ${parts.join(' ')} ELSE ${f(args[args.length - 1] as BoundExpr)} END`;
        }
        case 'ITEM':
          return `${f(args[0] as BoundExpr)}[${f(args[1] as BoundExpr)}]`;
        case 'DOT': {
          const row = args[0] as BoundExpr;
          const index = (args[1] as { value: number }).value;
          const name = row.type.kind === 'ROW' ? row.type.fields[index]?.name : undefined;
          return `${f(row)}.${name ?? index}`;
        }
        case 'EXTRACT':
          return `EXTRACT(${(args[0] as { value: string }).value} FROM ${f(args[1] as BoundExpr)})`;
        default:
          return args.length === 0 && NILADIC.has(expr.name) ? expr.name : `${expr.name}(${args.map(f).join(', ')})`;
      }
    }
  }
}

function list(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/** Flink's RankRange text: ConstantRankRange's bounds, or VariableRankRange's end field. */
function rankRangeText(spec: RankSpec, fields: readonly Field[]): string {
  if (spec.rankEndField === undefined) return `rankStart=${spec.rankStart}, rankEnd=${spec.rankEnd}`;
  return `rankEnd=${fields[spec.rankEndField]?.name}`;
}

function keyNames(key: readonly number[], fields: readonly Field[]): string {
  return list(key.map((k) => fields[k]?.name ?? `$${k}`));
}

function aggregateText(call: AggregateCall, input: readonly Field[]): string {
  const args = call.args.length === 0 ? '*' : call.args.map((a) => input[a]?.name ?? `$${a}`).join(', ');
  const filter = call.filter === undefined ? '' : ` FILTER ${input[call.filter]?.name ?? `$${call.filter}`}`;
  return `${call.userDefined?.name ?? call.fn}(${call.distinct ? 'DISTINCT ' : ''}${args})${filter} AS ${call.name}`;
}

function tableText(table: TableReference): string {
  return `table=[${table.name}], connector=[${table.connector.factory.identifier}]`;
}

/** An OPTIONS hint as Flink's plans show it: `, hints=[[[OPTIONS options:{key=value}]]]`, secrets redacted. */
function hintsText(table: TableReference): string {
  if (!table.dynamicOptions) return '';
  const options = table.dynamicOptions.map(
    (option) =>
      `${option.key}=${shownOptionValue(option.value, table.connector.specs.get(option.key)?.sensitive === true)}`,
  );
  return `, hints=[[[OPTIONS options:{${options.join(', ')}}]]]`;
}

/** One line describing a node: its kind and arguments, as Flink's EXPLAIN prints them. */
export function describeNode(node: PlanNode): string {
  switch (node.kind) {
    case 'TableSourceScan': {
      const fields = node.columns.map((c, i) =>
        'metadata' in c ? `${node.fields[i]?.name} <- METADATA '${c.metadata}'` : c.physical,
      );
      return `TableSourceScan(${tableText(node.table)}, fields=${list(fields)}${hintsText(node.table)})`;
    }
    case 'ChangelogNormalize':
      return `ChangelogNormalize(key=${keyNames(node.key, node.fields)})`;
    case 'WatermarkAssigner':
      return `WatermarkAssigner(rowtime=[${node.fields[node.rowtime]?.name}], watermark=[${formatExpression(node.watermark, node.input.fields)}])`;
    case 'Calc': {
      const select = node.projection.map((expr, i) => {
        const text = formatExpression(expr, node.input.fields);
        const name = node.fields[i]?.name as string;
        return expr.kind === 'input' && text === name ? text : `${text} AS ${name}`;
      });
      const where = node.condition ? `, where=[${formatExpression(node.condition, node.input.fields)}]` : '';
      return `Calc(select=${list(select)}${where})`;
    }
    case 'Correlate': {
      // Flink's plan of UNNEST: the table function $UNNEST_ROWS$1 (or LATERAL TABLE's) over the correlated input row $cor0.
      const correlated = node.input.fields.map((field) => ({ ...field, name: `$cor0.${field.name}` }));
      const collection = formatExpression(node.collection, correlated);
      const tableFunction = node.collection.kind === 'call' && isTableCall(node.collection.fn);
      let call = tableFunction ? collection : `$UNNEST_ROWS$1(${collection})`;
      let table = call;
      if (node.collection.kind === 'call' && node.collection.fn === REPLICATE_ROWS) {
        // As Flink prints the $REPLICATE_ROWS$1 of INTERSECT ALL / EXCEPT ALL: positions, then names.
        const args = node.collection.args;
        call = `${REPLICATE_ROWS.name}(${args.map((arg) => (arg.kind === 'input' ? `$${arg.index}` : '?')).join(', ')})`;
        table = `${REPLICATE_ROWS.name}(${args.map((arg) => formatExpression(arg, node.input.fields)).join(',')})`;
      }
      const rowType = node.fields.map((field) => `${calciteType(field.type)} ${field.name}`).join(', ');
      return `Correlate(invocation=[${call}], correlate=[table(${table})], select=[${node.fields.map((f) => f.name).join(',')}], rowType=[RecordType(${rowType})], joinType=[${node.joinType}])`;
    }
    case 'Join': {
      const width = node.left.fields.length;
      const both = joinedFields(node);
      const pairs = node.leftKeys.map(
        (l, i) =>
          `${both[l]?.name} ${node.nullSafe?.[i] ? 'IS NOT DISTINCT FROM' : '='} ${both[width + (node.rightKeys[i] as number)]?.name}`,
      );
      const residual = node.residual ? `, residual=[${formatExpression(node.residual, both)}]` : '';
      const spec = `leftInputSpec=[${node.leftUniqueByKey ? 'JoinKeyContainsUniqueKey' : node.left.uniqueKey ? 'HasUniqueKey' : 'NoUniqueKey'}], rightInputSpec=[${node.rightUniqueByKey ? 'JoinKeyContainsUniqueKey' : node.right.uniqueKey ? 'HasUniqueKey' : 'NoUniqueKey'}]`;
      const hinted = node.stateTtlHints;
      const ttl = hinted
        ? stateTtlText([
            ...(hinted.left !== undefined ? [`LEFT=${hinted.left}`] : []),
            ...(hinted.right !== undefined ? [`RIGHT=${hinted.right}`] : []),
          ])
        : '';
      const type = node.type === 'SEMI' ? 'LeftSemiJoin' : node.type === 'ANTI' ? 'LeftAntiJoin' : node.type;
      return `Join(joinType=[${type}], where=${pairs.length > 0 ? list(pairs) : '[true]'}${residual}, ${spec}${ttl})`;
    }
    case 'IntervalJoin': {
      const b = node.bounds;
      const bounds = `isRowTime=${b.rowtime}, leftLowerBound=${b.leftLowerBound}, leftUpperBound=${b.leftUpperBound}, leftTimeIndex=${b.leftTimeIndex}, rightTimeIndex=${b.rightTimeIndex}`;
      return `IntervalJoin(joinType=[${flinkJoinType(node.type)}], windowBounds=[${bounds}], where=[${formatExpression(node.condition, node.fields)}], select=${list(node.fields.map((f) => f.name))})`;
    }
    case 'WindowJoin': {
      const width = node.left.fields.length;
      const both = joinedFields(node);
      const parts = node.leftKeys.map(
        (l, i) =>
          `(${both[l]?.name} ${node.nullSafe?.[i] ? 'IS NOT DISTINCT FROM' : '='} ${both[width + (node.rightKeys[i] as number)]?.name})`,
      );
      if (node.residual) parts.push(formatExpression(node.residual, both));
      const where = parts.length === 0 ? 'true' : parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
      const side = (s: WindowJoinSide, fields: readonly Field[]) =>
        attachedWindowText(s.window, fields, s.windowStart, s.windowEnd);
      const type =
        node.type === 'SEMI' ? 'LeftSemiJoin' : node.type === 'ANTI' ? 'LeftAntiJoin' : flinkJoinType(node.type);
      return `WindowJoin(leftWindow=[${side(node.leftWindow, node.left.fields)}], rightWindow=[${side(node.rightWindow, node.right.fields)}], joinType=[${type}], where=[${where}], select=${list(node.fields.map((f) => f.name))})`;
    }
    case 'TemporalJoin': {
      const width = node.left.fields.length;
      const name = (i: number) => node.fields[i]?.name ?? `$${i}`;
      const names = (side: number, keys: readonly number[]) => keys.map((k) => name(side + k)).join(', ');
      const equalities = node.leftKeys.map((l, i) => `=(${name(l)}, ${name(width + (node.rightKeys[i] as number))})`);
      const residual = node.residual ? [formatExpression(node.residual, node.fields)] : [];
      const temporal = `__TEMPORAL_JOIN_CONDITION(${name(node.leftTimeIndex)}, ${name(width + node.rightTimeIndex)}, __TEMPORAL_JOIN_CONDITION_PRIMARY_KEY(${names(width, node.rightPrimaryKey)}), __TEMPORAL_JOIN_LEFT_KEY(${names(0, node.leftKeys)}), __TEMPORAL_JOIN_RIGHT_KEY(${names(width, node.rightKeys)}))`;
      return `TemporalJoin(joinType=[${flinkJoinType(node.type)}], where=[AND(${[...equalities, ...residual, temporal].join(', ')})], select=${list(node.fields.map((f) => f.name))})`;
    }
    case 'LookupJoin': {
      const pairs = node.keys.map((k) => `${node.input.fields[k.input]?.name} = ${node.lookupFields[k.lookup]?.name}`);
      const residual = node.residual
        ? `, residual=[${formatExpression(node.residual, [...node.input.fields, ...node.lookupFields])}]`
        : '';
      const retry = node.lookupHint?.retry;
      const retryText = retry
        ? `, retry=[${retry.predicate}, FIXED_DELAY, ${retry.delayMs}ms, ${retry.maxAttempts}]`
        : '';
      return `LookupJoin(${tableText(node.table)}, joinType=[${node.type}], lookup=${list(pairs)}${residual}${retryText}${hintsText(node.table)})`;
    }
    case 'GroupAggregate': {
      const groupBy = node.groupKeys.length > 0 ? `groupBy=${keyNames(node.groupKeys, node.input.fields)}, ` : '';
      const select = [
        ...node.groupKeys.map((k) => node.input.fields[k]?.name as string),
        ...node.calls.map((c) => aggregateText(c, node.input.fields)),
      ];
      const hint = node.stateTtlHint;
      const ttl = hint ? stateTtlText([`${hint.input}=${hint.ttl}`]) : '';
      return `GroupAggregate(${groupBy}select=${list(select)}${ttl})`;
    }
    case 'Expand': {
      const projects = node.projects.map((project) => {
        const items = project.map((expr, i) => {
          const name = node.fields[i]?.name as string;
          if (expr.kind === 'input' && node.input.fields[expr.index]?.name === name) return name;
          const text =
            expr.kind === 'literal' && expr.value === null ? 'null' : formatExpression(expr, node.input.fields);
          return `${text} AS ${name}`;
        });
        return `{${items.join(', ')}}`;
      });
      return `Expand(projects=${list(projects)})`;
    }
    case 'Rank': {
      const spec = node.spec;
      const strategy =
        spec.strategy.kind === 'UpdateFast'
          ? `UpdateFastStrategy[${spec.strategy.rowKey.join(',')}]`
          : `${spec.strategy.kind}Strategy`;
      const orderBy = spec.orderKeys.map(
        (order) => `${node.input.fields[order.field]?.name} ${order.descending ? 'DESC' : 'ASC'}`,
      );
      return `Rank(strategy=[${strategy}], rankType=[ROW_NUMBER], rankRange=[${rankRangeText(spec, node.input.fields)}], partitionBy=${keyNames(spec.partitionKeys, node.input.fields)}, orderBy=${list(orderBy)}, select=${list(node.fields.map((f) => f.name))})`;
    }
    case 'Deduplicate':
      return `Deduplicate(keep=[${node.spec.keepLastRow ? 'LastRow' : 'FirstRow'}], key=${keyNames(node.spec.keys, node.input.fields)}, order=[${node.spec.rowtime ? 'ROWTIME' : 'PROCTIME'}])`;
    case 'OverAggregate':
      return overAggregateText(node);
    case 'WindowTableFunction':
      return `WindowTableFunction(window=[${windowText(node.window, node.input.fields)}])`;
    case 'WindowAggregate': {
      const select = [
        ...node.groupKeys.map((k) => node.input.fields[k]?.name as string),
        ...node.calls.map((c) => aggregateText(c, node.input.fields)),
      ];
      const tvf = windowTvfBelow(node);
      const window =
        node.window.type === 'SESSION' && tvf
          ? sessionText(node.window, tvf.input.fields, node.window.partitionKeys)
          : node.window.type;
      return `WindowAggregate(groupBy=${keyNames(node.groupKeys, node.input.fields)}, window=[${window}], emit=[on ${node.window.timeKind === 'ROWTIME' ? 'watermark' : 'processing time'} past window_end], select=${list(select)})`;
    }
    case 'GroupWindowAggregate': {
      const groupBy = node.groupKeys.length > 0 ? `groupBy=${keyNames(node.groupKeys, node.input.fields)}, ` : '';
      const names = node.fields.slice(node.groupKeys.length + node.calls.length).map((f) => f.name);
      const select = [
        ...node.groupKeys.map((k) => node.input.fields[k]?.name as string),
        ...node.calls.map((c) => aggregateText(c, node.input.fields)),
        ...node.properties.map((p, i) => `${p}('w$) AS ${names[i]}`),
      ];
      const properties = node.properties.length > 0 ? `, properties=${list(names)}` : '';
      return `GroupWindowAggregate(${groupBy}window=[${groupWindowText(node.window, node.input.fields)}]${properties}, select=${list(select)})`;
    }
    case 'WindowRank': {
      const spec = node.spec;
      const orderBy = spec.orderKeys.map(
        (order) => `${node.input.fields[order.field]?.name} ${order.descending ? 'DESC' : 'ASC'}`,
      );
      const partitionBy = spec.partitionKeys.filter((k) => k !== node.windowStart && k !== spec.windowEnd);
      return `WindowRank(window=[${attachedWindowText(node.window, node.input.fields, node.windowStart, spec.windowEnd)}], rankType=[ROW_NUMBER], rankRange=[rankStart=${spec.rankStart}, rankEnd=${spec.rankEnd}], partitionBy=${keyNames(partitionBy, node.input.fields)}, orderBy=${list(orderBy)}, select=${list(node.fields.map((f) => f.name))})`;
    }
    case 'WindowDeduplicate': {
      const spec = node.spec;
      const keys = spec.keys.filter((k) => k !== node.windowStart && k !== spec.windowEnd);
      return `WindowDeduplicate(window=[${attachedWindowText(node.window, node.input.fields, node.windowStart, spec.windowEnd)}], keep=[${spec.keepLastRow ? 'LastRow' : 'FirstRow'}], partitionKeys=${keyNames(keys, node.input.fields)}, orderKey=[${node.input.fields[spec.timeField]?.name}], order=[ROWTIME])`;
    }
    case 'Union':
      return `Union(all=[true], union=${list(node.fields.map((f) => f.name))})`;
    case 'Values':
      return `Values(tuples=[${node.rows.map((row) => `{ ${row.map((e) => formatExpression(e, [])).join(', ')} }`).join(', ')}])`;
    case 'Sink': {
      const key = node.sinkKey ? `, key=${keyNames(node.sinkKey, node.fields)}` : '';
      const materialize = node.upsertMaterialize ? ', upsertMaterialize=[true]' : '';
      return `Sink(${tableText(node.table)}${key}${materialize}, fields=${list(node.columns)}${hintsText(node.table)})`;
    }
  }
}

/** Flink's names of join types in IntervalJoin and TemporalJoin. */
function flinkJoinType(type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL'): string {
  switch (type) {
    case 'INNER':
      return 'InnerJoin';
    case 'LEFT':
      return 'LeftOuterJoin';
    case 'RIGHT':
      return 'RightOuterJoin';
    case 'FULL':
      return 'FullOuterJoin';
  }
}

/**
 * Flink's OverAggregate line: `OverAggregate(partitionBy=[k], orderBy=[ts ASC], window=[ ROWS
 * BETWEEN 2 PRECEDING AND CURRENT ROW], select=[..., SUM(x) AS w0$o0])`, a RANGE bound in ms.
 */
function overAggregateText(node: Extract<PlanNode, { kind: 'OverAggregate' }>): string {
  const spec = node.spec;
  const input = node.input.fields;
  const partitionBy = spec.partitionKeys.length > 0 ? `partitionBy=${keyNames(spec.partitionKeys, input)}, ` : '';
  const lower = spec.preceding === undefined ? 'UNBOUNDED' : String(spec.preceding);
  const select = [...input.map((f) => f.name), ...spec.calls.map((c) => aggregateText(c, input))];
  return `OverAggregate(${partitionBy}orderBy=[${input[spec.timeField]?.name} ASC], window=[ ${spec.unit} BETWEEN ${lower} PRECEDING AND CURRENT ROW], select=${list(select)})`;
}

/** The fields a join's keys and residual read: the left's, then the right's (named apart). */
function joinedFields(node: Extract<PlanNode, { kind: 'Join' | 'WindowJoin' }>): readonly Field[] {
  if (node.type !== 'SEMI' && node.type !== 'ANTI') return node.fields;
  const fields = [...node.left.fields, ...node.right.fields];
  const names = uniqueNames(fields.map((f) => f.name));
  return fields.map((f, i) => ({ ...f, name: names[i] as string }));
}

function windowText(window: WindowSpec, fields: readonly Field[]): string {
  const time = fields[window.timeField]?.name;
  const size = intervalText(window.size);
  if (window.type === 'SESSION') return sessionText(window, fields, window.partitionKeys);
  if (window.type === 'TUMBLE') return `TUMBLE(time_col=[${time}], size=[${size}]${offsetText(window)})`;
  const second = window.type === 'HOP' ? 'slide' : 'step';
  return `${window.type}(time_col=[${time}], ${second}=[${intervalText(window.slide ?? 0)}], size=[${size}]${offsetText(window)})`;
}

/** A window TVF's offset as Flink's window specs show it, when the query gives one. */
function offsetText(window: WindowSpec): string {
  return window.offset === undefined ? '' : `, offset=[${intervalText(window.offset)}]`;
}

/** A SESSION window as Flink's SessionWindowSpec shows it, with the columns it is partitioned by. */
function sessionText(window: WindowSpec, fields: readonly Field[], partitionKeys?: readonly number[]): string {
  const partition =
    partitionKeys && partitionKeys.length > 0 ? `, partition keys=${keyNames(partitionKeys, fields)}` : '';
  return `SESSION(time_col=[${fields[window.timeField]?.name}], gap=[${intervalText(window.size)}]${partition})`;
}

/** The window of a node after a window TVF, by its window_start and window_end columns (Flink's WindowAttachedWindowingStrategy). */
function attachedWindowText(window: WindowSpec, fields: readonly Field[], start: number, end: number): string {
  const bounds = `win_start=[${fields[start]?.name}], win_end=[${fields[end]?.name}]`;
  const size = intervalText(window.size);
  if (window.type === 'TUMBLE' || window.type === 'SESSION')
    return `${window.type}(${bounds}, size=[${size}]${offsetText(window)})`;
  const second = window.type === 'HOP' ? 'slide' : 'step';
  return `${window.type}(${bounds}, ${second}=[${intervalText(window.slide ?? 0)}], size=[${size}]${offsetText(window)})`;
}

/** A legacy group window as Flink names it: TumblingGroupWindow('w$, ts, 60000), sizes in milliseconds. */
function groupWindowText(window: WindowSpec, fields: readonly Field[]): string {
  const time = fields[window.timeField]?.name;
  const millis = (micros: number) => micros / 1000;
  switch (window.type) {
    case 'HOP':
      return `SlidingGroupWindow('w$, ${time}, ${millis(window.size)}, ${millis(window.slide ?? 0)})`;
    case 'SESSION':
      return `SessionGroupWindow('w$, ${time}, ${millis(window.size)})`;
    default:
      return `TumblingGroupWindow('w$, ${time}, ${millis(window.size)})`;
  }
}

function intervalText(micros: number): string {
  const units: [number, string][] = [
    [86_400_000_000, 'day'],
    [3_600_000_000, 'h'],
    [60_000_000, 'min'],
    [1_000_000, 's'],
    [1000, 'ms'],
  ];
  for (const [unit, name] of units) if (micros % unit === 0) return `${micros / unit} ${name}`;
  return `${micros} us`;
}

export function inputsOf(node: PlanNode): readonly PlanNode[] {
  switch (node.kind) {
    case 'TableSourceScan':
    case 'Values':
      return [];
    case 'Join':
    case 'IntervalJoin':
    case 'TemporalJoin':
    case 'WindowJoin':
      return [node.left, node.right];
    case 'Union':
      return node.inputs;
    default:
      return [node.input];
  }
}

/** A plan tree as indented text, one node per line with its changelog mode. */
export function explainPlan(root: PlanNode): string {
  const lines: string[] = [];
  const visit = (node: PlanNode, prefix: string, childPrefix: string) => {
    lines.push(`${prefix}${describeNode(node)}, changelogMode=[${formatChangelog(node.changelog)}]`);
    const inputs = inputsOf(node);
    inputs.forEach((input, i) => {
      const last = i === inputs.length - 1;
      visit(input, `${childPrefix}${last ? '+- ' : ':- '}`, `${childPrefix}${last ? '   ' : ':  '}`);
    });
  };
  visit(root, '', '');
  return lines.join('\n');
}

/** Option values for display, with secrets replaced. */
export function displayOptions(table: TableReference): string {
  return table.connector.written
    .map(
      (option) =>
        `'${option.key}' = '${shownOptionValue(option.value, table.connector.specs.get(option.key)?.sensitive === true)}'`,
    )
    .join(', ');
}

/** A STATE_TTL hint the way Flink's plans show it: `, stateTtlHints=[[[STATE_TTL options:{LEFT=1d}]]]`. */
function stateTtlText(options: readonly string[]): string {
  return `, stateTtlHints=[[[STATE_TTL options:{${options.join(', ')}}]]]`;
}

/** Nodes that pass their input's updates on rather than producing updates of their own. */
const PASS_THROUGH = new Set<PlanNode['kind']>([
  'Calc',
  'Correlate',
  'WatermarkAssigner',
  'ChangelogNormalize',
  'LookupJoin',
  'Union',
  'Sink',
]);

/** The node nearest the sink that produces the updates, as Flink names it in this error. */
export function updateProducer(node: PlanNode): string {
  if (!PASS_THROUGH.has(node.kind)) return describeNode(node);
  const updating = inputsOf(node).find((input) => input.changelog.kind !== 'insert-only');
  return updating ? updateProducer(updating) : describeNode(node);
}
