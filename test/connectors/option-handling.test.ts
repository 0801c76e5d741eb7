/**
 * Every option of every connector and format, and every SET key Rivulet knows, with how it is
 * handled (src/connectors/options.ts, OptionHandling): each is used by the code, always met,
 * accepted with a warning, or rejected. This test checks each handling against what the code
 * does, and that docs/connectors.md shows the same table (UPDATE_GOLDEN=1 rewrites it).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FORMATS } from '../../src/connectors/formats/formats.ts';
import type { OptionSpec } from '../../src/connectors/options.ts';
import { CONNECTORS } from '../../src/connectors/registry.ts';
import { planScript } from '../../src/plan/planner.ts';
import { SETTINGS } from '../../src/plan/settings.ts';
import { failure, resolveTable } from '../helpers/resolve-table.ts';

const DOC = 'docs/connectors.md';
const START = '<!-- option table: written by test/connectors/option-handling.test.ts -->';
const END = '<!-- end of option table -->';

/** A table of each connector that resolves as it is, to which one option at a time is added. */
const BASE: Readonly<Record<string, string>> = {
  'postgres-cdc': `CREATE TABLE t (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (
    'connector' = 'postgres-cdc', 'hostname' = 'localhost', 'username' = 'u', 'password' = 'p',
    'database-name' = 'd', 'schema-name' = 's', 'table-name' = 't', 'slot.name' = 'slot'`,
  kafka: `CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json'`,
  'upsert-kafka': `CREATE TABLE t (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (
    'connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json'`,
  jdbc: `CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://h:5432/d', 'table-name' = 't'`,
  filesystem: `CREATE TABLE t (id BIGINT, name STRING) PARTITIONED BY (name) WITH (
    'connector' = 'filesystem', 'path' = '/tmp/t', 'format' = 'json'`,
  datagen: `CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'datagen'`,
  print: `CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'print'`,
  blackhole: `CREATE TABLE t (id BIGINT, name STRING) WITH ('connector' = 'blackhole'`,
};

/** Where the code of each connector, and of the formats and settings, is. */
const CODE: Readonly<Record<string, readonly string[]>> = {
  'postgres-cdc': ['src/connectors/postgres-cdc', 'src/connectors'],
  kafka: ['src/connectors/kafka', 'src/connectors'],
  'upsert-kafka': ['src/connectors/kafka', 'src/connectors'],
  jdbc: ['src/connectors/jdbc', 'src/connectors'],
  filesystem: ['src/connectors/filesystem', 'src/connectors'],
  datagen: ['src/connectors/datagen', 'src/connectors'],
  print: ['src/connectors/print', 'src/connectors'],
  blackhole: ['src/connectors/blackhole', 'src/connectors'],
  json: ['src/connectors/formats'],
  csv: ['src/connectors/formats'],
  raw: ['src/connectors/formats'],
  'debezium-json': ['src/connectors/formats'],
  'canal-json': ['src/connectors/formats'],
  SET: ['src/plan', 'src/runtime'],
};

function sources(dirs: readonly string[]): string {
  return dirs
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((file) => file.endsWith('.ts'))
        .map((file) => readFileSync(join(dir, file), 'utf8')),
    )
    .join('\n');
}

/** Whether the code reads `key` anywhere but where it is declared (an `opt.…('key'` call). */
function usedIn(code: string, key: string, prefix?: string): boolean {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const undeclared = code.replace(new RegExp(`opt\\.\\w+\\(\\s*'${escaped}'`, 'g'), '');
  const names = [key, ...(prefix && key.startsWith(prefix) ? [key.slice(prefix.length)] : [])];
  return names.some((name) => ["'", '"', '`'].some((q) => undeclared.includes(`${q}${name}${q}`)));
}

const resolve = resolveTable;

/** A value the option accepts that is not one of its `unless` values (those need no warning). */
function sampleValue(spec: OptionSpec): string {
  const handling = spec.handling;
  const quiet = handling.kind === 'warned' ? (handling.unless ?? []) : [];
  const refused = spec.refused?.values ?? [];
  switch (spec.type) {
    case 'enum':
      return (
        (handling.kind === 'met' && spec.default) ||
        (spec.values ?? []).find((v) => !quiet.includes(v) && !refused.includes(v)) ||
        ''
      );
    case 'int':
    case 'long':
      return quiet.includes('4') ? '5' : '4';
    case 'boolean':
      return quiet.includes('true') || refused.includes('true') ? 'false' : 'true';
    case 'duration':
      return '10s';
    case 'string':
      return 'x';
  }
}

interface Declared {
  /** The connector, the format (its options as a kafka table's `json.…`) or `SET`. */
  readonly owner: string;
  readonly spec: OptionSpec;
  /** The key as a table or SET gives it. */
  readonly key: string;
  /** A prefix option's prefix, for options read through it. */
  readonly prefix?: string;
}

const declared: Declared[] = [
  ...[...CONNECTORS.values()].flatMap((factory) =>
    factory.options.map((spec) => ({
      owner: factory.identifier,
      spec,
      key: spec.prefix ? `${spec.key}example` : spec.key,
      prefix: factory.options.find((p) => p.prefix && spec.key.startsWith(p.key) && spec.key !== p.key)?.key,
    })),
  ),
  ...[...FORMATS.values()].flatMap((format) =>
    format.options.map((spec) => ({ owner: format.identifier, spec, key: `${format.identifier}.${spec.key}` })),
  ),
  ...SETTINGS.map((spec) => ({ owner: 'SET', spec, key: spec.key })),
];

