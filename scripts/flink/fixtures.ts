/**
 * The Flink oracle of the operator fixtures: runs every case of test/exec/fixtures/*.txt on Apache
 * Flink 1.18.1 (a MiniCluster in one JVM, one job per case, scripts/flink/FixtureRunner.java) and
 * records the table Flink's output leaves after each step (a batch, or a `clock:` move of the
 * processing-time clock, which the runner controls) as a `flink:` block under that step's output,
 * which test/exec/fixtures.test.ts then holds Rivulet's to. Cases Flink cannot replay get one
 * `flink: not checked: <why>` line.
 *
 *   npm run parity:fixtures [-- FILE.txt…]     (all fixtures, or the named ones)
 *
 * Needs Java 17 and Maven (scripts/flink/run.ts fetches Flink's jars once). Rewrites the fixtures in
 * place: review the diff.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
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
  renderFixture,
  splitValues,
  VARIABLES,
} from '../../test/helpers/fixture-file.ts';
import { compileJava, ensureFlink, flinkJvmOptions, TARGET } from './run.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '../../test/exec/fixtures');
/** The runner, and the processing-time clock that stands in for Flink's (clock/, first on the classpath). */
const SOURCES = [
  'FixtureConnector.java',
  'FixtureRunner.java',
  'FixtureValues.java',
  'clock/FixtureClock.java',
  'clock/SystemProcessingTimeService.java',
  'clock/TtlTimeProvider.java',
].map((file) => join(HERE, file));
const CLASSES = join(TARGET, 'fixture-classes');
const FLINK = 'Apache Flink 1.18.1';
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

/** Compiles the runner and the connector (with its service file) beside FlinkScriptRunner; returns the classpath. */
function compileRunner(): string {
  const classpath = compileJava(SOURCES, CLASSES, join(CLASSES, 'FixtureRunner.class'), ensureFlink());
  mkdirSync(join(CLASSES, 'META-INF/services'), { recursive: true });
  writeFileSync(join(CLASSES, 'META-INF/services/org.apache.flink.table.factories.Factory'), 'FixtureConnector\n');
  return classpath;
}

interface FlinkAnswer {
  readonly outputs?: string[][];
  readonly key?: number[];
  readonly error?: string;
}

