/**
 * Rivulet's json format writes the bytes Apache Flink 1.18.1's json format writes, for the rows of
 * flink-json-encoding.txt beside this file: ARRAY, MAP, ROW and MULTISET columns, nested, with
 * NULLs, empty collections, time types, numbers and the format's options. The expected bytes (its
 * `json:` lines) and refusals (`error:`) were written by Flink's own JsonRowDataSerializationSchema
 * (`npm run parity:json`); Rivulet must write the same bytes and read them back as the row. This
 * test does not start Flink.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DEFAULT_JSON_OPTIONS,
  type JsonOptions,
  jsonDecoder,
  jsonEncoder,
  jsonTypeProblem,
} from '../../../src/connectors/formats/json-format.ts';
import type { EvalEnv } from '../../../src/expr/eval-env.ts';
import { Cursor } from '../../../src/sql/cursor.ts';
import { parseDataType } from '../../../src/sql/parse-type.ts';
import { SqlSource } from '../../../src/sql/source.ts';
import type { RowField } from '../../../src/types/data-type.ts';
import { resolveTimeZone } from '../../../src/types/temporal.ts';
import { splitValues } from '../../helpers/fixture-file.ts';
import { literalValue } from '../../helpers/fixture-values.ts';

const FILE = join(import.meta.dirname, 'flink-json-encoding.txt');
const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };

interface Case {
  readonly line: number;
  readonly schema: string;
  readonly options: JsonOptions;
  readonly row: string;
  /** Flink's bytes as UTF-8, or its error. */
  readonly expected: { readonly json: string } | { readonly error: string };
}

function jsonOptions(text: string): JsonOptions {
  const options = new Map(
    text.split(',').map((pair) => {
      const [key = '', value = ''] = pair.split('=');
      return [key.trim(), value.trim()];
    }),
  );
  const mode = options.get('map-null-key.mode');
  return {
    ...DEFAULT_JSON_OPTIONS,
    timestampStandard: options.get('timestamp-format.standard') === 'ISO-8601' ? 'ISO-8601' : 'SQL',
    decimalAsPlainNumber: options.get('encode.decimal-as-plain-number') === 'true',
    mapNullKeyMode: mode === 'DROP' || mode === 'LITERAL' ? mode : 'FAIL',
    mapNullKeyLiteral: options.get('map-null-key.literal') ?? DEFAULT_JSON_OPTIONS.mapNullKeyLiteral,
  };
}

function readCases(): Case[] {
  const lines = readFileSync(FILE, 'utf8').split('\n');
  assert.ok(
    lines.some((line) => line.startsWith('# recorded: Apache Flink 1.18.1')),
    `${FILE} has no '# recorded: Apache Flink 1.18.1' line: run npm run parity:json`,
  );
  const cases: Case[] = [];
  let schema = '';
  let options = DEFAULT_JSON_OPTIONS;
  lines.forEach((line, i) => {
    const rest = line.slice(line.indexOf(':') + 1).trim();
    if (line.startsWith('schema:')) {
      schema = rest;
      options = DEFAULT_JSON_OPTIONS;
    } else if (line.startsWith('options:')) options = jsonOptions(rest);
    else if (line.startsWith('row:')) {
      const next = lines[i + 1] ?? '';
      const value = next.slice(next.indexOf(':') + 1).trim();
      const expected = next.startsWith('json:')
        ? { json: value }
        : next.startsWith('error:')
          ? { error: value }
          : assert.fail(`${FILE}:${i + 1}: the row has no json: or error: line under it (npm run parity:json)`);
      cases.push({ line: i + 1, schema, options, row: rest, expected });
    }
  });
  return cases;
}

function rowFields(schema: string): RowField[] {
  const type = parseDataType(new Cursor(new SqlSource(FILE, schema)));
  assert.equal(type.kind, 'ROW', `a schema is a ROW<...>: ${schema}`);
  return type.kind === 'ROW' ? [...type.fields] : [];
}

describe("Rivulet's json format against the bytes Flink 1.18.1's json format wrote", () => {
  for (const c of readCases()) {
    it(`${FILE.split('/').pop()}:${c.line}: ${c.row.slice(0, 70)}`, () => {
      const fields = rowFields(c.schema);
      const problem = fields.map((field) => jsonTypeProblem(field.type)).find((p) => p !== undefined);
      if ('json' in c.expected) {
        assert.equal(problem, undefined);
        const texts = splitValues(c.row);
        assert.equal(texts.length, fields.length, 'a value for each field');
        const row = fields.map((field, i) => literalValue(texts[i] as string, field.type, env));
        assert.equal(jsonEncoder(fields, c.options)(row).toString('utf8'), c.expected.json);
        // And reads Flink's bytes back as the row, where the options keep every value.
        if (c.options.mapNullKeyMode === 'FAIL')
          assert.deepEqual(jsonDecoder(fields, c.options)(Buffer.from(c.expected.json)), row);
        return;
      }
      const { error } = c.expected;
      // Refused for its type, with Flink's words, or for the row.
      if (problem !== undefined) return assert.equal(problem, error);
      const row = splitValues(c.row).map((text, i) => literalValue(text, (fields[i] as RowField).type, env));
      assert.throws(
        () => jsonEncoder(fields, c.options)(row),
        (thrown: Error) => error.startsWith(thrown.message),
      );
    });
  }
});
