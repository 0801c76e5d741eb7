import type { OptionSpec } from '../options.ts';
import { JSON_FORMAT_OPTIONS } from './json-options.ts';

/** Formats for connectors that carry bytes (kafka, upsert-kafka) and the options each declares. */
export const FORMATS: Readonly<Record<string, readonly OptionSpec[]>> = {
  json: JSON_FORMAT_OPTIONS,
};
