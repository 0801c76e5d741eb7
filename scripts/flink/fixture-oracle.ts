/**
 * Apache Flink 1.18.1 (or the release a fixture's `flink version:` line names) as the oracle of the operator fixtures (test/exec/fixtures/*.txt): runs a
 * fixture's cases on a MiniCluster in one JVM (scripts/flink/FixtureRunner.java, one job per case)
 * and turns Flink's output into the case's `flink changes:` and `flink:` blocks, one pair per batch.
 * Used by `npm run parity:fixtures` (scripts/flink/fixtures.ts), which writes them, and by `npm run
 * parity` (scripts/flink/parity.ts), which checks that Flink still gives the recorded ones.
 *
 * Needs Java 17 and Maven (scripts/flink/run.ts fetches Flink's jars once).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RivuletError } from '../../src/common/errors.ts';
import { parseDuration } from '../../src/connectors/options.ts';
import { substituteVariables } from '../../src/sql/substitute.ts';
import {
  CHANGE,
  CLOCK_START_MILLIS,
  type Fixture,
  type FixtureCase,
  type Item,
  isStep,
  materialize,
  parseFixture,
  splitValues,
  VARIABLES,
} from '../../test/helpers/fixture-file.ts';
import { interleavedTables } from './interleaved-tables.ts';
import { compileJava, FLINK_VERSION, flinkClasspath, flinkJvmOptions, TARGET } from './run.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '../../test/exec/fixtures');
/**
 * The runner (with FlinkScriptRunner, whose statement splitting it shares), and the processing-time
 * clock that stands in for Flink's (clock/, first on the classpath).
 */
const SOURCES = [
  'FlinkScriptRunner.java',
  'FixtureConnector.java',
  'FixtureRunner.java',
  'FixtureValues.java',
  'clock/FixtureClock.java',
  'clock/SystemProcessingTimeService.java',
  'clock/TtlTimeProvider.java',
].map((file) => join(HERE, file));
/** The Flink release a fixture is recorded on, as its results line and messages name it. */
export function flinkOf(fixture: Fixture): string {
  return `Apache Flink ${fixture.flinkVersion ?? FLINK_VERSION}`;
}
const RESULTS = '# expected results:';

/** The connector a fixture table stands for, as the `fixture` connector's mode. */
const MODES: Readonly<Record<string, string>> = {
  'postgres-cdc': 'cdc',
  'upsert-kafka': 'upsert',
  kafka: 'append',
};

/**
 * The table-hint options that change what a fixture table stands for, as the `fixture` connector's
 * mode: postgres-cdc's `changelog-mode` (Flink CDC: 'upsert' makes the scan an upsert source).
 */
const HINT_MODES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'changelog-mode': { all: 'cdc', upsert: 'upsert' },
};

/**
 * Functions whose value is the wall clock, which the fixtures fix and a Flink job cannot: Flink's
 * generated code calls System.currentTimeMillis() for them, not the task's timer service.
 */
