import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const dirs: string[] = [];
/** A temp dir for a test's SQL files, removed after the tests. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-explain-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('rivulet explain', () => {
  it('prints each job of an example with its changelog modes', async () => {
    const result = await runCli(['explain', '-f', 'examples/ecommerce/1_cdc_source_to_kafka.sql']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^== insert-into_default_catalog\.default_database\.ods_orders \(examples\/ecommerce\/1_cdc_source_to_kafka\.sql:\d+:1\) ==$/m,
    );
    assert.match(
      result.stdout,
      /TableSourceScan\(table=\[users_source\], connector=\[postgres-cdc\].*changelogMode=\[I,UB,UA,D\]/,
    );
    assert.doesNotMatch(result.stdout, /postgres'/, 'no option values, so no password, in the plan');
  });

  it('fills placeholders from -D and reports an unset one at its place', async () => {
    const dir = tempDir();
    const file = join(dir, 'job.sql');
    writeFileSync(
      file,
      "CREATE TABLE src (id INT) WITH ('connector' = 'kafka', 'topic' = '${TOPIC}', 'format' = 'json');\n" +
        "CREATE TABLE dst (id INT) WITH ('connector' = 'kafka', 'topic' = 'out', 'format' = '${FORMAT}');\n" +
        'INSERT INTO dst SELECT id FROM src;\n',
    );
    const ok = await runCli(['explain', '-f', file, '-D', 'TOPIC=in', '-D', 'FORMAT=json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Sink\(table=\[dst\], connector=\[kafka\]/);
    const unset = await runCli(['explain', '-f', file, '-D', 'TOPIC=in']);
    assert.equal(unset.code, 1);
    assert.match(
      unset.stderr,
      /^error\[SQL_UNSET_VARIABLE\]: .*job\.sql:2:85: \$\{FORMAT\} is not set\n {2}hint: pass -D FORMAT=VALUE/,
    );
    assert.doesNotMatch(unset.stderr, /^\s+at /m);
  });

  it('exits 1 with the location of a planning error', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.sql');
    writeFileSync(
      file,
      "CREATE TABLE t (id BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');\n" +
        "CREATE TABLE o (id BIGINT, h INT) WITH ('connector' = 'kafka', 'topic' = 'o', 'format' = 'json');\n" +
        'INSERT INTO o SELECT id, HOUR(ts) FROM t;\n',
    );
    const result = await runCli(['explain', '-f', file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /error\[SQL_SINK_SCHEMA_MISMATCH\]: .*bad\.sql:3:1: .*Incompatible types for sink column 'h' at position 1/s,
    );
  });

  it('names a file it cannot read and a malformed -D', async () => {
    const missing = await runCli(['explain', '-f', 'no/such/file.sql']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error\[FILE_NOT_READABLE\]: cannot read no\/such\/file\.sql: ENOENT/);
    const malformed = await runCli(['explain', '-f', 'examples/ecommerce/2_dwd_layer.sql', '-D', 'NOEQUALS']);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /-D expects NAME=VALUE, got 'NOEQUALS'/);
  });
});
