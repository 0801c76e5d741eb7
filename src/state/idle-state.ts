/**
 * Flink's idle state retention (`table.exec.state.ttl`, the `STATE_TTL` hint): state not written
 * for `ttlMs` of processing time is gone; a state that reads it finds nothing (Flink's
 * NeverReturnExpired, with the time refreshed on create and write only).
 */
export interface StateRetention {
  /** How long state lives after it was last written (ms); positive. */
  readonly ttlMs: number;
  /** The processing-time clock (ms since the epoch). */
  readonly now: () => number;
}

/** The retention for a TTL in milliseconds, or undefined when state lives forever (0, Flink's default). */
export function stateRetention(ttlMs: number, now: () => number): StateRetention | undefined {
  return ttlMs > 0 ? { ttlMs, now } : undefined;
}

/** Whether state written at `writtenAt` has expired at `now`. */
export function expired(writtenAt: number, retention: StateRetention, now: number): boolean {
  return writtenAt + retention.ttlMs <= now;
}

/**
 * When each key of one keyed state was last written, oldest first (a write moves the key to the
 * end), so that the keys whose state has expired are found at the front without a scan.
 */
export class WriteTimes {
  private readonly writtenAt = new Map<unknown, number>();

  constructor(private readonly retention: StateRetention) {}

  /** Whether the key's state was written and has expired at `now`. */
  expired(key: unknown, now: number): boolean {
    const at = this.writtenAt.get(key);
    return at !== undefined && expired(at, this.retention, now);
  }

  written(key: unknown, now: number): void {
    this.writtenAt.delete(key);
    this.writtenAt.set(key, now);
  }

  forget(key: unknown): void {
    this.writtenAt.delete(key);
  }

  /** Hands every key whose state has expired at `now` to `drop`, and forgets it. */
  sweep(now: number, drop: (key: unknown) => void): void {
    for (const [key, at] of this.writtenAt) {
      if (!expired(at, this.retention, now)) break;
      this.writtenAt.delete(key);
      drop(key);
    }
  }
}
