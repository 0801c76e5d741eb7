/**
 * Operator fixtures: changelog tables in, changelog tables out, as text.
 *
 * Each test/exec/fixtures/*.txt file holds a query and cases that drive the operators of its plan:
 *
 *   # comment lines, kept as they are
 *   operator: Join                      the plan must contain this operator
 *   sql:                                indented Flink SQL: CREATE TABLEs, then one SELECT or INSERT
 *     CREATE TABLE orders (...) WITH (${cdc});
 *     SELECT ...;
 *   plan:                               the plan driven (written by UPDATE_GOLDEN=1, checked otherwise)
 *     ...
 *
 *   case: what this case shows          each case starts from empty operator state
 *   > orders                            one batch of changes into the source table `orders`
 *   +I(2001, 1001, 'PENDING')
 *   < output                            what comes out of the top of the plan for that batch
 *   +I(2001, 1001, 'PENDING', NULL)     (`< no output` when nothing does)
 *   clock: +25 h                        the processing-time clock moves on (a Flink duration); what
 *   < output                            processing-time windows emit then follows it
 *   flink changes:                      what Apache Flink 1.18.1 emitted for this step, and the
 *     +I(2001, 'PENDING', 1001, '张三')  table its output leaves after it (below); one pair of such
 *   flink:                              blocks follows each step's (batch's or clock move's) output
 *     (2001, 'PENDING', 1001, '张三')
 *
 * Watermarks flow as in a job: after each batch, a WatermarkAssigner's watermark (the largest value
 * of its WATERMARK expression so far) goes downstream, each operator taking the minimum of its
 * inputs', and what it completes (windows, interval and temporal joins) comes within the same
 * batch's output, after what the operators emitted for the batch's changes.
 * A `SET 'table.exec.state.ttl' = '…'` in the SQL and STATE_TTL hints apply as in a job; each case
 * starts at the same processing time, CLOCK_START (test/helpers/fixture-file.ts), which stands still
 * but for `clock:` lines; a processing-time timer fires once the clock has passed its time.
 *
 * `sql-file: path` may stand in for `sql:`. In the SQL, `${cdc}` is a postgres-cdc table (every kind
 * of change, no normalization), `${upsert}` an upsert-kafka table (upserts by key, normalized by
 * ChangelogNormalize) and `${append}` a kafka table. Values are written as SQL literals without the
 * type: 'text', 12.50, 2025-07-11 10:00:00, TRUE, NULL; each is read as CAST(text AS column type),
 * a collection (ARRAY['a'], ARRAY[], MAP['k', 1], ROW(1, 'x')) element by element (fixture-values.ts).
 * Output rows are written back in the same form. UPDATE_GOLDEN=1 rewrites the plan and output
 * blocks (inputs, comments and flink blocks stay as written); review the diff before committing it.
 *
 * The output blocks are Rivulet's own, a regression pin. The `flink changes:` and `flink:` blocks
 * are the oracle, written by `npm run parity:fixtures` (scripts/flink/fixtures.ts, docs/flink.md),
 * which runs each case as a job on Apache Flink 1.18.1 with the same batches, watermarks and
 * processing-time clock (a manual clock in place of Flink's), at parallelism 1, the next step only
 * once a checkpoint after the last one has gone through every operator. After each step's output
 * come two blocks:
 *
 *   flink changes:                      the changes that reached Flink's sink for this step (and
 *     -U(2001, 'PENDING', 1001, '张三')   what the batch's watermark or the clock's move completed),
 *     +U(2001, 'SHIPPED', 1001, '张三')   in Flink's order; `flink changes: none` when there were none
 *   flink:                              the table all of Flink's changes so far leave
 *     (2001, 'SHIPPED', 1001, '张三')   (test/helpers/fixture-file.ts materialize: a multiset, or
 *                                       rows by primary key for an upsert sink; `flink: no rows`)
 *
 * Rivulet's outputs up to and including a step must leave the same table as its `flink:` block.
 * Its output for the step must hold the same changes as its `flink changes:` block, each kind and
 * row as often, in any order: the order within a step is where Flink is not deterministic in a way
 * Rivulet can follow, as it comes from hash-ordered state (a join's rows of a key in a MapState, a
 * window buffer's keys, timers of one timestamp), while the kinds and rows are deterministic with
 * one step at a time at parallelism 1, but for one shape: a batch into a table that reaches a
 * stateful operator along two paths (a self-join, a scalar subquery joined back to its table),
 * whose two inputs Flink's task threads interleave as they come. Such a step's block is `flink
 * changes: not deterministic: <why>` and compares nothing, as is any step whose changes differed
 * between the two runs the harness makes of each case. Either block may say `differs: <why>`
 * (`flink: differs: <why>`, `flink changes: differs: <why>`: a deliberate difference, listed in
 * docs/flink.md); Rivulet's then must not equal it, so the note cannot go stale. A case Flink
 * cannot replay has one `flink: not checked: <why>` line instead of the blocks, and a fixture's
 * `# expected results:` line says where its blocks come from. Every case has one or the other.
 * A header line `flink settings: key = value, …` is set on the Flink job only (as SETs before the
 * SQL): the fixtures where Rivulet's once-per-batch group aggregate shows run Flink with mini-batch,
 * one bundle per step (docs/flink.md).
 * A header line `flink version: 1.20.3` has the fixture recorded on that Apache Flink release instead
 * of 1.18.1, for SQL 1.18.1 does not have (the SESSION window table function came in 1.19); its
 * `# expected results:` line must name that release.
 * This test does not run Flink; `npm run parity` checks that Flink still gives the recorded blocks.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatError } from '../../src/common/errors.ts';
import { CalcOperator } from '../../src/exec/calc.ts';
import type { Change, RowKind } from '../../src/exec/change.ts';
import { CorrelateOperator } from '../../src/exec/correlate.ts';
import { ExpandOperator } from '../../src/exec/expand.ts';
import type { Operator } from '../../src/exec/operator.ts';
import { WatermarkAssignerOperator } from '../../src/exec/window.ts';
import { toText } from '../../src/expr/cast.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import type { Value } from '../../src/expr/value.ts';
import { explainPlan, inputsOf } from '../../src/plan/explain.ts';
import type { PlanNode } from '../../src/plan/nodes.ts';
import { planQuery } from '../../src/plan/plan-query.ts';
import { planStatements } from '../../src/plan/planner.ts';
import { stateTtlSetting } from '../../src/plan/settings.ts';
import { statefulOperator } from '../../src/runtime/stateful-operators.ts';
import { windowJoinOperator, windowOperator } from '../../src/runtime/window-operators.ts';
import { parseScript } from '../../src/sql/parser.ts';
import { substituteVariables } from '../../src/sql/substitute.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { type DataType, isCharacterString } from '../../src/types/data-type.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';
import {
  CHANGE,
  CLOCK_START_MILLIS,
  type Fixture,
  type FixtureCase,
  type Item,
  isStep,
  materialize,
  parseFixture,
  renderCase,
  renderFixture,
  splitValues,
  VARIABLES,
} from '../helpers/fixture-file.ts';
import { literalValue } from '../helpers/fixture-values.ts';

const DIR = 'test/exec/fixtures';
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The processing-time clock: fixed (CURRENT_TIMESTAMP gives the same rows every run) but for `clock:` lines. */
const START_MICROS = CLOCK_START_MILLIS * 1000;
let clockMicros = START_MICROS;
const env: EvalEnv = {
  timeZone: resolveTimeZone('UTC'),
  nowMicros: () => clockMicros,
};

