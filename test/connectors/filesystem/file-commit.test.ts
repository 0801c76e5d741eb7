import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileCommitDomain, type FileSinkPolicy } from '../../../src/connectors/filesystem/file-commit.ts';

const POLICY: FileSinkPolicy = {
  fileSize: 10,
  rolloverMs: 3_600_000,
  inactivityMs: 3_600_000,
  checkMs: 0,
  successFile: undefined,
  commitDelayMs: 0,
};
const line = (text: string) => ({ bucket: '', bytes: Buffer.from(`${text}\n`) });
const positions = (next: bigint) => [{ group: 'job/src', topic: 'input', positions: new Map([[0, next]]) }];
/** The visible files of `dir`, name → content. */
const visible = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((name) => !name.startsWith('.'))
      .sort()
      .map((name) => [name.replace(/-[0-9a-f-]{36}-/, '-<uuid>-'), readFileSync(join(dir, name), 'utf8')]),
  );
const inProgress = (dir: string) => readdirSync(dir).filter((name) => name.includes('.inprogress.'));

describe('the commit of a filesystem sink', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-fs-commit-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('names files as Flink does and makes them visible only with the commit after they rolled', async () => {
    const dir = fresh();
    const domain = FileCommitDomain.open(dir, 'job', POLICY);
    domain.stage([line('first row'), line('second row')]);
    await domain.hold();
    assert.deepEqual(visible(dir), {}, 'nothing visible before a commit');
    assert.match(inProgress(dir)[0] as string, /^\.part-[0-9a-f-]{36}-0-0\.inprogress\.[0-9a-f-]{36}$/);
    await domain.commit(positions(2n));
    // 'first row\n' is 10 bytes, not past the limit: the second row goes into the same file, which
    // is then past it and rolls at the commit (TableRollingPolicy.shouldRollOnCheckpoint).
    assert.deepEqual(visible(dir), { 'part-<uuid>-0-0': 'first row\nsecond row\n' });
    assert.deepEqual(inProgress(dir), []);
    assert.deepEqual(await domain.committedPositions('job/src', 'input'), new Map([[0, 2n]]));
    await domain.close();
  });

  it('after a crash, truncates what was written past the last commit and deletes uncommitted part files', async () => {
    const dir = fresh();
    const before = FileCommitDomain.open(dir, 'job', { ...POLICY, fileSize: 1000 });
    before.stage([line('committed')]);
    await before.commit(positions(1n));
    before.stage([line('not committed')]);
    await before.hold();
    // The process dies here: `before` is never closed. A new run opens the directory again.
    const after = FileCommitDomain.open(dir, 'job', { ...POLICY, fileSize: 1000 });
    assert.deepEqual(await after.committedPositions('job/src', 'input'), new Map([[0, 1n]]));
    const [open] = inProgress(dir);
    assert.equal(readFileSync(join(dir, open as string), 'utf8'), 'committed\n');
    after.stage([line('again')]);
    await after.finish();
    assert.deepEqual(visible(dir), { 'part-<uuid>-0-0': 'committed\nagain\n' });
    assert.deepEqual(inProgress(dir), []);
    await after.close();
  });

  it('after a crash between the commit and the renames, finishes the renames', async () => {
    const dir = fresh();
    const domain = FileCommitDomain.open(dir, 'job', POLICY);
    domain.stage([line('row one here'), line('row two')]);
    await domain.commit(positions(2n));
    // Undo the rename, as if the process died after the commit state was written and before the rename.
    const [finished] = readdirSync(dir).filter((name) => name.startsWith('part-'));
    const state = JSON.parse(readFileSync(join(dir, '.rivulet', 'job.commit.json'), 'utf8'));
    renameSync(join(dir, finished as string), join(dir, state.renames[0].from));
    assert.deepEqual(visible(dir), {});
    const reopened = FileCommitDomain.open(dir, 'job', POLICY);
    assert.deepEqual(visible(dir), { 'part-<uuid>-0-0': 'row one here\n' });
    assert.ok(existsSync(join(dir, state.open[0].inProgress)), 'the open part file is kept with its committed rows');
    await reopened.close();
    await domain.close();
  });
  // The fsyncs of the directories (of new part files before the state lists them, of renames before
  // the next state moves past them) cannot be observed short of a power loss: not tested here.

  it('refuses to open a directory whose committed in-progress file is gone, naming it', async () => {
    const dir = fresh();
    const domain = FileCommitDomain.open(dir, 'job', { ...POLICY, fileSize: 1000 });
    domain.stage([line('committed')]);
    await domain.commit(positions(1n));
    const [open] = inProgress(dir);
    rmSync(join(dir, open as string));
    assert.throws(
      () => FileCommitDomain.open(dir, 'job', { ...POLICY, fileSize: 1000 }),
      (error: Error & { code?: string }) =>
        error.code === 'SINK_WRITE_FAILED' &&
        error.message.includes(join(dir, open as string)) &&
        error.message.includes('is missing'),
    );
  });

  it('refuses to open a directory whose committed part file is gone before and after its rename, naming it', async () => {
    const dir = fresh();
    const domain = FileCommitDomain.open(dir, 'job', POLICY);
    domain.stage([line('row one here'), line('row two')]);
    await domain.commit(positions(2n));
    const [finished] = readdirSync(dir).filter((name) => name.startsWith('part-'));
    rmSync(join(dir, finished as string));
    assert.throws(
      () => FileCommitDomain.open(dir, 'job', POLICY),
      (error: Error & { code?: string }) =>
        error.code === 'SINK_WRITE_FAILED' &&
        error.message.includes(join(dir, finished as string)) &&
        error.message.includes('committed rows are lost'),
    );
  });
});
