/**
 * The text format of the operator fixtures (test/exec/fixtures/*.txt, described in
 * test/exec/fixtures.test.ts): parsing and writing a fixture, and the final result of a changelog.
 * Shared by the fixture test, the Flink harness that records Flink's results
 * (scripts/flink/fixtures.ts) and the stateful-operator benchmark (its `${…}` connectors).
 */
import { readFileSync } from 'node:fs';
import { parseDuration } from '../../src/connectors/options.ts';

const NOT_CHECKED = 'not checked:';
const NO_ROWS = 'no rows';
const DIFFERS = 'differs:';
const CHANGES = 'flink changes:';
const NO_CHANGES = 'none';
const UNDETERMINED = 'not deterministic:';

/** What `${cdc}`, `${upsert}` and `${append}` stand for in a fixture's SQL. */
export const VARIABLES: ReadonlyMap<string, string> = new Map([
  [
    'cdc',
    `'connector' = 'postgres-cdc', 'hostname' = 'localhost', 'username' = 'flink', 'password' = 'flink',
     'database-name' = 'source_db', 'schema-name' = 'business', 'table-name' = 'fixture', 'slot.name' = 'fixture'`,
  ],
  [
    'upsert',
    `'connector' = 'upsert-kafka', 'topic' = 'fixture', 'properties.bootstrap.servers' = 'localhost:9092',
     'key.format' = 'json', 'value.format' = 'json'`,
  ],
  [
    'append',
    `'connector' = 'kafka', 'topic' = 'fixture', 'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json'`,
  ],
]);

/** Where the processing-time clock of every case starts (UTC, the fixtures' session time zone). */
export const CLOCK_START = '2025-07-12 08:00:00';
export const CLOCK_START_MILLIS = Date.parse(`${CLOCK_START.replace(' ', 'T')}Z`);

// ---------------------------------------------------------------------------------------------
// The file format

export type Item =
  | { readonly kind: 'text'; readonly line: string }
  | { readonly kind: 'clock'; readonly line: string; readonly millis: number }
  | { readonly kind: 'input'; readonly table: string; readonly rows: readonly { text: string; line: number }[] }
  | { readonly kind: 'output'; readonly rows: readonly string[] }
  /**
   * Flink's final result for the case (rows), or why the case was not run on Flink (reason);
   * `differs` says why Rivulet's result deliberately is not Flink's.
   */
  | { readonly kind: 'flink'; readonly rows?: readonly string[]; readonly reason?: string; readonly differs?: string }
  /**
   * The changes Flink emitted for a batch, in its order; `differs` says why Rivulet's changes
   * deliberately are not Flink's, `undetermined` why there are none to compare with.
   */
  | {
      readonly kind: 'flink-changes';
      readonly rows: readonly string[];
      readonly differs?: string;
      readonly undetermined?: string;
    };

/** A batch or a clock move: each is followed by what it outputs and, when Flink ran the case, a flink: block. */
export function isStep(item: Item | undefined): boolean {
  return item?.kind === 'input' || item?.kind === 'clock';
}

export interface FixtureCase {
  /** Comment lines right above `case:`. */
  readonly leading: string[];
  readonly name: string;
  readonly line: number;
  readonly items: Item[];
}

export interface Fixture {
  readonly file: string;
  /** Lines before `plan:` (comments, operator:, sql: or sql-file:), as written. */
  readonly header: string[];
  readonly operator: string;
  readonly sql: string;
  readonly sqlName: string;
  /**
   * The `flink settings: key = value, …` line's options, which `npm run parity:fixtures` sets on
   * the Flink job (before the SQL) and Rivulet does not read: such as mini-batch, under which Flink
   * emits a group's result once per step as Rivulet always does.
   */
  readonly flinkSettings: (readonly [string, string])[];
  /**
   * The `flink version: X.Y.Z` line's Apache Flink release, which `npm run parity:fixtures` records
   * the fixture's cases on instead of 1.18.1: for SQL that 1.18.1 does not have (the SESSION window
   * table function came in 1.19).
   */
  readonly flinkVersion?: string;
  readonly plan: string[];
  readonly cases: FixtureCase[];
}

