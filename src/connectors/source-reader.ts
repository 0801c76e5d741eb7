import type { Change } from '../exec/change.ts';
import type { EvaluationError } from '../expr/value.ts';
import type { Log, ProduceRecord } from '../log/log.ts';
import type { ConnectorTable } from './table.ts';

/** What a field of a source table reads: a physical column, or a metadata key. */
export type SourceColumn = { readonly physical: string } | { readonly metadata: string };

/** What a source is opened with, for one run of a job. */
export interface SourceContext {
  readonly table: ConnectorTable;
  /** For each of the table's fields, what it reads. */
  readonly columns: readonly SourceColumn[];
  /** Who reads: the job and the scan of the table in it. Positions are committed under this name. */
  readonly group: string;
  readonly log: Log;
  /** Whether the job's operators keep state built from earlier input: a restart must rebuild it. */
  readonly stateful: boolean;
  /**
   * The id of the job's submission, the same in each of its parts and across their restarts: a
   * parallel job's end markers carry it, so that a subtask tells its job's end from an earlier one's.
   */
  readonly submission?: string;
  /** The positions committed for this scan under `topic` (next offsets by partition; empty before its first commit). */
  committedPositions(topic: string): Promise<ReadonlyMap<number, bigint>>;
  /**
   * How far the records this scan set aside (see `takeDeadLetters`) are committed to their
   * dead-letter topic under `topic` (next offsets by partition): at or past `committedPositions`.
   */
  deadLetteredPositions(topic: string): Promise<ReadonlyMap<number, bigint>>;
  warn(message: string): void;
}

/** Changes read again after a restart, split at the positions committed before it. */
export interface ReplayedBatch {
  /** Changes of records processed before the restart: they rebuild operator state, their output is dropped. */
  readonly replayed: readonly Change[];
  /** Changes of records read for the first time. */
  readonly fresh: readonly Change[];
}

/** One sample a source gives to /metrics, with the HELP and TYPE of its family. */
export interface SourceMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * What a job reads from: a table's changes in batches, with the positions a commit records so that
 * a restarted job resumes after what it committed.
 */
export interface SourceReader {
  /** The name the positions are committed under: the topic read, or a topic that holds only positions. */
  readonly positionTopic: string;
  /** Whether records read before a restart remain to be read again (see `replay`). */
  readonly replaying: boolean;
  /** While `replaying`: the next records, split into those processed before the restart and new ones. */
  replay(max: number): Promise<ReplayedBatch>;
  /** Up to about `max` changes, waiting at most `timeoutMs` for the first. */
  poll(max: number, timeoutMs: number): Promise<Change[]>;
  /** The positions just past what `poll` and `replay` have returned (next offsets by partition). */
  positions(): ReadonlyMap<number, bigint>;
  /** Whether what was returned so far may be committed (not inside a snapshot or a source transaction). */
  readonly atCommitPoint: boolean;
  /** Whether the positions moved without changes since the last commit (a heartbeat, the end of a scan): worth a commit. */
  readonly moved: boolean;
  /** Whether the source has ended and its end is committed: nothing more will come (a bounded source). */
  readonly ended: boolean;
  /** The source commit time (µs since the epoch) of the newest change returned; 0 when unknown. */
  readonly newestSourceMicros: number;
  /**
   * The records for dead-letter topics that `poll` and `replay` set aside since the last call, in
   * place of input they could not read (never for records before `deadLetteredPositions`). The job
   * commits them with the positions past them (see dead-letters.ts): once each, even across restarts.
   */
  takeDeadLetters?(): ProduceRecord[];
  /**
   * A change of this reader's latest poll on which an expression right after the source failed:
   * sets its record aside for the dead-letter topic, with the error, as `takeDeadLetters` returns
   * them (a record set aside before a restart is dropped again, not set aside twice). False when
   * the table has no dead-letter topic, the change is not of the latest poll, or its record gave
   * other changes too (dropping one of them would split the record).
   */
  setAside?(change: Change, error: EvaluationError): boolean;
  /**
   * `positions` as text for the dashboard's commits, when the topic and next offsets by partition
   * (`topic 0@42 1@7`) would not say where the source is (a replication slot's LSN).
   */
  describePositions?(positions: ReadonlyMap<number, bigint>): string;
  /** Told after a commit that covered `positions` (a replication slot may then release WAL). */
  committed(positions: ReadonlyMap<number, bigint>): void;
  /** Samples for /metrics, such as a replication slot's lag. */
  metrics?(): Promise<readonly SourceMetric[]>;
  close(): Promise<void>;
}
