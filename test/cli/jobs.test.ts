import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localEngineToken } from '../../src/cli/local-engines.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { CliProcess, RUNTIME_DIR, runCli } from '../helpers/cli.ts';

describe('rivulet sql, list and cancel against the running engine', () => {
  let dir: string;
  let dataDir: string;
  let up: CliProcess;
  let restPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rivulet-jobs-'));
    chmodSync(dir, 0o711);
    dataDir = join(dir, 'data');
    restPort = await freeLoopbackPort();
    up = new CliProcess([
      'up',
      '--data-dir',
      dataDir,
      '--pg-port',
      String(await freeLoopbackPort()),
      '--port',
      String(restPort),
    ]);
    await up.waitFor(/Ready in/);
  });
  after(async () => {
    up?.child.kill('SIGINT');
    await up?.done;
    rmSync(dir, { recursive: true, force: true });
  });

  it('submits a script, lists its job as RUNNING, cancels it, and lists it as CANCELED', async () => {
    const submitted = await runCli(['sql', '-f', 'examples/ecommerce/2_dwd_layer.sql', '--data-dir', dataDir]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = /^Job ID: ([0-9a-f]{32}) {2}insert-into_default_catalog\.default_database\.dwd_orders$/m.exec(
      submitted.stdout,
    )?.[1];
    assert.ok(id, submitted.stdout);
    const listed = await runCli(['list', '--engine', `http://127.0.0.1:${restPort}`]);
    assert.match(
      listed.stdout,
      new RegExp(`: ${id} : insert-into_default_catalog\\.default_database\\.dwd_orders \\(RUNNING\\)`),
    );
    const cancelled = await runCli(['cancel', id as string, '--data-dir', dataDir]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    const after = await runCli(['list', '--data-dir', dataDir]);
    assert.match(after.stdout, /No running jobs\./);
    assert.match(after.stdout, new RegExp(`${id} : .* \\(CANCELED\\)`));
  });

  it('finds the token of the instance its user started, given only --engine, and never prints it', async () => {
    const token = readFileSync(join(dataDir, 'rest-token'), 'utf8').trim();
    assert.equal(statSync(join(dataDir, 'rest-token')).mode & 0o777, 0o600);
    const engine = `http://127.0.0.1:${restPort}`;
    const submitted = await runCli(['sql', '-f', 'examples/ecommerce/2_dwd_layer.sql', '--engine', engine]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = /^Job ID: ([0-9a-f]{32})/m.exec(submitted.stdout)?.[1] as string;
    assert.match(up.stdout, /token from .*rest-token\n/);

    // Another user on this machine has no runtime file of this engine: refused, and told what to do.
    const elsewhere = mkdtempSync(join(dir, 'runtime-'));
    const stranger = await runCli(['cancel', id, '--engine', engine], { RIVULET_RUNTIME_DIR: elsewhere });
    assert.equal(stranger.code, 1);
    assert.match(stranger.stderr, /^error\[ENGINE_UNAUTHORIZED\]: Unauthorized: this request needs the header/);
    assert.match(stranger.stderr, /hint: .*set RIVULET_REST_TOKEN to its token \(in its <data-dir>\/rest-token\)/);
    const given = await runCli(['cancel', id, '--engine', engine], {
      RIVULET_RUNTIME_DIR: elsewhere,
      RIVULET_REST_TOKEN: token,
    });
    assert.equal(given.code, 0, given.stderr);
    // The local token is sent to loopback only.
    process.env.RIVULET_RUNTIME_DIR = RUNTIME_DIR;
    assert.equal(localEngineToken(engine), token);
    assert.equal(localEngineToken(`http://localhost:${restPort}/`), token);
    assert.equal(localEngineToken(`http://192.0.2.1:${restPort}`), undefined);
    assert.equal(localEngineToken(`https://127.0.0.1:${restPort}`), undefined);
    for (const output of [up.stdout, up.stderr, submitted.stdout, submitted.stderr, stranger.stderr]) {
      assert.ok(!output.includes(token), output);
    }
  });

  it('reports a SQL error where it is, before anything reaches the engine', async () => {
    const file = join(dir, 'bad.sql');
    writeFileSync(
      file,
      "CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json', 'oops' = '1');\n",
    );
    const result = await runCli(['sql', '-f', file, '--data-dir', dataDir]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error\[OPTION_UNSUPPORTED\]: .*bad\.sql:1:88: Unsupported options found for 'kafka': 'oops'/,
    );
  });

  it("names a source it cannot reach, and a job id that doesn't exist", async () => {
    const port = await freeLoopbackPort();
    const cdc = await runCli([
      'sql',
      '-f',
      'examples/ecommerce/1_cdc_source_to_kafka.sql',
      '-D',
      `SOURCE_PORT=${port}`,
      '-D',
      'SOURCE_PASSWORD=do-not-print-me',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(cdc.code, 1);
    assert.match(
      cdc.stderr,
      new RegExp(
        `error\\[CDC_UNREACHABLE\\]: cannot reach PostgreSQL at postgresql://postgres@localhost:${port}/source_db`,
      ),
    );
    assert.doesNotMatch(cdc.stderr + cdc.stdout, /do-not-print-me/);
    const missing = await runCli(['cancel', '0123456789abcdef0123456789abcdef', '--data-dir', dataDir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Job 0123456789abcdef0123456789abcdef not found/);
  });
});
