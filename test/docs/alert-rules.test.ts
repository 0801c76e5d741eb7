import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { commandPath } from '../helpers/command-path.ts';

const ALERTS = join(import.meta.dirname, '..', '..', 'docs', 'alerts');

const PROMTOOL = commandPath('promtool');

/** Debian's prometheus package brings promtool (.ci/run installs it); elsewhere the test is skipped. */
describe('the Prometheus alerting rules of docs/alerts', {
  skip: !PROMTOOL && !process.env.CI && 'promtool is not installed',
}, () => {
  const run = (...args: string[]) => {
    assert.ok(PROMTOOL, 'promtool is not installed: .ci/run installs Debian prometheus');
    const result = spawnSync(PROMTOOL, args, { cwd: ALERTS, encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };

  it('are valid rules (promtool check rules)', () => {
    assert.match(run('check', 'rules', 'rivulet-rules.yml'), /SUCCESS: 7 rules found/);
  });

  it('fire on the series each is for (promtool test rules)', () => {
    assert.match(run('test', 'rules', 'rivulet-rules.test.yml'), /SUCCESS/);
  });
});
