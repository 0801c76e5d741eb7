import { type DataType, describeType, withNullable } from '../../types/data-type.ts';
import { commonType } from '../../types/type-rules.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import { buildMap } from '../collections.ts';
import { EvaluationError, type Value } from '../value.ts';
import { anyNullable, strict } from './definition.ts';

/** Flink 1.18's map functions (MAP_KEYS, MAP_VALUES, MAP_ENTRIES, MAP_FROM_ARRAYS) and 1.20's MAP_UNION. */

type MapType = DataType & { kind: 'MAP' };
type Entries = ReadonlyMap<Value, Value>;

function mapArg(name: string, args: readonly BoundExpr[], ctx: BindContext): MapType {
  const type = args[0]?.type;
  if (args.length !== 1 || type?.kind !== 'MAP')
    return ctx.fail(`${name} takes one MAP, got ${args.map((a) => describeType(a.type)).join(', ') || 'nothing'}`);
  return type;
}

function mapToArray(
  name: string,
  element: (map: MapType) => DataType,
  apply: (map: Entries) => Value[],
): ScalarFunction {
  return {
    name,
    signatures: [`${name}(MAP)`],
    bind(args, ctx) {
      const map = mapArg(name, args, ctx);
      return { args, type: { kind: 'ARRAY', element: element(map), nullable: map.nullable } };
    },
    compile: (args) => strict(apply)(args),
  };
}

export const MAP_KEYS = mapToArray(
  'MAP_KEYS',
  (map) => map.key,
  (map) => [...map.keys()],
);
export const MAP_VALUES = mapToArray(
  'MAP_VALUES',
  (map) => map.value,
  (map) => [...map.values()],
);
/** MAP_ENTRIES(map): an ARRAY of ROW<key, value>, as Flink names the fields. */
export const MAP_ENTRIES = mapToArray(
  'MAP_ENTRIES',
  (map) => ({
    kind: 'ROW',
    fields: [
      { name: 'key', type: map.key },
      { name: 'value', type: map.value },
    ],
    nullable: false,
  }),
  (map) => [...map].map(([key, value]) => [key, value]),
);

/** MAP_FROM_ARRAYS(keys, values): a MAP of the pairs; a key given twice keeps its last value. */
export const MAP_FROM_ARRAYS: ScalarFunction = {
  name: 'MAP_FROM_ARRAYS',
  signatures: ['MAP_FROM_ARRAYS(ARRAY, ARRAY)'],
  bind(args, ctx) {
    const [keys, values] = args;
    if (args.length !== 2 || keys?.type.kind !== 'ARRAY' || values?.type.kind !== 'ARRAY')
      return ctx.fail(
        `MAP_FROM_ARRAYS takes an ARRAY of keys and an ARRAY of values, got ${args.map((a) => describeType(a.type)).join(', ')}`,
      );
    return {
      args,
      type: { kind: 'MAP', key: keys.type.element, value: values.type.element, nullable: anyNullable(args) },
    };
  },
  compile: (args) =>
    strict((keys: readonly Value[], values: readonly Value[]) => {
      if (keys.length !== values.length) {
        throw new EvaluationError(
          'MAP_FROM_ARRAYS_LENGTHS',
          `Invalid function MAP_FROM_ARRAYS call: The length of the keys array ${keys.length} is not equal to the length of the values array ${values.length}`,
        );
      }
      return buildMap(keys.flatMap((key, i) => [key, values[i] as Value]));
    })(args),
};

/** 1.20: MAP_UNION(map, ...): the maps merged, a later map's value winning; NULL when any map is. */
export const MAP_UNION: ScalarFunction = {
  name: 'MAP_UNION',
  signatures: ['MAP_UNION(MAP, ...)'],
  bind(args, ctx) {
    const common = args.length > 0 ? commonType(args.map((arg) => arg.type)) : undefined;
    if (common?.kind !== 'MAP' || args.some((arg) => arg.type.kind !== 'MAP'))
      return ctx.fail(`MAP_UNION takes MAPs of one type, got ${args.map((a) => describeType(a.type)).join(', ')}`);
    const type = withNullable(common, anyNullable(args));
    return { args: args.map((arg) => ctx.cast(arg, withNullable(type, arg.type.nullable))), type };
  },
  compile: (args) => strict((...maps: Entries[]) => buildMap(maps.flatMap((map) => [...map].flat())))(args),
};
