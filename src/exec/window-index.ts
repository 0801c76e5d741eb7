import { timerInstant, type WindowTime } from './window-time.ts';

interface OpenWindow {
  /** When the window is complete (milliseconds): a watermark or processing time at or past this fires it. */
  readonly trigger: number;
  /** The keys of the operator's state entries of this window, in the order they were added. */
  readonly keys: Set<unknown>;
}

/**
 * The open windows of a windowed operator whose state entries live in a SpillableMap: for each
 * window end (milliseconds, wall clock), when it fires and the keys of its entries. Windows fire
 * when the watermark (event time) or the clock (processing time) reaches end - 1 ms, as Flink's
 * window timers do; for a TIMESTAMP_LTZ time attribute the end is a wall-clock time of the session
 * time zone, fired at the instant Flink's toEpochMillsForTimer gives. Kept in memory: one entry
 * per open window and one key per state entry, as the keys of spilled entries are.
 */
export class WindowIndex {
  private readonly windows = new Map<number, OpenWindow>();
  /** The latest watermark or processing time seen. */
  private progress = Number.NEGATIVE_INFINITY;

  constructor(private readonly time: WindowTime) {}

  get size(): number {
    return this.windows.size;
  }

  /** The instant (milliseconds) at which the window ending at `end` fires. */
  trigger(end: number): number {
    return this.time.zone ? timerInstant(this.time.zone, end - 1) : end - 1;
  }

  /** Whether an event-time window ending at `end` has already fired (a row for it is late). */
  isLate(end: number): boolean {
    return this.time.kind === 'ROWTIME' && !this.windows.has(end) && this.trigger(end) <= this.progress;
  }

  add(end: number, key: unknown): void {
    let window = this.windows.get(end);
    if (!window) {
      window = { trigger: this.trigger(end), keys: new Set() };
      this.windows.set(end, window);
    }
    window.keys.add(key);
  }

  /** Windows complete at `time` (a watermark or the clock), in order of their end; they leave the index. */
  due(time: number): { readonly end: number; readonly keys: ReadonlySet<unknown> }[] {
    if (time > this.progress) this.progress = time;
    const due: { end: number; keys: ReadonlySet<unknown> }[] = [];
    for (const [end, window] of this.windows) if (window.trigger <= time) due.push({ end, keys: window.keys });
    due.sort((a, b) => a.end - b.end);
    for (const { end } of due) this.windows.delete(end);
    return due;
  }

  /** Applies the hook of the time kind the windows run on: the watermark for event time, the clock for processing time. */
  onTime(kind: WindowTime['kind'], time: number): ReturnType<WindowIndex['due']> {
    return kind === this.time.kind ? this.due(time) : [];
  }
}
