import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { CONNECTORS } from '../src/connectors/registry.ts';

const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(SRC, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(SRC, folder, file));
}

/** The modules a file imports, as paths relative to src/. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^;]*?from '(\.[^']+)';/gms)].map((match) =>
    relative(SRC, join(file, '..', match[1] as string)),
  );
}

/**
 * What each folder may import, lowest first (docs/architecture.md). `connectors` is the connector
 * interface (the files directly in connectors/); `connector` is any one connector's folder.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  common: [],
  types: ['common'],
  sql: ['common', 'types'],
  expr: ['common', 'types'],
  state: ['common', 'types', 'expr'],
  exec: ['common', 'types', 'expr', 'state'],
  log: ['common', 'types', 'expr'],
  'connectors/pg': ['common', 'types', 'expr'],
  'connectors/formats': ['common', 'types', 'expr', 'log', 'connectors'],
  connectors: ['common', 'types', 'sql', 'expr', 'exec', 'log', 'connectors/formats', 'connector'],
  connector: ['common', 'types', 'expr', 'state', 'exec', 'log', 'connectors', 'connectors/pg', 'connectors/formats'],
  udf: ['common', 'types', 'sql', 'expr', 'exec'],
  plan: ['common', 'types', 'sql', 'expr', 'exec', 'connectors', 'udf'],
  runtime: ['common', 'types', 'expr', 'state', 'exec', 'log', 'connectors', 'plan', 'udf'],
  server: ['common', 'types', 'state', 'log', 'connectors', 'plan', 'runtime'],
  embedded: ['common'],
  cli: ['common', 'types', 'sql', 'state', 'log', 'plan', 'runtime', 'server', 'embedded', 'udf'],
};

/** The part of the layering a file of src/ belongs to. */
function layer(path: string): string {
  const [folder, sub] = path.split('/');
  if (folder !== 'connectors' || path.split('/').length === 2) return folder as string;
  return sub === 'pg' || sub === 'formats' ? `connectors/${sub}` : 'connector';
}

describe('the folders of src/', () => {
  it('import only the folders below them', () => {
    const found: string[] = [];
    for (const folder of readdirSync(SRC)) {
      for (const file of sourceFiles(folder)) {
        const from = layer(relative(SRC, file));
        const allowed = MAY_IMPORT[from];
        assert.ok(allowed, `${relative(SRC, file)}: the folder ${from} has no place in the layering`);
        for (const target of imports(file)) {
          const to = layer(target);
          // Connectors' folders do not import each other, only the shared ones.
          const sameFolder =
            target.split('/').slice(0, 2).join('/') === relative(SRC, file).split('/').slice(0, 2).join('/');
          if (to !== from || (from === 'connector' && !sameFolder)) {
            if (!allowed.includes(to) || (from === 'connector' && to === 'connector'))
              found.push(`${relative(SRC, file)} imports ${target}`);
          }
        }
      }
    }
    assert.deepEqual(found, []);
  });
});

/** The folders that run jobs, plan them and serve them: they know connectors only through connectors/. */
const CONNECTOR_NEUTRAL = ['runtime', 'plan', 'server'];

describe('connectors build their own runtime parts', () => {
  it('runtime/, plan/ and server/ name no connector, not even in a comment', () => {
    const names = [...CONNECTORS.keys()];
    assert.ok(names.length >= 4, 'the registry lists the connectors');
    const found: string[] = [];
    for (const file of CONNECTOR_NEUTRAL.flatMap(sourceFiles)) {
      for (const [n, line] of readFileSync(file, 'utf8').split('\n').entries()) {
        for (const name of names) {
          if (new RegExp(`(?<![\\w-])${name.replace(/[-]/g, '\\-')}(?![\\w-])`).test(line)) {
            found.push(`${relative(SRC, file)}:${n + 1}: ${name}`);
          }
        }
      }
    }
    assert.deepEqual(found, []);
  });

  it('runtime/, plan/ and server/ import only the connector interfaces, never a connector of their own choosing', () => {
    const found: string[] = [];
    for (const file of CONNECTOR_NEUTRAL.flatMap(sourceFiles)) {
      for (const target of imports(file)) {
        // connectors/<file>.ts is the interface (factory, registry, options, readers and writers);
        // connectors/<folder>/ is one connector or format.
        if (target.startsWith('connectors/') && target.split('/').length > 2) {
          found.push(`${relative(SRC, file)} imports ${target}`);
        }
      }
    }
    assert.deepEqual(found, []);
  });

  it('every connector lives in a folder of its own, and the registry is the one place that names them', () => {
    for (const factory of CONNECTORS.values()) {
      assert.ok(factory.source || factory.sink || factory.lookup, `${factory.identifier} makes something`);
      if (factory.source) assert.equal(typeof factory.source.open, 'function', `${factory.identifier} opens a source`);
      if (factory.sink) assert.equal(typeof factory.sink.open, 'function', `${factory.identifier} opens a sink`);
    }
    const registry = imports(join(SRC, 'connectors', 'registry.ts')).filter((target) => target.split('/').length > 2);
    const folders = new Set(registry.map((target) => target.split('/')[1]));
    assert.deepEqual([...folders].sort(), [
      'blackhole',
      'datagen',
      'filesystem',
      'formats',
      'jdbc',
      'kafka',
      'postgres-cdc',
      'print',
    ]);
  });
});
