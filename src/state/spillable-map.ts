import type { PackedRow } from './packed-row.ts';
import { SpillFile } from './spill-file.ts';
import { type SpillableState, type StateMemory, stateMemory } from './state-memory.ts';

/** How the entries of one keyed state are measured, written to disk and read back. */
export interface StateCodec<V> {
  /** Estimated heap bytes of an entry (its key and Map slot included); the same value gives the same figure. */
  bytes(value: V): number;
  /** The entry as one-byte text: a packed row (src/state/packed-row.ts). */
  encode(value: V): PackedRow;
  decode(packed: PackedRow): V;
}

/** A spill file is rewritten once its dead records pass this size (and half the file). */
const COMPACT_FROM = 64 * 1024 * 1024;

/**
 * Keyed operator state that counts against the process's state memory and spills to disk when
 * that is exceeded. Entries are spilled oldest first (in the order their keys were last added to
 * memory); reading a spilled key brings it back. An operator that changes an entry in place
 * reports the change in its size with `grow`.
 */
export class SpillableMap<V> implements SpillableState {
  private readonly resident = new Map<unknown, V>();
  /** Keys on disk: the offset of their record. */
  private readonly spilledAt = new Map<unknown, number>();
  private file: SpillFile | undefined;
  /** Bytes of records in the file that no key points to any more. */
  private garbage = 0;
  residentBytes = 0;

  constructor(
    private readonly codec: StateCodec<V>,
    private readonly memory: StateMemory = stateMemory(),
    private readonly compactFrom = COMPACT_FROM,
  ) {
    memory.register(this);
  }

  get size(): number {
    return this.resident.size + this.spilledAt.size;
  }

  get spilledKeys(): number {
    return this.spilledAt.size;
  }

  get spilledBytes(): number {
    return this.file ? this.file.size - this.garbage : 0;
  }

  get(key: unknown): V | undefined {
    const value = this.resident.get(key);
    if (value !== undefined || this.spilledAt.size === 0) return value;
    const offset = this.spilledAt.get(key);
    return offset === undefined ? undefined : this.restore(key, offset);
  }

  set(key: unknown, value: V): void {
    const previous = this.resident.get(key);
    if (previous === undefined && this.spilledAt.size > 0) this.discardSpilled(key);
    this.resident.set(key, value);
    this.account(this.codec.bytes(value) - (previous === undefined ? 0 : this.codec.bytes(previous)));
  }

  /** An entry changed in place and its size by `bytes`. */
  grow(bytes: number): void {
    this.account(bytes);
  }

  delete(key: unknown): boolean {
    const value = this.resident.get(key);
    if (value === undefined) return this.spilledAt.size > 0 && this.discardSpilled(key);
    this.resident.delete(key);
    this.account(-this.codec.bytes(value));
    return true;
  }

  spill(bytes: number): number {
    this.file ??= new SpillFile(this.memory.nextFile());
    let freed = 0;
    for (const [key, value] of this.resident) {
      if (freed >= bytes) break;
      this.spilledAt.set(key, this.file.append(this.codec.encode(value)));
      this.resident.delete(key);
      freed += this.codec.bytes(value);
      this.memory.spilledEntries++;
    }
    this.file.flush();
    this.account(-freed);
    return freed;
  }

  /** Deletes the spill file and gives the memory back. */
  close(): void {
    this.account(-this.residentBytes);
    this.resident.clear();
    this.spilledAt.clear();
    this.file?.remove();
    this.file = undefined;
    this.memory.unregister(this);
  }

  private account(bytes: number): void {
    this.residentBytes += bytes;
    this.memory.used += bytes;
  }

  private restore(key: unknown, offset: number): V {
    const file = this.file as SpillFile;
    const record = file.read(offset);
    this.spilledAt.delete(key);
    this.garbage += record.bytes;
    const value = this.codec.decode(record.text as PackedRow);
    this.resident.set(key, value);
    this.account(this.codec.bytes(value));
    this.memory.restoredEntries++;
    this.compactIfWasteful();
    return value;
  }

  private discardSpilled(key: unknown): boolean {
    const offset = this.spilledAt.get(key);
    if (offset === undefined) return false;
    this.garbage += (this.file as SpillFile).read(offset).bytes;
    this.spilledAt.delete(key);
    this.compactIfWasteful();
    return true;
  }

  /** Rewrites the file with only the records still referenced. */
  private compactIfWasteful(): void {
    const file = this.file as SpillFile;
    if (this.garbage < this.compactFrom || this.garbage < file.size / 2) return;
    const fresh = new SpillFile(this.memory.nextFile());
    for (const [key, offset] of this.spilledAt) this.spilledAt.set(key, fresh.append(file.read(offset).text));
    file.remove();
    this.file = fresh;
    this.garbage = 0;
  }
}
