import { createHash } from 'node:crypto';
import type { AlertRecord } from './alert.ts';
import type { Observation } from './observation.ts';
import { type AlertThresholds, type Condition, conditions, HISTORY_MS } from './rules.ts';
import type { AlertWebhook, WebhookAlert } from './webhook.ts';

/** How often the rules are evaluated. */
export const EVALUATION_INTERVAL_MS = 5000;
/** Resolved alerts kept for GET /alerts and the dashboard, the latest first. */
const RESOLVED_KEPT = 50;
/** Alertmanager's endsAt of an alert that has not resolved. */
const NO_END = '0001-01-01T00:00:00Z';

export interface AlertMonitorOptions {
  readonly thresholds: AlertThresholds;
  readonly webhook?: AlertWebhook;
  /** The dashboard's address, for the webhook payload's externalURL and generatorURL. */
  readonly externalUrl: string;
  readonly warn?: (line: string) => void;
}

function keyOf(condition: Condition): string {
  return `${condition.name}${JSON.stringify(condition.labels)}`;
}

/**
 * Evaluates the alert rules (rules.ts) over the engine's observations every EVALUATION_INTERVAL_MS, keeps
 * which alerts fire and which resolved, and sends each change to the webhook, if there is one.
 */
export class AlertMonitor {
  private readonly history: Observation[] = [];
  /** Conditions holding but not for long enough yet (their `for`), by key: since when. */
  private readonly pending = new Map<string, number>();
  private readonly firing = new Map<string, AlertRecord>();
  private readonly resolved: AlertRecord[] = [];
  private evaluatedAt: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly observe: () => Promise<Observation>,
    private readonly options: AlertMonitorOptions,
  ) {}

  get thresholds(): AlertThresholds {
    return this.options.thresholds;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), EVALUATION_INTERVAL_MS).unref();
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One evaluation, skipped while the previous one still waits for a slow source database. */
  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.evaluate(await this.observe());
    } catch (error) {
      this.options.warn?.(`alerts not evaluated: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
  }

  /** Evaluates the rules over one observation (the latest), firing and resolving alerts. */
  evaluate(observation: Observation): void {
    const now = observation.at;
    const holding = new Map(conditions(observation, this.history, this.options.thresholds).map((c) => [keyOf(c), c]));
    for (const [key, condition] of holding) {
      const since = this.pending.get(key) ?? now;
      this.pending.set(key, since);
      if (!this.firing.has(key) && now - since >= condition.forMs) {
        const alert: AlertRecord = { ...condition, status: 'firing', startsAt: now, endsAt: null };
        this.firing.set(key, alert);
        this.notify(alert);
      }
    }
    for (const key of this.pending.keys()) if (!holding.has(key)) this.pending.delete(key);
    for (const [key, alert] of this.firing) {
      if (holding.has(key)) continue;
      this.firing.delete(key);
      const ended: AlertRecord = { ...alert, status: 'resolved', endsAt: now };
      this.resolved.unshift(ended);
      this.resolved.length = Math.min(this.resolved.length, RESOLVED_KEPT);
      this.notify(ended);
    }
    this.history.push(observation);
    while ((this.history[0]?.at ?? now) < now - HISTORY_MS) this.history.shift();
    this.evaluatedAt = now;
  }

  /** What GET /alerts answers and the dashboard shows. */
  view() {
    const { thresholds, webhook } = this.options;
    return {
      'evaluated-at': this.evaluatedAt,
      'interval-ms': EVALUATION_INTERVAL_MS,
      firing: [...this.firing.values()].sort((a, b) => b.startsAt - a.startsAt),
      resolved: [...this.resolved],
      thresholds: {
        'latency-p99-seconds': thresholds.latencySeconds,
        'pending-output': thresholds.pendingOutput,
        'retained-wal-bytes': thresholds.retainedWalBytes,
      },
      webhook: webhook?.shown ?? null,
    };
  }

  /** Resolves once the webhook has been sent every change so far (for tests and shutdown). */
  async settled(): Promise<void> {
    await this.options.webhook?.settled();
  }

  private notify(alert: AlertRecord): void {
    const { webhook, externalUrl } = this.options;
    if (!webhook) return;
    const labels = { alertname: alert.name, severity: alert.severity, ...alert.labels };
    const payload: WebhookAlert = {
      status: alert.status,
      labels,
      annotations: { summary: alert.summary, description: alert.description },
      startsAt: new Date(alert.startsAt).toISOString(),
      endsAt: alert.endsAt === null ? NO_END : new Date(alert.endsAt).toISOString(),
      generatorURL: `${externalUrl}#/alerts`,
      fingerprint: createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16),
    };
    webhook.send(payload, externalUrl, this.options.warn ?? (() => {}));
  }
}
