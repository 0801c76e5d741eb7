import { type OptionSpec, opt } from './options.ts';

/** Formats for connectors that carry bytes (kafka, upsert-kafka) and the options each declares. */
export const FORMATS: Readonly<Record<string, readonly OptionSpec[]>> = {
  json: [
    opt.boolean('fail-on-missing-field', 'fail when a field of the schema is missing from a record', {
      default: 'false',
    }),
    opt.boolean('ignore-parse-errors', 'skip records that are not valid JSON for the schema instead of failing', {
      default: 'false',
    }),
    opt.enumOf(
      'timestamp-format.standard',
      ['SQL', 'ISO-8601'],
      "how timestamps are written: '2025-07-11 17:25:55.145' or '2025-07-11T17:25:55.145'",
      { default: 'SQL' },
    ),
    opt.enumOf('map-null-key.mode', ['FAIL', 'DROP', 'LITERAL'], 'what to do with a null map key', { default: 'FAIL' }),
    opt.string('map-null-key.literal', 'the text of a null map key in LITERAL mode', { default: 'null' }),
    opt.boolean('encode.decimal-as-plain-number', 'write DECIMAL without scientific notation', { default: 'false' }),
    opt.boolean('encode.ignore-null-fields', 'leave out fields whose value is null', { default: 'false' }),
  ],
};
