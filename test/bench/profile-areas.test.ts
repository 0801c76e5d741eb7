import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { areaOfUrl, type CpuProfile, NO_CALLER, profileAreas } from '../../bench/profile-areas.ts';

const ROOT = 'file:///repo/';

describe('areaOfUrl', () => {
  it('names the folder of src/, two levels deep under connectors and log', () => {
    assert.equal(areaOfUrl('file:///repo/src/exec/join.ts', ROOT), 'src/exec');
    assert.equal(areaOfUrl('file:///repo/src/runtime/workers/pool.ts', ROOT), 'src/runtime');
    assert.equal(areaOfUrl('file:///repo/src/connectors/jdbc/sink.ts', ROOT), 'src/connectors/jdbc');
    assert.equal(areaOfUrl('file:///repo/src/connectors/registry.ts', ROOT), 'src/connectors');
    assert.equal(areaOfUrl('file:///repo/src/log/postgres/postgres-log.ts?tsx=1', ROOT), 'src/log/postgres');
    assert.equal(areaOfUrl('file:///repo/src/log/log.ts', ROOT), 'src/log');
    assert.equal(areaOfUrl('file:///repo/src/index.ts', ROOT), 'src');
  });

  it('names the package of node_modules, the innermost when nested, with its scope', () => {
    assert.equal(areaOfUrl('file:///repo/node_modules/pg/lib/client.js', ROOT), 'node_modules/pg');
    assert.equal(
      areaOfUrl('file:///elsewhere/node_modules/pg/node_modules/pg-protocol/dist/parser.js', ROOT),
      'node_modules/pg-protocol',
    );
    assert.equal(
      areaOfUrl('file:///repo/node_modules/@platformatic/kafka/dist/a.js', ROOT),
      'node_modules/@platformatic/kafka',
    );
  });

  it("names node's internals, other folders of the repository, and the rest", () => {
    assert.equal(areaOfUrl('node:internal/streams/readable', ROOT), 'node internals');
    assert.equal(areaOfUrl('file:///repo/bench/pipeline.ts', ROOT), 'bench');
    assert.equal(areaOfUrl('file:///repo/setup.js', ROOT), 'other JavaScript');
    assert.equal(areaOfUrl('file:///elsewhere/a.js', ROOT), 'other JavaScript');
  });
});

/** A profile of 100 ms written by hand in V8's format: each sample lasts until the next one. */
const frame = (functionName: string, url = '') => ({ functionName, url });
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5, 10] },
    { id: 2, callFrame: frame('(program)') },
    { id: 3, callFrame: frame('(idle)') },
    { id: 4, callFrame: frame('(garbage collector)') },
    { id: 5, callFrame: frame('processTicksAndRejections', 'node:internal/process/task_queues'), children: [6] },
    { id: 6, callFrame: frame('decode', 'file:///repo/src/connectors/postgres-cdc/pgoutput.ts'), children: [7, 8, 11] },
    // JSON.parse, and a built-in it calls: both without a script, so the decoder's time.
    { id: 7, callFrame: frame('parse'), children: [15] },
    { id: 15, callFrame: frame('InternalizeJSONProperty') },
    { id: 8, callFrame: frame('query', 'file:///repo/node_modules/pg/lib/client.js'), children: [9] },
    { id: 9, callFrame: frame('parseMessage', 'file:///repo/node_modules/pg-protocol/dist/parser.js') },
    // A built-in right under the root: no JavaScript called it.
    { id: 10, callFrame: frame('push') },
    { id: 11, callFrame: frame('run', 'file:///repo/src/exec/operator.ts') },
  ],
  startTime: 1_000_000,
  endTime: 1_100_000,
  samples: [2, 6, 15, 9, 3, 4, 10, 5, 11],
  // Times of the samples: 1,000,000 1,010,000 1,030,000 1,035,000 1,050,000 1,080,000 1,085,000 1,090,000 1,094,000.
  timeDeltas: [0, 10_000, 20_000, 5_000, 15_000, 30_000, 5_000, 5_000, 4_000],
};

describe('profileAreas', () => {
  it('sums each sample until the next one by the area of its frame, built-ins in their caller’s', () => {
    const { seconds, areas } = profileAreas(PROFILE, ROOT);
    assert.equal(Math.round(seconds * 1e6), 100_000);
    // (program) 10 ms; decode 20 ms + the built-in under JSON.parse 5 ms; pg-protocol 15 ms; idle 30 ms;
    // GC 5 ms; push 5 ms; node internals 4 ms; the operator, last sample, until endTime: 6 ms.
    assert.deepEqual(
      areas.map(({ area, seconds: s }) => [area, Math.round(s * 1e6) / 1000]),
      [
        ['idle (event loop poll: waiting, and its native I/O)', 30],
        ['src/connectors/postgres-cdc', 25],
        ['node_modules/pg-protocol', 15],
        ['program (V8 and Node outside JavaScript)', 10],
        ['src/exec', 6],
        ['GC', 5],
        [NO_CALLER, 5],
        ['node internals', 4],
      ],
    );
  });
});