const FLINK_SETTINGS = 'flink settings:';
const FLINK_VERSION = 'flink version:';

export const CHANGE = /^([+-][IUD])\((.*)\)$/;

/** The `flink settings: key = value, …` line's pairs. */
function parseSettings(line: string, fail: (message: string) => never): (readonly [string, string])[] {
  return line
    .slice(FLINK_SETTINGS.length)
    .split(',')
    .map((pair) => {
      const match = /^\s*([\w.-]+)\s*=\s*(\S(?:.*\S)?)\s*$/.exec(pair);
      if (!match)
        return fail(`${FLINK_SETTINGS} expects 'key = value' pairs separated by commas, got '${pair.trim()}'`);
      return [match[1] as string, match[2] as string] as const;
    });
}

export function parseFixture(file: string, text: string): Fixture {
  const lines = text.replace(/\n+$/, '').split('\n');
  const header: string[] = [];
  const plan: string[] = [];
  const sql: string[] = [];
  const cases: FixtureCase[] = [];
  let operator = '';
  let sqlName = file;
  let flinkSettings: (readonly [string, string])[] = [];
  let flinkVersion: string | undefined;
  let i = 0;
  const fail = (message: string): never => {
    throw new Error(`${file}:${i + 1}: ${message}`);
  };
  const indented = (into: string[]) => {
    while (i + 1 < lines.length && /^( {2}|\s*$)/.test(lines[i + 1] as string)) {
      i++;
      into.push((lines[i] as string).slice(2));
    }
    while (into.length > 0 && (into[into.length - 1] as string).trim() === '') into.pop();
  };
  for (; i < lines.length && !(lines[i] as string).startsWith('case:'); i++) {
    const line = lines[i] as string;
    if (line.startsWith('plan:')) {
      indented(plan);
      continue;
    }
    header.push(line);
    if (line.startsWith('operator:')) operator = line.slice('operator:'.length).trim();
    else if (line.startsWith(FLINK_SETTINGS)) flinkSettings = parseSettings(line, fail);
    else if (line.startsWith(FLINK_VERSION)) {
      flinkVersion = line.slice(FLINK_VERSION.length).trim();
      if (!/^\d+\.\d+\.\d+$/.test(flinkVersion))
        fail(`${FLINK_VERSION} expects a release such as 1.20.3, got '${flinkVersion}'`);
    } else if (line.startsWith('sql-file:')) {
      sqlName = line.slice('sql-file:'.length).trim();
      sql.push(readFileSync(sqlName, 'utf8'));
    } else if (line.startsWith('sql:')) {
      const start = header.length;
      indented(sql);
      header.push(...sql.map((l) => (l === '' ? '' : `  ${l}`)));
      if (header.length === start) fail('sql: has no indented SQL under it');
    } else if (line.trim() !== '' && !line.startsWith('#')) {
      fail(
        `expected '# comment', 'operator:', '${FLINK_SETTINGS}', '${FLINK_VERSION}', 'sql:', 'sql-file:', 'plan:' or 'case:', got '${line}'`,
      );
    }
  }
  while (header.length > 0 && (header[header.length - 1] as string).trim() === '') header.pop();
  if (!operator) fail("the header has no 'operator:' line");
  if (sql.length === 0) fail("the header has no 'sql:' or 'sql-file:'");

  let current: FixtureCase | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('case:')) {
      const leading: string[] = [];
      while (current && current.items[current.items.length - 1]?.kind === 'text') {
        const last = current.items[current.items.length - 1] as { line: string };
        if (!last.line.startsWith('#')) break;
        leading.unshift(last.line);
        current.items.pop();
      }
      current = { leading, name: line.slice('case:'.length).trim(), line: i + 1, items: [] };
      cases.push(current);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('>')) {
      const table = line.slice(1).trim();
      const rows: { text: string; line: number }[] = [];
      while (i + 1 < lines.length && CHANGE.test((lines[i + 1] as string).trim())) {
        i++;
        rows.push({ text: (lines[i] as string).trim(), line: i + 1 });
      }
      current.items.push({ kind: 'input', table, rows });
    } else if (line.startsWith('<')) {
      const rows: string[] = [];
      while (i + 1 < lines.length && CHANGE.test((lines[i + 1] as string).trim())) {
        i++;
        rows.push((lines[i] as string).trim());
      }
      current.items.push({ kind: 'output', rows });
    } else if (line.startsWith('clock:')) {
      const millis = /^\+(.*)$/.exec(line.slice('clock:'.length).trim())?.[1];
      const parsed = millis === undefined ? undefined : parseDuration(millis);
      if (parsed === undefined) fail(`expected 'clock: +<duration>', such as 'clock: +25 h', got '${line}'`);
      current.items.push({ kind: 'clock', line, millis: parsed as number });
    } else if (line.startsWith(CHANGES)) {
      const rest = line.slice(CHANGES.length).trim();
      const rows: string[] = [];
      if (rest.startsWith(UNDETERMINED)) {
        current.items.push({ kind: 'flink-changes', rows, undetermined: rest.slice(UNDETERMINED.length).trim() });
        continue;
      }
      if (rest !== NO_CHANGES) {
        if (rest !== '' && !rest.startsWith(DIFFERS))
          fail(
            `expected '${CHANGES}', '${CHANGES} ${NO_CHANGES}', '${CHANGES} ${DIFFERS} <why>' or '${CHANGES} ${UNDETERMINED} <why>', got '${line}'`,
          );
        while (i + 1 < lines.length && /^ {2}\S/.test(lines[i + 1] as string)) {
          const change = (lines[++i] as string).trim();
          if (!CHANGE.test(change)) fail(`expected a change such as +I(1, 'a') under '${CHANGES}', got '${change}'`);
          rows.push(change);
        }
      }
      const differs = rest.startsWith(DIFFERS) ? rest.slice(DIFFERS.length).trim() : '';
      current.items.push({ kind: 'flink-changes', rows, ...(differs ? { differs } : {}) });
    } else if (line.startsWith('flink:')) {
      const rest = line.slice('flink:'.length).trim();
      if (rest.startsWith(NOT_CHECKED))
        current.items.push({ kind: 'flink', reason: rest.slice(NOT_CHECKED.length).trim() });
      else if (rest === NO_ROWS) current.items.push({ kind: 'flink', rows: [] });
      else if (rest !== '' && !rest.startsWith(DIFFERS))
        fail(
          `expected 'flink:', 'flink: ${NO_ROWS}', 'flink: ${DIFFERS} <why>' or 'flink: ${NOT_CHECKED} <why>', got '${line}'`,
        );
      else {
        const rows: string[] = [];
        while (i + 1 < lines.length && /^ {2}\S/.test(lines[i + 1] as string)) rows.push((lines[++i] as string).trim());
        const differs = rest.slice(DIFFERS.length).trim();
        current.items.push({ kind: 'flink', rows, ...(differs ? { differs } : {}) });
      }
    } else if (CHANGE.test(line.trim())) {
      fail(`a change outside a '> table' or '< output' block: '${line}'`);
    } else {
      current.items.push({ kind: 'text', line });
    }
  }
  for (const c of cases) {
    while (c.items.length > 0 && c.items[c.items.length - 1]?.kind === 'text') {
      const last = c.items[c.items.length - 1] as { line: string };
      if (last.line.trim() !== '') break;
      c.items.pop();
    }
  }
  return {
    file,
    header,
    operator,
    sql: sql.join('\n'),
    sqlName,
    flinkSettings,
    ...(flinkVersion === undefined ? {} : { flinkVersion }),
    plan,
    cases,
  };
}

