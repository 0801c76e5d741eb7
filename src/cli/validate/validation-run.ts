import type pg from 'pg';
import type { RunningInstance } from '../../embedded/instance.ts';
import type { Log } from '../../log/log.ts';
import type { Messages } from './messages.ts';
import type { TopicWatcher } from './topic-watcher.ts';

/** One check of the validation, as `--json` prints it. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** How the run is shown: the command prints these as they happen, or collects them for --json. */
export interface Reporter {
  step(text: string): void;
  check(check: Check): void;
  info(text: string): void;
  success(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  line(text: string): void;
}

export interface ValidateSettings {
  readonly instance: RunningInstance;
  readonly maxLatencyMs: number;
  readonly timeoutMs: number;
  readonly messages: Messages;
  readonly reporter: Reporter;
}

/** Milliseconds from a status change's commit in source_db to its arrival at each layer. */
export interface ChangeLatency {
  readonly status: string;
  readonly ods?: number;
  readonly dwd?: number;
  readonly join?: number;
  readonly sink?: number;
  readonly history?: number;
}

export interface ValidationResult {
  ok: boolean;
  failed?: string;
  testOrderId?: number;
  /** The user the shop analytics' check registered (and removes again). */
  testUserId?: number;
  checks: Check[];
  latencies: ChangeLatency[];
  endToEnd?: { averageMs: number; p99Ms: number; maxMs: number; limitMs: number };
  performance?: {
    ordersProcessed: number;
    taskManagers: number;
    slotsTotal: number;
    slotsAvailable: number;
    utilisationPercent: number;
  };
  left: string[];
}

/** One validation: its settings, the result its steps fill in, and what they opened, closed at the end. */
export interface ValidationRun {
  readonly settings: ValidateSettings;
  readonly result: ValidationResult;
  source?: pg.Client;
  sink?: pg.Client;
  log?: Log;
  readonly watchers: TopicWatcher[];
  /** The test order reached source_db: the cleanup has something to remove. */
  inserted: boolean;
}

/** Adds a check to the result and shows it; the first failing check is what the validation failed on. */
export function record(run: ValidationRun, name: string, ok: boolean, detail: string): void {
  const check = { name, ok, detail };
  run.result.checks.push(check);
  run.settings.reporter.check(check);
  if (!ok && run.result.failed === undefined) run.result.failed = detail;
}
