import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planScript } from '../../src/plan/planner.ts';
import { tableau } from '../../src/plan/show/result.ts';
import type { SqlError } from '../../src/sql/sql-error.ts';

const plan = (text: string) => planScript('show.sql', text, new Map(), {});

// Flink 1.18's DESCRIBE example table (docs/dev/table/sql/describe), with a secret option added.
const ORDERS = `
CREATE TABLE Orders (
  \`user\` BIGINT NOT NULL,
  product VARCHAR(32),
  amount INT,
  ts TIMESTAMP(3),
  ptime AS PROCTIME(),
  PRIMARY KEY(\`user\`) NOT ENFORCED,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
  'connector' = 'jdbc', 'url' = 'jdbc:postgresql://h:5432/d', 'table-name' = 'orders', 'password' = 'hunter2'
);`;

describe('SHOW TABLES, SHOW FUNCTIONS, DESCRIBE and SHOW CREATE TABLE', () => {
  it('lists the tables and views created before SHOW TABLES, sorted, in the tableau layout', () => {
    const { results } = plan(`SHOW TABLES;
      CREATE TABLE b (n INT) WITH ('connector' = 'blackhole');
      CREATE TABLE a (n INT) WITH ('connector' = 'datagen');
      CREATE VIEW v AS SELECT n FROM a;
      SHOW TABLES;`);
    assert.equal(tableau(results[0] as never), 'Empty set\n');
    assert.equal(
      tableau(results[1] as never),
      [
        '+------------+',
        '| table name |',
        '+------------+',
        '|          a |',
        '|          b |',
        '|          v |',
        '+------------+',
        '3 rows in set',
        '',
      ].join('\n'),
    );
  });

  it('lists built-in scalar and aggregate functions, and no user functions yet', () => {
    const { results } = plan('SHOW FUNCTIONS; SHOW USER FUNCTIONS;');
    const [all, user] = results;
    assert.ok(all?.kind === 'table' && user?.kind === 'table');
    const names = all.rows.map((row) => row[0]);
    for (const name of ['UPPER', 'COUNT', 'SUM', 'DATE_FORMAT', 'COALESCE']) assert.ok(names.includes(name), name);
    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(user.rows, []);
  });

  it("describes a table as Flink's DESCRIBE does: type, null, key, extras, watermark", () => {
    const { results } = plan(`${ORDERS} DESCRIBE Orders; DESC Orders;`);
    assert.deepEqual(results[0], results[1] && { ...results[1], statement: 'DESCRIBE Orders' });
    assert.equal(
      tableau(results[0] as never),
      [
        '+---------+-----------------------------+-------+-----------+---------------+--------------------------+',
        '|    name |                        type |  null |       key |        extras |                watermark |',
        '+---------+-----------------------------+-------+-----------+---------------+--------------------------+',
        '|    user |                      BIGINT | FALSE | PRI(user) |               |                          |',
        '| product |                 VARCHAR(32) |  TRUE |           |               |                          |',
        '|  amount |                         INT |  TRUE |           |               |                          |',
        "|      ts |      TIMESTAMP(3) *ROWTIME* |  TRUE |           |               | ts - INTERVAL '1' SECOND |",
        '|   ptime | TIMESTAMP_LTZ(3) *PROCTIME* | FALSE |           | AS PROCTIME() |                          |',
        '+---------+-----------------------------+-------+-----------+---------------+--------------------------+',
        '5 rows in set',
        '',
      ].join('\n'),
    );
  });

  it('shows the CREATE TABLE as Flink prints it, with the password redacted', () => {
    const { results } = plan(`${ORDERS} SHOW CREATE TABLE Orders;`);
    assert.deepEqual(results[0], {
      kind: 'text',
      statement: 'SHOW CREATE TABLE Orders',
      text: [
        'CREATE TABLE `default_catalog`.`default_database`.`Orders` (',
        '  `user` BIGINT NOT NULL,',
        '  `product` VARCHAR(32),',
        '  `amount` INT,',
        '  `ts` TIMESTAMP(3),',
        '  `ptime` AS PROCTIME(),',
        "  WATERMARK FOR `ts` AS ts - INTERVAL '1' SECOND,",
        '  CONSTRAINT `PK_user` PRIMARY KEY (`user`) NOT ENFORCED',
        ') WITH (',
        "  'connector' = 'jdbc',",
        "  'url' = 'jdbc:postgresql://h:5432/d',",
        "  'table-name' = 'orders',",
        "  'password' = '******'",
        ')',
        '',
      ].join('\n'),
    });
  });

  it('hides a password inside a URL option too: in the query string and in the user part', () => {
    const planned = plan(`CREATE TABLE t (id INT) WITH ('connector' = 'jdbc', 'table-name' = 't',
      'url' = 'jdbc:postgresql://h:5432/d?user=app&password=hunter2&ssl=true');
      CREATE TABLE u (id INT) WITH ('connector' = 'jdbc', 'table-name' = 'u', 'url' = 'jdbc:postgresql://app:hunter2@h/d');
      SHOW CREATE TABLE t; SHOW CREATE TABLE u; EXPLAIN SELECT * FROM t /*+ OPTIONS('url' = 'jdbc:postgresql://h/d?password=hunter2') */;`);
    const { results, explains } = planned;
    const texts = results.map((result) => ('text' in result ? String(result.text) : ''));
    assert.match(
      explains[0] as string,
      /hints=\[\[\[OPTIONS options:\{url=jdbc:postgresql:\/\/h\/d\?password=\*\*\*\*\*\*\}\]\]\]/,
    );
    texts.push(...explains);
    assert.match(
      texts[0] as string,
      /'url' = 'jdbc:postgresql:\/\/h:5432\/d\?user=app&password=\*\*\*\*\*\*&ssl=true'/,
    );
    assert.match(texts[1] as string, /'url' = 'jdbc:postgresql:\/\/app:\*\*\*\*\*\*@h\/d'/);
    for (const text of texts) assert.doesNotMatch(text, /hunter2/);
  });

  it('names an unknown table, and refuses what it does not support with the statements it does', () => {
    assert.throws(
      () => plan('DESCRIBE nope;'),
      (error: SqlError) =>
        error.code === 'SQL_UNKNOWN_TABLE' && /Table or view 'nope' does not exist/.test(error.message),
    );
    assert.throws(
      () => plan("SHOW TABLES LIKE 'a%';"),
      (error: SqlError) =>
        error.code === 'SQL_UNSUPPORTED' && /SHOW TABLES takes nothing more here/.test(error.message),
    );
    assert.throws(
      () => plan('SHOW DATABASES;'),
      (error: SqlError) => error.code === 'SQL_UNSUPPORTED' && /SHOW statements are not supported/.test(error.message),
    );
  });
});
