import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { CliProcess, runCli } from '../helpers/cli.ts';
import { waitFor } from '../helpers/wait.ts';

describe("rivulet sql answers the SQL client's statements; rivulet print shows a job's printed lines", () => {
  let dir: string;
  let dataDir: string;
  let up: CliProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rivulet-sql-client-'));
    chmodSync(dir, 0o711);
    dataDir = join(dir, 'data');
    up = new CliProcess([
      'up',
      '--data-dir',
      dataDir,
      '--pg-port',
      String(await freeLoopbackPort()),
      '--port',
      String(await freeLoopbackPort()),
    ]);
    await up.waitFor(/Ready in/);
  });
  after(async () => {
    up?.child.kill('SIGINT');
    await up?.done;
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints SHOW TABLES, DESCRIBE and SHOW CREATE TABLE in the tableau layout, then the job, whose lines rivulet print shows', async () => {
    const file = join(dir, 'gen.sql');
    writeFileSync(
      file,
      `CREATE TABLE gen (id INT) WITH ('connector' = 'datagen',
         'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3');
       CREATE TABLE shown (id INT) WITH ('connector' = 'print', 'print-identifier' = 'cli');
       SHOW TABLES;
       DESCRIBE gen;
       SHOW CREATE TABLE shown;
       INSERT INTO shown SELECT * FROM gen;`,
    );
    const submitted = await runCli(['sql', '-f', file, '--data-dir', dataDir]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const [tables, rest] = submitted.stdout.split('2 rows in set\n');
    assert.equal(
      tables,
      [
        '+------------+',
        '| table name |',
        '+------------+',
        '|        gen |',
        '|      shown |',
        '+------------+',
        '',
      ].join('\n'),
    );
    assert.ok(
      rest?.startsWith(
        [
          '+------+------+------+-----+--------+-----------+',
          '| name | type | null | key | extras | watermark |',
          '+------+------+------+-----+--------+-----------+',
          '|   id |  INT | TRUE |     |        |           |',
          '+------+------+------+-----+--------+-----------+',
          '1 row in set',
          'CREATE TABLE `default_catalog`.`default_database`.`shown` (',
          '  `id` INT',
          ') WITH (',
          "  'connector' = 'print',",
          "  'print-identifier' = 'cli'",
          ')',
          '',
        ].join('\n'),
      ),
      rest,
    );
    const id = /^Job ID: ([0-9a-f]{32}) {2}insert-into_default_catalog\.default_database\.shown$/m.exec(
      submitted.stdout,
    )?.[1];
    assert.ok(id, submitted.stdout);
    const printed = await waitFor('the printed lines', async () => {
      const result = await runCli(['print', id as string, '--data-dir', dataDir]);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.split('\n').length > 3 ? result.stdout : undefined;
    });
    assert.equal(printed, 'cli> +I[1]\ncli> +I[2]\ncli> +I[3]\n');
    assert.match(up.stdout, /cli> \+I\[3\]/);
  });
});
