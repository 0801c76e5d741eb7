import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CreateTableStatement, InsertStatement, Select, Statement } from '../../src/sql/ast.ts';
import { parseScript } from '../../src/sql/parser.ts';
import { SqlError } from '../../src/sql/sql-error.ts';
import { substituteVariables } from '../../src/sql/substitute.ts';

function parse(text: string, variables: Record<string, string> = {}): Statement[] {
  return parseScript(substituteVariables('test.sql', text, new Map(Object.entries(variables)), {}));
}

function parseOne<S extends Statement>(text: string): S {
  const statements = parse(text);
  assert.equal(statements.length, 1);
  return statements[0] as S;
}

function parseError(text: string, variables: Record<string, string> = {}): SqlError {
  try {
    parse(text, variables);
  } catch (error) {
    assert.ok(error instanceof SqlError, String(error));
    return error;
  }
  assert.fail('expected a SQL error');
}

function parseQueryOf(text: string): unknown {
  return (parseOne<Statement>(text) as { query: unknown }).query;
}

/** Drops `at` offsets so a test can compare shapes. */
function shape(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'at' ? undefined : v)));
}

describe('SQL scripts', () => {
  it('splits statements on semicolons and skips both kinds of comments', () => {
    const statements = parse(`
      -- a line comment; with a semicolon
      SET 'table.local-time-zone' = 'Asia/Shanghai';
      /* a block comment;
         over lines */
      SET 'parallelism.default' = '1'
    `);
    assert.deepEqual(shape(statements), [
      { kind: 'set', key: 'table.local-time-zone', value: 'Asia/Shanghai' },
      { kind: 'set', key: 'parallelism.default', value: '1' },
    ]);
  });

  it('substitutes ${NAME} and ${NAME:-default}, -D values before the environment', () => {
    const source = substituteVariables(
      'x.sql',
      "SET 'a' = '${HOST:-localhost}'; SET 'b' = '${PORT}'; -- ${NOT_IN_COMMENTS}",
      new Map([['PORT', '5433']]),
      { PORT: '1', HOST: 'db' },
    );
    assert.deepEqual(shape(parseScript(source)), [
      { kind: 'set', key: 'a', value: 'db' },
      { kind: 'set', key: 'b', value: '5433' },
    ]);
  });

  it('substitutes as the lexer reads: a quotation holds no comment, a placeholder is read whole', () => {
    const source = substituteVariables(
      'x.sql',
      "SET 'a' = '${A:--1}'; SELECT `it's -- no comment`, ${B} FROM t; -- ${NOT_IN_COMMENTS}",
      new Map([['B', 'x']]),
      {},
    );
    assert.equal(source.text, "SET 'a' = '-1'; SELECT `it's -- no comment`, x FROM t; -- ${NOT_IN_COMMENTS}");
  });

  it('names an unset variable and its line and column', () => {
    const error = parseError("SET 'a' = 'b';\nSET 'c' = '${PG_PASSWORD}';");
    assert.equal(error.code, 'SQL_UNSET_VARIABLE');
    assert.equal(error.message, 'test.sql:2:12: ${PG_PASSWORD} is not set');
    assert.match(error.hint ?? '', /-D PG_PASSWORD=VALUE/);
  });

  it('reports positions in the file as written, after substitution', () => {
    const error = parseError("SET 'a' = '${X}'; SELEC 1", { X: 'a much longer value than the placeholder' });
    assert.equal(error.message, "test.sql:1:19: expected a statement, found 'SELEC'");
  });

  it('parses both statement set forms', () => {
    const insert = 'INSERT INTO a SELECT * FROM b;';
    for (const text of [
      `EXECUTE STATEMENT SET BEGIN ${insert} ${insert} END;`,
      `BEGIN STATEMENT SET; ${insert} ${insert} END;`,
    ]) {
      const [set] = parse(text);
      assert.equal(set?.kind, 'statementSet');
      assert.equal(set?.kind === 'statementSet' && set.inserts.length, 2);
    }
  });

  it('rejects an unclosed string and an unclosed comment at their start', () => {
    assert.equal(parseError("SELECT 'abc").message, 'test.sql:1:8: string literal is not closed');
    assert.equal(parseError('SELECT 1 /* oops').message, 'test.sql:1:10: comment is not closed');
  });
});

