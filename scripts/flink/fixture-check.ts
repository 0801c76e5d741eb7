/**
 * The fixtures part of `npm run parity`: runs every operator-fixture case on Apache Flink 1.18.1
 * again (scripts/flink/fixture-oracle.ts) and checks that Flink still gives the recorded
 * `flink changes:` and `flink:` blocks (or still cannot run the case, for the same reason), then
 * runs the fixture test, which holds Rivulet's output to those blocks. Writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FixtureCase, type Item, renderCase } from '../../test/helpers/fixture-file.ts';
import { fixtureFiles, flinkRunners, readFixture, runOnFlink, withFlink } from './fixture-oracle.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE_TEST = 'test/exec/fixtures.test.ts';

export interface FixtureCheck {
  readonly cases: number;
  /** One line per case whose recorded blocks Flink no longer gives, `file:line: …`. */
  readonly flinkMismatches: string[];
  /** The fixture test's failures (Rivulet against the recorded blocks), `file:line: …`. */
  readonly rivuletFailures: string[];
  readonly flinkMs: number;
  readonly rivuletMs: number;
}

/**
 * The case as compared: the changes of each batch sorted (their order is not compared), and a
 * batch recorded as not deterministic taken as it was.
 */
function comparable(recorded: FixtureCase, now: FixtureCase): [FixtureCase, FixtureCase] {
  const before = recorded.items.filter((item) => item.kind === 'flink-changes');
  let batch = 0;
  const sort = (c: FixtureCase, keep: boolean): FixtureCase => {
    batch = 0;
    const items = c.items.map((item): Item => {
      if (item.kind !== 'flink-changes') return item;
      const old = before[batch++];
      if (keep && old?.kind === 'flink-changes' && old.undetermined !== undefined) return old;
      return { ...item, rows: [...item.rows].sort() };
    });
    return { ...c, items };
  };
  return [sort(recorded, false), sort(now, true)];
}

/**
 * Where Flink's blocks for the case now differ from the recorded ones: the case's text with the
 * new blocks against its text as written, from the first line that differs (its line in the file).
 */
function mismatch(path: string, recorded: FixtureCase, now: FixtureCase): string | undefined {
  const [was, is] = comparable(recorded, now);
  const before = renderCase(was);
  const after = renderCase(is);
  const at = before.findIndex((line, i) => line !== after[i]);
  const i = at === -1 ? before.length : at;
  if (at === -1 && before.length === after.length) return undefined;
  // Within a block, its first line: the changes were compared sorted, not in the file's order.
  let start = i;
  while (start > 0 && before[start]?.startsWith('  ')) start--;
  const line = recorded.line - recorded.leading.length + start;
  const old = before[i] ?? '(the end of the case)';
  const fresh = after[i] ?? '(the end of the case)';
  const block = start < i ? ` under '${before[start]}'` : '';
  return `${path}:${line}: case '${recorded.name}': Flink now gives '${fresh.trim()}' where the fixture says '${old.trim()}'${block}`;
}

/** Checks the named fixtures (base names; all when none), writing progress with `log`. */
export async function checkFixtures(names: readonly string[], log: (line: string) => void): Promise<FixtureCheck> {
  const files = fixtureFiles(names);
  const logFile = join(tmpdir(), `rivulet-fixtures-flink-${process.pid}.log`);
  let startedAt = performance.now();
  const runners = flinkRunners(logFile);
  const flinkMismatches: string[] = [];
  let cases = 0;
  try {
    for (const { file, path } of files) {
      const fixture = readFixture(path);
      let differing = 0;
      for (const c of fixture.cases) {
        const now = { ...c, items: withFlink(c, await runOnFlink(await runners.forFixture(fixture), fixture, c)) };
        const problem = mismatch(join('test/exec/fixtures', file), c, now);
        if (problem) {
          flinkMismatches.push(problem);
          differing++;
        }
        cases++;
      }
      log(`${file}: ${fixture.cases.length} cases${differing > 0 ? `, ${differing} no longer Flink's` : ''}`);
    }
  } finally {
    runners.stop();
  }
  const flinkMs = performance.now() - startedAt;
  log(
    `Flink: ${cases} cases of ${files.length} fixtures run in ${(flinkMs / 1000).toFixed(0)} s (logs: ${runners.logs().join(', ')})`,
  );

  startedAt = performance.now();
  const test = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', FIXTURE_TEST], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const rivuletMs = performance.now() - startedAt;
  const output = `${test.stdout}${test.stderr}`;
  const failures = [...new Set(output.match(/test\/exec\/fixtures\/[\w.-]+\.txt:\d+:[^\n]*/g) ?? [])];
  const rivuletFailures =
    test.status === 0 ? [] : failures.length > 0 ? failures : [`${FIXTURE_TEST} failed:\n${output.slice(-2000)}`];
  log(`${FIXTURE_TEST}: ${test.status === 0 ? 'passed' : 'failed'} in ${(rivuletMs / 1000).toFixed(0)} s`);
  return { cases, flinkMismatches, rivuletFailures, flinkMs, rivuletMs };
}
