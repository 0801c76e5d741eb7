import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { submission } from '../../src/server/submission.ts';

describe('POST /sql with the directory of the script', () => {
  it('takes an absolute directory, which its functions are loaded from', () => {
    const body = submission({ script: 'SELECT 1', directory: '/home/me/pipelines' });
    assert.ok(!('status' in body));
    assert.equal(body.directory, '/home/me/pipelines');
    const without = submission({ script: 'SELECT 1' });
    assert.ok(!('status' in without));
    assert.equal(without.directory, undefined);
  });

  it('refuses a relative directory: the engine cannot know where the client stood', () => {
    assert.deepEqual(submission({ script: 'SELECT 1', directory: 'pipelines' }), {
      status: 400,
      message: "Bad Request: 'directory' must be an absolute path: the script's directory",
    });
  });
});
