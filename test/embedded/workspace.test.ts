import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { embeddedPassword, readEmbeddedPassword } from '../../src/embedded/pgpass.ts';
import { Workspace } from '../../src/embedded/workspace.ts';

describe('a data directory', () => {
  it('keeps one kafka transactional id across starts, and another directory has its own', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rivulet-workspace-'));
    try {
      const first = await Workspace.acquire(join(root, 'a'));
      const id = first.kafkaTransactionalId();
      assert.match(id, /^rivulet-[0-9a-f-]{36}$/);
      assert.equal(first.kafkaTransactionalId(), id);
      first.release();
      const again = await Workspace.acquire(join(root, 'a'));
      assert.equal(again.kafkaTransactionalId(), id);
      again.release();
      const other = await Workspace.acquire(join(root, 'b'));
      assert.notEqual(other.kafkaTransactionalId(), id);
      other.release();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('makes a REST token and a PostgreSQL password once, in files only the owner may read', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rivulet-workspace-'));
    try {
      const first = await Workspace.acquire(join(root, 'a'));
      const token = first.restToken();
      assert.match(token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes');
      assert.equal(statSync(first.restTokenFile).mode & 0o777, 0o600);
      first.release();
      const again = await Workspace.acquire(join(root, 'a'));
      assert.equal(again.restToken(), token);
      again.release();
      const other = await Workspace.acquire(join(root, 'b'));
      assert.notEqual(other.restToken(), token);
      // A file others may read holds a secret they may know: refused, with what to do.
      chmodSync(other.restTokenFile, 0o644);
      assert.throws(
        () => other.restToken(),
        (error: Error & { code?: string; hint?: string }) => {
          assert.equal(error.code, 'SECRET_FILE_EXPOSED');
          assert.match(error.hint ?? '', /chmod 600 .*rest-token/);
          return true;
        },
      );
      other.release();

      const password = embeddedPassword(first.dir, 'postgres');
      assert.match(password, /^[A-Za-z0-9_-]{32}$/, '24 random bytes');
      assert.equal(statSync(first.passwordFile).mode & 0o777, 0o600);
      assert.equal(embeddedPassword(first.dir, 'postgres'), password);
      assert.equal(readEmbeddedPassword(first.dir, 'postgres'), password);
      // libpq's password file format: host:port:database:user:password, any port and database.
      assert.equal(
        readFileSync(first.passwordFile, 'utf8'),
        `127.0.0.1:*:*:postgres:${password}\nlocalhost:*:*:postgres:${password}\n`,
      );
      assert.equal(readEmbeddedPassword(other.dir, 'postgres'), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
