import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type FlinkCluster, flinkCached, startFlink } from '../../scripts/flink/run.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

// Apache Flink's jars (150 MB) are fetched by `npm run parity`, not by the tests.
const skip = flinkCached()
  ? false
  : 'Flink classpath not cached in scripts/flink/target (npm run parity fetches it with Maven)';
if (skip) process.stdout.write(`# skipped the Flink SQL Gateway test: ${skip}\n`);

const rivulet = (...args: string[]) => run(process.execPath, ['--import', 'tsx', CLI, ...args]);

describe('rivulet sql/list/cancel --engine flink:// (a real Flink SQL Gateway)', { skip }, () => {
  let cluster: FlinkCluster | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-gateway-'));
  before(async () => {
    cluster = await startFlink({ scripts: [], gatewayPort: 0 });
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('submits a script with ${NAME} substitution, gets its job id back, and the job runs in Flink', async () => {
    const file = join(dir, 'numbers.sql');
    writeFileSync(
      file,
      `-- a comment; with a semicolon
SET 'parallelism.default' = '1';
CREATE TABLE numbers (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '\${RATE}');
CREATE TABLE nowhere (x INT) WITH ('connector' = 'blackhole');
INSERT INTO nowhere SELECT x FROM numbers;
`,
    );
    const engine = (cluster?.gatewayUrl ?? '').replace('http://', 'flink://');
    const { stdout } = await rivulet('sql', '-f', file, '-D', 'RATE=5', '--engine', engine);
    const jobId = /Job ID: ([0-9a-f]{32})/.exec(stdout)?.[1];
    assert.ok(jobId, stdout);
    let state = '';
    for (let i = 0; i < 100 && state !== 'RUNNING'; i++) {
      const job = (await (await fetch(`${cluster?.restUrl}/jobs/${jobId}`)).json()) as { state: string };
      state = job.state;
      if (state !== 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(state, 'RUNNING');

    const listed = (await rivulet('list', '--engine', engine)).stdout;
    assert.match(listed, new RegExp(`${jobId} : .*numbers\\.sql#1 \\(RUNNING\\)`));

    await rivulet('cancel', jobId, '--engine', engine);
    const job = (await (await fetch(`${cluster?.restUrl}/jobs/${jobId}`)).json()) as { state: string };
    assert.match(job.state, /CANCEL/);
  });

  it('refuses what only Rivulet has, naming it', async () => {
    const file = join(dir, 'function.sql');
    writeFileSync(file, "CREATE FUNCTION twice AS 'twice.ts#twice';\n");
    const engine = (cluster?.gatewayUrl ?? '').replace('http://', 'flink://');
    await assert.rejects(rivulet('sql', '-f', file, '--engine', engine), (error: { stderr: string }) => {
      assert.match(error.stderr, /FLINK_UNSUPPORTED/);
      assert.match(error.stderr, /twice\.ts#twice/);
      return true;
    });
    await assert.rejects(
      rivulet('sql', '-f', file, '--engine', engine, '--from-scratch'),
      (error: { stderr: string }) => /--from-scratch/.test(error.stderr),
    );
  });
});
