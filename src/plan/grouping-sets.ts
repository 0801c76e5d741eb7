import type { AggregateCall } from '../exec/accumulators.ts';
import { type BoundExpr, inputRef, literal } from '../expr/bound.ts';
import { childExpressions, type Expression, type FunctionCall, type GroupingElement, type Select } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { T, withNullable } from '../types/data-type.ts';
import { uniqueNames } from './build.ts';
import type { Expand, Field, PlanNode } from './nodes.ts';
import type { PlanContext } from './relation.ts';

/** Calcite's grouping functions, bound over the expand id of a GroupAggregate. */
export const GROUPING_FUNCTIONS = new Set(['GROUPING', 'GROUPING_ID', 'GROUP_ID']);

/** The distinct GROUPING, GROUPING_ID and GROUP_ID calls of a block's SELECT list and HAVING. */
export function collectGroupingCalls(select: Select): FunctionCall[] {
  const found: FunctionCall[] = [];
  const shapes = new Set<string>();
  const visit = (expr: Expression | undefined): void => {
    if (!expr) return;
    if (expr.kind === 'call' && GROUPING_FUNCTIONS.has(expr.name) && !expr.over) {
      const shape = shapeKey(expr);
      if (!shapes.has(shape)) found.push(expr);
      shapes.add(shape);
      return;
    }
    childExpressions(expr).forEach(visit);
  };
  for (const item of select.items) if (item.kind === 'expression') visit(item.expression);
  visit(select.having);
  return found;
}

/** An expression's shape without source positions: equal shapes are the same expression. */
export function shapeKey(expr: Expression): string {
  return JSON.stringify(expr, (key, value) => (key === 'at' ? undefined : value));
}

/** The grouping sets of a GROUP BY with GROUPING SETS, ROLLUP or CUBE. */
export interface GroupingSets {
  /** The distinct group expressions, in the order they are first written: the group keys. */
  readonly expressions: readonly Expression[];
  /**
   * The grouping sets of each GROUP_ID() value, as Calcite's RelBuilder splits a GROUP BY that
   * gives a set more than once: branch 0 has every set, branch n the sets given more than n
   * times. Each set as positions in `expressions`, ascending; a branch's sets by their expand id.
   */
  readonly branches: readonly (readonly (readonly number[])[])[];
}

/**
 * The grouping sets of the block, as Calcite builds them: the cross product of the sets of the
 * GROUP BY's elements (`GROUP BY a, ROLLUP(b, c)` is (a, b, c), (a, b), (a)). Undefined for a plain
 * GROUP BY. A set given more than once is aggregated once per copy, the copies told apart by
 * GROUP_ID(): Calcite plans a union of aggregates, one per GROUP_ID() value.
 */
export function groupingSetsOf(select: Select, ctx: PlanContext): GroupingSets | undefined {
  if (!select.groupingSets) return undefined;
  const shapes: string[] = [];
  const expressions: Expression[] = [];
  const position = (expr: Expression): number => {
    const shape = shapeKey(expr);
    let at = shapes.indexOf(shape);
    if (at < 0) {
      at = shapes.push(shape) - 1;
      expressions.push(expr);
    }
    return at;
  };
  const setsOf = (element: GroupingElement): number[][] => {
    switch (element.kind) {
      case 'groupSet':
        return [element.expressions.map(position)];
      case 'groupingSets':
        return element.elements.flatMap(setsOf);
      case 'rollup': {
        const items = element.items.map((item) => item.map(position));
        return items.map((_, i) => items.slice(0, items.length - i).flat()).concat([[]]);
      }
      case 'cube': {
        const items = element.items.map((item) => item.map(position));
        if (items.length > 16) throw tooMany(element.at, ctx);
        const subsets: number[][] = [];
        for (let mask = 0; mask < 1 << items.length; mask++)
          subsets.push(items.flatMap((item, i) => ((mask >> (items.length - 1 - i)) & 1 ? item : [])));
        return subsets;
      }
    }
  };
  let product: number[][] = [[]];
  for (const element of select.groupingSets) {
    const sets = setsOf(element);
    product = product.flatMap((left) => sets.map((right) => [...left, ...right]));
    if (product.length > 4096) throw tooMany(element.at, ctx);
  }
  const width = expressions.length;
  if (width > 62) throw tooMany(select.groupingSets[0]?.at ?? select.at, ctx);
  // Each distinct set with the number of times it is given; a set given n times is in branches 0..n-1.
  const counts = new Map<bigint, { set: number[]; count: number }>();
  for (const written of product) {
    const set = [...new Set(written)].sort((a, b) => a - b);
    const id = expandId(width, set);
    const seen = counts.get(id);
    if (seen) seen.count++;
    else counts.set(id, { set, count: 1 });
  }
  const distinct = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  const most = Math.max(...distinct.map((entry) => entry.count));
  const branches = Array.from({ length: most }, (_, groupId) =>
    distinct.filter((entry) => entry.count > groupId).map((entry) => entry.set),
  );
  return { expressions, branches };
}

function tooMany(at: number, ctx: PlanContext): SqlError {
  return new SqlError(
    'SQL_UNSUPPORTED',
    ctx.source,
    at,
    'too many grouping sets or group keys',
    'at most 4096 sets of 62 keys',
  );
}

/**
 * Flink's expand id (`$e`) of a grouping set: one bit per group key, the first key the highest,
 * set where the key is not in the set (so the full set is 0 and `()` is all ones).
 */
export function expandId(width: number, set: readonly number[]): bigint {
  let id = 0n;
  for (let key = 0; key < width; key++) if (!set.includes(key)) id |= 1n << BigInt(width - 1 - key);
  return id;
}