export function renderFixture(fixture: Fixture, plan: string[], cases: readonly FixtureCase[]): string {
  const out = [...fixture.header, 'plan:', ...plan.map((l) => `  ${l}`)];
  for (const c of cases) out.push('', ...renderCase(c));
  return `${out.join('\n')}\n`;
}

export function renderCase(c: FixtureCase): string[] {
  const out = [...c.leading, `case: ${c.name}`];
  for (const item of c.items) {
    if (item.kind === 'text' || item.kind === 'clock') out.push(item.line);
    else if (item.kind === 'input') out.push(`> ${item.table}`, ...item.rows.map((r) => r.text));
    else if (item.kind === 'flink') {
      if (item.rows === undefined) out.push(`flink: ${NOT_CHECKED} ${item.reason}`);
      else if (item.differs) out.push(`flink: ${DIFFERS} ${item.differs}`, ...item.rows.map((row) => `  ${row}`));
      else if (item.rows.length === 0) out.push(`flink: ${NO_ROWS}`);
      else out.push('flink:', ...item.rows.map((row) => `  ${row}`));
    } else if (item.kind === 'flink-changes') {
      if (item.undetermined !== undefined) out.push(`${CHANGES} ${UNDETERMINED} ${item.undetermined}`);
      else if (item.differs) out.push(`${CHANGES} ${DIFFERS} ${item.differs}`);
      else if (item.rows.length === 0) out.push(`${CHANGES} ${NO_CHANGES}`);
      else out.push(CHANGES);
      out.push(...item.rows.map((row) => `  ${row}`));
    } else if (item.rows.length === 0) out.push('< no output');
    else out.push('< output', ...item.rows);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

/** Splits `2001, 'a, b', ARRAY['x', 'y'], NULL` at the commas outside quotes and brackets. */
export function splitValues(text: string): string[] {
  const values: string[] = [];
  let current = '';
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'") {
      if (quoted && text[i + 1] === "'") {
        current += "''";
        i++;
        continue;
      }
      quoted = !quoted;
    }
    if (!quoted && (c === '[' || c === '(')) depth++;
    if (!quoted && (c === ']' || c === ')')) depth--;
    if (c === ',' && !quoted && depth === 0) {
      values.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  if (current.trim() !== '' || values.length > 0) values.push(current.trim());
  return values;
}

// ---------------------------------------------------------------------------------------------
// Final results

/**
 * The table a changelog leaves, as sorted rows `(v1, v2, …)`: with `key` (an upsert sink's primary
 * key, column indexes), each +I/+U writes its key's row and -U/-D deletes it; otherwise the changes
 * are a multiset (+I/+U add a row, -U/-D remove an equal one). A row retracted more often than
 * added is listed as `-(v1, v2, …)`.
 */
export function materialize(changes: readonly string[], key?: readonly number[]): string[] {
  const counts = new Map<string, number>();
  const byKey = new Map<string, string>();
  for (const change of changes) {
    const match = CHANGE.exec(change);
    if (!match) throw new Error(`not a change: '${change}'`);
    const values = splitValues(match[2] as string);
    const row = `(${values.join(', ')})`;
    const adds = match[1] === '+I' || match[1] === '+U';
    if (key) {
      const id = JSON.stringify(key.map((i) => values[i]));
      if (adds) byKey.set(id, row);
      else byKey.delete(id);
    } else counts.set(row, (counts.get(row) ?? 0) + (adds ? 1 : -1));
  }
  const rows = key
    ? [...byKey.values()]
    : [...counts].flatMap(([row, n]) => Array.from({ length: Math.abs(n) }, () => (n > 0 ? row : `-${row}`)));
  return rows.sort();
}
