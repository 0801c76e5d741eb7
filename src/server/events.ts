import type { IncomingMessage, ServerResponse } from 'node:http';

/** How often a snapshot is sent to each open stream. */
const INTERVAL_MS = 1000;
/** How long a browser waits before it connects again after the stream broke (an engine restart). */
const RETRY_MS = 2000;

/** What a page shows beside the overview and the jobs: one job, the CDC slots, the topics (each read when asked for). */
export interface StreamView {
  readonly job: string | undefined;
  readonly cdc: boolean;
  /** The topics page: its list, and the tail of one topic. */
  readonly topics: boolean;
  readonly tail: TailView | undefined;
}

export interface TailView {
  readonly topic: string;
  readonly limit: number;
  readonly key: string | undefined;
}

interface Client {
  readonly response: ServerResponse;
  readonly view: StreamView;
  /** A snapshot is being made: a slow one (a source database that is slow to answer) skips the next ticks. */
  busy: boolean;
}

/**
 * GET /events: one server-sent event stream per open dashboard page. Each second it carries a
 * `snapshot` event, the JSON the page renders (the overview, the jobs, and the job the page shows),
 * so the page needs no other polling. The timer runs only while a stream is open.
 */
export class EventStreams {
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly snapshot: (view: StreamView) => Promise<string>) {}

  open(request: IncomingMessage, response: ServerResponse, view: StreamView): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    // An open stream must not keep the engine's process alive once it stops.
    request.socket.unref();
    response.write(`retry: ${RETRY_MS}\n\n`);
    const client: Client = { response, view, busy: false };
    this.clients.add(client);
    void this.send(client);
    request.once('close', () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stop();
    });
    this.timer ??= setInterval(() => {
      for (const each of this.clients) void this.send(each);
    }, INTERVAL_MS).unref();
  }

  private async send(client: Client): Promise<void> {
    if (client.busy) return;
    client.busy = true;
    try {
      const data = await this.snapshot(client.view);
      // One line of JSON: a data field ends at a newline, and JSON.stringify writes none.
      if (this.clients.has(client)) client.response.write(`event: snapshot\ndata: ${data}\n\n`);
    } catch {
      // A snapshot that could not be made is skipped; the next tick makes a new one.
    } finally {
      client.busy = false;
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
