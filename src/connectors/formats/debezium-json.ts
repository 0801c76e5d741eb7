import type { Row } from '../../expr/value.ts';
import { opt } from '../options.ts';
import { envelopeField, guarded, SHARED_JSON_OPTIONS, textField } from './changelog-json.ts';
import { type FormatChange, FormatError, type FormatFactory } from './format.ts';
import { jsonOptions } from './json.ts';
import { jsonColumnsProblem, jsonDecoder, jsonEncoder } from './json-format.ts';

const IDENTIFIER = 'debezium-json';
const SCHEMA_INCLUDE = 'schema-include';

/** Flink's message for an update or delete without its old row (a Postgres table's REPLICA IDENTITY DEFAULT). */
function noBefore(op: string): FormatError {
  return new FormatError(
    `The "before" field of ${op} message is null, if you are using Debezium Postgres Connector, please check the Postgres table has been set REPLICA IDENTITY to FULL level.`,
  );
}

/**
 * Reads Debezium's change events as Flink 1.18's debezium-json does: 'c' and 'r' insert `after`,
 * 'u' retracts `before` (-U) and adds `after` (+U), 'd' deletes `before`; an empty record (a
 * tombstone) holds no change. With schema-include the event is the `payload` of a
 * {schema, payload} envelope. Other fields (source, ts_ms…) are not read.
 */
function debeziumDecoder(
  schemaInclude: boolean,
  ignoreParseErrors: boolean,
  decodeEnvelope: (bytes: Uint8Array) => Row,
): (bytes: Uint8Array) => FormatChange[] {
  return guarded<FormatChange>('Debezium JSON', ignoreParseErrors, (bytes) => {
    if (bytes.byteLength === 0) return [];
    const root = decodeEnvelope(bytes);
    const payload = (schemaInclude ? root[0] : root) as Row | null;
    if (payload === null) throw new FormatError(`no "payload" field`);
    const [before, after, op] = payload as [Row | null, Row | null, string | null];
    switch (op) {
      case 'c':
      case 'r':
        if (after === null) throw new FormatError(`the "after" field of an "op" "${op}" message is null`);
        return [{ kind: '+I', row: after }];
      case 'u':
        if (before === null) throw noBefore('UPDATE');
        if (after === null) throw new FormatError('the "after" field of an UPDATE message is null');
        return [
          { kind: '-U', row: before },
          { kind: '+U', row: after },
        ];
      case 'd':
        if (before === null) throw noBefore('DELETE');
        return [{ kind: '-D', row: before }];
      default:
        if (ignoreParseErrors) return [];
        throw new FormatError(`Unknown "op" value "${op}". The Debezium JSON message is '${Buffer.from(bytes)}'`);
    }
  });
}

/** Flink's `debezium-json` format: Debezium's change events, read as changes and written as 'c' and 'd' events. */
export const debeziumJsonFormat: FormatFactory = {
  identifier: IDENTIFIER,
  changelog: true,
  options: [
    opt.boolean(
      SCHEMA_INCLUDE,
      "whether each record is a {schema, payload} envelope (Kafka Connect's value.converter.schemas.enable); read only",
      { default: 'false' },
    ),
    ...SHARED_JSON_OPTIONS,
  ],
  validate: (_options, _prefix, table) => jsonColumnsProblem(table),
  writeProblem(options, prefix) {
    const option = `${prefix}${IDENTIFIER}.${SCHEMA_INCLUDE}`;
    if (options.get(option) !== true) return undefined;
    return {
      message: `Debezium JSON serialization doesn't support '${IDENTIFIER}.schema-include' option been set to true.`,
      option,
    };
  },
  codec(fields, tableOptions, prefix) {
    const options = jsonOptions(tableOptions, prefix, IDENTIFIER);
    const schemaInclude = tableOptions.get(`${prefix}${IDENTIFIER}.${SCHEMA_INCLUDE}`) === true;
    const payload = [envelopeField('before', fields), envelopeField('after', fields), textField('op')];
    const envelope = schemaInclude ? [envelopeField('payload', payload)] : payload;
    // As Flink: a field missing from the event reads as null; ignore-parse-errors also nulls values that do not fit.
    const decodeEnvelope = jsonDecoder(envelope, { ...options, failOnMissingField: false });
    const decodeChanges = debeziumDecoder(schemaInclude, options.ignoreParseErrors, decodeEnvelope);
    const encode = jsonEncoder(payload, { ...options, ignoreNullFields: false });
    const encodeChange = ({ kind, row }: FormatChange) =>
      kind === '+I' || kind === '+U' ? encode([null, row, 'c']) : encode([row, null, 'd']);
    return {
      decodeChanges,
      encodeChange,
      decode: () => {
        throw new Error('debezium-json records are changes: read them with decodeChanges');
      },
      encode: (row) => encodeChange({ kind: '+I', row }),
    };
  },
};
