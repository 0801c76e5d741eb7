/**
 * Records what Apache Flink 1.18.1 itself says about the rows or queries of a test data file, in
 * one JVM without a cluster, rewriting the file in place (review the diff); tests then hold
 * Rivulet to it without Flink:
 *
 *   npm run parity:json    the bytes flink-json's JsonRowDataSerializationSchema writes for the rows
 *                          of test/connectors/formats/flink-json-encoding.txt (JsonEncoding.java;
 *                          test/connectors/formats/json-flink-bytes.test.ts)
 *   npm run parity:plans   whether Flink's planner accepts the queries of
 *                          test/plan/flink-lookup-hints.txt (PlanVerdicts.java;
 *                          test/plan/flink-verdicts.test.ts)
 *
 * Needs Java 17 and Maven (scripts/flink/run.ts fetches Flink's jars once).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileJava, ensureFlink, flinkJvmOptions, TARGET } from './run.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const TEST = join(HERE, '../../test');

const RECORDERS: Readonly<Record<string, { main: string; sources: string[]; data: string }>> = {
  json: {
    main: 'JsonEncoding',
    sources: ['JsonEncoding.java', 'FixtureValues.java'],
    data: join(TEST, 'connectors/formats/flink-json-encoding.txt'),
  },
  plans: { main: 'PlanVerdicts', sources: ['PlanVerdicts.java'], data: join(TEST, 'plan/flink-lookup-hints.txt') },
};

const name = process.argv[2] ?? '';
const recorder = RECORDERS[name];
if (!recorder) throw new Error(`usage: record.ts ${Object.keys(RECORDERS).join('|')}`);
const classes = join(TARGET, `${name}-classes`);
const classpath = compileJava(
  recorder.sources.map((file) => join(HERE, file)),
  classes,
  join(classes, `${recorder.main}.class`),
  ensureFlink(),
);
const dir = mkdtempSync(join(tmpdir(), 'rivulet-record-'));
try {
  const logFile = join(dir, 'flink.log');
  execFileSync('java', [...flinkJvmOptions(dir, logFile), '-cp', classpath, recorder.main, recorder.data], {
    stdio: 'inherit',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`recorded Apache Flink 1.18.1's answers in ${recorder.data}\n`);
