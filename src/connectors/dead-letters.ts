import type { Log, ProduceRecord } from '../log/log.ts';
import type { CommitDomain, SourcePositions } from './sink-writer.ts';

/**
 * Where a job commits the dead letters its sources set aside (SourceReader.takeDeadLetters), so
 * that each is written once, even across restarts. In a job that commits in the log they go into
 * its own commit. A job that commits in a sink database cannot write the log in that transaction:
 * its letters are committed in a log transaction of their own just before it, with the positions
 * past them under the group `<group>#dead-letters`, and a restarted run does not set aside again
 * what those positions cover.
 */
export interface DeadLetterCommit {
  stage(records: readonly ProduceRecord[]): void;
  /** Before the domain commits up to `positions`: makes what is staged durable, when not in that commit. */
  prepare(positions: readonly SourcePositions[]): Promise<void>;
  /** How far `group`'s dead letters from `topic` are committed (next offsets by partition). */
  committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, bigint>>;
  /** Drops what is staged (the run failed: its restart reads those records again). */
  abort(): void;
}

export function deadLetterCommit(domain: CommitDomain, log: Log, job: string): DeadLetterCommit {
  const stage = domain.stageDeadLetters?.bind(domain);
  if (!stage) return new SeparateDeadLetters(domain, log, job);
  return {
    stage,
    prepare: async () => undefined,
    committedPositions: (group, topic) => domain.committedPositions(group, topic),
    // The domain's abort drops them with the rest of what it staged.
    abort: () => undefined,
  };
}

const SUFFIX = '#dead-letters';

/** Dead letters of a job whose output commits outside the log: a log transaction of their own. */
class SeparateDeadLetters implements DeadLetterCommit {
  private staged: ProduceRecord[] = [];

  constructor(
    private readonly domain: CommitDomain,
    private readonly log: Log,
    private readonly job: string,
  ) {}

  stage(records: readonly ProduceRecord[]): void {
    this.staged.push(...records);
  }

  async prepare(positions: readonly SourcePositions[]): Promise<void> {
    if (this.staged.length === 0) return;
    const records = this.staged;
    this.staged = [];
    const transaction = await this.log.beginTransaction(`${this.job}${SUFFIX}`);
    try {
      await transaction.produce(records);
      for (const p of positions) await transaction.commitPositions(`${p.group}${SUFFIX}`, p.topic, p.positions);
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /** The further of the job's own positions and those its dead letters were committed with, by partition. */
  async committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, bigint>> {
    const own = await this.domain.committedPositions(group, topic);
    const lettered = await this.log.committedPositions(`${group}${SUFFIX}`, topic);
    const further = new Map(own);
    for (const [partition, next] of lettered) if (next > (further.get(partition) ?? -1n)) further.set(partition, next);
    return further;
  }

  abort(): void {
    this.staged = [];
  }
}
