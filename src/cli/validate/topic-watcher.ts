import type { LogReader } from '../../log/log.ts';

interface Seen {
  readonly status: string | null;
  readonly at: number;
  readonly value: Record<string, unknown> | null;
}

/** Reads a topic from where it ends now, keeping the records of one order with when they were seen. */
export class TopicWatcher {
  readonly seen: Seen[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly reader: LogReader,
    private readonly orderId: () => number | undefined,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const records = await this.reader.poll(500, 50);
      const at = Date.now();
      const id = this.orderId();
      for (const record of records) {
        if (id === undefined || record.key === null) continue;
        let key: unknown;
        try {
          key = JSON.parse(record.key.toString('utf8'));
        } catch {
          continue;
        }
        if ((key as { order_id?: unknown } | null)?.order_id !== id) continue;
        const value =
          record.value === null ? null : (JSON.parse(record.value.toString('utf8')) as Record<string, unknown>);
        this.seen.push({ status: value === null ? null : String(value.order_status), at, value });
      }
    }
  }

  first(status: string): Seen | undefined {
    return this.seen.find((seen) => seen.status === status);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.catch(() => undefined);
    await this.reader.close().catch(() => undefined);
  }
}