const WALL_CLOCK = /\b(CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME|LOCALTIMESTAMP|LOCALTIME|NOW\s*\()/i;

/**
 * The wall-clock functions Flink is given the fixtures' fixed clock for: CURRENT_TIMESTAMP and NOW()
 * (both TIMESTAMP_LTZ(3)) become the constant TO_TIMESTAMP_LTZ(start, 3), which is what Rivulet's
 * fixture test gives them while no `clock:` line has moved the clock.
 */
const FIXED_CLOCK = /\bCURRENT_TIMESTAMP\b(?!\s*\()|\bNOW\s*\(\s*\)/gi;

/**
 * Compiles the runner and the connector (with its service file) against a Flink version's jars,
 * into a folder named by a hash of their sources and the version, so that checkouts sharing
 * scripts/flink/target (git worktrees) never run one another's; returns the classpath.
 */
function compileRunner(version: string): string {
  const hash = createHash('sha256').update(version);
  for (const file of SOURCES) hash.update(readFileSync(file));
  const classes = join(TARGET, `fixture-classes-${hash.digest('hex').slice(0, 12)}`);
  const classpath = compileJava(SOURCES, classes, join(classes, 'FixtureRunner.class'), flinkClasspath(version));
  mkdirSync(join(classes, 'META-INF/services'), { recursive: true });
  writeFileSync(join(classes, 'META-INF/services/org.apache.flink.table.factories.Factory'), 'FixtureConnector\n');
  return classpath;
}

interface FlinkAnswer {
  readonly outputs?: string[][];
  readonly key?: number[];
  readonly error?: string;
}

/** One JVM running FixtureRunner; `run` sends a case and resolves with its answer, in order. */
export interface FlinkRunner {
  readonly run: (request: object) => Promise<FlinkAnswer>;
  readonly stop: () => void;
}

/** Starts the runner on a Flink version (default: pom.xml's, FLINK_VERSION). */
export async function startRunner(logFile: string, version: string = FLINK_VERSION): Promise<FlinkRunner> {
  const classpath = compileRunner(version);
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-fixtures-'));
  const child = spawn('java', [...flinkJvmOptions(dir, logFile), '-cp', classpath, 'FixtureRunner', '4'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((line: string) => void)[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => waiting.shift()?.(line));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the Flink runner exited (code ${code}); see ${logFile}`))),
  );
  const next = () => Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited]);
  const ready = await next();
  if (ready !== 'READY') throw new Error(`the Flink runner said '${ready}'; see ${logFile}`);
  return {
    run: async (request) => {
      const answer = next();
      child.stdin.write(`${JSON.stringify(request)}\n`);
      return JSON.parse(await answer) as FlinkAnswer;
    },
    stop: () => {
      child.stdin.end();
      child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    },
  };
}

/** One runner per Flink version the fixtures name, each started when a fixture first needs it. */
export interface FlinkRunners {
  readonly forFixture: (fixture: Fixture) => Promise<FlinkRunner>;
  /** The log file of each version's runner. */
  readonly logs: () => string[];
  readonly stop: () => void;
}

export function flinkRunners(logFile: string): FlinkRunners {
  const runners = new Map<string, { runner: Promise<FlinkRunner>; log: string }>();
  return {
    forFixture: (fixture) => {
      const version = fixture.flinkVersion ?? FLINK_VERSION;
      let entry = runners.get(version);
      if (!entry) {
        const log = version === FLINK_VERSION ? logFile : logFile.replace(/(\.log)?$/, `-${version}$1`);
        entry = { runner: startRunner(log, version), log };
        runners.set(version, entry);
      }
      return entry.runner;
    },
    logs: () => [...runners.values()].map((entry) => entry.log),
    stop: () => {
      for (const { runner } of runners.values())
        runner.then(
          (r) => r.stop(),
          () => {},
        );
    },
  };
}

/**
 * The fixture's SQL for Flink: its `flink settings:` as SETs first, `${…}` substituted as in the
 * test, every table's WITH (…) on the fixture connector, and each OPTIONS table hint as the fixture
 * mode it stands for (HINT_MODES).
 */
function flinkScript(fixture: Fixture): string {
  const settings = fixture.flinkSettings.map(([key, value]) => `SET '${key}' = '${value.replace(/'/g, "''")}';\n`);
  const text = settings.join('') + substituteVariables(fixture.sqlName, fixture.sql, VARIABLES, {}).text;
  return text
    .replace(FIXED_CLOCK, `TO_TIMESTAMP_LTZ(${CLOCK_START_MILLIS}, 3)`)
    .replace(/\bWITH\s*\(((?:'(?:[^']|'')*'|[^)'])*)\)/gi, (clause: string, options: string) => {
      const connector = /'connector'\s*=\s*'([^']*)'/.exec(options)?.[1] ?? '';
      const mode = MODES[connector];
      if (!mode) throw new Error(`${fixture.file}: no fixture mode for the connector '${connector}' in ${clause}`);
      return `WITH ('connector' = 'fixture', 'mode' = '${mode}')`;
    })
    .replace(/\/\*\+\s*OPTIONS\s*\(((?:'(?:[^']|'')*'|[^)'])*)\)\s*\*\//gi, (hint: string, options: string) => {
      const modes = [...options.matchAll(/'([^']*)'\s*=\s*'([^']*)'/g)].map(([, key = '', value = '']) => {
        const mode = HINT_MODES[key]?.[value];
        if (!mode) throw new Error(`${fixture.file}: the fixture connector has no mode for the hint option in ${hint}`);
        return mode;
      });
      return `/*+ OPTIONS('mode' = '${modes[modes.length - 1]}') */`;
    });
}

/** Why a case cannot be replayed on Flink, or undefined. */
function notReplayable(fixture: Fixture): string | undefined {
  const sql = fixture.sql.replace(/--.*$/gm, '');
  const wallClock = WALL_CLOCK.exec(sql.replace(FIXED_CLOCK, ''))?.[1];
  if (wallClock)
    return `the query reads the wall clock (${wallClock.toUpperCase()}), which the fixtures fix and Flink cannot`;
  const moved = fixture.cases.some((c) => c.items.some((item) => item.kind === 'clock'));
  if (moved && sql.search(FIXED_CLOCK) >= 0)
    return 'the query reads the wall clock (CURRENT_TIMESTAMP) while the case moves it, which Flink cannot follow';
  return undefined;
}

