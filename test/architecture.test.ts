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
    assert.deepEqual([...folders].sort(), ['formats', 'jdbc', 'kafka', 'postgres-cdc']);
  });
});
