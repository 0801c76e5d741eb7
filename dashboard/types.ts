import type { AlertRecord } from '../src/server/alerts/alert.ts';

/** The JSON of one `snapshot` event of GET /events (see src/server/rest.ts, snapshot). */
export type JobState = 'CREATED' | 'RUNNING' | 'RESTARTING' | 'FINISHED' | 'CANCELED' | 'FAILED';

export interface TableUse {
  readonly name: string;
  readonly role: 'source' | 'sink';
  readonly connector: string;
  readonly database: string | null;
  readonly topic: string | null;
}

export interface JobInsight {
  /** The worker thread that runs the job; null on the engine's own thread. */
  readonly worker: number | null;
  readonly restarts: number;
  readonly 'records-in': number;
  readonly 'records-out': number;
  readonly 'dead-letters': number;
  readonly 'pending-output': number;
  readonly tables: readonly TableUse[];
}

export interface JobSummary {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly rivulet: JobInsight;
}

export interface Vertex {
  readonly id: string;
  readonly name: string;
  readonly metrics: { readonly 'read-records': number; readonly 'write-records': number };
  readonly rivulet: {
    readonly kind: 'source' | 'operator' | 'sink';
    readonly 'latency-p50': number | null;
    readonly 'latency-p99': number | null;
    readonly 'pending-output': number | null;
    readonly busyTimeMsPerSecond: number | null;
    readonly backPressuredTimeMsPerSecond: number;
    readonly 'state-size': number | null;
    readonly 'spilled-bytes': number | null;
  };
}

export interface PlanNode {
  readonly id: string;
  readonly inputs?: readonly { readonly id: string }[];
}

export interface JobDetails extends Omit<JobSummary, 'rivulet'> {
  readonly vertices: readonly Vertex[];
  readonly plan: { readonly nodes: readonly PlanNode[] };
  readonly rivulet: JobInsight & {
    readonly script: { readonly file: string; readonly text: string } | null;
    /** Cumulative counts of the job's source-to-commit latency (seconds); `le` null is +Inf. */
    readonly 'source-to-commit-buckets': readonly { readonly le: number | null; readonly count: number }[];
  };
  readonly 'failure-cause'?: string;
}

export interface Checkpoint {
  readonly id: number;
  readonly latest_ack_timestamp: number;
  readonly end_to_end_duration: number;
  readonly rivulet: {
    readonly records: number;
    readonly positions: readonly { readonly source: string; readonly position: string }[];
  };
}

export interface Checkpoints {
  readonly counts: { readonly completed: number; readonly restored: number };
  readonly summary: { readonly end_to_end_duration: { readonly p50: number; readonly max: number } };
  readonly history: readonly Checkpoint[];
}

export interface ExceptionEntry {
  readonly exceptionName: string;
  readonly stacktrace: string;
  readonly timestamp: number;
  readonly failureLabels: { readonly code?: string };
}

export interface CdcSlot {
  readonly jid: string;
  readonly job: string;
  readonly table: string;
  readonly database: string | null;
  readonly slot: string;
  readonly reported: boolean;
  readonly 'lag-seconds': number | null;
  readonly 'retained-wal-bytes': number | null;
  readonly 'lag-bytes': number | null;
  readonly 'confirmed-flush-lsn': string | null;
  readonly warning: 'not-reported' | 'wal-retained' | null;
}

export interface TopicInfo {
  readonly name: string;
  readonly partitions: number;
  readonly messages: number;
  readonly bytes: number;
  readonly compacted: boolean;
}

export interface Bytes {
  readonly text: string | null;
  readonly encoding: 'utf8' | 'hex';
}

export interface TopicRecord {
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: number;
  readonly key: Bytes;
  readonly value: Bytes;
  readonly headers: readonly { readonly key: Bytes; readonly value: Bytes }[];
}

export type Tail =
  | {
      readonly topic: string;
      readonly partitions: number;
      /** Whether the log keeps record headers (a kafka log does, the postgres log does not). */
      readonly 'log-headers': boolean;
      readonly records: readonly TopicRecord[];
    }
  | { readonly topic: string; readonly error: string };

/** An alert of GET /alerts. */
export type Alert = AlertRecord;

export interface Alerts {
  readonly 'evaluated-at': number | null;
  readonly 'interval-ms': number;
  readonly firing: readonly Alert[];
  readonly resolved: readonly Alert[];
  readonly thresholds: {
    readonly 'latency-p99-seconds': number;
    readonly 'pending-output': number;
    readonly 'retained-wal-bytes': number;
  };
  readonly webhook: string | null;
}

/** The latest `rivulet validate` trace: per change of its test order, ms from the source commit to each layer. */
export interface LatencyTrace {
  readonly at: number;
  readonly ok: boolean;
  readonly changes: readonly ({ readonly status: string } & Partial<
    Readonly<Record<'ods' | 'dwd' | 'join' | 'sink' | 'history', number>>
  >)[];
}

export interface Snapshot {
  readonly now: number;
  readonly alerts: Alerts | null;
  readonly 'latency-trace': LatencyTrace | null;
  readonly overview: {
    readonly 'jobs-running': number;
    readonly 'jobs-finished': number;
    readonly 'jobs-cancelled': number;
    readonly 'jobs-failed': number;
    readonly 'flink-version': string;
    readonly 'rivulet-version': string;
  };
  readonly taskmanager: {
    readonly id: string;
    readonly uptime: number;
    readonly hardware: { readonly cpuCores: number; readonly physicalMemory: number };
    readonly memory: { readonly rss: number; readonly heapUsed: number };
  };
  readonly log: { readonly kind: string; readonly description: string };
  readonly jobs: readonly JobSummary[];
  readonly cdc?: { readonly slots: readonly CdcSlot[]; readonly 'retained-wal-warning-bytes': number };
  readonly topics?: readonly TopicInfo[];
  readonly tail?: Tail;
  readonly job?: {
    readonly details: JobDetails;
    readonly checkpoints: Checkpoints;
    readonly exceptions: { readonly exceptionHistory: { readonly entries: readonly ExceptionEntry[] } };
  } | null;
}
