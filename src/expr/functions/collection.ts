import { type DataType, describeType, isInteger, type RowField, T, withNullable } from '../../types/data-type.ts';
import { commonType } from '../../types/type-rules.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import { arrayItem, buildMap, cardinality, mapGet, soleElement } from '../collections.ts';
import type { Evaluator, Value } from '../value.ts';
import { anyNullable, strict } from './definition.ts';

/** The arguments brought to their common type, NOT NULL only when every argument is. */
function elementsOf(args: readonly BoundExpr[], ctx: BindContext, what: string): { args: BoundExpr[]; type: DataType } {
  const type = commonType(args.map((arg) => arg.type));
  if (!type) {
    ctx.fail(
      `${what} has elements of incompatible types: ${args.map((arg) => describeType(arg.type)).join(', ')}`,
      'CAST the elements to one type',
    );
  }
  const element = type.kind === 'NULL' ? T.null() : type;
  return { args: args.map((arg) => (arg.type.kind === 'NULL' ? arg : ctx.cast(arg, element))), type: element };
}

/** `ARRAY[a, b, ...]`: an ARRAY NOT NULL of the elements' common type. */
export const ARRAY: ScalarFunction = {
  name: 'ARRAY',
  signatures: ['ARRAY[ANY, ...]'],
  bind(args, ctx) {
    if (args.length === 0)
      ctx.fail('ARRAY[] needs at least one element', 'CAST(NULL AS ARRAY<type>) is an array of no value');
    const { args: cast, type } = elementsOf(args, ctx, 'ARRAY[...]');
    return { args: cast, type: { kind: 'ARRAY', element: type, nullable: false } };
  },
  compile(args) {
    const width = args.length;
    return (row) => {
      const out: Value[] = new Array(width);
      for (let i = 0; i < width; i++) out[i] = (args[i] as Evaluator)(row);
      return out;
    };
  },
};

/** `MAP[k1, v1, k2, v2, ...]`: a MAP NOT NULL; a key given twice keeps its last value. */
export const MAP: ScalarFunction = {
  name: 'MAP',
  signatures: ['MAP[ANY, ANY, ...]'],
  bind(args, ctx) {
    if (args.length === 0 || args.length % 2 !== 0)
      ctx.fail(`MAP[...] needs keys and values in pairs, got ${args.length} arguments`);
    const keys = elementsOf(
      args.filter((_, i) => i % 2 === 0),
      ctx,
      'MAP[...]',
    );
    const values = elementsOf(
      args.filter((_, i) => i % 2 === 1),
      ctx,
      'MAP[...]',
    );
    const cast = args.map((_, i) => (i % 2 === 0 ? keys.args[i / 2] : values.args[(i - 1) / 2]) as BoundExpr);
    return { args: cast, type: { kind: 'MAP', key: keys.type, value: values.type, nullable: false } };
  },
  compile(args) {
    const width = args.length;
    return (row) => {
      const flat: Value[] = new Array(width);
      for (let i = 0; i < width; i++) flat[i] = (args[i] as Evaluator)(row);
      return buildMap(flat);
    };
  },
};

/** `ROW(a, b, ...)` and `(a, b, ...)`: a ROW NOT NULL with fields EXPR$0, EXPR$1, ... as Flink names them. */
export const ROW: ScalarFunction = {
  name: 'ROW',
  signatures: ['ROW(ANY, ...)'],
  bind(args, ctx) {
    if (args.length === 0) ctx.fail('ROW() needs at least one field');
    const fields: RowField[] = args.map((arg, i) => ({
      name: `EXPR$${i}`,
      type: arg.type.kind === 'NULL' ? T.null() : arg.type,
    }));
    return { args, type: { kind: 'ROW', fields, nullable: false } };
  },
  compile: ARRAY.compile,
};

/**
 * `array[index]` (1-based; NULL out of range, as in Flink 1.18) and `map[key]` (NULL for a
 * missing key). Always nullable.
 */
