import { EvaluationError, type Value } from '../expr/value.ts';
import { type Accumulator, FIXED, PER_VALUE } from './accumulator.ts';

/**
 * The JSON aggregates receive each value as its JSON text: the planner wraps the value in
 * JSON_STRING, as Flink's WrapJsonAggFunctionArgumentsRule does. NULL stays NULL.
 */
const text = (value: Value): string => (value === null ? 'null' : (value as string));

/**
 * JSON_OBJECTAGG(KEY k VALUE v): an object of each key present with its value's JSON text; with
 * ABSENT ON NULL a NULL value leaves its key out. A key given twice fails, as in Flink. A
 * retraction removes its key. Keys are written in code-unit order (Flink's order is its state
 * backend's), so the text does not depend on the order changes arrived in.
 */
export function jsonObjectAgg(skipNulls: boolean, saved: unknown): Accumulator {
  const entries = new Map<string, string>((saved as [string, string][] | undefined) ?? []);
  let chars = 0;
  for (const [key, value] of entries) chars += key.length + value.length;
  return {
    add: (input) => {
      const [key, value] = input as [string, Value];
      if (entries.has(key)) {
        throw new EvaluationError(
          'JSON_OBJECTAGG_DUPLICATE_KEY',
          `Key '${key}' is already present. Duplicate keys are not allowed in JSON_OBJECTAGG. Please ensure that keys are unique.`,
        );
      }
      if (value === null && skipNulls) return;
      const json = text(value);
      entries.set(key, json);
      chars += key.length + json.length;
    },
    retract: (input) => {
      const [key, value] = input as [string, Value];
      const json = entries.get(key);
      if (json === undefined || json !== text(value)) return;
      entries.delete(key);
      chars -= key.length + json.length;
    },
    result: () =>
      `{${[...entries.keys()]
        .sort()
        .map((key) => `${JSON.stringify(key)}:${entries.get(key)}`)
        .join(',')}}`,
    save: () => [...entries],
    weight: () => FIXED + PER_VALUE * entries.size + 2 * chars,
  };
}

/**
 * JSON_ARRAYAGG(v): an array of the values' JSON texts in arrival order; with NULL ON NULL a NULL
 * is `null`, with ABSENT ON NULL (the default) it is left out. A retraction removes the earliest
 * copy of its value (Flink's JsonArrayAggFunction).
 */
export function jsonArrayAgg(skipNulls: boolean, saved: unknown): Accumulator {
  const items = [...((saved as readonly string[] | undefined) ?? [])];
  let chars = items.reduce((n, item) => n + item.length, 0);
  return {
    add: (value) => {
      if (value === null && skipNulls) return;
      const json = text(value);
      items.push(json);
      chars += json.length;
    },
    retract: (value) => {
      const at = items.indexOf(text(value));
      if (at < 0) return;
      chars -= (items[at] as string).length;
      items.splice(at, 1);
    },
    result: () => `[${items.join(',')}]`,
    save: () => items,
    weight: () => FIXED + (PER_VALUE / 2) * items.length + 2 * chars,
  };
}
