import type { BoundExpr } from '../expr/bound.ts';
import { lookupFunction } from '../expr/functions/registry.ts';
import { type ChangelogMode, INSERT_ONLY, RETRACT } from './changelog.ts';
import { foldConstants } from './fold.ts';
import type { Calc, Field, GroupAggregate, PlanNode } from './nodes.ts';

/**
 * A Calc over `input`: projected expressions (named) and an optional filter evaluated first.
 * A Calc over a Calc is merged into one, and a Calc that changes nothing is left out, as Flink's
 * planner does.
 */
export function makeCalc(
  input: PlanNode,
  projection: readonly BoundExpr[],
  names: readonly string[],
  condition?: BoundExpr,
): PlanNode {
  const fields: Field[] = projection.map((expr, i) => ({ name: names[i] ?? `EXPR$${i}`, type: expr.type }));
  const isIdentity =
    !condition &&
    projection.length === input.fields.length &&
    projection.every(
      (expr, i) => expr.kind === 'input' && expr.index === i && input.fields[i]?.name === fields[i]?.name,
    );
  if (isIdentity) return input;
  if (input.kind === 'Calc' && canInline(input, projection, condition)) {
    const inline = (expr: BoundExpr) => substitute(expr, input.projection);
    const merged = condition ? inline(condition) : undefined;
    const both = input.condition && merged ? and(input.condition, merged) : (input.condition ?? merged);
    return buildCalc(input.input, projection.map(inline), fields, both);
  }
  return buildCalc(input, projection, fields, condition);
}

function buildCalc(
  input: PlanNode,
  projection: readonly BoundExpr[],
  fields: readonly Field[],
  condition?: BoundExpr,
): Calc {
  const uniqueKey = mapKey(input.uniqueKey, projection);
  return {
    kind: 'Calc',
    input,
    projection,
    fields,
    changelog: mapMode(input.changelog, projection),
    ...(uniqueKey ? { uniqueKey } : {}),
    ...(condition ? { condition } : {}),
  };
}

/** An input key expressed in projected positions, if every key column is projected as is. */
export function mapKey(key: readonly number[] | undefined, projection: readonly BoundExpr[]): number[] | undefined {
  if (!key) return undefined;
  const mapped: number[] = [];
  for (const column of key) {
    const at = projection.findIndex((expr) => expr.kind === 'input' && expr.index === column);
    if (at < 0) return undefined;
    mapped.push(at);
  }
  return mapped;
}

function and(a: BoundExpr, b: BoundExpr): BoundExpr {
  const nullable = a.type.nullable || b.type.nullable;
  return { kind: 'call', name: 'AND', args: [a, b], type: { kind: 'BOOLEAN', nullable } };
}

/** Replaces input references by the expressions of the Calc below. */
function substitute(expr: BoundExpr, below: readonly BoundExpr[]): BoundExpr {
  switch (expr.kind) {
    case 'input':
      return below[expr.index] as BoundExpr;
    case 'literal':
      return expr;
    case 'cast':
      return foldConstants({ ...expr, operand: substitute(expr.operand, below) });
    case 'call':
      return foldConstants({ ...expr, args: expr.args.map((arg) => substitute(arg, below)) });
  }
}

/** Inlining must not evaluate a non-deterministic expression (CURRENT_TIMESTAMP) twice per row. */
function canInline(below: Calc, projection: readonly BoundExpr[], condition: BoundExpr | undefined): boolean {
  const uses = new Map<number, number>();
  const count = (expr: BoundExpr) => {
    if (expr.kind === 'input') uses.set(expr.index, (uses.get(expr.index) ?? 0) + 1);
    else if (expr.kind === 'cast') count(expr.operand);
    else if (expr.kind === 'call') expr.args.forEach(count);
  };
  projection.forEach(count);
  if (condition) count(condition);
  return [...uses].every(([index, times]) => times <= 1 || isDeterministic(below.projection[index] as BoundExpr));
}

function isDeterministic(expr: BoundExpr): boolean {
  switch (expr.kind) {
    case 'input':
    case 'literal':
      return true;
    case 'cast':
      return isDeterministic(expr.operand);
    case 'call':
      return (expr.fn ?? lookupFunction(expr.name))?.deterministic !== false && expr.args.every(isDeterministic);
  }
}

function mapMode(mode: ChangelogMode, projection: readonly BoundExpr[]): ChangelogMode {
  if (mode.kind !== 'upsert') return mode;
  const key = mapKey(mode.key, projection);
  return key ? { kind: 'upsert', key } : RETRACT;
}

/** The identity projection of a node's fields. */
export function identity(node: PlanNode): BoundExpr[] {
  return node.fields.map((field, index) => ({ kind: 'input', index, name: field.name, type: field.type }));
}

/** Whether a node emits only inserts. */
export function insertOnly(node: PlanNode): boolean {
  return node.changelog === INSERT_ONLY || node.changelog.kind === 'insert-only';
}

/** Field names made unique by suffixing duplicates as Flink does (user_id, user_id0, user_id1). */
export function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    for (let i = 0; used.has(candidate); i++) candidate = `${name}${i}`;
    used.add(candidate);
    return candidate;
  });
}

/** The distinct rows of `input`: an aggregate grouping by every column, without calls. */
export function distinctRows(input: PlanNode): GroupAggregate {
  const fields = input.fields;
  return {
    kind: 'GroupAggregate',
    input,
    groupKeys: fields.map((_, i) => i),
    calls: [],
    fields,
    changelog: RETRACT,
    uniqueKey: fields.map((_, i) => i),
  };
}
