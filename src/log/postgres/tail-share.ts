import { BroadcastChannel } from 'node:worker_threads';

/** One partition's records of a commit, at offsets first, first + 1, … */
export interface SharedBatch {
  readonly topic: string;
  readonly topicId: number;
  readonly partition: number;
  readonly first: bigint;
  readonly keys: readonly (Uint8Array | null)[];
  readonly values: readonly (Uint8Array | null)[];
  readonly times: readonly number[];
}

/** A commit of one log of this process, as the logs of its other threads receive it. */
export interface SharedCommit {
  readonly origin: string;
  /** The commit's number in its log: its notifications carry it too. */
  readonly seq: number;
  readonly batches: readonly SharedBatch[];
  /** Topics the commit wrote records of that are not in the batches: readers read those tables. */
  readonly uncertain: readonly number[];
}

/** hello: a log that joins; here: an answer to it from one already there; bye: a log that closes. */
type Message = SharedCommit | { readonly hello: string } | { readonly here: string } | { readonly bye: string };

/** How long a peer's notification waits for the commit it announces before readers read the table. */
export const GRACE_MS = 100;
/** Commits remembered per process whose notifications may still come. */
const REMEMBERED = 10_000;

export interface ShareHost {
  /** Records of a peer's commit, to keep in the tail cache and wake readers with. */
  apply(batch: SharedBatch): void;
  /** Topics whose tables may hold records the tail cache has not seen. */
  uncertain(topicIds: Iterable<number>): void;
}

/**
 * The tail cache shared by the logs of one process's threads (the engine's workers): each commit
 * of one is sent to the others, so that a job reads what a job of another worker has just
 * committed from memory, as it reads its own worker's, instead of reading it back from the table.
 *
 * Every commit also sends a NOTIFY (`topics;origin;seq`). A peer's notification of a commit whose
 * records arrived here needs no table read; one whose records have not arrived within GRACE_MS (its
 * worker ended between commit and send, or a commit too large to send whole) makes the topics
 * uncertain, as any other process's notification does, so nothing committed is ever missed.
 */
export class TailShare {
  private readonly channel: BroadcastChannel;
  private readonly peers = new Set<string>();
  /** Peer commits received, by `origin;seq`, whose notification may still come. */
  private readonly received = new Set<string>();
  private readonly pending = new Map<string, { topics: Set<number>; timer: NodeJS.Timeout }>();
  private closed = false;

  constructor(
    name: string,
    private readonly origin: string,
    private readonly host: ShareHost,
  ) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (event) => this.receive((event as { data: Message }).data);
    this.channel.unref();
    this.channel.postMessage({ hello: origin });
  }

  /** Sends a commit to the other threads' logs; after close() (a commit that was under way) nowhere. */
  publish(commit: SharedCommit): void {
    if (!this.closed) this.channel.postMessage(commit);
  }

  /**
   * A notification of another log's commit: true when it is a peer's, whose records come (or
   * came) through the channel; false when it is another process's, whose topics are uncertain.
   */
  notified(origin: string, seq: number, topicIds: readonly number[]): boolean {
    if (!this.peers.has(origin)) return false;
    const key = `${origin};${seq}`;
    if (this.received.has(key)) return true;
    const waiting = this.pending.get(key);
    if (waiting) {
      for (const id of topicIds) waiting.topics.add(id);
      return true;
    }
    const topics = new Set(topicIds);
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.host.uncertain(topics);
    }, GRACE_MS);
    timer.unref();
    this.pending.set(key, { topics, timer });
    return true;
  }

  private receive(message: Message): void {
    if ('hello' in message) {
      this.peers.add(message.hello);
      this.channel.postMessage({ here: this.origin });
      return;
    }
    if ('here' in message) {
      this.peers.add(message.here);
      return;
    }
    if ('bye' in message) {
      this.peers.delete(message.bye);
      return;
    }
    this.peers.add(message.origin);
    const key = `${message.origin};${message.seq}`;
    this.remember(key);
    const waiting = this.pending.get(key);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.pending.delete(key);
    }
    for (const batch of message.batches) this.host.apply(batch);
    if (message.uncertain.length > 0) this.host.uncertain(message.uncertain);
  }

  private remember(key: string): void {
    this.received.add(key);
    if (this.received.size > REMEMBERED) {
      const oldest = this.received.values().next().value as string;
      this.received.delete(oldest);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.postMessage({ bye: this.origin });
    for (const { timer, topics } of this.pending.values()) {
      clearTimeout(timer);
      this.host.uncertain(topics);
    }
    this.pending.clear();
    this.channel.close();
  }
}
