/**
 * Declaring user-defined functions and planning their calls: what is accepted, the errors of what
 * is not (each with its code and where), and what a call does with the values it gets.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { UserDefinedAggregate } from '../../src/exec/accumulators.ts';
import { compileExpression } from '../../src/expr/compile.ts';
import type { Value } from '../../src/expr/value.ts';
import type { Calc, PlanNode } from '../../src/plan/nodes.ts';
import { type PlannedScript, planScriptWithFunctions } from '../../src/plan/planner.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** A directory for a module of a test, under the checkout's .tmp/ (git-ignored). */
function privateDirectory(): string {
  const base = join(import.meta.dirname, '..', '..', '.tmp');
  mkdirSync(base, { recursive: true, mode: 0o755 });
  return mkdtempSync(join(base, 'rivulet-udf-'));
}

const TABLE = `CREATE TABLE t (id INT, name STRING, amount BIGINT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
CREATE TABLE u (id INT, name STRING, amount BIGINT, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'u', 'key.format' = 'json', 'value.format' = 'json');`;

/** The fixture module copied into `dir`, with these modes for the directory and the file. */
function placeModule(dir: string, dirMode: number, fileMode: number): void {
  copyFileSync(join(FIXTURES, 'functions.ts'), join(dir, 'functions.ts'));
  chmodSync(dir, dirMode);
  chmodSync(join(dir, 'functions.ts'), fileMode);
}

function plan(sql: string, directory = FIXTURES): Promise<PlannedScript> {
  return planScriptWithFunctions('udf.sql', `${TABLE}\n${sql}`, new Map(), {}, directory);
}

async function explain(sql: string): Promise<string> {
  return (await plan(`${sql}`)).explains.join('\n');
}

