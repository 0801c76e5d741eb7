import { RivuletError } from '../../common/errors.ts';

/** How long one delivery may take before it is given up. */
const TIMEOUT_MS = 5000;
/** Deliveries waiting behind a slow receiver beyond which new ones are dropped (and said so). */
const MAX_QUEUED = 100;

/** An alert as Alertmanager's webhook receiver sends it (times in RFC 3339). */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/**
 * `--alert-webhook URL`: each alert that fires or resolves is POSTed there once, as Alertmanager's webhook
 * payload (version 4) with that one alert. Deliveries go one at a time with a timeout and are not retried,
 * so that a receiver that is down costs one request per change. Credentials in the URL (user:password@) are
 * sent as Basic authorization and never shown: `shown` is the URL without them and without its query.
 */
export class AlertWebhook {
  readonly shown: string;
  private readonly target: string;
  private readonly authorization: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(url: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RivuletError('BAD_OPTION', '--alert-webhook must be an http:// or https:// URL', 'give a full URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new RivuletError(
        'BAD_OPTION',
        `--alert-webhook must be an http:// or https:// URL, got a ${parsed.protocol} URL`,
        'give the URL of an HTTP receiver, such as an Alertmanager-compatible webhook',
      );
    }
    this.authorization =
      parsed.username || parsed.password
        ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
        : undefined;
    parsed.username = '';
    parsed.password = '';
    parsed.hash = '';
    this.target = parsed.toString();
    this.shown = `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  }

  /** Queues the delivery of one alert; failures are reported on `warn`, never thrown. */
  send(alert: WebhookAlert, externalUrl: string, warn: (line: string) => void): void {
    if (this.queued >= MAX_QUEUED) {
      warn(`alert webhook ${this.shown}: ${MAX_QUEUED} deliveries waiting, ${alert.labels.alertname} dropped`);
      return;
    }
    this.queued++;
    this.chain = this.chain.then(async () => {
      try {
        await this.post(alert, externalUrl);
      } catch (error) {
        warn(`alert webhook ${this.shown}: ${alert.labels.alertname} not delivered: ${reason(error)}`);
      } finally {
        this.queued--;
      }
    });
  }

  /** Resolves once every queued delivery has been tried. */
  settled(): Promise<void> {
    return this.chain;
  }

  private async post(alert: WebhookAlert, externalUrl: string): Promise<void> {
    const body = {
      version: '4',
      groupKey: `{}:{alertname="${alert.labels.alertname}"}`,
      truncatedAlerts: 0,
      status: alert.status,
      receiver: 'rivulet',
      groupLabels: { alertname: alert.labels.alertname },
      commonLabels: alert.labels,
      commonAnnotations: alert.annotations,
      externalURL: externalUrl,
      alerts: [alert],
    };
    const response = await fetch(this.target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.authorization ? { authorization: this.authorization } : {}),
      },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`the receiver answered ${response.status}`);
  }
}

function reason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}
