import type { Row, Value } from '../../expr/value.ts';
import type { RowField } from '../../types/data-type.ts';
import { opt } from '../options.ts';
import type { ResolvedOptions } from '../table.ts';
import { guarded, SHARED_JSON_OPTIONS, textField } from './changelog-json.ts';
import { type FormatChange, FormatError, type FormatFactory } from './format.ts';
import { jsonOptions } from './json.ts';
import { jsonColumnsProblem, jsonDecoder, jsonEncoder } from './json-format.ts';

const IDENTIFIER = 'canal-json';

function rowsField(name: string, fields: readonly RowField[]): RowField {
  return {
    name,
    type: { kind: 'ARRAY', element: { kind: 'ROW', fields, nullable: true }, nullable: true },
  };
}

/** Jackson's JsonNode.findValue: whether `name` is a field of any object within `json`, at any depth. */
function hasField(json: unknown, name: string): boolean {
  if (Array.isArray(json)) return json.some((item) => hasField(item, name));
  if (typeof json !== 'object' || json === null) return false;
  if (Object.hasOwn(json, name)) return true;
  return Object.values(json).some((value) => hasField(value, name));
}

/** A regular expression that must match all of a text, as Java's Matcher.matches. */
function wholeMatch(option: ResolvedOptions, key: string): RegExp | undefined {
  const pattern = option.get(key);
  return pattern === undefined ? undefined : new RegExp(`^(?:${String(pattern)})$`, 'u');
}

/**
 * Reads Canal's change events as Flink 1.18's canal-json does: INSERT inserts each row of `data`,
 * DELETE deletes each, UPDATE retracts each old row (-U) and adds its new one (+U): a field `old`
 * does not name is unchanged, so it is taken from the new row (Flink looks for the name anywhere in
 * `old`); CREATE (a DDL event) holds no change. database.include and table.include skip events of
 * other databases and tables.
 */
function canalDecoder(
  fields: readonly RowField[],
  options: ResolvedOptions,
  prefix: string,
  ignoreParseErrors: boolean,
  decodeEnvelope: (bytes: Uint8Array) => Row,
): (bytes: Uint8Array) => FormatChange[] {
  const database = wholeMatch(options, `${prefix}${IDENTIFIER}.database.include`);
  const table = wholeMatch(options, `${prefix}${IDENTIFIER}.table.include`);
  const names = fields.map((field) => field.name);
  return guarded<FormatChange>('Canal JSON', ignoreParseErrors, (bytes) => {
    if (bytes.byteLength === 0) return [];
    const [data, old, type, databaseName, tableName] = decodeEnvelope(bytes) as [
      Row[] | null,
      (Row | null)[] | null,
      string | null,
      string | null,
      string | null,
    ];
    if (database && !database.test(String(databaseName))) return [];
    if (table && !table.test(String(tableName))) return [];
    switch (type) {
      case 'INSERT':
      case 'DELETE': {
        if (data === null) throw new FormatError(`the "data" field of a ${type} message is null`);
        const kind = type === 'INSERT' ? '+I' : '-D';
        return data.map((row): FormatChange => ({ kind, row }));
      }
      case 'UPDATE': {
        if (data === null || old === null)
          throw new FormatError('the "data" or "old" field of an UPDATE message is null');
        const oldJson = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { old?: unknown }).old;
        const changes: FormatChange[] = [];
        data.forEach((after, i) => {
          const given = old[i];
          if (given === undefined || given === null) throw new FormatError(`"old" has no row ${i}`);
          const before: Value[] = names.map((name, f) =>
            given[f] === null && !hasField(oldJson, name) ? (after[f] ?? null) : (given[f] ?? null),
          );
          changes.push({ kind: '-U', row: before }, { kind: '+U', row: after });
        });
        return changes;
      }
      case 'CREATE':
        return [];
      default:
        if (ignoreParseErrors) return [];
        throw new FormatError(`Unknown "type" value "${type}". The Canal JSON message is '${Buffer.from(bytes)}'`);
    }
  });
}

/** Flink's `canal-json` format: Canal's change events, read as changes and written as INSERT and DELETE events. */
export const canalJsonFormat: FormatFactory = {
  identifier: IDENTIFIER,
  changelog: true,
  options: [
    ...SHARED_JSON_OPTIONS,
    opt.string('database.include', 'read only events of databases whose name this regular expression matches'),
    opt.string('table.include', 'read only events of tables whose name this regular expression matches'),
  ],
  validate(options, prefix, table) {
    for (const key of ['database.include', 'table.include']) {
      const option = `${prefix}${IDENTIFIER}.${key}`;
      const pattern = options.get(option);
      if (pattern === undefined) continue;
      try {
        new RegExp(String(pattern), 'u');
      } catch (error) {
        return {
          message: `'${option}' = '${String(pattern)}' is not a valid regular expression: ${(error as Error).message}`,
          option,
        };
      }
    }
    return jsonColumnsProblem(table);
  },
  codec(fields, tableOptions, prefix) {
    const options = jsonOptions(tableOptions, prefix, IDENTIFIER);
    const envelope = [
      rowsField('data', fields),
      rowsField('old', fields),
      textField('type'),
      textField('database'),
      textField('table'),
    ];
    const decodeEnvelope = jsonDecoder(envelope, { ...options, failOnMissingField: false });
    const decodeChanges = canalDecoder(fields, tableOptions, prefix, options.ignoreParseErrors, decodeEnvelope);
    // As Flink writes it: the row in `data`, with INSERT for +I and +U, DELETE for -U and -D; no `old`.
    const encode = jsonEncoder([rowsField('data', fields), textField('type')], { ...options, ignoreNullFields: false });
    const encodeChange = ({ kind, row }: FormatChange) =>
      encode([[row], kind === '+I' || kind === '+U' ? 'INSERT' : 'DELETE']);
    return {
      decodeChanges,
      encodeChange,
      decode: () => {
        throw new Error('canal-json records are changes: read them with decodeChanges');
      },
      encode: (row) => encodeChange({ kind: '+I', row }),
    };
  },
};
