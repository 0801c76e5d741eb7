import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { dashboardBenchmarks } from './dashboard.ts';
import { flinkBenchmarks } from './flink.ts';
import { formatBenchmarks } from './formats.ts';
import { type Measurement, report } from './harness.ts';
import { kafkaLogBenchmarks, postgresLogBenchmarks } from './log.ts';
import { operatorBenchmarks } from './operators.ts';
import { fullPipelineBenchmarks } from './pipeline.ts';
import { sqlBenchmarks } from './sql.ts';
import { statefulOperatorBenchmarks } from './stateful-operators.ts';
import { udfBenchmarks } from './udf.ts';
import { workerBenchmarks } from './workers.ts';

/**
 * `--workers N` (repeatable): the pool sizes the pipeline group compares (default 1 and 2);
 * `--profile DIR`: a CPU profile of each of the engine's threads during each sustained run of the
 * pipeline group, written into DIR (created if need be) and summed by code area;
 * `--rounds N`: the pipeline group runs its worker counts N times, alternating, and gives medians.
 */
const args = process.argv.slice(2);
const workerCounts: number[] = [];
let profileDir: string | undefined;
let rounds = 1;
const OPTIONS = '--workers N (repeatable), --profile DIR, --rounds N';

function refuse(code: string, message: string, hint: string): never {
  process.stderr.write(`error[${code}]: ${message}\n  hint: ${hint}\n`);
  process.exit(1);
}

for (let i = 0; i < args.length; ) {
  const option = args[i] as string;
  if (!option.startsWith('-')) {
    i++;
    continue;
  }
  const value = args[i + 1];
  if (option === '--workers') {
    const count = Number(value);
    if (!Number.isInteger(count) || count < 1) {
      refuse('BENCH_OPTION', `--workers must be a whole number above 0, got '${value ?? ''}'`, 'e.g. --workers 2');
    }
    workerCounts.push(count);
  } else if (option === '--rounds') {
    rounds = Number(value);
    if (!Number.isInteger(rounds) || rounds < 1) {
      refuse('BENCH_OPTION', `--rounds must be a whole number above 0, got '${value ?? ''}'`, 'e.g. --rounds 3');
    }
  } else if (option === '--profile') {
    if (profileDir !== undefined) refuse('BENCH_OPTION', '--profile is given twice', 'give one directory');
    profileDir = profileDirectory(value);
  } else {
    refuse('BENCH_OPTION', `unknown option ${option}`, `the options are ${OPTIONS}`);
  }
  args.splice(i, 2);
}

/** DIR of --profile, created if it does not exist; refused when it is no writable directory. */
function profileDirectory(dir: string | undefined): string {
  if (!dir || dir.startsWith('-')) {
    refuse('BENCH_OPTION', '--profile needs a directory', 'e.g. npm run bench -- pipeline --profile /tmp/profiles');
  }
  const path = resolve(dir);
  try {
    makeDirectory(path);
    if (!statSync(path).isDirectory()) throw new Error('it is not a directory');
    accessSync(path, constants.W_OK);
  } catch (error) {
    refuse(
      'BENCH_PROFILE_DIR',
      `--profile ${dir}: cannot write profiles into ${path} (${(error as Error).message})`,
      'name a directory this user may write to, or one that can be created',
    );
  }
  return path;
}

/** mkdir -p, one level at a time: Node's recursive mkdir never returns where mkdir fails with ENOENT (under /proc). */
function makeDirectory(path: string): void {
  if (existsSync(path)) return;
  makeDirectory(dirname(path));
  mkdirSync(path);
}

const GROUPS: Record<string, () => Promise<Measurement[]> | Measurement[]> = {
  sql: sqlBenchmarks,
  operators: operatorBenchmarks,
  stateful: statefulOperatorBenchmarks,
  formats: formatBenchmarks,
  'postgres-log': postgresLogBenchmarks,
  'kafka-log': kafkaLogBenchmarks,
  pipeline: () =>
    fullPipelineBenchmarks(workerCounts.length > 0 ? workerCounts : [1, 2], profileDir ? { profileDir } : {}, rounds),
  udf: udfBenchmarks,
  dashboard: dashboardBenchmarks,
  workers: workerBenchmarks,
  flink: flinkBenchmarks,
};

/**
 * The groups that run only when named: flink starts Apache Flink and Kafka brokers (Java and Maven
 * needed) and takes several minutes.
 */
const ON_REQUEST = new Set(['flink']);

/**
 * Every benchmark of the project in one table; `npm run bench -- pipeline sql` runs only those
 * groups, `npm run bench -- pipeline --workers 1 --workers 2` the pipeline with those pool sizes,
 * `npm run bench -- pipeline --profile DIR` with CPU profiles of the engine's threads.
 */
const chosen = args;
const unknown = chosen.filter((name) => !(name in GROUPS));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark group ${unknown.join(', ')}; the groups are: ${Object.keys(GROUPS).join(', ')}\n`,
  );
  process.exit(1);
}
if (rounds > 1 && chosen.length > 0 && !chosen.includes('pipeline')) {
  refuse('BENCH_OPTION', '--rounds repeats the pipeline group, which is not among those chosen', 'add pipeline');
}
if (profileDir !== undefined && chosen.length > 0 && !chosen.includes('pipeline')) {
  refuse('BENCH_OPTION', '--profile profiles the pipeline group, which is not among those chosen', 'add pipeline');
}
const measurements: Measurement[] = [];
for (const [name, run] of Object.entries(GROUPS)) {
  if (chosen.includes(name) || (chosen.length === 0 && !ON_REQUEST.has(name))) measurements.push(...(await run()));
}
report(measurements);
