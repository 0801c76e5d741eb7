import { type Key, useTexts } from '../i18n.ts';
import { LatencyTraceCard } from '../latency-trace.tsx';
import type { JobState, Snapshot } from '../types.ts';

/** The tiles of jobs by state: the state they stand for, the field of /overview, the label. */
const COUNTS = [
  ['RUNNING', 'jobs-running', 'running'],
  ['FINISHED', 'jobs-finished', 'finished'],
  ['CANCELED', 'jobs-cancelled', 'cancelled'],
  ['FAILED', 'jobs-failed', 'failed'],
] as const satisfies readonly (readonly [JobState, keyof Snapshot['overview'], Key])[];

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
          {COUNTS.map(([state, field, label]) => (
            <a key={state} href="#/jobs" class={`count ${state}`} data-test={`jobs-${state.toLowerCase()}`}>
              <b>{number(overview[field])}</b>
              {t(label)}
            </a>
          ))}
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
      <LatencyTraceCard trace={snapshot['latency-trace']} />
    </div>
  );
}
