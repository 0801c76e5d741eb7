/**
 * The values of the fixtures' SQL literals ('text', 12.50, 2025-07-11 10:00:00, NULL, ARRAY['a'],
 * ARRAY[], MAP['k', 1], MULTISET['a', 'a'], ROW(1, 'x')) as Rivulet's values of a column type: a
 * scalar is CAST(text AS type), NULL and CAST(NULL AS type) are NULL, a collection is read element by element, as the Flink harness reads
 * them (scripts/flink/FixtureValues.java).
 */
import { compileCast } from '../../src/expr/cast.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import type { Value } from '../../src/expr/value.ts';
import { type DataType, T } from '../../src/types/data-type.ts';
import { splitValues } from './fixture-file.ts';

export function literalValue(token: string, type: DataType, env: EvalEnv): Value {
  const text = token.trim();
  if (/^null$/i.test(text) || /^CAST\(NULL /i.test(text)) return null;
  switch (type.kind) {
    case 'ARRAY':
      return items(text, 'ARRAY[', ']').map((item) => literalValue(item, type.element, env));
    case 'MULTISET': {
      const counts = new Map<Value, Value>();
      for (const item of items(text, 'MULTISET[', ']')) {
        const element = literalValue(item, type.element, env);
        counts.set(element, ((counts.get(element) as number | undefined) ?? 0) + 1);
      }
      return counts;
    }
    case 'MAP': {
      const flat = items(text, 'MAP[', ']');
      const map = new Map<Value, Value>();
      for (let i = 0; i + 1 < flat.length; i += 2)
        map.set(literalValue(flat[i] as string, type.key, env), literalValue(flat[i + 1] as string, type.value, env));
      return map;
    }
    case 'ROW': {
      const fields = items(text, 'ROW(', ')');
      if (fields.length !== type.fields.length)
        throw new Error(`${fields.length} values for the ${type.fields.length} fields of a ROW: ${text}`);
      return type.fields.map((field, i) => literalValue(fields[i] as string, field.type, env));
    }
    default: {
      const literal = /^'(.*)'$/s.exec(text);
      return compileCast(T.string(), type, env, false)(literal ? (literal[1] as string).replace(/''/g, "'") : text);
    }
  }
}

function items(text: string, open: string, close: string): string[] {
  if (!text.toUpperCase().startsWith(open) || !text.endsWith(close))
    throw new Error(`expected ${open}...${close}, got ${text}`);
  return splitValues(text.slice(open.length, -close.length));
}
