import type pg from 'pg';
import type { RunningInstance } from '../../embedded/instance.ts';
import type { ProgressFigures, StressMessages } from './messages.ts';

export interface StressReporter {
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  /** Called on every poll of the sink, the reporter decides how often to show it; `final` once at the end. */
  progress(figures: ProgressFigures, final?: boolean): void;
  /** The run is over: end a live progress line. */
  endProgress(): void;
}

export interface StressSettings {
  readonly instance: RunningInstance;
  readonly orders: number;
  /** Orders started per second. */
  readonly rate: number;
  /** How long one change may take to reach the sink, and the deletes of the cleanup. */
  readonly timeoutMs: number;
  readonly keep: boolean;
  readonly messages: StressMessages;
  readonly reporter: StressReporter;
  /** Aborted: no more orders are started; those in flight are finished, checked and cleaned up. */
  readonly signal?: AbortSignal;
  /** Milliseconds between two polls of the sink. */
  readonly pollMs?: number;
}

export interface LatencyFigures {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface StressResult {
  ok: boolean;
  orders: { requested: number; sent: number; confirmed: number; correct: number; incorrect: number };
  orderIds?: { first: number; last: number };
  /** One line per order that is not correct. */
  problems: { orderId: number; problem: string }[];
  /** Milliseconds from each change's commit in source_db to its visibility in both sink tables. */
  latency?: LatencyFigures & { byStatus: Record<string, LatencyFigures> };
  throughput: { durationMs: number; changesPerSecond: number; ordersPerSecond: number; targetOrdersPerSecond: number };
  errors: string[];
  cleanup?: {
    kept: boolean;
    ordersDeleted: number;
    sinkRowsRemoved: number;
    historyRowsDeleted: number;
    left: string[];
  };
}

export interface User {
  readonly id: number;
  readonly username: string;
  readonly cityTier: string;
}

export interface Order {
  readonly id: number;
  readonly user: User;
  /** Index in STATUSES of the last change sent; -1 before the insert. */
  step: number;
  busy: boolean;
  done: boolean;
  readonly committedAt: number[];
  readonly latencies: number[];
  failure?: string;
}

/** One stress run: its settings, the result its steps fill in, the orders sent, and what to close at the end. */
export interface StressRun {
  readonly settings: StressSettings;
  readonly result: StressResult;
  pool?: pg.Pool;
  sink?: pg.Client;
  readonly orders: Order[];
  /** Every change's latency, in the order the changes became visible. */
  readonly latencies: number[];
}

/** source_db through a pool, so that orders' changes are sent side by side; sink_db through one client. */
export interface StressDatabases {
  readonly pool: pg.Pool;
  readonly sink: pg.Client;
}

/** The orders to send: ids from `first` on, spread over the seed's users. */
export interface StressPlan {
  readonly first: number;
  readonly users: readonly User[];
}
