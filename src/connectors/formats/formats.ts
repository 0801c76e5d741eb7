import type { FormatFactory } from './format.ts';
import { jsonFormat } from './json.ts';

/** Every format, by its identifier. */
export const FORMATS: ReadonlyMap<string, FormatFactory> = new Map(
  [jsonFormat].map((format) => [format.identifier, format]),
);
