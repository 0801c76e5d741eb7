import type { Value } from '../expr/value.ts';
import { type Accumulator, FIXED, PER_VALUE, ValueCounts } from './accumulator.ts';

/**
 * COLLECT: the multiset of the non-null values still present, each with its multiplicity (a Map
 * of element to count, as MULTISET values are). Never NULL: no values give the empty multiset, as
 * Flink's CollectAggFunction does. A retraction of a value not present is ignored.
 */
export function collect(saved: unknown): Accumulator {
  const values = new ValueCounts(saved);
  return {
    add: (v) => {
      if (v !== null) values.add(v);
    },
    retract: (v) => {
      if (v !== null) values.remove(v);
    },
    result: () => new Map([...values.values()].map(({ value, count }) => [value, count])),
    save: () => values.save(),
    weight: () => FIXED + PER_VALUE * values.size,
  };
}

/**
 * LISTAGG(value [, separator]): the non-null values still present, in arrival order, joined by the
 * separator (',' by default; the separator of the latest row that added or took back a value, as
 * Flink's ListAggWsWithRetractAggFunction keeps it; a NULL separator gives NULL). A retraction
 * removes the earliest copy of its value. NULL when no value is present.
 */
export function listAgg(withSeparator: boolean, saved: unknown): Accumulator {
  const [savedValues, savedSeparator] = (saved as [readonly string[], string | null] | undefined) ?? [[], ','];
  const values = [...savedValues];
  let separator = savedSeparator;
  const split = (input: Value): [string | null, string | null] => {
    if (!withSeparator) return [input as string | null, separator];
    const [value, sep] = input as readonly Value[];
    return [(value ?? null) as string | null, (sep ?? null) as string | null];
  };
  let chars = values.reduce((n, value) => n + value.length, 0);
  return {
    add: (input) => {
      const [value, sep] = split(input);
      if (value === null) return;
      separator = sep;
      values.push(value);
      chars += value.length;
    },
    retract: (input) => {
      const [value, sep] = split(input);
      if (value === null) return;
      separator = sep;
      const at = values.indexOf(value);
      if (at < 0) return;
      values.splice(at, 1);
      chars -= value.length;
    },
    result: () => (values.length === 0 || separator === null ? null : values.join(separator)),
    save: () => [values, separator],
    weight: () => FIXED + (PER_VALUE / 2) * values.length + 2 * chars,
  };
}
