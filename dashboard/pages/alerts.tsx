import { useTexts } from '../i18n.ts';
import type { Alert, Alerts, Snapshot } from '../types.ts';

/** What an alert is about: its job (a link) and its slot, if any. */
function Subject({ alert }: { readonly alert: Alert }) {
  const { job_id: jobId, job_name: jobName, slot } = alert.labels;
  return (
    <>
      {jobId !== undefined && (
        <a href={`#/jobs/${jobId}`} title={jobName}>
          {jobName !== undefined && jobName.length > 48 ? `…${jobName.slice(-47)}` : (jobName ?? jobId)}
        </a>
      )}
      {slot !== undefined && (
        <>
          {' '}
          <code>{slot}</code>
        </>
      )}
    </>
  );
}

function AlertTable({ alerts, resolved }: { readonly alerts: readonly Alert[]; readonly resolved: boolean }) {
  const { t, time } = useTexts();
  return (
    <table data-test={resolved ? 'alerts-resolved' : 'alerts-firing'}>
      <thead>
        <tr>
          <th>{t('alert')}</th>
          <th>{t('severity')}</th>
          <th>{t('subject')}</th>
          <th>{t('started')}</th>
          {resolved && <th>{t('ended')}</th>}
        </tr>
      </thead>
      <tbody>
        {alerts.map((alert) => (
          <tr
            key={`${alert.name}${JSON.stringify(alert.labels)}${alert.startsAt}`}
            class={resolved ? '' : 'warning'}
            data-alert={alert.name}
            data-job={alert.labels.job_id}
          >
            <td>
              <b>{t(alert.name)}</b>
              <div class="muted small">{alert.description}</div>
            </td>
            <td>
              <span class={`tag ${alert.severity}`}>{alert.severity}</span>
            </td>
            <td>
              <Subject alert={alert} />
            </td>
            <td>{time(alert.startsAt)}</td>
            {resolved && <td>{alert.endsAt === null ? '—' : time(alert.endsAt)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Thresholds({ alerts }: { readonly alerts: Alerts }) {
  const { t, number, bytes, duration } = useTexts();
  const { thresholds } = alerts;
  return (
    <section class="card">
      <h2>{t('thresholds')}</h2>
      <dl>
        <dt>{t('RivuletSourceToCommitLatencyHigh')}</dt>
        <dd>{number(thresholds['latency-p99-seconds'])} s</dd>
        <dt>{t('RivuletBackPressure')}</dt>
        <dd>{number(thresholds['pending-output'])}</dd>
        <dt>{t('RivuletCdcSlotRetainsWal')}</dt>
        <dd>{bytes(thresholds['retained-wal-bytes'])}</dd>
        <dt>{t('alertsEvaluated')}</dt>
        <dd>{duration(alerts['interval-ms'])}</dd>
        <dt>{t('webhook')}</dt>
        <dd>
          <code>{alerts.webhook ?? t('noWebhook')}</code>
        </dd>
      </dl>
    </section>
  );
}

/** The alerts the engine evaluates: those firing, those resolved (latest first), and the thresholds. */
export function AlertsPage({ snapshot }: { readonly snapshot: Snapshot | undefined }) {
  const { t } = useTexts();
  if (!snapshot) return <p class="muted">…</p>;
  const alerts = snapshot.alerts;
  if (!alerts) return <p class="muted">{t('alertsOff')}</p>;
  return (
    <div data-test="alerts">
      <h2>{t('alertsFiring')}</h2>
      {alerts.firing.length === 0 ? (
        <p class="muted">{t('noAlertsFiring')}</p>
      ) : (
        <AlertTable alerts={alerts.firing} resolved={false} />
      )}
      <h2>{t('alertsResolved')}</h2>
      {alerts.resolved.length === 0 ? (
        <p class="muted">{t('noAlertsResolved')}</p>
      ) : (
        <AlertTable alerts={alerts.resolved} resolved={true} />
      )}
      <Thresholds alerts={alerts} />
    </div>
  );
}

/** A line above every page while alerts fire, linking to the alerts page. */
export function AlertsBanner({ snapshot }: { readonly snapshot: Snapshot | undefined }) {
  const { t, number } = useTexts();
  const firing = snapshot?.alerts?.firing ?? [];
  if (firing.length === 0) return null;
  const critical = firing.some((alert) => alert.severity === 'critical');
  return (
    <a class={`alerts-banner ${critical ? 'critical' : ''}`} href="#/alerts" data-test="alerts-banner">
      ⚠ <b>{number(firing.length)}</b> {t('alertsBanner')}: {firing.map((alert) => t(alert.name)).join(' · ')}
    </a>
  );
}
