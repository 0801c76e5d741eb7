import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import {
  Admin,
  Consumer,
  type Message,
  type MessageToProduce,
  type ProduceResult,
  Producer,
} from '@platformatic/kafka';
import { RivuletError } from '../../common/errors.ts';
import type {
  DecodedValue,
  Log,
  LogReader,
  LogTransaction,
  ProduceRecord,
  StartPosition,
  TopicDescription,
  TopicOptions,
} from '../log.ts';
import { onlyPartitions, sentBytes } from '../log.ts';
import { partitionForKey } from '../partitioner.ts';
import { CommittedTail, KEPT_RECORDS, type TailRecord } from './committed-tail.ts';
import { type Bytes, KafkaReader, READ_COMMITTED } from './reader.ts';

const EARLIEST = -2n;
/** Headers of every record written: none, in one shared Map (the client makes one per message otherwise). */
const NO_HEADERS = new Map<Bytes, Bytes>();
const INTERNAL_TOPICS = /^__/;

/** Records the broker took in one batch of one partition, at offsets base, base + 1, … */
interface SentBatch {
  readonly topic: string;
  readonly partition: number;
  readonly base: bigint;
  readonly records: TailRecord[];
}

/** Messages sent in one produce request, with the rows their values were encoded from. */
interface Request {
  readonly messages: MessageToProduce<Bytes, Bytes, Bytes, Bytes>[];
  readonly rows: (DecodedValue | undefined)[];
}

export interface KafkaLogOptions {
  /** Extra configuration of compacted topics (tests use quick segment rolls to see compaction). */
  readonly compactedTopicConfigs?: Readonly<Record<string, string>>;
  /**
   * The log's transactional id, which prefixes those of its producers. A restarted writer whose
   * producer has the same id fences its crashed predecessor, whose open transaction Kafka then
   * aborts. Random when not given; `rivulet up` gives the one kept in its data directory.
   */
  readonly transactionalId?: string;
  /**
   * The name of a channel (node:worker_threads BroadcastChannel) over which the logs of this
   * process's threads send each other the records of their commits, so that a reader takes what a
   * job of another worker committed from memory, as its own worker's (see CommittedTail).
   */
  readonly shareChannel?: string;
}

/** A committed transaction's batches as the logs of the process's other threads receive them. */
interface SharedCommit {
  readonly writer: string;
  readonly batches: readonly {
    readonly topic: string;
    readonly partition: number;
    readonly base: bigint;
    readonly records: readonly { key: Uint8Array | null; value: Uint8Array | null; timestamp: number }[];
  }[];
}

/**
 * Topics on Apache Kafka through @platformatic/kafka. Writes in transactions use a transactional
 * producer and commit consumed positions with TxnOffsetCommit, so output and positions commit
 * together; readers read committed records only.
 */
/** Bytes of keys and values per produce request, under the broker's default 1 MiB batch limit. */
const REQUEST_BYTES = 512 * 1024;

export class KafkaLog implements Log {
  readonly kind = 'kafka';
  readonly description: string;
  private readonly brokers: string[];
  private readonly admin: Admin;
  private readonly producer: Producer<Bytes, Bytes, Bytes, Bytes>;
  private readonly transactionalProducers = new Set<Producer<Bytes, Bytes, Bytes, Bytes>>();
  /** Each transactional producer's transactional id. */
  private readonly producerIds = new WeakMap<Producer<Bytes, Bytes, Bytes, Bytes>, string>();
  private readonly idleProducers: Producer<Bytes, Bytes, Bytes, Bytes>[] = [];
  /** The producers of named writers between their transactions. */
  private readonly idleWriters = new Map<string, Producer<Bytes, Bytes, Bytes, Bytes>>();
  private readonly groups = new Map<string, Consumer>();
  private readonly readers = new Set<KafkaReader>();
  private readonly partitionCounts = new Map<string, number>();
  private readonly compactedTopicConfigs: Readonly<Record<string, string>>;
  private readonly transactionalId: string;
  private readonly tail = new CommittedTail();
  /** Whether a topic's record timestamps are the writers' (CreateTime), as the tail has them. */
  private readonly createTime = new Map<string, boolean>();
  private readonly share: BroadcastChannel | undefined;
  private closing = false;