function parseChange(text: string, types: readonly DataType[], where: string): Change {
  const match = CHANGE.exec(text) as RegExpExecArray;
  const kind = match[1] as RowKind;
  if (!['+I', '-U', '+U', '-D'].includes(kind)) throw new Error(`${where}: unknown change kind ${kind}`);
  const texts = splitValues(match[2] as string);
  if (texts.length !== types.length)
    throw new Error(`${where}: ${texts.length} values for ${types.length} columns in '${text}'`);
  const row = texts.map((token, i): Value => {
    try {
      return literalValue(token, types[i] as DataType, env);
    } catch (error) {
      throw new Error(`${where}: column ${i + 1}: ${(error as Error).message}`);
    }
  });
  return { kind, row };
}

function formatter(types: readonly DataType[]): (change: Change) => string {
  const texts = types.map((type) => {
    const text = toText(type, env);
    return isCharacterString(type)
      ? (v: Value) => `'${(v as string).replace(/'/g, "''")}'`
      : (v: Value) => text(v) as string;
  });
  return (change) =>
    `${change.kind}(${change.row.map((v, i) => (v === null ? 'NULL' : (texts[i] as (v: Value) => string)(v))).join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// Planning and driving

/** A fixture's plan, and the job's state TTL (`table.exec.state.ttl`; 0 = none). */
interface FixturePlan {
  readonly root: PlanNode;
  readonly stateTtlMs: number;
}

/** The plan of the script's last statement: a SELECT's plan, or an INSERT's down from its Sink. */
function planFixture(name: string, sql: string): FixturePlan {
  const source = substituteVariables(name, sql, VARIABLES, {});
  const statements = parseScript(source);
  const last = statements[statements.length - 1];
  if (last?.kind === 'query') {
    const { catalog, settings } = planStatements(statements.slice(0, -1), source);
    return { root: planQuery(last.query, { catalog, source }).node, stateTtlMs: stateTtlSetting(settings) };
  }
  const script = planStatements(statements, source);
  const sinks = script.jobs.flatMap((job) => job.sinks);
  if (sinks.length !== 1) throw new Error(`${name}: the SQL must end with one SELECT or one INSERT`);
  return { root: sinks[0] as PlanNode, stateTtlMs: stateTtlSetting(script.jobs[0]?.settings ?? new Map()) };
}

function nodes(root: PlanNode): PlanNode[] {
  const all = new Set<PlanNode>();
  const visit = (node: PlanNode) => {
    all.add(node);
    for (const input of inputsOf(node)) visit(input);
  };
  visit(root);
  return [...all];
}

const passThrough: Operator = { process: (changes) => [...changes] };

/** The operator that runs a plan node, built as the runtime builds it (src/runtime/graph.ts). */
function operatorFor(node: PlanNode, stateTtlMs: number): Operator {
  switch (node.kind) {
    case 'Calc':
      return new CalcOperator(node.projection, node.condition, env);
    case 'Correlate':
      return new CorrelateOperator(node.collection, node.joinType, node.fields.length - node.input.fields.length, env);
    case 'Expand':
      return new ExpandOperator(node.projects, env);
    case 'ChangelogNormalize':
      return statefulOperator.normalize(node, env, stateTtlMs);
    case 'Join':
      return statefulOperator.join(node, env, stateTtlMs);
    case 'GroupAggregate':
      return statefulOperator.aggregate(node, env, stateTtlMs);
    case 'Rank':
      return statefulOperator.rank(node, env, stateTtlMs);
    case 'Deduplicate':
      return statefulOperator.deduplicate(node, env, stateTtlMs);
    case 'OverAggregate':
      return statefulOperator.over(node, env, stateTtlMs);
    case 'WatermarkAssigner':
      return new WatermarkAssignerOperator(node.rowtime, node.watermark, env, node.fields[node.rowtime]?.name);
    case 'Sink':
      return node.upsertMaterialize ? statefulOperator.upsertMaterializer(node, env, stateTtlMs) : passThrough;
    case 'IntervalJoin':
      return statefulOperator.intervalJoin(node, env);
    case 'TemporalJoin':
      return statefulOperator.temporalJoin(node, env, stateTtlMs);
    case 'WindowJoin':
      return windowJoinOperator(node, env);
    case 'WindowTableFunction':
    case 'WindowAggregate':
    case 'GroupWindowAggregate':
    case 'WindowRank':
    case 'WindowDeduplicate':
      return windowOperator(node, env);
    case 'Union':
    case 'TableSourceScan':
      return passThrough;
    default:
      throw new Error(`the fixture runner cannot drive ${node.kind} yet`);
  }
}

/**
 * Operators for every node of a plan, fresh; `batch` pushes changes into a source table, then
 * sends the watermarks on, then tells the operators the processing time, as a job does after each
 * batch; `tick` only tells them the time. With `spill`, the state memory is enforced after every
 * operator call, as the job graph does.
 */
function pipeline(
  { root, stateTtlMs }: FixturePlan,
  spill: boolean,
): { batch: (table: string, changes: readonly Change[]) => Change[]; tick: () => Change[]; close: () => void } {
  const operators = new Map(nodes(root).map((node) => [node, operatorFor(node, stateTtlMs)]));
  /** The watermark each node last sent downstream (milliseconds). */
  const watermarks = new Map<PlanNode, number>();
  const close = (): void => {
    for (const operator of operators.values()) operator?.close?.();
  };
  /** The watermark each node's operator was last given (the minimum of its inputs'). */
  const inputWatermarks = new Map<PlanNode, number>();
  /**
   * Runs every node once, inputs first: it processes what its inputs emitted, then (when `time`
   * is set) hears the processing time, then its watermark advances (a WatermarkAssigner's own,
   * otherwise the minimum of its inputs', none until each input has one) and it emits what that
   * completes, sending on the watermark the operator says (outputWatermark), as src/runtime/push.ts does.
   */
  const run = (table: string | undefined, changes: readonly Change[], time?: number): Change[] => {
    const outputs = new Map<PlanNode, Change[]>();
    const visit = (node: PlanNode): Change[] => {
      const done = outputs.get(node);
      if (done) return done;
      const operator = operators.get(node) as Operator;
      let out: Change[] = [];
      if (node.kind === 'TableSourceScan') {
        out = node.table.name === table ? [...changes] : [];
      } else if (node.kind === 'Union') {
        out = node.inputs.flatMap(visit);
      } else {
        inputsOf(node).forEach((input, i) => {
          const inputChanges = visit(input);
          if (inputChanges.length === 0) return;
          out.push(...operator.process(inputChanges, i));
          if (spill) stateMemory().enforce();
        });
      }
      if (time !== undefined) {
        out.push(...(operator.onProcessingTime?.(time) ?? []));
        if (spill) stateMemory().enforce();
      }
      const generated = operator.generatedWatermark?.();
      if (generated !== undefined) watermarks.set(node, generated);
      else {
        const inputs = inputsOf(node).map((input) => watermarks.get(input));
        const combined =
          inputs.length > 0 && inputs.every((w) => w !== undefined) ? Math.min(...(inputs as number[])) : undefined;
        if (combined !== undefined && combined > (inputWatermarks.get(node) ?? Number.NEGATIVE_INFINITY)) {
          inputWatermarks.set(node, combined);
          out.push(...(operator.onWatermark?.(combined) ?? []));
          if (spill) stateMemory().enforce();
          watermarks.set(node, operator.outputWatermark?.(combined) ?? combined);
        }
      }
      outputs.set(node, out);
      return out;
    };
    return visit(root);
  };
  const batch = (table: string, changes: readonly Change[]): Change[] => [
    ...run(table, changes),
    ...run(undefined, [], clockMicros / 1000),
  ];
  const tick = (): Change[] => run(undefined, [], clockMicros / 1000);
  return { batch, tick, close };
}

/** Runs `fn` with a state memory budget of 0 bytes: every operator call ends with all state on disk. */
function allStateSpilled<T>(fn: () => T): T {
  const memory = stateMemory();
  const limit = memory.limit;
  memory.configure(0);
  try {
    return fn();
  } finally {
    memory.configure(limit);
  }
}

function runCase(fixture: Fixture, plan: FixturePlan, c: FixtureCase, spill = false): FixtureCase {
  const { root } = plan;
  clockMicros = START_MICROS;
  const scans = new Map<string, DataType[]>();
  for (const node of nodes(root))
    if (node.kind === 'TableSourceScan')
      scans.set(
        node.table.name,
        node.fields.map((f) => f.type),
      );
  const outputFields = root.kind === 'Sink' ? root.input.fields : root.fields;
  const format = formatter(outputFields.map((f) => f.type));
  const { batch, tick, close } = pipeline(plan, spill);
  const items: Item[] = [];
  for (const item of c.items) {
    if (item.kind === 'output') continue;
    items.push(item);
    if (item.kind === 'clock') {
      clockMicros += item.millis * 1000;
      const fired = tick();
      if (fired.length > 0) items.push({ kind: 'output', rows: fired.map(format) });
    }
    if (item.kind !== 'input') continue;
    const types = scans.get(item.table);
    if (!types)
      throw new Error(
        `case '${c.name}': no source table '${item.table}' in the plan (${[...scans.keys()].join(', ')})`,
      );
    const changes = item.rows.map((row) => parseChange(row.text, types, `${fixture.file}:${row.line}`));
    items.push({ kind: 'output', rows: batch(item.table, changes).map(format) });
  }
  close();
  return { leading: c.leading, name: c.name, line: c.line, items };
}

/**
 * What is wrong with a case's Flink blocks: a case needs either one `flink: not checked: <why>`
 * line and no blocks, or a `flink changes:` block and then a `flink:` table after each of its
 * steps (a batch or a clock move), before the next step.
 */
function flinkProblem(c: FixtureCase): string | undefined {
  const flink = c.items.filter((item) => item.kind === 'flink' || item.kind === 'flink-changes');
  if (flink.length === 0) return "it has neither flink: blocks nor a 'flink: not checked: <why>' line";
  if (flink.some((item) => item.kind === 'flink' && item.reason !== undefined))
    return flink.length === 1 ? undefined : "a 'flink: not checked' case has other flink lines";
  let step = 0;
  /** What the current step still lacks: its changes, then its table, then nothing. */
  let lacks: 'changes' | 'table' | undefined;
  const missing = () => `step ${step} has no ${lacks === 'changes' ? 'flink changes:' : 'flink:'} block`;
  for (const item of c.items) {
    if (isStep(item)) {
      if (lacks) return missing();
      step++;
      lacks = 'changes';
    } else if (item.kind === 'flink-changes') {
      if (lacks !== 'changes') return `a flink changes: block that does not follow step ${step}'s output`;
      lacks = 'table';
    } else if (item.kind === 'flink') {
      if (lacks !== 'table') return `a flink: block that does not follow step ${step}'s flink changes: block`;
      lacks = undefined;
    }
  }
  return lacks ? missing() : undefined;
}