/** The node and keys a GroupAggregate over grouping sets reads: an Expand of its input. */
export interface ExpandedInput {
  readonly node: Expand;
  /** The group keys in the Expand's fields: those of the input, then `$e`. */
  readonly groupKeys: readonly number[];
  /** The calls with their arguments in the Expand's fields. */
  readonly calls: readonly AggregateCall[];
}

/**
 * Flink's Expand (ExpandUtil): each input row once per grouping set, the group keys not in the
 * set made NULL, and the set's expand id appended as `$e`. An aggregate argument that is a group
 * key some set leaves out is appended again, unchanged, so the aggregate sees its value (`a_0`).
 */
export function expandGroupingSets(
  input: PlanNode,
  groupKeys: readonly number[],
  sets: readonly (readonly number[])[],
  calls: readonly AggregateCall[],
): ExpandedInput {
  const width = groupKeys.length;
  const common = groupKeys.filter((_, k) => sets.every((set) => set.includes(k)));
  const read = (call: AggregateCall) => (call.filter === undefined ? call.args : [...call.args, call.filter]);
  const duplicated = [...new Set(calls.flatMap(read))]
    .filter((arg) => groupKeys.includes(arg) && !common.includes(arg))
    .sort((a, b) => a - b);
  const nulled = (field: number) => {
    const key = groupKeys.indexOf(field);
    return key >= 0 && !common.includes(field);
  };
  const inputFields = input.fields.map((field, i) =>
    nulled(i) ? { ...field, type: withNullable(field.type, true) } : field,
  );
  const names = uniqueNames([
    ...input.fields.map((f) => f.name),
    '$e',
    ...duplicated.map((d) => `${input.fields[d]?.name}_0`),
  ]);
  const fields: Field[] = [
    ...inputFields,
    { name: names[input.fields.length] as string, type: T.bigint(false) },
    ...duplicated.map((d, i) => ({
      name: names[input.fields.length + 1 + i] as string,
      type: input.fields[d]?.type ?? T.null(),
    })),
  ];
  const projects = sets.map((set) => {
    const inSet = new Set(set.map((k) => groupKeys[k] as number));
    return [
      ...input.fields.map(
        (field, i): BoundExpr =>
          nulled(i) && !inSet.has(i)
            ? literal(null, withNullable(field.type, true))
            : inputRef(i, field.name, (fields[i] as Field).type),
      ),
      literal(expandId(width, set), T.bigint(false)),
      ...duplicated.map((d) => inputRef(d, input.fields[d]?.name ?? '', input.fields[d]?.type ?? T.null())),
    ];
  });
  const expandIdField = input.fields.length;
  const moved = (arg: number) => {
    const at = duplicated.indexOf(arg);
    return at < 0 ? arg : expandIdField + 1 + at;
  };
  const node: Expand = { kind: 'Expand', input, projects, expandIdField, fields, changelog: input.changelog };
  return {
    node,
    groupKeys: [...groupKeys, expandIdField],
    calls: calls.map((call) => ({
      ...call,
      args: call.args.map(moved),
      ...(call.filter === undefined ? {} : { filter: moved(call.filter) }),
    })),
  };
}

/**
 * GROUPING(a, ...), GROUPING_ID(a, ...) and GROUP_ID() over the output of the aggregate: a bit per
 * argument, the first the highest, set when the argument is not in the row's grouping set. Read
 * from `$e` (at `expandIdField`) by a CASE over the sets, or a constant when there is one set.
 * GROUP_ID() is the constant `groupId` of the aggregate's branch.
 */
export function bindGroupingCall(
  call: FunctionCall,
  keyOf: (expr: Expression) => number,
  grouping: {
    readonly sets: readonly (readonly number[])[];
    readonly width: number;
    readonly expandIdField?: number;
    readonly groupId: number;
  },
  ctx: PlanContext,
): BoundExpr {
  const { sets, width, expandIdField } = grouping;
  const type = T.bigint(false);
  if (call.name === 'GROUP_ID') {
    if (call.args.length > 0 || call.star)
      throw new SqlError('SQL_INVALID_CALL', ctx.source, call.at, 'GROUP_ID takes no arguments');
    return literal(BigInt(grouping.groupId), type);
  }
  if (call.args.length === 0 || call.star || call.distinct) {
    throw new SqlError('SQL_INVALID_CALL', ctx.source, call.at, `${call.name} needs one or more group expressions`);
  }
  const keys = call.args.map((arg) => {
    const key = keyOf(arg);
    if (key < 0) {
      throw new SqlError(
        'SQL_INVALID_CALL',
        ctx.source,
        arg.at,
        `Argument to ${call.name} operator must be a grouped expression`,
        'name an expression of the GROUP BY',
      );
    }
    return key;
  });
  const value = (set: readonly number[]) => {
    let bits = 0n;
    for (const key of keys) bits = (bits << 1n) | (set.includes(key) ? 0n : 1n);
    return bits;
  };
  const last = sets[sets.length - 1] as readonly number[];
  if (expandIdField === undefined || sets.length === 1) return literal(value(last), type);
  const id = inputRef(expandIdField, '$e', type);
  const args: BoundExpr[] = [];
  for (const set of sets.slice(0, -1)) {
    const condition: BoundExpr = {
      kind: 'call',
      name: 'EQUALS',
      args: [id, literal(expandId(width, set), type)],
      type: T.boolean(false),
    };
    args.push(condition, literal(value(set), type));
  }
  args.push(literal(value(last), type));
  return { kind: 'call', name: 'CASE', args, type };
}
