import { parseJsonWith } from '../../expr/json/json-parse.ts';

/**
 * A JSON parser that keeps numbers as their source text, for the records whose BIGINT or DECIMAL
 * values do not survive JSON.parse's doubles. Slower than JSON.parse; used only for those records.
 */
export type ExactJson =
  | null
  | boolean
  | string
  | { readonly number: string }
  | ExactJson[]
  | { [key: string]: ExactJson };

export function parseExactJson(text: string): ExactJson {
  return parseJsonWith<ExactJson>(text, {
    number: (source) => ({ number: source }),
    object(entries) {
      const out: { [key: string]: ExactJson } = {};
      for (const [key, value] of entries) out[key] = value;
      return out;
    },
  });
}
