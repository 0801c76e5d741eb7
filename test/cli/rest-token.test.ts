import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { restToken } from '../../src/cli/rest-token.ts';
import { Workspace } from '../../src/embedded/workspace.ts';

describe('the REST token of rivulet up', () => {
  let root: string;
  let workspace: Workspace;
  const saved = process.env.RIVULET_REST_TOKEN;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'rivulet-rest-token-'));
    workspace = await Workspace.acquire(join(root, 'data'));
  });
  after(() => {
    workspace?.release();
    rmSync(root, { recursive: true, force: true });
    if (saved === undefined) delete process.env.RIVULET_REST_TOKEN;
    else process.env.RIVULET_REST_TOKEN = saved;
  });

  it('comes from --rest-token, else --rest-token-file, else RIVULET_REST_TOKEN, else the data directory', () => {
    const file = join(root, 'token');
    writeFileSync(file, 'from-the-file\nsecond line ignored\n');
    process.env.RIVULET_REST_TOKEN = 'from-the-environment';
    assert.deepEqual(restToken({ restToken: 'from-the-flag' }, workspace), {
      token: 'from-the-flag',
      source: '--rest-token',
    });
    assert.deepEqual(restToken({ restTokenFile: file }, workspace), {
      token: 'from-the-file',
      source: `--rest-token-file ${file}`,
    });
    assert.deepEqual(restToken({}, workspace), { token: 'from-the-environment', source: 'RIVULET_REST_TOKEN' });
    delete process.env.RIVULET_REST_TOKEN;
    const own = restToken({}, workspace);
    assert.equal(own.token, workspace.restToken());
    assert.match(own.source, /rest-token$/);
  });

  it('refuses two sources at once, a file it cannot read, and a token that cannot be sent in a header', () => {
    assert.throws(
      () => restToken({ restToken: 'a', restTokenFile: 'b' }, workspace),
      /--rest-token and --rest-token-file both give the token/,
    );
    assert.throws(
      () => restToken({ restTokenFile: join(root, 'missing') }, workspace),
      /cannot read --rest-token-file .*ENOENT/,
    );
    const empty = join(root, 'empty');
    writeFileSync(empty, '\n');
    assert.throws(() => restToken({ restTokenFile: empty }, workspace), /must be one word of visible ASCII/);
    assert.throws(() => restToken({ restToken: 'two words' }, workspace), /must be one word of visible ASCII/);
  });
});