  private constructor(brokers: string[], admin: Admin, options: KafkaLogOptions) {
    this.brokers = brokers;
    this.description = `kafka://${brokers.join(',')}`;
    this.admin = admin;
    this.compactedTopicConfigs = options.compactedTopicConfigs ?? {};
    this.transactionalId = options.transactionalId ?? `rivulet-${randomUUID()}`;
    this.producer = new Producer({
      clientId: 'rivulet',
      bootstrapBrokers: brokers,
      idempotent: true,
      autocreateTopics: false,
    });
    if (options.shareChannel) {
      this.share = new BroadcastChannel(options.shareChannel);
      this.share.onmessage = (event) => this.receive((event as { data: SharedCommit }).data);
      this.share.unref();
    }
  }

  /** `brokers` as `host:port[,host:port]`. */
  static async open(brokers: string, options: KafkaLogOptions = {}): Promise<KafkaLog> {
    const list = brokerList(brokers);
    const admin = new Admin({ clientId: 'rivulet-admin', bootstrapBrokers: list, retries: 1, timeout: 5_000 });
    try {
      await admin.listTopics();
    } catch (cause) {
      await admin.close().catch(() => undefined);
      throw new RivuletError(
        'LOG_UNREACHABLE',
        `cannot reach the Kafka brokers ${list.join(', ')}: ${(cause as Error).message}`,
        'check that Kafka runs and the address is right (a local broker: node --import tsx scripts/kafka/broker.ts)',
        { cause },
      );
    }
    return new KafkaLog(list, admin, options);
  }

  async servesBrokers(servers: string): Promise<boolean> {
    const named = brokerList(servers);
    const mine = new Set(this.brokers.map(normalBroker));
    if (named.some((broker) => mine.has(normalBroker(broker)))) return true;
    // Other names may reach the same cluster: ask them for its id.
    const [theirs, ours] = await Promise.all([clusterId(named), clusterId(this.brokers)]);
    return theirs !== undefined && theirs === ours;
  }

