import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';

/** What the budget asks of one keyed state: how much of it is in memory, and to write some out. */
export interface SpillableState {
  readonly residentBytes: number;
  readonly spilledKeys: number;
  readonly spilledBytes: number;
  /** Writes entries to disk until about `bytes` of memory are freed; returns the bytes freed. */
  spill(bytes: number): number;
}

/** Spilling frees memory down to this share of the budget, so that it does not run on every batch. */
const LOW_WATER = 0.75;

/**
 * The memory budget of operator state in this process, shared by all jobs (as a task manager's
 * managed memory is in Flink). Keyed state counts its estimated heap bytes here; once the total
 * passes the limit, the largest states write their least recently added entries to spill files,
 * which are read back when a key is needed again. `enforce` runs between operator calls only, so
 * no operator ever holds an entry that is being written out.
 */
export class StateMemory {
  /** Estimated bytes of state held in memory. */
  used = 0;
  /** Entries written to disk and read back, since the process started. */
  spilledEntries = 0;
  restoredEntries = 0;
  private readonly states = new Set<SpillableState>();
  /** The lists that `collect` fills, innermost last. */
  private readonly collecting: SpillableState[][] = [];
  private files = 0;
  private dirCreated = false;

  constructor(
    public limit: number,
    public dir: string,
  ) {}

  register(state: SpillableState): void {
    this.states.add(state);
    this.collecting.at(-1)?.push(state);
  }

  /**
   * Runs `build`, adding to `into` the states it registers (not those of a `collect` nested in
   * it): how a job graph learns which operator keeps which state.
   */
  collect<T>(into: SpillableState[], build: () => T): T {
    this.collecting.push(into);
    try {
      return build();
    } finally {
      this.collecting.pop();
    }
  }

  unregister(state: SpillableState): void {
    this.states.delete(state);
  }

  /**
   * The budget, and where spill files go from now on: scratch space of this process. What a
   * crashed earlier process left there is deleted now.
   */
  configure(limit: number, dir = this.dir): void {
    this.limit = limit;
    if (dir === this.dir) return;
    rmSync(dir, { recursive: true, force: true });
    this.dir = dir;
    this.dirCreated = false;
  }

  /** A new spill file's path. */
  nextFile(): string {
    if (!this.dirCreated) {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true });
      const dir = this.dir;
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      this.dirCreated = true;
    }
    return join(this.dir, `state-${++this.files}.spill`);
  }

  /** Spills when state has outgrown the budget. */
  enforce(): void {
    if (this.used <= this.limit) return;
    let excess = this.used - this.limit * LOW_WATER;
    const largestFirst = [...this.states].sort((a, b) => b.residentBytes - a.residentBytes);
    for (const state of largestFirst) {
      if (excess <= 0) break;
      excess -= state.spill(excess);
    }
  }

  /** Keys on disk and the bytes of their records, over all states. */
  spilled(): { keys: number; bytes: number } {
    let keys = 0;
    let bytes = 0;
    for (const state of this.states) {
      keys += state.spilledKeys;
      bytes += state.spilledBytes;
    }
    return { keys, bytes };
  }
}

/** Half of the V8 heap: the other half is for batches in flight, connectors and the engine itself. */
function defaultLimit(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 2);
}

let processMemory: StateMemory | undefined;

/** The state memory of this process; `rivulet up --state-memory` configures it. */
export function stateMemory(): StateMemory {
  processMemory ??= new StateMemory(defaultLimit(), join(tmpdir(), `rivulet-spill-${process.pid}`));
  return processMemory;
}
