import { useTexts } from '../i18n.ts';
import type { Snapshot } from '../types.ts';

export function OverviewPage({ snapshot }: { readonly snapshot: Snapshot | undefined }) {
  const { t, number, duration, bytes } = useTexts();
  if (!snapshot) return <p class="muted">…</p>;
  const { overview, taskmanager, log, jobs } = snapshot;
  const databases = new Map<string, Set<string>>();
  for (const job of jobs) {
    for (const table of job.rivulet.tables) {
      if (table.database === null) continue;
      const names = databases.get(table.database) ?? new Set<string>();
      names.add(`${table.name} (${table.connector})`);
      databases.set(table.database, names);
    }
  }
  return (
    <div class="cards" data-test="overview">
      <section class="card">
        <h2>{t('instance')}</h2>
        <dl>
          <dt>ID</dt>
          <dd>{taskmanager.id}</dd>
          <dt>{t('uptime')}</dt>
          <dd data-test="uptime">{duration(taskmanager.uptime)}</dd>
          <dt>{t('cpuCores')}</dt>
          <dd>{number(taskmanager.hardware.cpuCores)}</dd>
          <dt>{t('memory')}</dt>
          <dd>
            {bytes(taskmanager.memory.rss)} / {bytes(taskmanager.memory.heapUsed)}
          </dd>
        </dl>
      </section>
      <section class="card">
        <h2>{t('jobsByState')}</h2>
        <div class="counts">
          <a href="#/jobs" class="count RUNNING" data-test="jobs-running">
            <b>{number(overview['jobs-running'])}</b>
            {t('running')}
          </a>
          <a href="#/jobs" class="count FINISHED">
            <b>{number(overview['jobs-finished'])}</b>
            {t('finished')}
          </a>
          <a href="#/jobs" class="count CANCELED">
            <b>{number(overview['jobs-cancelled'])}</b>
            {t('cancelled')}
          </a>
          <a href="#/jobs" class="count FAILED">
            <b>{number(overview['jobs-failed'])}</b>
            {t('failed')}
          </a>
        </div>
      </section>
      <section class="card">
        <h2>{t('log')}</h2>
        <p>
          <span class="tag">{log.kind}</span> <code>{log.description}</code>
        </p>
        <h2>{t('databases')}</h2>
        {databases.size === 0 ? (
          <p class="muted">{t('noDatabases')}</p>
        ) : (
          <ul class="databases">
            {[...databases].map(([database, tables]) => (
              <li key={database}>
                <code>{database}</code>
                <div class="muted small">{[...tables].join(', ')}</div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card">
        <h2>{t('versions')}</h2>
        <dl>
          <dt>{t('rivuletVersion')}</dt>
          <dd>{overview['rivulet-version']}</dd>
          <dt>{t('flinkDialect')}</dt>
          <dd>{overview['flink-version']}</dd>
        </dl>
      </section>
    </div>
  );
}
