import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { RivuletError } from '../../common/errors.ts';
import type { CommitDomain, SourcePositions } from '../sink-writer.ts';

/** How part files roll (Flink's sink.rolling-policy.*), and how partitions are committed. */
export interface FileSinkPolicy {
  readonly fileSize: number;
  readonly rolloverMs: number;
  readonly inactivityMs: number;
  readonly checkMs: number;
  /** The success file written into a committed partition, or undefined when partitions are not committed. */
  readonly successFile: string | undefined;
  readonly commitDelayMs: number;
}

/** A part file being written: hidden (in progress) until a commit after it rolled renames it. */
interface PartFile {
  /** Directory relative to the table's path ('' or `k=v/…`). */
  readonly bucket: string;
  readonly inProgress: string;
  readonly final: string;
  size: number;
  readonly createdAt: number;
  lastWriteAt: number;
  fd: number | undefined;
}

/** What a commit makes durable, in one file written atomically (write, fsync, rename). */
interface CommitState {
  /** The part-file prefix of this job's files: `part-<uuid>-0-<n>`. */
  readonly uuid: string;
  readonly counter: number;
  readonly positions: readonly { group: string; topic: string; positions: [number, string][] }[];
  /** In-progress files and the length each had at the commit: what a recovery truncates them to. */
  readonly open: readonly { bucket: string; inProgress: string; final: string; size: number; createdAt: number }[];
  /** In-progress files that rolled before the commit, renamed once it is durable (again after a crash). */
  readonly renames: readonly { from: string; to: string }[];
  /** Partitions committed by the commit: their success files are written after the renames. */
  readonly successFiles: readonly string[];
}

/** One row's encoded line, for the part file of its partition directory. */
export interface StagedLine {
  readonly bucket: string;
  readonly bytes: Buffer;
}

/**
 * A filesystem sink's directory as a job's commit domain, Flink FileSink's two-phase commit: rows
 * go to hidden in-progress part files; a commit fsyncs them and writes, atomically, a state file
 * holding the source positions, each in-progress file's length and the renames of the files that
 * rolled; only then are those renamed to their visible names. After a crash the state file is the
 * truth: renames it lists are finished, in-progress files are truncated to their committed length,
 * and in-progress files of this job it does not list (written after the last commit) are deleted;
 * the sources then resume at the committed positions and write those rows again.
 */
