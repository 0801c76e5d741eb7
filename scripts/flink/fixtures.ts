/**
 * Records the Flink oracle of the operator fixtures: runs every case of test/exec/fixtures/*.txt on
 * Apache Flink 1.18.1, or on the release its `flink version:` line names
 * (scripts/flink/fixture-oracle.ts), and writes, under each batch's output, the changes Flink emitted for the batch (`flink changes:`) and the table its output leaves
 * (`flink:`), which test/exec/fixtures.test.ts then holds Rivulet's to. Cases Flink cannot replay
 * get one `flink: not checked: <why>` line.
 *
 *   npm run parity:fixtures [-- FILE.txt…]     (all fixtures, or the named ones)
 *
 * Rewrites the fixtures in place: review the diff. `npm run parity` checks them without writing.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FixtureCase, renderFixture } from '../../test/helpers/fixture-file.ts';
import { fixtureFiles, flinkRunners, readFixture, runOnFlink, withFlink, withResultsLine } from './fixture-oracle.ts';

async function main(): Promise<void> {
  const files = fixtureFiles(process.argv.slice(2));
  const logFile = join(tmpdir(), `rivulet-fixtures-flink-${process.pid}.log`);
  const startedAt = performance.now();
  const runners = flinkRunners(logFile);
  let checked = 0;
  let skipped = 0;
  let refused = 0;
  try {
    for (const { file, path } of files) {
      const fixture = readFixture(path);
      const reasons: string[] = [];
      const cases: FixtureCase[] = [];
      for (const c of fixture.cases) {
        const result = await runOnFlink(await runners.forFixture(fixture), fixture, c);
        cases.push({ ...c, items: withFlink(c, result) });
        if (result.kind === 'recorded') {
          checked++;
          const last = result.steps[result.steps.length - 1];
          process.stdout.write(
            `${file}: ${c.name}: ${result.steps.length} steps, ${last?.table.length ?? 0} rows at the end\n`,
          );
        } else {
          reasons.push(result.reason);
          skipped++;
          if (result.refused) refused++;
          process.stdout.write(`${file}: ${c.name}: not checked: ${result.reason}\n`);
        }
      }
      writeFileSync(path, renderFixture(withResultsLine(fixture, cases, reasons), fixture.plan, cases));
    }
  } finally {
    runners.stop();
  }
  const seconds = (performance.now() - startedAt) / 1000;
  process.stdout.write(
    `${files.length} fixtures: ${checked} cases recorded from Flink, ${skipped} not checked (${refused} refused by Flink) in ${seconds.toFixed(0)} s; Flink's logs: ${runners.logs().join(', ')}\n`,
  );
}

await main();
