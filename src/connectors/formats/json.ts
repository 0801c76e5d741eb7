import { type OptionValue, opt } from '../options.ts';
import type { ResolvedOptions } from '../table.ts';
import type { FormatFactory } from './format.ts';
import {
  DEFAULT_JSON_OPTIONS,
  type JsonOptions,
  jsonColumnsProblem,
  jsonDecoder,
  jsonEncoder,
  jsonRoundTrip,
  jsonRowReuse,
  skippingUnreadable,
} from './json-format.ts';

/** The options the json format declares, as Flink names them (the changelog formats share some). */
export const JSON_FORMAT_OPTIONS = [
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
  opt.enumOf('map-null-key.mode', ['FAIL', 'DROP', 'LITERAL'], 'what a NULL key of a MAP becomes when written', {
    default: 'FAIL',
  }),
  opt.string('map-null-key.literal', 'the text of a null map key in LITERAL mode', { default: 'null' }),
  opt.boolean('encode.decimal-as-plain-number', 'write DECIMAL without scientific notation', { default: 'false' }),
  opt.boolean('encode.ignore-null-fields', 'leave out fields whose value is null', { default: 'false' }),
];

function mapNullKeyMode(mode: OptionValue | undefined): JsonOptions['mapNullKeyMode'] {
  return mode === 'DROP' || mode === 'LITERAL' ? mode : 'FAIL';
}

/**
 * The json options a table sets under `prefix` (`value.`, `key.` or none): `prefix` + `json.` +
 * option, or the same options of another JSON-based format (`debezium-json.`).
 */
export function jsonOptions(options: ResolvedOptions, prefix: string, identifier = 'json'): JsonOptions {
  const get = (key: string) => options.get(`${prefix}${identifier}.${key}`);
  const standard = get('timestamp-format.standard');
  return {
    timestampStandard: standard === 'ISO-8601' ? 'ISO-8601' : DEFAULT_JSON_OPTIONS.timestampStandard,
    failOnMissingField: get('fail-on-missing-field') === true,
    ignoreParseErrors: get('ignore-parse-errors') === true,
    decimalAsPlainNumber: get('encode.decimal-as-plain-number') === true,
    ignoreNullFields: get('encode.ignore-null-fields') === true,
    mapNullKeyMode: mapNullKeyMode(get('map-null-key.mode')),
    mapNullKeyLiteral: String(get('map-null-key.literal') ?? DEFAULT_JSON_OPTIONS.mapNullKeyLiteral),
    astralEscaped: true,
  };
}

/** Flink's `json` format: a row as a JSON object of its fields. */
export const jsonFormat: FormatFactory = {
  identifier: 'json',
  options: JSON_FORMAT_OPTIONS,
  validate(options, prefix, table) {
    const columnProblem = jsonColumnsProblem(table);
    if (columnProblem) return columnProblem;
    // Flink's JsonFormatFactory refuses the pair: a missing field could not both fail and be skipped.
    const failOnMissing = `${prefix}json.fail-on-missing-field`;
    if (options.get(failOnMissing) === true && options.get(`${prefix}json.ignore-parse-errors`) === true) {
      return {
        message: "fail-on-missing-field and ignore-parse-errors shouldn't both be true.",
        option: failOnMissing,
      };
    }
    return undefined;
  },
  codec(fields, tableOptions, prefix) {
    const options = jsonOptions(tableOptions, prefix);
    const roundTrip = jsonRoundTrip(fields, options);
    const reuse = jsonRowReuse(fields, options);
    return {
      encode: jsonEncoder(fields, options),
      decode: options.ignoreParseErrors
        ? skippingUnreadable(jsonDecoder(fields, options))
        : jsonDecoder(fields, options),
      written: (row) => (roundTrip?.keeps(row) ? { format: roundTrip.format, row } : undefined),
      reuse: (written) => reuse(written.format)?.(written.row),
    };
  },
};
