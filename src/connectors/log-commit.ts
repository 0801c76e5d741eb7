import type { Log, LogTransaction, ProduceRecord } from '../log/log.ts';
import type { CommitDomain, SourcePositions } from './sink-writer.ts';

/**
 * The log as a job's commit domain: the records of its topic sinks and the positions it consumed
 * go into one transaction of the log (a PostgreSQL transaction, or a Kafka transaction with the
 * consumer offsets), which a job's writer name ties to the job across restarts. It is the engine's
 * own: any sink that writes to topics of the log, or keeps its positions there, commits through it.
 */
export class LogCommitDomain implements CommitDomain {
  /** Each sink's records of the next hold or commit, in the order they were staged. */
  private staged: (readonly ProduceRecord[])[] = [];
  private held: LogTransaction | undefined;
  /** What sinks write once the input has ended (see `finish`). */
  private readonly ends: (() => readonly ProduceRecord[])[] = [];

  constructor(
    private readonly log: Log,
    private readonly writer: string,
  ) {}

  stage(records: readonly ProduceRecord[]): void {
    if (records.length > 0) this.staged.push(records);
  }

  stageDeadLetters(records: readonly ProduceRecord[]): void {
    this.stage(records);
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

  /** Has `records` written when the job's input has ended and its end is committed (a parallel job's end markers). */
  atEnd(records: () => readonly ProduceRecord[]): void {
    this.ends.push(records);
  }

  async finish(): Promise<void> {
    if (this.ends.length === 0) return;
    for (const records of this.ends) this.stage(records());
    // The positions are those of the last commit, already committed: only the records are new.
    await this.commit([]);
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