/** Rivulet's output of each step of a run case, in order. */
function outputsByStep(items: readonly Item[]): string[][] {
  const steps: string[][] = [];
  for (const item of items) {
    if (isStep(item)) steps.push([]);
    else if (item.kind === 'output') steps[steps.length - 1]?.push(...item.rows);
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------

for (const file of readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort()) {
  const path = join(DIR, file);
  const fixture = parseFixture(path, readFileSync(path, 'utf8'));
  let planned: FixturePlan | undefined;
  let planError: string | undefined;
  try {
    planned = planFixture(fixture.sqlName, fixture.sql);
  } catch (error) {
    planError = formatError(error);
  }
  const root = planned?.root;
  const plan = root ? explainPlan(root).split('\n') : [`error: ${planError}`];
  const results = fixture.cases.map((c) => {
    if (!root) return { expected: c, actual: c, error: new Error(planError) };
    try {
      return { expected: c, actual: runCase(fixture, planned as FixturePlan, c), error: undefined };
    } catch (error) {
      return { expected: c, actual: c, error: error as Error };
    }
  });
  if (UPDATE && results.every((r) => r.error === undefined))
    writeFileSync(
      path,
      renderFixture(
        fixture,
        plan,
        results.map((r) => r.actual),
      ),
    );

  describe(`operator fixture ${file}`, () => {
    it('plans the query', () => {
      assert.equal(planError, undefined, planError);
      const kinds = nodes(root as PlanNode).map((n): string =>
        n.kind === 'Sink' && n.upsertMaterialize ? 'UpsertMaterializer' : n.kind,
      );
      assert.ok(kinds.includes(fixture.operator), `${path}: the plan has no ${fixture.operator}: ${kinds.join(', ')}`);
      if (!UPDATE)
        assert.equal(
          plan.join('\n'),
          fixture.plan.join('\n'),
          `${path}: the plan differs (UPDATE_GOLDEN=1 rewrites it)`,
        );
    });
    it("says for every case what Flink's table is after each batch, or why Flink did not run it", () => {
      for (const c of fixture.cases) assert.equal(flinkProblem(c), undefined, `${path}:${c.line}: case '${c.name}'`);
      const release = `Apache Flink ${fixture.flinkVersion ?? '1.18.1'}`;
      const results = fixture.header.find((line) => line.startsWith('# expected results:')) ?? '';
      assert.ok(results.includes(release), `${path}: its '# expected results:' line does not name ${release}`);
    });
    it('gives the same output with all state spilled to disk after every operator call', () => {
      if (!root || UPDATE) return;
      const restoredBefore = stateMemory().restoredEntries;
      for (const c of fixture.cases) {
        const spilled: FixtureCase = allStateSpilled(() => runCase(fixture, planned as FixturePlan, c, true));
        assert.equal(
          renderCase(spilled).join('\n'),
          renderCase(c).join('\n'),
          `${path}:${c.line}: the output differs when state is spilled`,
        );
      }
      // Calc and Correlate keep no state.
      if (fixture.operator !== 'Calc' && fixture.operator !== 'Correlate')
        assert.ok(stateMemory().restoredEntries > restoredBefore, 'state was read back from disk');
    });
    for (const result of results) {
      it(result.expected.name, () => {
        if (result.error) throw result.error;
        if (UPDATE) return;
        assert.equal(
          renderCase(result.actual).join('\n'),
          renderCase(result.expected).join('\n'),
          `${path}:${result.expected.line}: the output differs (UPDATE_GOLDEN=1 rewrites it)`,
        );
      });
      const tables = result.expected.items.filter((item) => item.kind === 'flink' && item.rows);
      const differs = tables.some((item) => item.kind === 'flink' && item.differs);
      if (tables.length > 0)
        it(`${result.expected.name}: its table after each batch is Apache Flink's${differs ? ' but for a documented difference' : ''}`, () => {
          if (result.error) throw result.error;
          const sinkKey = root?.kind === 'Sink' ? root.sinkKey : undefined;
          const outputs: string[] = [];
          let step = 0;
          for (const item of result.actual.items) {
            if (isStep(item)) step++;
            if (item.kind === 'output') outputs.push(...item.rows);
            if (item.kind !== 'flink' || !item.rows) continue;
            const where: string = `${path}:${result.expected.line}: after step ${step}`;
            if (item.differs)
              assert.notDeepEqual(
                materialize(outputs, sinkKey),
                item.rows,
                `${where}, the table is Flink's now: drop the 'differs:' note`,
              );
            else
              assert.deepEqual(
                materialize(outputs, sinkKey),
                item.rows,
                `${where}, the table differs from Flink's (its flink: block, recorded by npm run parity:fixtures)`,
              );
          }
        });
      const changes = result.expected.items.filter((item) => item.kind === 'flink-changes');
      const changesDiffer = changes.some((item) => item.kind === 'flink-changes' && item.differs);
      if (changes.length > 0)
        it(`${result.expected.name}: its changes in each step are Apache Flink's${changesDiffer ? ' but for a documented difference' : ''}`, () => {
          if (result.error) throw result.error;
          const outputs = outputsByStep(result.actual.items);
          let step = 0;
          for (const item of result.actual.items) {
            if (isStep(item)) step++;
            if (item.kind !== 'flink-changes' || item.undetermined !== undefined) continue;
            const where: string = `${path}:${result.expected.line}: in step ${step}`;
            const rivulet = [...(outputs[step - 1] ?? [])].sort();
            const flink = [...item.rows].sort();
            if (item.differs)
              assert.notDeepEqual(rivulet, flink, `${where}, the changes are Flink's now: drop the 'differs:' note`);
            else
              assert.deepEqual(
                rivulet,
                flink,
                `${where}, the changes differ from Flink's (its flink changes: block, recorded by npm run parity:fixtures)`,
              );
          }
        });
    }
  });
}
