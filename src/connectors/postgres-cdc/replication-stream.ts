import pg from 'pg';
import { formatLsn } from '../../types/lsn.ts';
import { TEXT_OUTPUT_OPTIONS } from '../pg/connection.ts';
import { quoteIdentifier } from '../pg/quote.ts';
import { decodeFrame, parseLsn, type ReplicationFrame, standbyStatus } from './pgoutput.ts';

export interface CreatedSlot {
  readonly consistentPoint: bigint;
  /** The exported snapshot: the table exactly as of consistentPoint, while the connection is idle. */
  readonly snapshotName: string;
}

/**
 * A replication connection (replication=database): creates slots and streams a slot's changes
 * with pgoutput. Frames are queued as they arrive; the socket is paused while the queue is long,
 * so a slow job pushes back on the server instead of filling memory.
 */
export class ReplicationStream {
  private readonly queue: ReplicationFrame[] = [];
  private head = 0;
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private paused = false;
  private streaming: Promise<unknown> | undefined;
  private acknowledged = 0n;

  /** The stream is paused above `highWater` queued messages, and goes on below a quarter of it. */
  private constructor(
    private readonly client: pg.Client,
    private readonly highWater: number,
  ) {
    client.on('error', (error) => this.fail(error));
    client.on('end', () => this.fail(new Error('the replication connection was closed by the server')));
  }

  static async connect(config: pg.ClientConfig, queueSize: number): Promise<ReplicationStream> {
    const client = new pg.Client({
      ...config,
      replication: 'database',
      options: TEXT_OUTPUT_OPTIONS,
    } as pg.ClientConfig);
    await client.connect();
    return new ReplicationStream(client, queueSize);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** A permanent logical slot with pgoutput, exporting the snapshot it starts from. */
  async createSlot(name: string): Promise<CreatedSlot> {
    const result = await this.client.query<{ consistent_point: string; snapshot_name: string }>(
      `CREATE_REPLICATION_SLOT ${quoteIdentifier(name)} LOGICAL pgoutput EXPORT_SNAPSHOT`,
    );
    const row = result.rows[0] as { consistent_point: string; snapshot_name: string };
    return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name };
  }

  /** A slot without a snapshot (scan.startup.mode = latest-offset). */
  async createSlotWithoutSnapshot(name: string): Promise<bigint> {
    const result = await this.client.query<{ consistent_point: string }>(
      `CREATE_REPLICATION_SLOT ${quoteIdentifier(name)} LOGICAL pgoutput NOEXPORT_SNAPSHOT`,
    );
    return parseLsn((result.rows[0] as { consistent_point: string }).consistent_point);
  }

  /**
   * Ends the transaction that holds the exported snapshot, once another session has imported it:
   * while it lasts, creating any other slot on the server waits for it.
   */
  async releaseSnapshot(): Promise<void> {
    await this.client.query('IDENTIFY_SYSTEM');
  }

  async dropSlot(name: string): Promise<void> {
    await this.client.query(`DROP_REPLICATION_SLOT ${quoteIdentifier(name)}`);
  }

  /** Starts streaming the slot's changes of the publication from `from` (or the slot's confirmed position). */
  start(slot: string, from: bigint, publication: string): void {
    this.acknowledged = from;
    const connection = (this.client as unknown as { connection: PgConnection }).connection;
    connection.on('copyData', ({ chunk }: { chunk: Buffer }) => {
      let frame: ReplicationFrame | undefined;
      try {
        frame = decodeFrame(chunk);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      if (!frame) return;
      if (frame.tag === 'keepalive' && frame.replyRequested) this.acknowledge(this.acknowledged);
      this.queue.push(frame);
      if (!this.paused && this.queue.length - this.head > this.highWater) {
        this.paused = true;
        connection.stream.pause();
      }
      this.wake();
    });
    this.streaming = this.client
      .query(
        `START_REPLICATION SLOT ${quoteIdentifier(slot)} LOGICAL ${formatLsn(from)} ` +
          `(proto_version '1', publication_names ${pg.escapeLiteral(publication)})`,
      )
      .catch((error: Error) => this.fail(error));
  }

  /** The next frame, waiting at most `timeoutMs`; undefined on timeout. */
  async next(timeoutMs: number): Promise<ReplicationFrame | undefined> {
    if (this.head >= this.queue.length && !this.failure) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = undefined;
          resolve();
        }, timeoutMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.head < this.queue.length) {
      const frame = this.queue[this.head++] as ReplicationFrame;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (this.paused && this.queue.length - this.head < this.highWater / 4) {
        this.paused = false;
        (this.client as unknown as { connection: PgConnection }).connection.stream.resume();
      }
      return frame;
    }
    if (this.failure) throw this.failure;
    return undefined;
  }

  /** Whether a frame is waiting. */
  get ready(): boolean {
    return this.head < this.queue.length;
  }

  /** Tells the server everything up to `lsn` is durable downstream: the slot may release it. */
  acknowledge(lsn: bigint): void {
    if (lsn > this.acknowledged) this.acknowledged = lsn;
    if (!this.streaming || this.failure) return;
    (this.client as unknown as { connection: PgConnection }).connection.sendCopyFromChunk(
      standbyStatus(this.acknowledged),
    );
  }

  async close(): Promise<void> {
    this.failure ??= new Error('closed');
    this.wake();
    await this.client.end().catch(() => undefined);
  }
}

interface PgConnection {
  on(event: 'copyData', listener: (message: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  readonly stream: { pause(): void; resume(): void };
}