/** Resolves the option with `value` on its owner's table, or plans it as a SET; the warnings, or the error. */
function tryOption(entry: Declared, value: string): string[] {
  if (entry.owner === 'SET') {
    const script = planScript(
      't.sql',
      `${BASE.kafka}); CREATE TABLE o (id BIGINT, name STRING) WITH ('connector' = 'kafka', 'topic' = 'o', 'format' = 'json');
       SET '${entry.key}' = '${value}'; INSERT INTO o SELECT * FROM t;`,
      new Map(),
      {},
    );
    return [...(script.jobs[0]?.warnings ?? [])];
  }
  const base = BASE[entry.owner] ?? BASE.kafka;
  return [...resolve(`${base}, '${entry.key}' = '${value}')`).warnings];
}

function handlingText(spec: OptionSpec): string {
  switch (spec.handling.kind) {
    case 'used':
      return 'implemented';
    case 'met':
      return 'always met';
    case 'warned':
      return 'warning';
    case 'rejected':
      return 'rejected';
  }
}

function notes(spec: OptionSpec): string {
  const parts = [`${spec.description}.`];
  const handling = spec.handling;
  if (handling.kind === 'met') parts.push(`Always met: ${handling.why}.`);
  if (handling.kind === 'warned') {
    const unless = handling.unless?.map((v) => `'${v}'`).join(', ');
    parts.push(`One warning line per job${unless ? ` unless ${unless}` : ''}: ${handling.why}.`);
  }
  if (handling.kind === 'rejected') parts.push(`Rejected: ${handling.why}; ${handling.hint}.`);
  if (spec.refused) {
    const values = spec.refused.values.map((v) => `'${v}'`).join(', ');
    parts.push(`${values} rejected: ${spec.refused.why}.`);
  }
  return parts.join(' ').replaceAll('|', '\\|');
}

function renderTables(): string {
  const out: string[] = [];
  const owners = [...new Set(declared.map((entry) => entry.owner))];
  for (const owner of owners) {
    const title = owner === 'SET' ? '`SET` keys' : FORMATS.has(owner) ? `Format \`${owner}\`` : `\`${owner}\``;
    out.push(`### ${title}`, '', '| Option | Default | Handling | Notes |', '| --- | --- | --- | --- |');
    for (const { spec, key } of declared.filter((entry) => entry.owner === owner)) {
      const shown = spec.prefix
        ? `${spec.key}*`
        : owner === 'SET' || !FORMATS.has(owner)
          ? key
          : `[key.\\|value.]${key}`;
      out.push(`| \`${shown}\` | ${spec.default ?? ''} | ${handlingText(spec)} | ${notes(spec)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

describe('how every option of every connector and format, and every SET key, is handled', () => {
  for (const entry of declared) {
    const { spec, owner, key } = entry;
    it(`${owner} ${key}: ${handlingText(spec)}`, () => {
      switch (spec.handling.kind) {
        case 'used':
          assert.ok(
            usedIn(sources(CODE[owner] ?? []), spec.key, entry.prefix),
            `'${spec.key}' is declared as used, but no code of ${owner} reads it`,
          );
          break;
        case 'met':
          assert.deepEqual(tryOption(entry, sampleValue(spec)), [], 'accepted without a warning');
          break;
        case 'warned': {
          const warnings = tryOption(entry, sampleValue(spec));
          assert.equal(warnings.length, 1, `one warning line: ${warnings.join(' / ')}`);
          assert.match(warnings[0] as string, new RegExp(`'${key.replace(/[.*]/g, '\\$&')}' = .* has no effect: `));
          for (const quiet of spec.handling.unless ?? []) assert.deepEqual(tryOption(entry, quiet), [], quiet);
          break;
        }
        case 'rejected': {
          const error = failure(() => tryOption(entry, sampleValue(spec)));
          assert.equal(error.code, 'OPTION_NOT_SUPPORTED');
          assert.ok(error.message.includes(spec.handling.why), error.message);
          assert.equal(error.hint, spec.handling.hint);
          break;
        }
      }
      for (const value of spec.refused?.values ?? []) {
        assert.ok(spec.type !== 'enum' || spec.values?.includes(value), `refused '${value}' is one of its values`);
        const error = failure(() => tryOption(entry, value));
        assert.ok(['OPTION_NOT_SUPPORTED', 'SQL_INVALID_SETTING'].includes(error.code), error.code);
        assert.ok(error.message.includes(spec.refused?.why ?? ''), error.message);
      }
    });
  }

  it('warns of a SET key Rivulet does not know, once per job', () => {
    const warnings = tryOption(
      { owner: 'SET', key: 'table.exec.mini-batch.enabled', spec: SETTINGS[0] as OptionSpec },
      'true',
    );
    assert.deepEqual(warnings, [
      "SET 'table.exec.mini-batch.enabled' has no effect: it is not a setting Rivulet knows",
    ]);
  });

  it(`is what ${DOC} shows`, () => {
    const doc = readFileSync(DOC, 'utf8');
    const from = doc.indexOf(START);
    const to = doc.indexOf(END);
    assert.ok(from >= 0 && to > from, `${DOC} has the markers of the option table`);
    const updated = `${doc.slice(0, from + START.length)}\n\n${renderTables()}\n${doc.slice(to)}`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(DOC, updated);
    else assert.equal(doc, updated, `${DOC}: the option table differs (UPDATE_GOLDEN=1 rewrites it)`);
  });
});