/** One JVM running FixtureRunner; `run` sends a case and resolves with its answer, in order. */
async function startRunner(
  logFile: string,
): Promise<{ run: (request: object) => Promise<FlinkAnswer>; stop: () => void }> {
  const classpath = compileRunner();
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

/**
 * The fixture's SQL for Flink: `${…}` substituted as in the test, every table's WITH (…) on the
 * fixture connector, and each OPTIONS table hint as the fixture mode it stands for (HINT_MODES).
 */
function flinkScript(fixture: Fixture): string {
  const text = substituteVariables(fixture.sqlName, fixture.sql, VARIABLES, {}).text;
  return text
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
  const wallClock = WALL_CLOCK.exec(fixture.sql.replace(/--.*$/gm, ''))?.[1];
  if (wallClock)
    return `the query reads the wall clock (${wallClock.toUpperCase()}), which the fixtures fix and Flink cannot`;
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

/** The table Flink's changelog leaves after each step (its output so far, materialized). */
function tablesAfterEachStep(answer: FlinkAnswer): string[][] {
  const changes: string[] = [];
  return (answer.outputs ?? []).map((step) => {
    changes.push(...step);
    return materialize(changes, answer.key);
  });
}

/**
 * The case's items with Flink's table after each step (a batch or a clock move) as a `flink:` block
 * right after the step (and Rivulet's output for it). A `differs:` note is kept on the same step's
 * block when the case had one block per step before.
 */
function withTables(c: FixtureCase, tables: readonly string[][]): Item[] {
  const old = c.items.flatMap((item) => (item.kind === 'flink' && item.rows ? [item] : []));
  const keepNotes = old.length === tables.length;
  const items = c.items.filter((item) => item.kind !== 'flink');
  const steps = items.filter(isStep).length;
  if (steps !== tables.length) throw new Error(`case '${c.name}': ${steps} steps, but Flink answered ${tables.length}`);
  const out: Item[] = [];
  let step = 0;
  /** A step ends with Rivulet's output for it, or with the step itself when there is none (yet). */
  const endsStep = (i: number): boolean =>
    isStep(items[i]) ? items[i + 1]?.kind !== 'output' : items[i]?.kind === 'output' && isStep(items[i - 1]);
  items.forEach((item, i) => {
    out.push(item);
    if (!endsStep(i)) return;
    const differs = keepNotes ? old[step]?.differs : undefined;
    out.push({ kind: 'flink', rows: tables[step] as string[], ...(differs ? { differs } : {}) });
    step++;
  });
  return out;
}

/** The case's items with one `flink: not checked: <why>` line after its last batch or output. */
function withReason(c: FixtureCase, reason: string): Item[] {
  const items = c.items.filter((item) => item.kind !== 'flink');
  // Before comments that belong to the next case.
  const at = items.findLastIndex((item) => item.kind !== 'text') + 1;
  return [...items.slice(0, at), { kind: 'flink', reason }, ...items.slice(at)];
}

function withHeader(fixture: Fixture, line: string): Fixture {
  const header = fixture.header.filter((l) => !l.startsWith(RESULTS));
  const at = header.findIndex((l) => l.startsWith('operator:'));
  header.splice(at, 0, line);
  return { ...fixture, header };
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).map((arg) => basename(arg));
  const files = readdirSync(FIXTURES)
    .filter((file) => file.endsWith('.txt') && (names.length === 0 || names.includes(file)))
    .sort();
  const logFile = join(tmpdir(), `rivulet-fixtures-flink-${process.pid}.log`);
  const startedAt = performance.now();
  const runner = await startRunner(logFile);
  const date = new Date().toISOString().slice(0, 10);
  let checked = 0;
  let skipped = 0;
  let refused = 0;
  try {
    for (const file of files) {
      const path = join(FIXTURES, file);
      const fixture = parseFixture(path, readFileSync(path, 'utf8'));
      const reasons = new Set<string>();
      const cases: FixtureCase[] = [];
      for (const c of fixture.cases) {
        let reason = notReplayable(fixture);
        let tables: string[][] | undefined;
        if (!reason) {
          const answer = await runner.run(request(fixture, c));
          if (answer.error !== undefined) {
            reason = `${FLINK} refused it: ${shorten(answer.error)}`;
            refused++;
          } else tables = tablesAfterEachStep(answer);
        }
        if (reason) {
          reasons.add(reason);
          skipped++;
        } else checked++;
        cases.push({ ...c, items: tables ? withTables(c, tables) : withReason(c, reason as string) });
        const last = tables?.[tables.length - 1];
        process.stdout.write(
          `${file}: ${c.name}: ${reason ? `not checked: ${reason}` : `${tables?.length} steps, ${last?.length ?? 0} rows at the end`}\n`,
        );
      }
      const header = cases.some((c) => c.items.some((item) => item.kind === 'flink' && item.rows))
        ? `${RESULTS} ${FLINK}, ${date}`
        : `${RESULTS} not checked on ${FLINK}: ${[...reasons].join('; ')}`;
      const updated = withHeader(fixture, header);
      writeFileSync(path, renderFixture(updated, fixture.plan, cases));
    }
  } finally {
    runner.stop();
  }
  const seconds = (performance.now() - startedAt) / 1000;
  process.stdout.write(
    `${files.length} fixtures: ${checked} cases recorded from ${FLINK}, ${skipped} not checked (${refused} refused by Flink) in ${seconds.toFixed(0)} s; Flink's log: ${logFile}\n`,
  );
}

await main();
