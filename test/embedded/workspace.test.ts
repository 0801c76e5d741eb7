import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
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
});