/** The operators of a plan line's STATE_TTL hint, as the compiled plan of Flink calls them. */
const HINTED: Readonly<Record<string, string>> = { Join: 'join', GroupAggregate: 'group-aggregate' };

/**
 * The state TTLs the fixture's STATE_TTL hints set, from its plan (Rivulet's, which says what each
 * hinted operator's inputs take): per hinted Join or GroupAggregate in plan order, the TTL (ms, or
 * null for the job's) of each of its states. Flink 1.18.1 refuses the hint (it came in 1.19), so
 * FixtureRunner drops it and sets these in the job's compiled plan, as the hint does in 1.19.
 */
function stateTtls(fixture: Fixture): object[] {
  return fixture.plan.flatMap((line) => {
    const match = /(\w+)\(.*stateTtlHints=\[\[\[STATE_TTL options:\{([^}]*)\}\]\]\]/.exec(line);
    const operator = HINTED[match?.[1] ?? ''];
    if (!match || !operator) return [];
    const options = new Map((match[2] as string).split(', ').map((pair) => pair.split('=') as [string, string]));
    const ms = (text: string | undefined) => (text === undefined ? null : (parseDuration(text) ?? null));
    const ttls =
      operator === 'join' ? [ms(options.get('LEFT')), ms(options.get('RIGHT'))] : [ms([...options.values()][0])];
    return [{ operator, ttls }];
  });
}

/** The case for FixtureRunner: its batches and clock moves, in order, from the fixtures' start time. */
function request(fixture: Fixture, c: FixtureCase): object {
  const steps = c.items.flatMap((item): object[] => {
    if (item.kind === 'clock') return [{ advance: item.millis }];
    if (item.kind !== 'input') return [];
    const rows = item.rows.map(({ text }) => {
      const match = CHANGE.exec(text) as RegExpExecArray;
      return [match[1], ...splitValues(match[2] as string)];
    });
    return [{ table: item.table, rows }];
  });
  const stateTtl = stateTtls(fixture);
  return {
    script: flinkScript(fixture),
    start: CLOCK_START_MILLIS,
    steps,
    ...(stateTtl.length > 0 ? { stateTtl } : {}),
  };
}

/** Flink's message on one line, without the plan dump "Cannot generate a valid execution plan" puts in the middle. */
function shorten(message: string): string {
  const text = message.replace(/\s+/g, ' ').trim();
  return text.length <= 300 ? text : `${text.slice(0, 120)} … ${text.slice(-180)}`;
}

/** What Flink gave for one case: its changes and table after each step, or why it was not run. */
export type FlinkCaseResult =
  | { readonly kind: 'recorded'; readonly steps: readonly FlinkStep[] }
  | { readonly kind: 'not-checked'; readonly reason: string; readonly refused: boolean };

export interface FlinkStep {
  /** The changes that reached the sink for the step (a batch or a clock move), in Flink's order. */
  readonly changes: readonly string[];
  /** Why the changes are not deterministic (and so not recorded), if they are not. */
  readonly undetermined?: string;
  /** The table all changes so far leave (materialize). */
  readonly table: readonly string[];
}

/**
 * Runs one case on Flink twice, unless it cannot be replayed there. A step's changes are not
 * deterministic when it is a batch into a table that reaches a stateful operator along two paths
 * (interleavedTables), or when the two runs emitted different ones (as multisets: the order within
 * a step is not compared).
 */
export async function runOnFlink(runner: FlinkRunner, fixture: Fixture, c: FixtureCase): Promise<FlinkCaseResult> {
  const reason = notReplayable(fixture);
  if (reason) return { kind: 'not-checked', reason, refused: false };
  const answer = await runner.run(request(fixture, c));
  if (answer.error !== undefined)
    return { kind: 'not-checked', reason: `${flinkOf(fixture)} refused it: ${shorten(answer.error)}`, refused: true };
  const again = await runner.run(request(fixture, c));
  const interleaved = interleavedTables(fixture.plan);
  const tables = c.items.filter(isStep).map((item) => (item.kind === 'input' ? item.table : ''));
  const all: string[] = [];
  const steps = (answer.outputs ?? []).map((changes, i): FlinkStep => {
    all.push(...changes);
    const table = materialize(all, answer.key);
    const meets = interleaved.get(tables[i] as string);
    if (meets)
      return {
        changes,
        table,
        undetermined: `${tables[i]} reaches a ${meets} along two paths, which Flink interleaves`,
      };
    if (!sameChanges(changes, again.outputs?.[i] ?? []))
      return { changes, table, undetermined: 'two runs on Flink emitted different changes' };
    return { changes, table };
  });
  return { kind: 'recorded', steps };
}