  async ensureTopic(name: string, options: TopicOptions = {}): Promise<void> {
    const configs = [
      { name: 'cleanup.policy', value: options.compacted ? 'compact' : 'delete' },
      ...(options.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(options.retentionMs) }] : []),
      ...(options.compacted
        ? Object.entries(this.compactedTopicConfigs).map(([key, value]) => ({ name: key, value }))
        : []),
    ];
    try {
      await this.admin.createTopics({ topics: [name], partitions: options.partitions ?? 1, replicas: -1, configs });
    } catch (error) {
      if (!/already exists/i.test(describeError(error))) throw error;
    }
    // A new topic reaches the metadata of every broker a moment after its creation.
    const deadline = Date.now() + 10_000;
    while (!(await this.admin.listTopics()).includes(name) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // And its partitions have leaders a moment later (more so with many partitions, as an exchange
    // topic's key groups), also when another writer just created it: until then, listing offsets fails.
    for (;;) {
      const ready = await this.offsets(name, -1n).then(
        () => true,
        (error: unknown) => {
          if (Date.now() >= deadline) throw error;
          return false;
        },
      );
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async partitions(topic: string): Promise<number> {
    const cached = this.partitionCounts.get(topic);
    if (cached !== undefined) return cached;
    const topics = await this.admin.listTopics();
    if (!topics.includes(topic)) {
      throw new RivuletError(
        'LOG_TOPIC_NOT_FOUND',
        `topic '${topic}' does not exist in the log at ${this.description}`,
        "run `rivulet topics` to see the topics; a job's sink creates its topic when it starts",
      );
    }
    const offsets = await this.offsets(topic, -1n);
    this.partitionCounts.set(topic, offsets.length);
    return offsets.length;
  }

  private offsetsClient: Consumer | undefined;

  /** Offsets per partition at a timestamp (-2 earliest, -1 latest). */
  private async offsets(topic: string, timestamp: bigint): Promise<bigint[]> {
    this.offsetsClient ??= new Consumer({
      clientId: 'rivulet-offsets',
      bootstrapBrokers: this.brokers,
      groupId: `rivulet-offsets-${randomUUID()}`,
    });
    const result = await this.offsetsClient.listOffsets({ topics: [topic], timestamp, isolationLevel: READ_COMMITTED });
    return result.get(topic) ?? [];
  }

  async describeTopics(): Promise<TopicDescription[]> {
    const names = (await this.admin.listTopics()).filter((name) => !INTERNAL_TOPICS.test(name)).sort();
    const out: TopicDescription[] = [];
    for (const name of names) {
      const [earliest, latest] = await Promise.all([this.offsets(name, EARLIEST), this.offsets(name, -1n)]);
      const messages = latest.reduce((sum, end, p) => sum + Number(end - (earliest[p] ?? 0n)), 0);
      const configs = await this.admin.describeConfigs({
        resources: [{ resourceType: 2, resourceName: name, configurationKeys: ['cleanup.policy'] }],
      });
      const policy = configs[0]?.configs.find((c) => c.name === 'cleanup.policy')?.value ?? 'delete';
      const dirs = await this.admin.describeLogDirs({ topics: [{ name, partitions: latest.map((_, p) => p) }] });
      let bytes = 0;
      for (const broker of dirs)
        for (const dir of broker.results)
          for (const topic of dir.topics) for (const p of topic.partitions) bytes += Number(p.partitionSize);
      out.push({ name, partitions: latest.length, messages, bytes, compacted: policy.includes('compact') });
    }
    return out;
  }

  /**
   * The records as messages, in requests small enough for the broker's default message.max.bytes
   * (1 MiB per partition batch): a large batch of the engine becomes several requests. Each
   * request keeps the rows its values were encoded from, for `sent`.
   */
  private async toMessages(records: readonly ProduceRecord[]): Promise<Request[]> {
    const requests: Request[] = [];
    let request: Request = { messages: [], rows: [] };
    let bytes = 0;
    for (const record of records) {
      const partitions = this.partitionCounts.get(record.topic) ?? (await this.partitions(record.topic));
      const size = (record.key?.length ?? 0) + (record.value?.length ?? 0) + 64;
      if (bytes + size > REQUEST_BYTES && request.messages.length > 0) {
        requests.push(request);
        request = { messages: [], rows: [] };
        bytes = 0;
      }
      bytes += size;
      request.messages.push({
        topic: record.topic,
        key: record.key ?? undefined,
        value: record.value ?? undefined,
        partition: record.partition ?? partitionForKey(record.key, partitions),
        timestamp: BigInt(record.timestamp ?? Date.now()),
        headers: NO_HEADERS,
      });
      request.rows.push(record.decoded);
    }
    if (request.messages.length > 0) requests.push(request);
    return requests;
  }

  /**
   * The batches of a request the broker has taken: one per partition, at the base offset it gave,
   * whose records follow in the order they were sent.
   */
  sent(request: Request, result: ProduceResult): SentBatch[] {
    return (result.offsets ?? []).map(({ topic, partition, offset }) => {
      const records: TailRecord[] = [];
      request.messages.forEach((message, i) => {
        if (message.topic !== topic || message.partition !== partition) return;
        records.push({
          key: message.key ?? null,
          value: message.value ?? null,
          timestamp: Number(message.timestamp),
          decoded: request.rows[i],
        });
      });
      return { topic, partition, base: offset, records };
    });
  }

  /**
   * Hands the batches of a committed transaction to readers of this process (the last batch on
   * each partition is followed by the commit marker).
   */
  committed(writer: string, batches: readonly SentBatch[]): void {
    this.keep(writer, batches);
    if (!this.share || this.closing) return;
    // The rows the values were encoded from stay here: they may hold what a message cannot carry.
    const shared: SharedCommit = {
      writer,
      batches: newest(batches).map(({ topic, partition, base, records }) => ({
        topic,
        partition,
        base,
        records: records.map(({ key, value, timestamp }) => ({ key, value, timestamp })),
      })),
    };
    this.share.postMessage(shared);
  }

  /** A commit of another thread's log: its records kept as this log's own. */
  private receive({ writer, batches }: SharedCommit): void {
    // Only what a reader of this thread may take: the rest would wait in memory for none.
    const read = new Set([...this.readers].map((reader) => reader.topic));
    this.keep(
      writer,
      batches
        .filter(({ topic }) => read.has(topic))
        .map(({ topic, partition, base, records }) => ({
          topic,
          partition,
          base,
          records: records.map(({ key, value, timestamp }) => ({
            key: sentBytes(key),
            value: sentBytes(value),
            timestamp,
            decoded: undefined,
          })),
        })),
    );
  }

  private keep(writer: string, batches: readonly SentBatch[]): void {
    const lastOfPartition = new Map<string, SentBatch>();
    for (const batch of batches) lastOfPartition.set(`${batch.partition}/${batch.topic}`, batch);
    const topics = new Set<string>();
    for (const batch of batches) {
      const endsTransaction = lastOfPartition.get(`${batch.partition}/${batch.topic}`) === batch;
      this.tail.add(batch.topic, batch.partition, {
        base: batch.base,
        records: batch.records,
        writer,
        endsTransaction,
      });
      topics.add(batch.topic);
    }
    const readers = [...this.readers].filter((reader) => topics.has(reader.topic));
    for (const reader of readers) reader.notify();
    // What every reader of the process has taken is not needed any more.
    for (const { topic, partition } of lastOfPartition.values()) {
      let taken: bigint | undefined;
      for (const reader of readers) {
        if (reader.topic !== topic) continue;
        const at = reader.fetchOffset(partition);
        if (at !== undefined && (taken === undefined || at < taken)) taken = at;
      }
      if (taken !== undefined) this.tail.dropBefore(topic, partition, taken);
    }
  }

  async produce(records: readonly ProduceRecord[]): Promise<void> {
    for (const request of await this.toMessages(records)) {
      await this.producer.send({ messages: request.messages });
    }
  }

  /**
   * A transaction on a transactional producer of its own: jobs commit side by side, as Flink's
   * sink tasks each have their producer. A named writer (a job) has its producer, whose id is this
   * log's transactional id with the writer's name: when the writer starts again after a crash,
   * even in another process with the same transactional id, its first transaction makes Kafka
   * abort what the crashed one left open, instead of holding read-committed readers back until
   * that transaction times out. Unnamed transactions share producers numbered in order of need.
   */
  async beginTransaction(writer?: string): Promise<LogTransaction> {
    let producer = writer === undefined ? this.idleProducers.pop() : this.idleWriters.get(writer);
    if (writer !== undefined) this.idleWriters.delete(writer);
    const id = `${this.transactionalId}-${writer ?? this.transactionalProducers.size}`;
    const transaction = await withRetry(
      async () => {
        if (!producer) {
          producer = new Producer({
            clientId: 'rivulet-tx',
            bootstrapBrokers: this.brokers,
            idempotent: true,
            transactionalId: id,
            autocreateTopics: false,
            // Right after a commit the broker is still writing its markers for a few ms and answers
            // the next transaction with CONCURRENT_TRANSACTIONS: retry after 2, 4, 8 … ms (attempts
            // count from 1), not after the 40 ms that made every step of a job take 45 ms.
            retries: 12,
            retryDelay: (_client: unknown, _operation: string, attempt: number) => Math.min(2 ** attempt, 1000),
            // A new writer must introduce itself as unknown (-1/-1); the client's default (0/0)
            // makes the broker take it for a fenced old producer once the id has a history.
            producerId: -1n,
            producerEpoch: -1,
          });
          this.transactionalProducers.add(producer);
          this.producerIds.set(producer, id);
        }
        return producer.beginTransaction();
      },
      // A failed start leaves the producer unusable: the retry gets a fresh one.
      async () => {
        await producer?.close().catch(() => undefined);
        producer = undefined;
      },
    );
    const used = producer as Producer<Bytes, Bytes, Bytes, Bytes>;
    // A producer taken from the idle ones keeps the id it was made with.
    const writerId = this.producerIds.get(used) ?? id;
    return new KafkaTransaction(this, writerId, transaction, (healthy) => {
      if (!healthy) used.close().catch(() => undefined);
      else if (writer === undefined) this.idleProducers.push(used);
      else this.idleWriters.set(writer, used);
    });
  }

  /** A consumer that stands for `group` in offset commits and lookups (it never joins the group). */
  groupClient(group: string): Consumer {
    let consumer = this.groups.get(group);
    if (!consumer) {
      consumer = new Consumer({ clientId: 'rivulet-group', bootstrapBrokers: this.brokers, groupId: group });
      this.groups.set(group, consumer);
    }
    return consumer;
  }

  async prepareMessages(records: readonly ProduceRecord[]): Promise<Request[]> {
    return this.toMessages(records);
  }

  async committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, bigint>> {
    const partitions = await this.partitions(topic);
    const committed = await this.groupClient(group).listCommittedOffsets({
      topics: [{ topic, partitions: Array.from({ length: partitions }, (_, p) => p) }],
    });
    const positions = new Map<number, bigint>();
    (committed.get(topic) ?? []).forEach((offset, partition) => {
      if (offset >= 0n) positions.set(partition, offset);
    });
    return positions;
  }

  async openReader(topic: string, start: StartPosition, only?: readonly number[]): Promise<LogReader> {
    const partitions = await this.partitions(topic);
    const earliest = await this.offsets(topic, EARLIEST);
    const latest = await this.offsets(topic, -1n);
    const positions = new Map<number, bigint>();
    const byTime = start.kind === 'timestamp' ? await this.offsets(topic, BigInt(start.millis)) : [];
    for (let p = 0; p < partitions; p++) {
      const first = earliest[p] ?? 0n;
      const end = latest[p] ?? 0n;
      switch (start.kind) {
        case 'earliest':
          positions.set(p, first);
          break;
        case 'latest':
          positions.set(p, end);
          break;
        case 'timestamp': {
          const found = byTime[p] ?? -1n;
          positions.set(p, found < 0n ? end : found);
          break;
        }
        case 'offsets':
          positions.set(p, start.offsets.get(p) ?? (start.otherwise === 'earliest' ? first : end));
          break;
      }
    }
    const read = onlyPartitions(positions, only);
    const consumer = new Consumer<Bytes, Bytes, Bytes, Bytes>({
      clientId: 'rivulet-reader',
      bootstrapBrokers: this.brokers,
      groupId: `rivulet-reader-${randomUUID()}`,
    });
    const fromMemory = await this.hasCreateTime(topic);
    const reader = new KafkaReader(topic, consumer, read, this.tail, fromMemory, () => this.readers.delete(reader));
    this.readers.add(reader);
    return reader;
  }

  /** Whether the topic keeps the timestamps writers give (CreateTime, Kafka's default). */
  private async hasCreateTime(topic: string): Promise<boolean> {
    let known = this.createTime.get(topic);
    if (known === undefined) {
      const configs = await this.admin.describeConfigs({
        resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['message.timestamp.type'] }],
      });
      known = configs[0]?.configs.find((c) => c.name === 'message.timestamp.type')?.value !== 'LogAppendTime';
      this.createTime.set(topic, known);
    }
    return known;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.share?.close();
    await Promise.all([...this.readers].map((reader) => reader.close().catch(() => undefined)));
    await Promise.all([...this.groups.values()].map((consumer) => consumer.close().catch(() => undefined)));
    await this.offsetsClient?.close().catch(() => undefined);
    await Promise.all([...this.transactionalProducers].map((producer) => producer.close().catch(() => undefined)));
    await this.producer.close().catch(() => undefined);
    await this.admin.close().catch(() => undefined);
  }
}

