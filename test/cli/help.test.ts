import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const CONTRACT_COMMANDS = ['up', 'sql', 'explain', 'list', 'cancel', 'topics', 'consume', 'validate', 'stress'];

describe('rivulet --help', () => {
  it('lists every contract command', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    for (const command of CONTRACT_COMMANDS) {
      assert.match(result.stdout, new RegExp(`^  ${command}\\b`, 'm'), `--help does not list ${command}`);
    }
  });

  it('fails a command that needs a running instance when there is none, without a stack trace', async () => {
    const result = await runCli(['stress', '--orders', '10', '--data-dir', 'no-such-rivulet-dir']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error\[NOT_RUNNING\]: no running Rivulet uses /);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  });

  it('names the option at fault', async () => {
    const result = await runCli(['up', '--pg-port', '99999']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--pg-port must be a TCP port \(1-65535\), got '99999'/);
  });
});