/** Whether two lists hold the same changes, each as often, in any order. */
export function sameChanges(a: readonly string[], b: readonly string[]): boolean {
  const sorted = (changes: readonly string[]) => JSON.stringify([...changes].sort());
  return sorted(a) === sorted(b);
}

/** The case's items with Flink's blocks for the result in place of the old ones. */
export function withFlink(c: FixtureCase, result: FlinkCaseResult): Item[] {
  return result.kind === 'recorded' ? withSteps(c, result.steps) : withReason(c, result.reason);
}

/**
 * The case's items with Flink's changes and table after each step (a batch or a clock move) as
 * `flink changes:` and `flink:` blocks right after the step (and Rivulet's output for it).
 * `differs:` notes are kept on the same step's blocks when the case had one pair of blocks per
 * step before.
 */
function withSteps(c: FixtureCase, steps: readonly FlinkStep[]): Item[] {
  const oldTables = c.items.flatMap((item) => (item.kind === 'flink' && item.rows ? [item] : []));
  const oldChanges = c.items.flatMap((item) => (item.kind === 'flink-changes' ? [item] : []));
  const items = c.items.filter((item) => item.kind !== 'flink' && item.kind !== 'flink-changes');
  const count = items.filter(isStep).length;
  if (count !== steps.length) throw new Error(`case '${c.name}': ${count} steps, but Flink answered ${steps.length}`);
  const note = (old: readonly { differs?: string }[], step: number) => {
    const differs = old.length === steps.length ? old[step]?.differs : undefined;
    return differs ? { differs } : {};
  };
  const out: Item[] = [];
  let step = 0;
  /** A step ends with Rivulet's output for it, or with the step itself when there is none (yet). */
  const endsStep = (i: number): boolean =>
    isStep(items[i]) ? items[i + 1]?.kind !== 'output' : items[i]?.kind === 'output' && isStep(items[i - 1]);
  items.forEach((item, i) => {
    out.push(item);
    if (!endsStep(i)) return;
    const { changes, table, undetermined } = steps[step] as FlinkStep;
    out.push(
      undetermined === undefined
        ? { kind: 'flink-changes', rows: changes, ...note(oldChanges, step) }
        : { kind: 'flink-changes', rows: [], undetermined },
    );
    out.push({ kind: 'flink', rows: table, ...note(oldTables, step) });
    step++;
  });
  return out;
}

/** The case's items with one `flink: not checked: <why>` line after its last batch or output. */
function withReason(c: FixtureCase, reason: string): Item[] {
  const items = c.items.filter((item) => item.kind !== 'flink' && item.kind !== 'flink-changes');
  // Before comments that belong to the next case.
  const at = items.findLastIndex((item) => item.kind !== 'text') + 1;
  return [...items.slice(0, at), { kind: 'flink', reason }, ...items.slice(at)];
}

/** The fixture with its `# expected results:` line for these cases' blocks. */
export function withResultsLine(fixture: Fixture, cases: readonly FixtureCase[], reasons: Iterable<string>): Fixture {
  const date = new Date().toISOString().slice(0, 10);
  const line = cases.some((c) => c.items.some((item) => item.kind === 'flink' && item.rows))
    ? `${RESULTS} ${flinkOf(fixture)}, ${date}`
    : `${RESULTS} not checked on ${flinkOf(fixture)}: ${[...new Set(reasons)].join('; ')}`;
  const header = fixture.header.filter((l) => !l.startsWith(RESULTS));
  const at = header.findIndex((l) => l.startsWith('operator:'));
  header.splice(at, 0, line);
  return { ...fixture, header };
}

/** The fixture files named (by base name), or all of them; with their paths. */
export function fixtureFiles(names: readonly string[]): { file: string; path: string }[] {
  const wanted = names.map((name) => basename(name));
  const all = readdirSync(FIXTURES).filter((file) => file.endsWith('.txt'));
  const unknown = wanted.filter((file) => !all.includes(file));
  if (unknown.length > 0)
    throw new RivuletError(
      'FIXTURE_NOT_FOUND',
      `no fixture ${unknown.join(', ')} in ${FIXTURES}`,
      'name fixtures by their file name, such as join-left.txt',
    );
  return all
    .filter((file) => wanted.length === 0 || wanted.includes(file))
    .sort()
    .map((file) => ({ file, path: join(FIXTURES, file) }));
}

export function readFixture(path: string): Fixture {
  return parseFixture(path, readFileSync(path, 'utf8'));
}
