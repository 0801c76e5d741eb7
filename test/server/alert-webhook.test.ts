import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LATENCY_SECONDS_BUCKETS } from '../../src/runtime/histogram.ts';
import { AlertMonitor } from '../../src/server/alerts/alert-monitor.ts';
import type { JobObservation, Observation } from '../../src/server/alerts/observation.ts';
import { DEFAULT_THRESHOLDS } from '../../src/server/alerts/rules.ts';
import { AlertWebhook } from '../../src/server/alerts/webhook.ts';

interface Received {
  readonly authorization: string | undefined;
  readonly path: string;
  readonly body: {
    status: string;
    alerts: { status: string; labels: Record<string, string>; startsAt: string; endsAt: string }[];
  };
}

const NO_BUCKETS = [...LATENCY_SECONDS_BUCKETS, Number.POSITIVE_INFINITY].map((le) => ({ le, count: 0 }));

function job(status: JobObservation['status'], extra: Partial<JobObservation> = {}): JobObservation {
  return {
    id: 'j1',
    name: 'orders',
    status,
    startedAt: 0,
    restarts: 0,
    failedCommits: status === 'FAILED' ? 1 : 0,
    pendingOutput: 0,
    sourceToCommit: NO_BUCKETS,
    ...extra,
  };
}

const at = (ms: number, jobs: JobObservation[]): Observation => ({ at: ms, jobs, slots: [] });

describe('alerts posted to a webhook', () => {
  let receiver: Server;
  let url: string;
  const received: Received[] = [];

  before(async () => {
    receiver = createServer((request: IncomingMessage, response) => {
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        received.push({
          authorization: request.headers.authorization,
          path: request.url ?? '',
          body: JSON.parse(text),
        });
        response.writeHead(request.url?.startsWith('/broken') ? 500 : 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  after(() => receiver.close());

  it('posts a job failure as firing, and its end as resolved, as Alertmanager does', async () => {
    received.length = 0;
    const webhook = new AlertWebhook(`http://alert:s3cret@${url.slice('http://'.length)}/hook?key=k`);
    const monitor = new AlertMonitor(async () => at(0, []), {
      thresholds: DEFAULT_THRESHOLDS,
      webhook,
      externalUrl: 'http://127.0.0.1:8081/',
    });
    monitor.evaluate(at(1000, [job('RUNNING')]));
    monitor.evaluate(at(2000, [job('FAILED')]));
    await monitor.settled();
    const view = monitor.view();
    assert.deepEqual(
      view.firing.map((alert) => alert.name),
      ['RivuletJobFailed', 'RivuletCheckpointFailures'],
    );
    assert.equal(view.webhook, `${url}/hook?…`);
    assert.ok(!JSON.stringify(view).includes('s3cret'));
    assert.equal(received.length, 2);
    const failed = received.find((each) => each.body.alerts[0]?.labels.alertname === 'RivuletJobFailed');
    assert.ok(failed);
    assert.equal(failed.path, '/hook?key=k');
    assert.equal(failed.authorization, `Basic ${Buffer.from('alert:s3cret').toString('base64')}`);
    assert.equal(failed.body.status, 'firing');
    assert.deepEqual(failed.body.alerts[0]?.labels, {
      alertname: 'RivuletJobFailed',
      severity: 'critical',
      job_id: 'j1',
      job_name: 'orders',
    });
    assert.equal(failed.body.alerts[0]?.startsAt, new Date(2000).toISOString());
    assert.equal(failed.body.alerts[0]?.endsAt, '0001-01-01T00:00:00Z');

    // The job is gone (dropped by a restart of the engine): its alerts resolve.
    received.length = 0;
    monitor.evaluate(at(3000, []));
    await monitor.settled();
    assert.deepEqual(monitor.view().firing, []);
    assert.deepEqual(
      monitor
        .view()
        .resolved.map((alert) => [alert.name, alert.endsAt])
        .sort(),
      [
        ['RivuletCheckpointFailures', 3000],
        ['RivuletJobFailed', 3000],
      ],
    );
    assert.deepEqual(
      received.map((each) => [each.body.status, each.body.alerts[0]?.endsAt]),
      [
        ['resolved', new Date(3000).toISOString()],
        ['resolved', new Date(3000).toISOString()],
      ],
    );
  });

  it('fires back-pressure only once it has held for 5 minutes', () => {
    const monitor = new AlertMonitor(async () => at(0, []), {
      thresholds: { ...DEFAULT_THRESHOLDS, pendingOutput: 100 },
      externalUrl: 'http://127.0.0.1:8081/',
    });
    const pressed = (ms: number) => monitor.evaluate(at(ms, [job('RUNNING', { pendingOutput: 101 })]));
    pressed(0);
    pressed(299_000);
    assert.deepEqual(monitor.view().firing, []);
    pressed(300_000);
    assert.deepEqual(
      monitor.view().firing.map((alert) => alert.name),
      ['RivuletBackPressure'],
    );
  });

  it('does not retry a delivery the receiver refused, and says so once', async () => {
    received.length = 0;
    const warnings: string[] = [];
    const monitor = new AlertMonitor(async () => at(0, []), {
      thresholds: DEFAULT_THRESHOLDS,
      webhook: new AlertWebhook(`${url}/broken`),
      externalUrl: 'http://127.0.0.1:8081/',
      warn: (line) => warnings.push(line),
    });
    monitor.evaluate(at(1000, [job('RESTARTING', { restarts: 1, failedCommits: 1 })]));
    await monitor.settled();
    assert.equal(received.length, 2);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] ?? '', /not delivered: the receiver answered 500/);
  });

  it('accepts only http and https URLs', () => {
    assert.throws(() => new AlertWebhook('file:///etc/passwd'), /--alert-webhook must be an http:\/\/ or https:\/\//);
    assert.throws(() => new AlertWebhook('not a url'), /--alert-webhook/);
  });
});
