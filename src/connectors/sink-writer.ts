import type { Change } from '../exec/change.ts';
import type { Log, ProduceRecord } from '../log/log.ts';
import type { ConnectorTable } from './table.ts';

/** The positions a commit records for one source: where the job resumes after a crash. */
export interface SourcePositions {
  readonly group: string;
  readonly topic: string;
  readonly positions: ReadonlyMap<number, bigint>;
}

/**
 * Where a job's output and the positions it consumed become durable together, or not at all: the
 * log, or the one database the sinks write to. Sinks stage their output into it; the job commits.
 */
export interface CommitDomain {
  /** The positions `group` committed for `topic` (next offsets by partition): where a job resumes. */
  committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, bigint>>;
  /** Writes what the sinks staged into a transaction that stays open (a source between commit points). */
  hold(): Promise<void>;
  /** Makes what the sinks staged, and what is held, durable together with the positions. */
  commit(positions: readonly SourcePositions[]): Promise<void>;
  /**
   * Stages records for dead-letter topics of the log (see SourceReader.takeDeadLetters) into the
   * next hold or commit; only a domain that commits in the log has it.
   */
  stageDeadLetters?(records: readonly ProduceRecord[]): void;
  /**
   * Called once every source has ended and its end is committed, before the job finishes: makes
   * durable what a domain keeps open across commits (a filesystem sink's in-progress part files).
   */
  finish?(): Promise<void>;
  /** Drops what is staged and held. */
  abort(): Promise<void>;
  close(): Promise<void>;
}

/** What a sink is opened with, for one run of a job. */
export interface SinkContext {
  readonly table: ConnectorTable;
  readonly log: Log;
  /** The job's name, the same across restarts (the writer of its log transactions). */
  readonly job: string;
  /** The job's name as submitted (the same in each of a parallel job's parts): whose printed lines. */
  readonly jobName: string;
  /** Of a parallel job's subtask: its index, and how many there are (Flink's print sink tells them apart). */
  readonly subtask?: { readonly index: number; readonly parallelism: number };
  /** See SourceContext.submission. */
  readonly submission?: string;
  /**
   * The job's commit domain under `key`, made by `create` for the first sink that asks: the sinks
   * of one database, or of the log, share one.
   */
  domain(key: string, create: () => CommitDomain): CommitDomain;
}

/** What a job writes to: one sink table, whose output becomes durable with its domain's commit. */
export interface SinkWriter {
  /**
   * Where its output becomes durable; none for a sink that keeps nothing (print, blackhole): it
   * writes as it is given changes, and the job commits its positions with the other sinks' output
   * or in the log.
   */
  readonly domain?: CommitDomain;
  /** Stages changes for the domain's next hold or commit; `sourceMillis` stamps those without a time of their own. */
  write(changes: readonly Change[], sourceMillis: number | undefined): void;
}
