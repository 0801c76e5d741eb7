import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** ReadyForQuery in PostgreSQL's wire protocol: 'Z', length 5; the server sends it once a statement is done. */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);

/**
 * A TCP proxy in front of a PostgreSQL server that can lose a connection at the worst moment:
 * once armed with a text, the first connection whose client sends a message containing it is
 * cut when the server answers that the statement is done (its transaction committed), before the
 * answer reaches the client. The client sees a lost connection and cannot tell that the server
 * committed. It can also close the next connections as soon as they are made (`refuse`), as a
 * server that is not up yet would, or cut every connection and refuse all for a while (`outage`),
 * as a network partition would. Every other byte passes through unchanged.
 */
export class CuttingProxy {
  private armedWith: Buffer | undefined;
  /** Connections cut so far. */
  cuts = 0;
  /** Connections still to be closed as soon as they are made. */
  private refusals = 0;
  /** Until when every connection is refused (ms since the epoch). */
  private downUntil = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<CuttingProxy> {
    let proxy: CuttingProxy | undefined;
    const server = createServer((client) => proxy?.relay(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
    proxy = new CuttingProxy(server, address.port);
    return proxy;
  }

  /** Cuts the next connection that sends `text`, as its statement's answer comes back. */
  arm(text: string): void {
    this.armedWith = Buffer.from(text);
  }

  /** Closes the next `connections` connections as soon as they are made. */
  refuse(connections: number): void {
    this.refusals = connections;
  }

  /** Connections refused during outages. */
  refusedInOutages = 0;

  /** Cuts every open connection and refuses new ones for `ms`; how many connections it cut. */
  outage(ms: number): number {
    this.downUntil = Date.now() + ms;
    const open = this.sockets.size / 2; // a client's socket and its upstream
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return open;
  }

  private relay(client: Socket, host: string, port: number): void {
    if (Date.now() < this.downUntil) {
      this.refusedInOutages++;
      client.destroy();
      return;
    }
    if (this.refusals > 0) {
      this.refusals--;
      client.destroy();
      return;
    }
    const upstream = tcpConnect(port, host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    let cutAtAnswer = false;
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      if (this.armedWith && chunk.includes(this.armedWith)) {
        this.armedWith = undefined;
        cutAtAnswer = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cutAtAnswer && chunk.includes(READY_FOR_QUERY)) {
        this.cuts++;
        close();
        return;
      }
      client.write(chunk);
    });
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