async function rejects(sql: string, code: string, message: RegExp, directory?: string): Promise<void> {
  await assert.rejects(plan(sql, directory), (error: Error & { code?: string }) => {
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

const ENV = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };

/** The first projected expression of the query's top Calc, as a function of an input row. */
async function firstProjection(declarations: string, select: string): Promise<(row: readonly Value[]) => Value> {
  const script = await plan(`${declarations} CREATE VIEW v AS ${select};`);
  const { planQuery } = await import('../../src/plan/plan-query.ts');
  const { withFunctions } = await import('../../src/plan/function-scope.ts');
  const view = script.catalog.get('v');
  assert.equal(view?.kind, 'view');
  const node = withFunctions(script.catalog.functions, () =>
    planQuery(view.query, { catalog: script.catalog, source: script.source }),
  ).node as PlanNode;
  assert.equal(node.kind, 'Calc');
  return compileExpression((node as Calc).projection[0] as never, ENV);
}

describe('CREATE FUNCTION', () => {
  it('calls a scalar function, after an implicit cast of its argument, by any case of its name', async () => {
    const text = await explain(`CREATE FUNCTION shout AS 'functions.ts#shout';
      EXPLAIN SELECT SHOUT(name), shout(CAST(id AS VARCHAR(5))) FROM t;`);
    assert.match(text, /Calc\(select=\[shout\(name\) AS EXPR\$0, shout\(CAST\(id AS VARCHAR\(5\)\)\) AS EXPR\$1\]\)/);
  });

  it('lists the functions the script declared in SHOW FUNCTIONS and alone in SHOW USER FUNCTIONS', async () => {
    const { results } = await plan(`CREATE FUNCTION shout AS 'functions.ts#shout';
      SHOW FUNCTIONS; SHOW USER FUNCTIONS;`);
    const [all, user] = results;
    assert.ok(all?.kind === 'table' && user?.kind === 'table');
    const names = all.rows.map((row) => row[0]);
    assert.ok(names.includes('shout') && names.includes('UPPER'), 'user and built-in functions together');
    assert.deepEqual(user.rows, [['shout']]);
  });

  it('takes LANGUAGE TYPESCRIPT or JAVASCRIPT, and refuses Java, Scala and Python', async () => {
    await plan(`CREATE TEMPORARY FUNCTION shout AS 'functions.ts#shout' LANGUAGE JAVASCRIPT;`);
    for (const language of ['JAVA', 'SCALA', 'PYTHON'])
      await rejects(
        `CREATE FUNCTION f AS 'com.example.F' LANGUAGE ${language};`,
        'SQL_UNSUPPORTED_LANGUAGE',
        new RegExp(`udf.sql:4:\\d+: LANGUAGE ${language} is not supported`),
      );
  });

  it('refuses an identifier that is not module#export, a missing export, and an export without types', async () => {
    await rejects(
      `CREATE FUNCTION f AS 'com.example.F';`,
      'SQL_FUNCTION_IDENTIFIER',
      /does not name a module and an export/,
    );
    await rejects(`CREATE FUNCTION f AS 'missing.ts#f';`, 'UDF_MODULE', /module 'missing.ts' not found/);
    await rejects(`CREATE FUNCTION f AS 'functions.ts#nope';`, 'UDF_DEFINITION', /no export of that name/);
    await rejects(`CREATE FUNCTION f AS 'functions.ts#untyped';`, 'UDF_DEFINITION', /declares no result type/);
    await rejects(`CREATE FUNCTION f AS 'functions.ts#notAFunction';`, 'UDF_DEFINITION', /is a number, not a function/);
  });

  it('refuses arguments of the wrong type or number with the expected signature', async () => {
    await assert.rejects(
      plan(`CREATE FUNCTION shout AS 'functions.ts#shout'; EXPLAIN SELECT shout(amount > 1) FROM t;`),
      (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, 'SQL_INVALID_CALL');
        assert.match(error.message, /invalid argument 1 of function shout: BOOLEAN in shout\(BOOLEAN\)/);
        assert.match(String(error.hint), /expected shout\(STRING\)/);
        return true;
      },
    );
    await rejects(
      `CREATE FUNCTION shout AS 'functions.ts#shout'; EXPLAIN SELECT shout(name, name) FROM t;`,
      'SQL_INVALID_CALL',
      /function shout takes 1 argument\(s\)/,
    );
  });

  it('refuses a name the built-in functions take, unless TEMPORARY SYSTEM overrides it', async () => {
    await rejects(`CREATE FUNCTION upper AS 'functions.ts#shout';`, 'SQL_FUNCTION_NAME', /built-in function UPPER/);
    await rejects(
      `CREATE TEMPORARY SYSTEM FUNCTION sum AS 'functions.ts#total';`,
      'SQL_FUNCTION_NAME',
      /built-in aggregate/,
    );
    const text = await explain(`CREATE TEMPORARY SYSTEM FUNCTION upper AS 'functions.ts#shout';
      EXPLAIN SELECT UPPER(name) FROM t;`);
    assert.match(text, /select=\[upper\(name\) AS EXPR\$0\]/);
  });

  it('takes the name of an operator (PLUS), whose syntax still runs the operator', async () => {
    const text = await explain(`CREATE FUNCTION plus AS 'functions.ts#shout';
      EXPLAIN SELECT plus(name), id + 1 FROM t;`);
    assert.match(text, /select=\[plus\(name\) AS EXPR\$0, \(id \+ 1\) AS EXPR\$1\]/);
  });

  it('refuses a second declaration unless IF NOT EXISTS, and forgets a dropped function', async () => {
    await rejects(
      `CREATE FUNCTION shout AS 'functions.ts#shout'; CREATE FUNCTION SHOUT AS 'functions.ts#shout';`,
      'SQL_ALREADY_EXISTS',
      /function 'SHOUT' already exists/,
    );
    await plan(
      `CREATE FUNCTION shout AS 'functions.ts#shout'; CREATE FUNCTION IF NOT EXISTS shout AS 'functions.ts#shout';`,
    );
    await rejects(
      `CREATE FUNCTION shout AS 'functions.ts#shout'; DROP FUNCTION shout; EXPLAIN SELECT shout(name) FROM t;`,
      'SQL_UNKNOWN_FUNCTION',
      /No match found for function signature SHOUT\(STRING\)/,
    );
    await rejects(`DROP TEMPORARY FUNCTION nope;`, 'SQL_UNKNOWN_FUNCTION', /temporary function 'nope' does not exist/);
    await plan(`DROP FUNCTION IF EXISTS nope;`);
    await rejects(
      `CREATE FUNCTION shout AS 'functions.ts#shout'; DROP TEMPORARY FUNCTION shout;`,
      'SQL_UNKNOWN_FUNCTION',
      /temporary function 'shout' does not exist/,
    );
  });

  it('lists the declared functions for SHOW FUNCTIONS', async () => {
    const { userFunctionNames } = await import('../../src/plan/function-catalog.ts');
    const script = await plan(`CREATE FUNCTION shout AS 'functions.ts#shout';
      CREATE TEMPORARY FUNCTION words AS 'functions.ts#words'; CREATE FUNCTION total AS 'functions.ts#total';`);
    assert.deepEqual(userFunctionNames(script.catalog.functions), ['shout', 'total', 'words']);
  });

  it('loads no module that other users could have changed', async () => {
    const dir = privateDirectory();
    try {
      placeModule(dir, 0o755, 0o666);
      await rejects(
        `CREATE FUNCTION shout AS 'functions.ts#shout';`,
        'UDF_MODULE',
        /can be changed by other users \(mode 666\)/,
        dir,
      );
      chmodSync(join(dir, 'functions.ts'), 0o644);
      chmodSync(dir, 0o777);
      await rejects(
        `CREATE FUNCTION shout AS 'functions.ts#shout';`,
        'UDF_MODULE',
        /can be changed by other users \(mode 777\)/,
        dir,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads no module under a directory others can write, however deep: its bare imports could resolve there', async () => {
    const dir = privateDirectory();
    try {
      mkdirSync(join(dir, 'mine'));
      placeModule(join(dir, 'mine'), 0o755, 0o644);
      chmodSync(dir, 0o775);
      await rejects(
        `CREATE FUNCTION shout AS 'functions.ts#shout';`,
        'UDF_MODULE',
        /'.*rivulet-udf-[^/']+' can be changed by other users \(mode 775\)/,
        join(dir, 'mine'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads a module under a root-owned sticky directory such as /tmp, unless a node_modules there is not its own', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to make a root-owned sticky directory like /tmp');
    const dir = privateDirectory();
    const shared = join(dir, 'shared');
    try {
      mkdirSync(join(shared, 'mine'), { recursive: true });
      chmodSync(shared, 0o1777);
      placeModule(join(shared, 'mine'), 0o755, 0o644);
      await plan(`CREATE FUNCTION shout AS 'functions.ts#shout';`, join(shared, 'mine'));
      mkdirSync(join(shared, 'node_modules'));
      chmodSync(join(shared, 'node_modules'), 0o777);
      await rejects(
        `CREATE FUNCTION shout AS 'functions.ts#shout';`,
        'UDF_MODULE',
        /under '.*shared', which every user can write to, and its '.*node_modules' is not this user's alone: a bare import/,
        join(shared, 'mine'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('calls of user-defined functions', () => {
  const declarations = `CREATE FUNCTION describe AS 'functions.ts#describe';
    CREATE FUNCTION fails AS 'functions.ts#fails'; CREATE FUNCTION wrong AS 'functions.ts#wrongResult';
    CREATE FUNCTION words AS 'functions.ts#words'; CREATE FUNCTION total AS 'functions.ts#total';
    CREATE FUNCTION shout AS 'functions.ts#shout';`;

  it('pass the values in the engine representation: INT as number, BIGINT as bigint, NULL as null', async () => {
    const f = await firstProjection(declarations, 'SELECT describe(id, name, amount) FROM t');
    assert.equal(f([1, 'x', 5n]), 'number,string,bigint');
    assert.equal(f([null, null, null]), 'object,object,object');
  });

  it('fail the record with the function, its arguments and its message when it throws', async () => {
    const f = await firstProjection(declarations, 'SELECT fails(id) FROM t');
    assert.throws(
      () => f([7, 'x', 1n]),
      (error: Error & { code?: string }) =>
        error.code === 'UDF_FAILED' && error.message === 'function fails(7) failed: no good: 7',
    );
  });

  it('fail the record when a result is not in the representation of the declared type', async () => {
    const f = await firstProjection(declarations, 'SELECT wrong(id) FROM t');
    assert.throws(
      () => f([7, 'x', 1n]),
      (error: Error & { code?: string }) =>
        error.code === 'UDF_RESULT' &&
        /returned 7 \(number\) for its result type BIGINT: return a bigint/.test(error.message),
    );
  });

  it('run a table function of an atomic type as one column, and refuse it where a value goes', async () => {
    const text = await explain(`${declarations}
      EXPLAIN SELECT id, word FROM t CROSS JOIN LATERAL TABLE(words(name)) AS w(word);`);
    assert.match(text, /Correlate\(invocation=\[words\(\$cor0\.name\)\]/);
    await rejects(
      `${declarations} EXPLAIN SELECT words(name) FROM t;`,
      'SQL_TABLE_FUNCTION_NOT_ALLOWED',
      /words is a table function/,
    );
    await rejects(
      `${declarations} EXPLAIN SELECT * FROM t, LATERAL TABLE(shout(name)) AS s(x);`,
      'SQL_INVALID_CALL',
      /shout is a scalar function, not a table function/,
    );
  });

  it('aggregate with a user aggregate function, which needs retract over an updating input', async () => {
    const text = await explain(`${declarations} EXPLAIN SELECT name, total(amount) FROM t GROUP BY name;`);
    assert.match(text, /GroupAggregate\(groupBy=\[name\], select=\[name, total\(amount\) AS EXPR\$0\]\)/);
    await rejects(
      `${declarations} EXPLAIN SELECT name, total(amount) FROM u GROUP BY name;`,
      'SQL_UDF_RETRACT',
      /function total has no retract method, but its input is updating/,
    );
    await rejects(
      `${declarations} EXPLAIN SELECT total(amount) + 1 FROM t WHERE total(amount) > 1;`,
      'SQL_AGGREGATE_NOT_ALLOWED',
      /total/,
    );
  });

  it('save an accumulator as JSON, bigint included, and go on from what it saved', async () => {
    const { userAggregate } = await import('../../src/udf/aggregate.ts');
    const { describeExport } = await import('../../src/udf/user-function.ts');
    const { total } = await import('./fixtures/functions.ts');
    const fn = describeExport(total, {
      name: 'total',
      identifier: 'functions.ts#total',
      modulePath: '',
      system: false,
    });
    assert.equal(fn.kind, 'aggregate');
    const aggregate: UserDefinedAggregate = userAggregate(fn as never, 1);
    const first = aggregate.accumulator();
    first.add(5n);
    first.add(null);
    const saved = first.save();
    assert.equal(saved, '{"sum":{"$bigint":"5"}}');
    const second = aggregate.accumulator(saved);
    second.add(2n);
    assert.equal(second.result(), 7n);
  });
});