describe('CREATE TABLE', () => {
  const ddl = `CREATE TABLE ods_orders (
    order_id BIGINT NOT NULL,
    amount DECIMAL(10, 2),
    order_time TIMESTAMP(3),
    ltz TIMESTAMP(3) WITH LOCAL TIME ZONE,
    proc AS PROCTIME(),
    kafka_offset BIGINT METADATA FROM 'offset' VIRTUAL,
    ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
    PRIMARY KEY (order_id) NOT ENFORCED,
    WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
  ) COMMENT 'orders' WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'ods_orders'
  )`;

  it('parses physical, computed and metadata columns, key, watermark and options', () => {
    const table = parseOne<CreateTableStatement>(ddl);
    assert.deepEqual(
      table.columns.map((column) => [column.kind, column.name.name]),
      [
        ['physical', 'order_id'],
        ['physical', 'amount'],
        ['physical', 'order_time'],
        ['physical', 'ltz'],
        ['computed', 'proc'],
        ['metadata', 'kafka_offset'],
        ['metadata', 'ts'],
      ],
    );
    assert.deepEqual(shape(table.columns[0]), {
      kind: 'physical',
      name: { name: 'order_id' },
      type: { kind: 'BIGINT', nullable: false },
    });
    assert.deepEqual(shape(table.columns[1]), {
      kind: 'physical',
      name: { name: 'amount' },
      type: { kind: 'DECIMAL', precision: 10, scale: 2, nullable: true },
    });
    assert.equal(table.columns[3]?.kind === 'physical' && table.columns[3].type.kind, 'TIMESTAMP_LTZ');
    assert.deepEqual(shape(table.columns[5]), {
      kind: 'metadata',
      name: { name: 'kafka_offset' },
      type: { kind: 'BIGINT', nullable: true },
      key: 'offset',
      virtual: true,
    });
    assert.deepEqual(
      table.primaryKey?.columns.map((c) => c.name),
      ['order_id'],
    );
    assert.equal(table.watermark?.column.name, 'order_time');
    assert.equal(table.comment, 'orders');
    assert.deepEqual(
      table.options.map((o) => [o.key, o.value]),
      [
        ['connector', 'upsert-kafka'],
        ['topic', 'ods_orders'],
      ],
    );
  });

  it('accepts an inline PRIMARY KEY ... NOT ENFORCED', () => {
    const table = parseOne<CreateTableStatement>(
      "CREATE TABLE t (id INT PRIMARY KEY NOT ENFORCED, v STRING) WITH ('connector' = 'x')",
    );
    assert.deepEqual(
      table.primaryKey?.columns.map((c) => c.name),
      ['id'],
    );
  });

  it('rejects an enforced primary key, as Flink does', () => {
    const error = parseError('CREATE TABLE t (id INT, PRIMARY KEY (id)) WITH ()');
    assert.equal(error.code, 'SQL_PRIMARY_KEY_ENFORCED');
    assert.equal(error.message, 'test.sql:1:25: PRIMARY KEY must be declared NOT ENFORCED');
  });

  it('rejects two primary keys and a repeated option', () => {
    assert.equal(
      parseError('CREATE TABLE t (id INT PRIMARY KEY NOT ENFORCED, PRIMARY KEY (id) NOT ENFORCED)').code,
      'SQL_DUPLICATE_PRIMARY_KEY',
    );
    const error = parseError("CREATE TABLE t (id INT) WITH ('topic' = 'a',\n 'topic' = 'b')");
    assert.equal(error.message, "test.sql:2:2: option 'topic' is given twice");
  });

  it('names an unknown type with the list of known ones', () => {
    const error = parseError('CREATE TABLE t (id INTEGR)');
    assert.equal(error.code, 'SQL_UNKNOWN_TYPE');
    assert.equal(error.message, "test.sql:1:20: unknown data type 'INTEGR'");
    assert.match(error.hint ?? '', /DECIMAL\(p, s\)/);
  });

  it('checks DECIMAL precision and scale', () => {
    assert.match(parseError('CREATE TABLE t (a DECIMAL(39, 2))').message, /precision must be between 1 and 38, got 39/);
    assert.match(
      parseError('CREATE TABLE t (a DECIMAL(5, 6))').message,
      /scale must be between 0 and the precision \(5\), got 6/,
    );
  });

  it('parses nested and default-sized types', () => {
    const table = parseOne<CreateTableStatement>(
      'CREATE TABLE t (a ARRAY<ARRAY<INT>>, b MAP<STRING, DECIMAL>, c ROW<x INT, y STRING>, d CHAR, e VARCHAR, f TIMESTAMP, g TIME)',
    );
    const types = table.columns.map((column) => (column.kind === 'physical' ? column.type : undefined));
    assert.deepEqual(types[0], {
      kind: 'ARRAY',
      element: { kind: 'ARRAY', element: { kind: 'INT', nullable: true }, nullable: true },
      nullable: true,
    });
    assert.deepEqual(types[1], {
      kind: 'MAP',
      key: { kind: 'VARCHAR', length: 2147483647, nullable: true },
      value: { kind: 'DECIMAL', precision: 10, scale: 0, nullable: true },
      nullable: true,
    });
    assert.equal(types[2]?.kind === 'ROW' && types[2].fields.length, 2);
    assert.deepEqual(types.slice(3), [
      { kind: 'CHAR', length: 1, nullable: true },
      { kind: 'VARCHAR', length: 1, nullable: true },
      { kind: 'TIMESTAMP', precision: 6, nullable: true },
      { kind: 'TIME', precision: 0, nullable: true },
    ]);
  });
});

