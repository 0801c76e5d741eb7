import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findInstance } from '../../src/embedded/instance.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { CliProcess, runCli } from '../helpers/cli.ts';

describe('rivulet topics and rivulet consume on the running instance', () => {
  let dir: string;
  let dataDir: string;
  let up: CliProcess;
  let logUrl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rivulet-consume-'));
    chmodSync(dir, 0o711);
    dataDir = join(dir, 'data');
    up = new CliProcess(['up', '--data-dir', dataDir, '--pg-port', String(await freeLoopbackPort())]);
    await up.waitFor(/Ready in/);
    logUrl = findInstance(dataDir).logUrl;
    const log = await PostgresLog.open(logUrl, { maintenanceIntervalMs: 0 });
    await log.ensureTopic('ods_orders', { compacted: true });
    await log.produce(
      [2001, 2002, 2003, 2004].map((id) => ({
        topic: 'ods_orders',
        key: Buffer.from(`{"order_id":${id}}`),
        value: Buffer.from(`{"order_id":${id},"order_status":"PENDING"}`),
      })),
    );
    await log.produce([{ topic: 'ods_orders', key: Buffer.from('{"order_id":2004}'), value: null }]);
    await log.close();
  });

  after(async () => {
    up?.child.kill('SIGINT');
    await up?.done;
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists topics with partitions, messages and cleanup policy', async () => {
    const result = await runCli(['topics', '--data-dir', dataDir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^TOPIC\s+PARTITIONS\s+MESSAGES\s+SIZE\s+CLEANUP$/m);
    assert.match(result.stdout, /^ods_orders\s+1\s+5\s+[\d.]+ KiB\s+compact$/m);
  });

  it('prints values from the beginning, one per line, up to --max-messages', async () => {
    const result = await runCli([
      'consume',
      'ods_orders',
      '--from-beginning',
      '--max-messages',
      '3',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      '{"order_id":2001,"order_status":"PENDING"}\n{"order_id":2002,"order_status":"PENDING"}\n{"order_id":2003,"order_status":"PENDING"}\n',
    );
    assert.match(result.stderr, /Processed a total of 3 messages/);
  });

  // A consume that did not stop when the topic went quiet would hang until this timeout fails it.
  it('prints keys and tombstones with --key, and stops after --timeout-ms of quiet', { timeout: 120_000 }, async () => {
    const result = await runCli([
      'consume',
      'ods_orders',
      '--from-beginning',
      '--key',
      '--timeout-ms',
      '300',
      '--log',
      logUrl,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 5);
    assert.equal(lines[4], '{"order_id":2004}\tnull');
    assert.equal(lines.filter((line) => line.includes('2003')).length, 1, 'grep finds an order by its id');
  });

  it('fails clearly for an unknown topic and without a running instance', async () => {
    const unknown = await runCli(['consume', 'no_such_topic', '--data-dir', dataDir, '--timeout-ms', '100']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error\[LOG_TOPIC_NOT_FOUND\]: topic 'no_such_topic' does not exist/);
    const none = await runCli(['topics', '--data-dir', join(dir, 'nothing-here')]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error\[NOT_RUNNING\]: no running Rivulet uses .*nothing-here/);
    const badLog = await runCli(['topics', '--log', 'mysql://u:secret@h/db']);
    assert.equal(badLog.code, 1);
    assert.doesNotMatch(badLog.stderr, /secret/);
  });
});