export class FileCommitDomain implements CommitDomain {
  private staged: StagedLine[] = [];
  private committed: CommitState;
  private files = new Map<string, PartFile>();
  private rolled: PartFile[] = [];
  /** Partitions written and not committed yet, with when each was first written (process-time trigger). */
  private pendingPartitions = new Map<string, number>();
  private counter: number;
  /** Whether bytes were written beyond the last commit (a hold): no commit of its own may publish them. */
  private holding = false;
  /** Directories whose entries changed (a part file or a directory created) since the last commit. */
  private changedDirectories = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly dir: string,
    private readonly stateFile: string,
    state: CommitState,
    private readonly policy: FileSinkPolicy,
  ) {
    this.committed = state;
    this.counter = state.counter;
  }

  /** Opens the directory's commit state for `job`, finishing what the last commit left undone. */
  static open(dir: string, job: string, policy: FileSinkPolicy): FileCommitDomain {
    const stateFile = join(dir, '.rivulet', `${encodeURIComponent(job)}.commit.json`);
    let state: CommitState;
    try {
      for (const changed of makeDirectories(dirname(stateFile))) fsyncDirectory(changed);
      state = fs.existsSync(stateFile)
        ? (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as CommitState)
        : { uuid: randomUUID(), counter: 0, positions: [], open: [], renames: [], successFiles: [] };
      if (!fs.existsSync(stateFile)) writeAtomically(stateFile, JSON.stringify(state));
    } catch (cause) {
      throw new RivuletError(
        'SINK_WRITE_FAILED',
        `cannot open the commit state of directory ${dir}: ${(cause as Error).message}`,
        'check that the directory can be created and written by this process',
        { cause },
      );
    }
    const domain = new FileCommitDomain(dir, stateFile, state, policy);
    domain.restore();
    if (policy.checkMs > 0) {
      domain.timer = setInterval(() => void domain.rollIdle().catch(() => undefined), policy.checkMs);
      domain.timer.unref();
    }
    return domain;
  }

  stage(lines: readonly StagedLine[]): void {
    for (const line of lines) this.staged.push(line);
  }

  async committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, bigint>> {
    const found = this.committed.positions.find((p) => p.group === group && p.topic === topic);
    return new Map((found?.positions ?? []).map(([partition, next]) => [partition, BigInt(next)]));
  }

  hold(): Promise<void> {
    return this.exclusive(async () => {
      if (this.staged.length === 0) return;
      this.writeStaged(Date.now());
      this.holding = true;
    });
  }

  commit(positions: readonly SourcePositions[]): Promise<void> {
    return this.exclusive(async () => this.commitNow(positions, false));
  }

  /** At the end of the input (a bounded job that finished): every part file rolls and is committed, as in Flink. */
  finish(): Promise<void> {
    return this.exclusive(async () => this.commitNow([], true));
  }

  abort(): Promise<void> {
    return this.exclusive(async () => {
      this.staged = [];
      this.restore();
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.abort();
    for (const file of this.files.values()) closeFile(file);
  }

  private exclusive(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The check-interval timer: files due to roll by time roll and are committed, at the positions of the last commit. */
  private rollIdle(): Promise<void> {
    return this.exclusive(async () => {
      if (this.holding || this.staged.length > 0) return;
      const now = Date.now();
      if ([...this.files.values()].some((file) => this.dueByTime(file, now))) this.commitNow([], false);
    });
  }

  private dueByTime(file: PartFile, now: number): boolean {
    return now - file.createdAt >= this.policy.rolloverMs || now - file.lastWriteAt >= this.policy.inactivityMs;
  }

  private commitNow(positions: readonly SourcePositions[], rollAll: boolean): void {
    const now = Date.now();
    this.writeStaged(now);
    // Flink's TableRollingPolicy rolls at a checkpoint a file past the size limit too (shouldRollOnCheckpoint).
    for (const file of [...this.files.values()]) {
      if (rollAll || file.size > this.policy.fileSize || this.dueByTime(file, now)) this.roll(file);
    }
    for (const file of this.files.values()) if (file.fd !== undefined) fs.fsyncSync(file.fd);
    for (const file of this.rolled) {
      if (file.fd !== undefined) fs.fsyncSync(file.fd);
      closeFile(file);
    }
    // The new files' directory entries must be durable before a state lists them: after a power
    // loss, a file the state lists must exist (restore fails otherwise).
    for (const changed of this.changedDirectories) fsyncDirectory(changed);
    this.changedDirectories.clear();
    const successFiles: string[] = [];
    if (this.policy.successFile !== undefined) {
      for (const [bucket, since] of this.pendingPartitions) {
        if (now - since < this.policy.commitDelayMs) continue;
        successFiles.push(bucket);
        this.pendingPartitions.delete(bucket);
      }
    }
    const replaced = new Set(positions.map((p) => `${p.group}\u0000${p.topic}`));
    const state: CommitState = {
      uuid: this.committed.uuid,
      counter: this.counter,
      positions: [
        ...this.committed.positions.filter((p) => !replaced.has(`${p.group}\u0000${p.topic}`)),
        ...positions.map((p) => ({
          group: p.group,
          topic: p.topic,
          positions: [...p.positions].map(([partition, next]): [number, string] => [partition, String(next)]),
        })),
      ],
      open: [...this.files.values()].map(({ bucket, inProgress, final, size, createdAt }) => ({
        bucket,
        inProgress,
        final,
        size,
        createdAt,
      })),
      renames: this.rolled.map((file) => ({ from: file.inProgress, to: file.final })),
      successFiles,
    };
    writeAtomically(this.stateFile, JSON.stringify(state));
    this.committed = state;
    this.rolled = [];
    this.holding = false;
    this.publish(state);
  }

  /** Writes the staged lines to the part files of their partitions, rolling a file past the size limit first. */
  private writeStaged(now: number): void {
    const staged = this.staged;
    this.staged = [];
    const chunks = new Map<PartFile, Buffer[]>();
    for (const { bucket, bytes } of staged) {
      let file = this.files.get(bucket);
      // As Flink's Bucket.write: a part file larger than the limit rolls before the next row, never within one.
      if (file && file.size > this.policy.fileSize) {
        this.flush(file, chunks);
        this.roll(file);
        file = undefined;
      }
      file ??= this.create(bucket, now);
      const list = chunks.get(file) ?? [];
      list.push(bytes);
      chunks.set(file, list);
      file.size += bytes.length;
      file.lastWriteAt = now;
      if (this.policy.successFile !== undefined && !this.pendingPartitions.has(bucket))
        this.pendingPartitions.set(bucket, now);
    }
    for (const file of [...chunks.keys()]) this.flush(file, chunks);
  }

  private flush(file: PartFile, chunks: Map<PartFile, Buffer[]>): void {
    const list = chunks.get(file);
    if (!list) return;
    chunks.delete(file);
    file.fd ??= fs.openSync(join(this.dir, file.inProgress), 'a');
    fs.writeSync(file.fd, Buffer.concat(list));
  }

  private create(bucket: string, now: number): PartFile {
    const name = `part-${this.committed.uuid}-0-${this.counter++}`;
    const prefix = bucket === '' ? '' : `${bucket}/`;
    for (const changed of makeDirectories(join(this.dir, bucket))) this.changedDirectories.add(changed);
    this.changedDirectories.add(join(this.dir, bucket));
    const file: PartFile = {
      bucket,
      inProgress: `${prefix}.${name}.inprogress.${randomUUID()}`,
      final: `${prefix}${name}`,
      size: 0,
      createdAt: now,
      lastWriteAt: now,
      fd: undefined,
    };
    file.fd = fs.openSync(join(this.dir, file.inProgress), 'a');
    this.files.set(bucket, file);
    return file;
  }

  private roll(file: PartFile): void {
    this.files.delete(file.bucket);
    this.rolled.push(file);
  }

  /** Renames the rolled files of a durable commit and writes its success files; done again after a crash, so idempotent. */
  private publish(state: CommitState): void {
    const changed = new Set<string>();
    for (const { from, to } of state.renames) {
      if (fs.existsSync(join(this.dir, from))) {
        fs.renameSync(join(this.dir, from), join(this.dir, to));
        changed.add(dirname(join(this.dir, to)));
      } else if (!fs.existsSync(join(this.dir, to))) {
        throw new RivuletError(
          'SINK_WRITE_FAILED',
          `committed part file ${join(this.dir, to)} of directory ${this.dir} is missing, and so is the in-progress file ${join(this.dir, from)} it is renamed from: committed rows are lost`,
          `something other than this job removed it: restore the file, or remove ${this.stateFile} (and the job's part files) to start the directory over`,
        );
      }
    }
    for (const bucket of state.successFiles) {
      fs.writeFileSync(join(this.dir, bucket, this.policy.successFile ?? '_SUCCESS'), '');
      changed.add(join(this.dir, bucket));
    }
    // Durable before the next state moves past these renames: a lost rename would leave the file unlisted, and deleted.
    for (const directory of changed) fsyncDirectory(directory);
  }

  /**
   * Brings the directory back to the last commit: its renames finished, its in-progress files
   * truncated to their committed length, this job's other in-progress files deleted.
   */
  private restore(): void {
    for (const file of [...this.files.values(), ...this.rolled]) closeFile(file);
    this.files = new Map();
    this.rolled = [];
    this.pendingPartitions = new Map();
    this.holding = false;
    const state = this.committed;
    this.counter = state.counter;
    this.publish(state);
    const kept = new Set<string>();
    for (const open of state.open) {
      const path = join(this.dir, open.inProgress);
      if (!fs.existsSync(path)) {
        throw new RivuletError(
          'SINK_WRITE_FAILED',
          `in-progress part file ${path} of directory ${this.dir} is missing: the last commit holds ${open.size} bytes of rows in it`,
          `something other than this job removed it: restore the file, or remove ${this.stateFile} (and the job's part files) to start the directory over`,
        );
      }
      fs.truncateSync(path, open.size);
      kept.add(open.inProgress);
      this.files.set(open.bucket, { ...open, lastWriteAt: open.createdAt, fd: undefined });
    }
    const ours = `.part-${state.uuid}-`;
    for (const relative of listFiles(this.dir, '')) {
      const name = relative.slice(relative.lastIndexOf('/') + 1);
      if (name.startsWith(ours) && name.includes('.inprogress.') && !kept.has(relative))
        fs.rmSync(join(this.dir, relative), { force: true });
    }
  }
}

function closeFile(file: PartFile): void {
  if (file.fd === undefined) return;
  fs.closeSync(file.fd);
  file.fd = undefined;
}

/** Every file under `dir`, as paths relative to it, skipping the commit state. */
function listFiles(dir: string, relative: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(join(dir, relative), { withFileTypes: true })) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (path !== '.rivulet') found.push(...listFiles(dir, path));
    } else found.push(path);
  }
  return found;
}

/** Creates `path` and its missing ancestors; returns the directories whose entries changed (the parents of those created). */
function makeDirectories(path: string): string[] {
  const first = fs.mkdirSync(path, { recursive: true });
  if (first === undefined) return [];
  const changed: string[] = [];
  for (let created = path; created !== first; created = dirname(created)) changed.push(dirname(created));
  changed.push(dirname(first));
  return changed;
}

/** Makes the entries of a directory (files created, renamed into it) durable. Not observable short of a power loss. */
function fsyncDirectory(path: string): void {
  const fd = fs.openSync(path, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces a file with `text` so that a crash leaves the old or the new content, never a mix. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, path);
  fsyncDirectory(dirname(path));
}
