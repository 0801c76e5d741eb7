import { canalJsonFormat } from './canal-json.ts';
import { csvFormat } from './csv.ts';
import { debeziumJsonFormat } from './debezium-json.ts';
import type { FormatFactory } from './format.ts';
import { jsonFormat } from './json.ts';
import { rawFormat } from './raw.ts';

/** Every format, by its identifier. */
export const FORMATS: ReadonlyMap<string, FormatFactory> = new Map(
  [jsonFormat, csvFormat, rawFormat, debeziumJsonFormat, canalJsonFormat].map((format) => [format.identifier, format]),
);