export const ITEM: ScalarFunction = {
  name: 'ITEM',
  signatures: ['ARRAY[INT]', 'MAP[key]'],
  bind(args, ctx) {
    const [collection, index] = args as [BoundExpr, BoundExpr];
    const type = collection.type;
    if (type.kind === 'ARRAY') {
      if (!isInteger(index.type) && index.type.kind !== 'NULL')
        ctx.fail(`an ARRAY is indexed by an integer, got ${describeType(index.type)}`);
      // Flink's code generation refuses a constant index below 1; a computed one is NULL at run time.
      if (index.kind === 'literal' && index.value !== null && Number(index.value) < 1)
        ctx.fail(
          `Array element access needs an index starting at 1 but was ${index.value}.`,
          'ARRAY indexes count from 1: a[1] is the first element',
        );
      return {
        args: [collection, index.type.kind === 'NULL' ? index : ctx.cast(index, T.int())],
        type: withNullable(type.element, true),
      };
    }
    if (type.kind === 'MAP') {
      if (index.type.kind !== 'NULL' && commonType([index.type, type.key]) === undefined)
        ctx.fail(`the MAP's keys are ${describeType(type.key)}, not ${describeType(index.type)}`);
      return {
        args: [collection, index.type.kind === 'NULL' ? index : ctx.cast(index, type.key)],
        type: withNullable(type.value, true),
      };
    }
    return ctx.fail(
      `Cannot apply '[]' to ${describeType(type)}`,
      'an ARRAY takes an index from 1, a MAP a key; a ROW field is read with row.field',
    );
  },
  compile(args, call) {
    const map = call.args[0]?.type.kind === 'MAP';
    return strict(
      map
        ? (m: ReadonlyMap<Value, Value>, key: Value) => mapGet(m, key)
        : (array: readonly Value[], index: number) => arrayItem(array, index),
    )(args);
  },
};

/** `row.field`: the field named by the second argument (a literal); NULL when the row is. */
export const DOT: ScalarFunction = {
  name: 'DOT',
  signatures: ['ROW.field'],
  bind(args, ctx) {
    const [row, name] = args as [BoundExpr, BoundExpr];
    const type = row.type;
    if (type.kind !== 'ROW') return ctx.fail(`${describeType(type)} has no fields`);
    const fieldName = name.kind === 'literal' ? String(name.value) : '';
    const index = type.fields.findIndex((field) => field.name === fieldName);
    if (index < 0) {
      ctx.fail(`the ROW has no field '${fieldName}'`, `fields: ${type.fields.map((field) => field.name).join(', ')}`);
    }
    const field = type.fields[index] as RowField;
    const position = { kind: 'literal', value: index, type: T.int(false) } as const;
    return { args: [row, position], type: withNullable(field.type, field.type.nullable || type.nullable) };
  },
  compile(args, call) {
    const [row] = args as [Evaluator];
    const index = (call.args[1] as { value: number }).value;
    return (input) => {
      const value = row(input) as readonly Value[] | null;
      return value === null ? null : (value[index] ?? null);
    };
  },
};

/**
 * CARDINALITY(ARRAY | MAP): the number of elements. Flink 1.18.1 validates CARDINALITY of a
 * MULTISET and then fails to generate code for it ("Expect an array or a map."), so it is refused.
 */
export const CARDINALITY: ScalarFunction = {
  name: 'CARDINALITY',
  signatures: ['CARDINALITY(ARRAY)', 'CARDINALITY(MAP)'],
  bind(args, ctx) {
    const [arg] = args;
    if (args.length === 1 && arg?.type.kind === 'MULTISET')
      ctx.fail(
        `CARDINALITY of a ${describeType(arg.type)} is not supported (Flink 1.18.1: "Expect an array or a map.")`,
        'count the rows instead: COUNT(x) beside COLLECT(x), or CARDINALITY of an ARRAY or MAP',
      );
    if (args.length !== 1 || !arg || !['ARRAY', 'MAP'].includes(arg.type.kind))
      ctx.fail(`CARDINALITY takes an ARRAY or a MAP, got ${args.map((a) => describeType(a.type)).join(', ')}`);
    return { args, type: T.int(anyNullable(args)) };
  },
  compile: (args) => strict((value: Value) => cardinality(value))(args),
};

/** ELEMENT(ARRAY): its sole element; NULL when empty; fails the record when it has more than one. */
export const ELEMENT: ScalarFunction = {
  name: 'ELEMENT',
  signatures: ['ELEMENT(ARRAY)'],
  bind(args, ctx) {
    const [arg] = args;
    if (args.length !== 1 || arg?.type.kind !== 'ARRAY')
      return ctx.fail(`ELEMENT takes an ARRAY, got ${args.map((a) => describeType(a.type)).join(', ')}`);
    return { args, type: withNullable(arg.type.element, true) };
  },
  compile: (args) => strict((array: readonly Value[]) => soleElement(array))(args),
};
