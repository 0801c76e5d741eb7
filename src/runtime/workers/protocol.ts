import { isRivuletError, RivuletError } from '../../common/errors.ts';
import type { SourceMetric } from '../../connectors/source-reader.ts';
import type { JobStatus } from '../job-handle.ts';
import type { JobStatsSnapshot } from '../job-stats.ts';
import type { RestartVerdict } from '../restart-strategy.ts';
import type { VertexFigures } from '../vertex-metrics.ts';

/** What a worker is started with (its workerData). */
export interface WorkerSettings {
  /** The module the worker runs (see entry.js). */
  readonly main: string;
  /** 1…N: the worker's place in the pool. */
  readonly index: number;
  /** The log's URL (`--log`), which the worker opens with connections of its own. */
  readonly logUrl: string;
  readonly kafkaTransactionalId: string | undefined;
  /** The channel over which the workers' logs send each other their commits (see TailShare). */
  readonly tailChannel: string;
  /** The worker's share of the state memory budget, and its spill directory. */
  readonly stateMemory: { readonly limit: number; readonly dir: string } | undefined;
  /** How often the worker sends the state of its jobs. */
  readonly reportMs: number;
}

/** What a worker needs to plan and run one job: its script as submitted, and its name in it. */
export interface JobSubmission {
  readonly id: string;
  readonly name: string;
  readonly file: string;
  readonly text: string;
  readonly variables: readonly (readonly [string, string])[];
  readonly directory: string;
  readonly generation: number;
  /** Of a parallel job, the part to run (0: the router, i + 1: subtask i); the whole job when absent. */
  readonly part?: number;
  /** Of a part, the id of its parallel job's submission, which the job's end markers carry. */
  readonly job?: string;
}

/** An error as plain data; a RivuletError keeps its code and hint. */
export interface SentError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly code: string | undefined;
  readonly hint: string | undefined;
}

/** A job in its worker, as its proxy on the main thread shows it. */
export interface JobState {
  readonly id: string;
  readonly status: JobStatus;
  readonly failure: SentError | undefined;
  readonly endedAt: number | undefined;
  readonly exceptions: readonly { readonly timestamp: number; readonly error: SentError }[];
  readonly stats: JobStatsSnapshot;
  /** The figures of the vertices of the current graph: its sources, then its operators, then its sinks. */
  readonly vertices: readonly VertexFigures[] | undefined;
  /** Lines the job's sinks wrote to standard output since the previous state. */
  readonly stdout: readonly string[];
}

/** The state memory of a worker, summed over the pool for /metrics. */
export interface MemoryState {
  readonly used: number;
  readonly limit: number;
  readonly spilledBytes: number;
  readonly spilledKeys: number;
  readonly spilledEntries: number;
  readonly restoredEntries: number;
  readonly heapUsed: number;
}

export type ToWorker =
  | { readonly kind: 'open'; readonly job: JobSubmission }
  | { readonly kind: 'launch'; readonly id: string }
  | { readonly kind: 'restart'; readonly request: number; readonly verdict: RestartVerdict }
  /** Fault injection (POST /workers/:n/crash): the worker throws `reason` where nothing catches it, and ends. */
  | { readonly kind: 'crash'; readonly reason: string }
  | { readonly kind: 'cancel' | 'stop' | 'source-metrics'; readonly id: string; readonly request: number };

export type FromWorker =
  | { readonly kind: 'opened'; readonly id: string; readonly error: SentError | undefined }
  | { readonly kind: 'states'; readonly jobs: readonly JobState[]; readonly memory: MemoryState }
  | { readonly kind: 'ended'; readonly state: JobState }
  /** A run of the job failed at `at`: the proxy's restart strategy answers with a `restart`. */
  | { readonly kind: 'failed'; readonly id: string; readonly request: number; readonly at: number }
  | {
      readonly kind: 'answer';
      readonly request: number;
      readonly state?: JobState;
      readonly samples?: readonly (readonly SourceMetric[])[];
      readonly error?: SentError;
    };

export function sendableError(error: unknown): SentError {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    code: isRivuletError(e) ? e.code : undefined,
    hint: isRivuletError(e) ? e.hint : undefined,
  };
}

/** The error again on this side, of its built-in class where it had one (TypeError, …). */
export function revivedError(sent: SentError): Error {
  let error: Error;
  if (sent.code !== undefined) error = new RivuletError(sent.code, sent.message, sent.hint);
  else {
    const builtIn = (globalThis as Record<string, unknown>)[sent.name];
    const isErrorClass = typeof builtIn === 'function' && (builtIn === Error || builtIn.prototype instanceof Error);
    error = isErrorClass ? new (builtIn as ErrorConstructor)(sent.message) : new Error(sent.message);
  }
  error.name = sent.name;
  if (sent.stack !== undefined) error.stack = sent.stack;
  return error;
}