describe('queries', () => {
  it('parses joins, lookup joins, and their conditions', () => {
    const insert = parseOne<InsertStatement>(`
      INSERT INTO out
      SELECT o.order_id, u.username
      FROM orders AS o
      LEFT JOIN users FOR SYSTEM_TIME AS OF o.proc_time AS u ON o.user_id = u.user_id
      FULL OUTER JOIN x ON x.id = o.order_id AND x.v > 1`);
    const select = insert.query as Select;
    assert.equal(select.from?.kind, 'join');
    const outer = select.from?.kind === 'join' ? select.from : undefined;
    assert.equal(outer?.type, 'FULL');
    const inner = outer?.left.kind === 'join' ? outer.left : undefined;
    assert.equal(inner?.type, 'LEFT');
    assert.equal(inner?.right.kind === 'tableName' && inner.right.systemTime?.kind, 'column');
    assert.equal(inner?.right.kind === 'tableName' && inner.right.alias?.name, 'u');
  });

  it('parses window table functions with plural interval units', () => {
    const [statement] = parse(`
      SELECT window_start, window_end, COUNT(*) AS orders, SUM(total_amount) AS gmv
      FROM TABLE(HOP(TABLE orders, DESCRIPTOR(order_time), INTERVAL '30' SECONDS, INTERVAL '1' MINUTE))
      GROUP BY window_start, window_end`);
    const select = statement?.kind === 'query' ? (statement.query as Select) : undefined;
    assert.equal(select?.from?.kind, 'windowFunction');
    const window = select?.from?.kind === 'windowFunction' ? select.from : undefined;
    assert.equal(window?.window, 'HOP');
    assert.equal(window?.timeColumn.name, 'order_time');
    assert.deepEqual(
      window?.intervals.map((i) => i.kind === 'interval' && [i.text, i.unit]),
      [
        ['30', 'SECOND'],
        ['1', 'MINUTE'],
      ],
    );
    assert.equal(select?.items[2]?.kind === 'expression' && select.items[2].expression.kind, 'call');
  });

  it('parses UNION ALL, DISTINCT, subqueries in FROM, GROUP BY and HAVING', () => {
    const [statement] = parse(`
      SELECT DISTINCT city FROM (SELECT city, COUNT(*) AS n FROM users GROUP BY city HAVING COUNT(*) > 1) t
      UNION ALL SELECT 'x' FROM users`);
    const query = statement?.kind === 'query' ? statement.query : undefined;
    assert.equal(query?.kind, 'setOperation');
    const union = query?.kind === 'setOperation' ? query : undefined;
    assert.equal(union?.all, true);
    const left = union?.left as Select;
    assert.equal(left.distinct, true);
    assert.equal(left.from?.kind === 'derivedTable' && left.from.alias?.name, 't');
  });

  it('gives operators their SQL precedence', () => {
    const [statement] = parse('SELECT a + b * c = d OR NOT e AND f FROM t');
    const select = statement?.kind === 'query' ? (statement.query as Select) : undefined;
    const item = select?.items[0];
    const printed = JSON.stringify(shape(item?.kind === 'expression' ? item.expression : undefined), (key, v) =>
      key === 'kind' || key === 'type' ? undefined : v,
    );
    assert.equal(
      printed,
      '{"operator":"OR","left":{"operator":"=","left":{"operator":"+","left":{"parts":["a"]},"right":{"operator":"*","left":{"parts":["b"]},"right":{"parts":["c"]}}},"right":{"parts":["d"]}},"right":{"operator":"AND","left":{"operator":"NOT","operand":{"parts":["e"]}},"right":{"parts":["f"]}}}',
    );
  });

  it('parses the special forms: CAST, TRY_CAST, EXTRACT, TRIM, SUBSTRING FROM FOR, IS, BETWEEN, IN, LIKE ESCAPE', () => {
    const [statement] = parse(`SELECT
      CAST(HOUR(t) AS INT), TRY_CAST(s AS DECIMAL(5, 1)), EXTRACT(YEAR FROM t), TRIM(LEADING 'x' FROM s),
      SUBSTRING(s FROM 2 FOR 3), a IS NOT NULL, b IS NOT DISTINCT FROM c, d NOT BETWEEN 1 AND 2,
      e NOT IN (1, 2, NULL), f LIKE 'a!%%' ESCAPE '!', -5, DATE '2025-07-11', TIMESTAMP '2025-07-11 17:25:55.145',
      CURRENT_TIMESTAMP, INTERVAL '1' DAY
      FROM t`);
    const select = statement?.kind === 'query' ? (statement.query as Select) : undefined;
    const kinds = select?.items.map((item) => (item.kind === 'expression' ? item.expression.kind : item.kind));
    assert.deepEqual(kinds, [
      'cast',
      'cast',
      'extract',
      'call',
      'call',
      'is',
      'binary',
      'between',
      'in',
      'like',
      'literal',
      'literal',
      'literal',
      'call',
      'interval',
    ]);
    const expressions =
      select?.items.map((item) => (item.kind === 'expression' ? shape(item.expression) : undefined)) ?? [];
    assert.deepEqual(expressions[1], {
      kind: 'cast',
      operand: { kind: 'column', parts: ['s'] },
      type: { kind: 'DECIMAL', precision: 5, scale: 1, nullable: true },
      try: true,
    });
    assert.deepEqual(expressions[3], {
      kind: 'call',
      name: 'LTRIM',
      args: [
        { kind: 'column', parts: ['s'] },
        { kind: 'literal', type: 'string', text: 'x' },
      ],
      distinct: false,
      star: false,
    });
    assert.deepEqual(expressions[10], { kind: 'literal', type: 'number', text: '-5' });
    assert.deepEqual(expressions[12], { kind: 'literal', type: 'timestamp', text: '2025-07-11 17:25:55.145' });
  });

  it('takes backquoted names, including reserved words', () => {
    const [statement] = parse('SELECT `value`, `result`.`x` FROM `result`');
    const select = statement?.kind === 'query' ? (statement.query as Select) : undefined;
    assert.deepEqual(
      select?.items.map(
        (item) => item.kind === 'expression' && item.expression.kind === 'column' && item.expression.parts,
      ),
      [['value'], ['result', 'x']],
    );
  });

  it('points at a missing expression and at what came instead', () => {
    assert.equal(parseError('SELECT a,\n  FROM t').message, "test.sql:2:3: expected an expression, found 'FROM'");
    assert.equal(
      parseError('SELECT a FROM t WHERE').message,
      'test.sql:1:22: expected an expression, found end of input',
    );
    assert.equal(
      parseError('INSERT INTO t SELECT 1 2').message,
      "test.sql:1:24: expected ';' after the statement, found '2'",
    );
  });

  it('says what is not supported rather than failing obscurely', () => {
    assert.equal(parseError('SELECT * FROM t ORDER BY a').code, 'SQL_UNSUPPORTED');
    assert.equal(parseError('DROP TABLE t').code, 'SQL_UNSUPPORTED');
    assert.equal(parseError('WITH RECURSIVE t AS (SELECT 1) SELECT * FROM t').code, 'SQL_UNSUPPORTED');
  });

  it('parses WITH, each query named with optional column names, before a query or in INSERT', () => {
    const query = parseOne<InsertStatement>(
      'INSERT INTO s WITH a (x) AS (SELECT 1), b AS (SELECT x FROM a) SELECT * FROM b',
    ).query;
    assert.equal(query.kind, 'with');
    if (query.kind !== 'with') return;
    assert.deepEqual(
      query.items.map((item) => [item.name.name, item.columnNames?.map((c) => c.name)]),
      [
        ['a', ['x']],
        ['b', undefined],
      ],
    );
    assert.equal(query.body.kind, 'select');
  });

  it('parses subqueries in expressions: [NOT] EXISTS, [NOT] IN (query) and scalar subqueries', () => {
    const select = (
      parseOne<Statement>(
        'SELECT (SELECT MAX(b) FROM u) FROM t WHERE NOT EXISTS (SELECT * FROM u) AND a NOT IN (SELECT b FROM u) AND a IN (1, 2)',
      ) as { query: Select }
    ).query;
    const item = select.items[0];
    assert.equal(item?.kind === 'expression' ? item.expression.kind : undefined, 'scalarSubquery');
    assert.deepEqual(
      shape(select.where),
      shape({
        kind: 'binary',
        operator: 'AND',
        left: {
          kind: 'binary',
          operator: 'AND',
          left: { kind: 'unary', operator: 'NOT', operand: { kind: 'exists', query: parseQueryOf('SELECT * FROM u') } },
          right: {
            kind: 'inSubquery',
            operand: { kind: 'column', parts: ['a'] },
            query: parseQueryOf('SELECT b FROM u'),
            negated: true,
          },
        },
        right: {
          kind: 'in',
          operand: { kind: 'column', parts: ['a'] },
          list: [
            { kind: 'literal', type: 'number', text: '1' },
            { kind: 'literal', type: 'number', text: '2' },
          ],
          negated: false,
        },
      }),
    );
  });
});