function brokerList(brokers: string): string[] {
  return brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** A broker address as compared: `host:port` in lower case. */
function normalBroker(broker: string): string {
  return broker.toLowerCase();
}

/** The id of the cluster the brokers belong to; undefined when none of them answers within 5 s. */
async function clusterId(brokers: readonly string[]): Promise<string | undefined> {
  const admin = new Admin({
    clientId: 'rivulet-cluster-id',
    bootstrapBrokers: [...brokers],
    retries: 0,
    timeout: 5_000,
  });
  try {
    return (await admin.metadata({ topics: [] })).id;
  } catch {
    return undefined;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/**
 * Retries while the broker says to (CONCURRENT_TRANSACTIONS while it aborts the open transaction of
 * a fenced predecessor, COORDINATOR_LOAD_IN_PROGRESS after a start), for up to 30 s.
 */
async function withRetry<T>(operation: () => Promise<T>, reset: () => Promise<void>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      const text = describeError(error);
      const retriable =
        /CONCURRENT_TRANSACTIONS|COORDINATOR_LOAD_IN_PROGRESS|NOT_COORDINATOR|coordinator|InitProducerId/i.test(text);
      if (!retriable || Date.now() > deadline) throw error;
      await reset();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function describeError(error: unknown): string {
  const errors = (error as { errors?: unknown[] }).errors;
  return `${(error as Error).message} ${Array.isArray(errors) ? errors.map(describeError).join(' ') : ''}`;
}

export class KafkaTransaction implements LogTransaction {
  private done = false;
  /**
   * A write or offset commit failed: the producer is closed when the transaction ends, even if
   * the abort succeeds. Kept, it failed the same way in every restart of the job after a broker
   * restart, the job never recovering.
   */
  private failed = false;
  /** Whether the broker knows the transaction yet (it does from the first write). */
  private started = false;
  private readonly groups = new Set<string>();
  /**
   * The first batch, held back until the positions come: a job's usual step (one batch, then its
   * positions) then sends AddOffsetsToTxn first, and the batch (AddPartitionsToTxn, Produce) side
   * by side with TxnOffsetCommit, four round trips in a row instead of five.
   */
  private held: Request[] | undefined;
  /** What the broker has taken so far, for readers of this process once the transaction commits. */
  private readonly batches: SentBatch[] = [];

  constructor(
    private readonly log: KafkaLog,
    private readonly writer: string,
    private readonly transaction: Awaited<ReturnType<Producer<Bytes, Bytes, Bytes, Bytes>['beginTransaction']>>,
    private readonly release: (healthy: boolean) => void,
  ) {}

  async produce(records: readonly ProduceRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.noting(async () => {
      const requests = await this.log.prepareMessages(records);
      if (!this.started && !this.held) {
        this.held = requests;
        return;
      }
      await this.sendHeld();
      await this.send(requests);
    });
  }

  /** Runs `step`, remembering that the transaction's producer failed if it throws. */
  private async noting(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.failed = true;
      throw error;
    }
  }

  private async sendHeld(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (held) await this.send(held);
  }

  private async send(requests: readonly Request[]): Promise<void> {
    this.started = true;
    for (const request of requests) {
      this.batches.push(...this.log.sent(request, await this.transaction.send({ messages: request.messages })));
    }
  }

  commitPositions(group: string, topic: string, positions: ReadonlyMap<number, bigint>): Promise<void> {
    return this.noting(() => this.commitOffsets(group, topic, positions));
  }

  private async commitOffsets(group: string, topic: string, positions: ReadonlyMap<number, bigint>): Promise<void> {
    const consumer = this.log.groupClient(group);
    this.started = true;
    if (!this.groups.has(group)) {
      await this.transaction.addConsumer(consumer);
      this.groups.add(group);
    }
    const coordinatorId = await consumer.findGroupCoordinator();
    const offsets = async () => {
      for (const [partition, next] of positions) {
        // TxnOffsetCommit stores offset + 1 of the message given: hand it the last consumed offset.
        await this.transaction.addOffset({
          topic,
          partition,
          offset: next - 1n,
          metadata: { consumer: { groupId: group, generationId: -1, memberId: '', coordinatorId } },
        } as unknown as Message);
      }
    };
    // The group coordinator takes the offsets while the batch goes to its partitions' leaders. Both
    // settle before a failure is thrown: an abort while the client still retries one of them would
    // leave that retry without its transaction, which the client does not survive.
    const outcomes = await Promise.allSettled([this.sendHeld(), offsets()]);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async commit(): Promise<void> {
    if (this.done) return;
    await this.noting(() => this.sendHeld());
    if (await this.end(() => this.transaction.commit())) this.log.committed(this.writer, this.batches);
  }

  async abort(): Promise<void> {
    this.held = undefined;
    await this.end(() => this.transaction.abort());
  }

  /**
   * Ends the transaction; one that never wrote is only dropped (the broker has nothing to end).
   * Whether this call ended it (not an abort or commit before it).
   */
  private async end(finish: () => Promise<void>): Promise<boolean> {
    if (this.done) return false;
    this.done = true;
    try {
      await (this.started ? finish() : this.transaction.cancel());
    } catch (error) {
      this.release(false);
      throw error;
    }
    this.release(!this.failed);
    return true;
  }
}

/**
 * The batches of a transaction a reader may still take from memory: the newest, up to the records
 * the tail keeps of a partition (a snapshot's transaction is far larger; its older batches are fetched).
 */
function newest(batches: readonly SentBatch[]): SentBatch[] {
  const counts = new Map<string, number>();
  const kept: SentBatch[] = [];
  for (let i = batches.length - 1; i >= 0; i--) {
    const batch = batches[i] as SentBatch;
    const key = `${batch.partition}/${batch.topic}`;
    const count = counts.get(key) ?? 0;
    if (count >= KEPT_RECORDS) continue;
    counts.set(key, count + batch.records.length);
    kept.push(batch);
  }
  return kept.reverse();
}
