import type { Log, LogTransaction, ProduceRecord } from '../../log/log.ts';
import type { CommitDomain, SinkContext, SinkWriter, SourcePositions } from '../sink-writer.ts';
import { kafkaTable } from './table.ts';
import { kafkaTableBatchWriter } from './writer.ts';

/**
 * The log as a job's commit domain: the records of its topic sinks and the positions it consumed
 * go into one transaction of the log (a PostgreSQL transaction, or a Kafka transaction with the
 * consumer offsets), which a job's writer name ties to the job across restarts.
 */
export class LogCommitDomain implements CommitDomain {
  /** Each sink's records of the next hold or commit, in the order they were staged. */
  private staged: ProduceRecord[][] = [];
  private held: LogTransaction | undefined;

  constructor(
    private readonly log: Log,
    private readonly writer: string,
  ) {}

  stage(records: ProduceRecord[]): void {
    if (records.length > 0) this.staged.push(records);
  }

  /** A topic of positions only (a slot's LSN) exists only to be committed to: it is created here. */
  async committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, bigint>> {
    await this.log.ensureTopic(topic);
    return this.log.committedPositions(group, topic);
  }

  private async produceStaged(transaction: LogTransaction): Promise<void> {
    const staged = this.staged;
    this.staged = [];
    for (const records of staged) await transaction.produce(records);
  }

  async hold(): Promise<void> {
    if (this.staged.length === 0) return;
    this.held ??= await this.log.beginTransaction(this.writer);
    await this.produceStaged(this.held);
  }

  async commit(positions: readonly SourcePositions[]): Promise<void> {
    const transaction = this.held ?? (await this.log.beginTransaction(this.writer));
    this.held = transaction;
    try {
      await this.produceStaged(transaction);
      for (const p of positions) await transaction.commitPositions(p.group, p.topic, p.positions);
      await transaction.commit();
      this.held = undefined;
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async abort(): Promise<void> {
    this.staged = [];
    const held = this.held;
    this.held = undefined;
    await held?.abort().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.abort();
  }
}

/** A kafka or upsert-kafka sink: records of its topic, committed in the log with the job's positions. */
export async function openLogSink(context: SinkContext, upsert: boolean): Promise<SinkWriter> {
  const table = kafkaTable(context.table, upsert);
  await context.log.ensureTopic(table.topic, { compacted: upsert });
  const domain = context.domain('log', () => new LogCommitDomain(context.log, context.job));
  if (!(domain instanceof LogCommitDomain))
    throw new Error(`the commit domain of table '${table.name}' is not the log`);
  const encode = kafkaTableBatchWriter(table);
  return { domain, write: (changes, sourceMillis) => domain.stage(encode(changes, sourceMillis)) };
}
