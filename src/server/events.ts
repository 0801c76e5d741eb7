import type { IncomingMessage, ServerResponse } from 'node:http';

/** How often a snapshot is sent to each open stream. */
const INTERVAL_MS = 1000;
/** How long a browser waits before it connects again after the stream broke (an engine restart). */
const RETRY_MS = 2000;

interface Client {
  readonly response: ServerResponse;
  readonly job: string | undefined;
}

/**
 * GET /events: one server-sent event stream per open dashboard page. Each second it carries a
 * `snapshot` event, the JSON the page renders (the overview, the jobs, and the job the page shows),
 * so the page needs no other polling. The timer runs only while a stream is open.
 */
export class EventStreams {
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly snapshot: (job: string | undefined) => string) {}

  open(request: IncomingMessage, response: ServerResponse, job: string | undefined): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    // An open stream must not keep the engine's process alive once it stops.
    request.socket.unref();
    response.write(`retry: ${RETRY_MS}\n\n`);
    const client = { response, job };
    this.clients.add(client);
    this.send(client);
    request.once('close', () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stop();
    });
    this.timer ??= setInterval(() => {
      for (const each of this.clients) this.send(each);
    }, INTERVAL_MS).unref();
  }

  private send(client: Client): void {
    // One line of JSON: a data field ends at a newline, and JSON.stringify writes none.
    client.response.write(`event: snapshot\ndata: ${this.snapshot(client.job)}\n\n`);
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
