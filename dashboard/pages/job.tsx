import { useRef, useState } from 'preact/hooks';
import { call, errorsOf } from '../api.ts';
import { LiveChart, type Series } from '../chart.tsx';
import { OperatorGraph } from '../graph.tsx';
import { useTexts } from '../i18n.ts';
import { useLatencySeries } from '../latency.ts';
import { useRates } from '../rates.ts';
import type { JobDetails, Snapshot } from '../types.ts';

const HISTORY_POINTS = 300;

function isActive(job: JobDetails): boolean {
  return job.state === 'CREATED' || job.state === 'RUNNING' || job.state === 'RESTARTING';
}

/** Records/s in and out of the job over the latest 5 minutes, as the snapshots came. */
function useThroughput(snapshot: Snapshot | undefined, id: string, labels: readonly string[]): Series {
  const job = snapshot?.job?.details;
  const counters = new Map<string, number>();
  if (job && job.jid === id) {
    counters.set('in', job.rivulet['records-in']);
    counters.set('out', job.rivulet['records-out']);
  }
  const rates = useRates(snapshot?.now, counters);
  const history = useRef<{ id: string; last: number; series: Series }>({
    id,
    last: 0,
    series: { labels, times: [], values: [[], []] },
  });
  if (history.current.id !== id) history.current = { id, last: 0, series: { labels, times: [], values: [[], []] } };
  const now = snapshot?.now;
  if (now !== undefined && now !== history.current.last && rates.has('in')) {
    const { times, values } = history.current.series;
    history.current.last = now;
    history.current.series = {
      labels,
      times: [...times, now / 1000].slice(-HISTORY_POINTS),
      values: [
        [...(values[0] ?? []), rates.get('in') ?? 0].slice(-HISTORY_POINTS),
        [...(values[1] ?? []), rates.get('out') ?? 0].slice(-HISTORY_POINTS),
      ],
    };
  }
  if (history.current.series.labels.join() !== labels.join()) {
    history.current.series = { ...history.current.series, labels };
  }
  return history.current.series;
}

export function JobPage({ id, snapshot }: { readonly id: string; readonly snapshot: Snapshot | undefined }) {
  const { t, number, time, duration } = useTexts();
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const job = snapshot?.job;
  const details = job?.details;
  const vertexCounters = new Map((details?.vertices ?? []).map((v) => [v.id, v.metrics['read-records']]));
  const rates = useRates(snapshot?.now, vertexCounters);
  const throughput = useThroughput(snapshot, id, [t('recordsIn'), t('recordsOut')]);
  const latency = useLatencySeries(
    id,
    snapshot?.now,
    details?.jid === id ? details.rivulet['source-to-commit-buckets'] : undefined,
    ['p50 (ms)', 'p99 (ms)'],
  );
  if (!snapshot || job === undefined || (details && details.jid !== id)) return <p class="muted">…</p>;
  if (job === null || !details) return <p class="muted">{t('jobNotFound')}</p>;
  const act = async (kind: 'cancel' | 'stop') => {
    if (kind === 'cancel' && !window.confirm(t('confirmCancel'))) return;
    const answer =
      kind === 'cancel'
        ? await call('PATCH', `/jobs/${encodeURIComponent(id)}?mode=cancel`)
        : await call('POST', `/jobs/${encodeURIComponent(id)}/stop`);
    setActionError(answer.status === 202 ? undefined : errorsOf(answer));
  };
  const insight = details.rivulet;
  const entries = job.exceptions.exceptionHistory.entries;
  return (
    <div class="job" data-test="job">
      <div class="title">
        <h1 title={details.name}>{details.name}</h1>
        <span class={`state ${details.state}`} data-test="job-state">
          {details.state}
        </span>
        {isActive(details) && (
          <span class="actions">
            <button type="button" data-test="stop" onClick={() => act('stop')}>
              {t('stop')}
            </button>
            <button type="button" class="danger" data-test="cancel" onClick={() => act('cancel')}>
              {t('cancel')}
            </button>
          </span>
        )}
      </div>
      <div class="muted mono small">{details.jid}</div>
      {actionError && (
        <pre class="error" data-test="action-error">
          {actionError}
        </pre>
      )}
      <div class="figures">
        <Figure label={t('startTime')} value={time(details['start-time'])} />
        <Figure label={t('duration')} value={duration(details.duration)} />
        <Figure label={t('recordsIn')} value={number(insight['records-in'])} />
        <Figure label={t('recordsOut')} value={number(insight['records-out'])} />
        <Figure label={t('restarts')} value={number(insight.restarts)} test="restarts" />
        {insight.worker !== null && <Figure label={t('worker')} value={String(insight.worker)} test="worker" />}
        <Figure label={t('checkpoints')} value={number(job.checkpoints.counts.completed)} />
        <Figure label={t('deadLetters')} value={number(insight['dead-letters'])} test="dead-letters" />
        <Figure label={t('pendingOutput')} value={number(insight['pending-output'])} />
      </div>
      {details['failure-cause'] && (
        <section>
          <h2>{t('failureCause')}</h2>
          <pre class="error" data-test="failure-cause">
            {details['failure-cause']}
          </pre>
        </section>
      )}
      <section>
        <h2>{t('graph')}</h2>
        <div class="graph-scroll">
          <OperatorGraph vertices={details.vertices} nodes={details.plan.nodes} rates={rates} />
        </div>
      </section>
      {isActive(details) && (
        <section>
          <h2>{t('throughput')}</h2>
          <LiveChart series={throughput} />
          <h2 title={t('latencyChartHelp')}>{t('latencyChart')}</h2>
          <LiveChart series={latency} />
        </section>
      )}
      <section>
        <h2>{t('exceptions')}</h2>
        {entries.length === 0 ? (
          <p class="muted">{t('noExceptions')}</p>
        ) : (
          <ul class="exceptions" data-test="exceptions">
            {entries.map((entry) => (
              <li key={`${entry.timestamp}-${entry.stacktrace.length}`}>
                <div>
                  {time(entry.timestamp)} <span class="tag">{entry.failureLabels.code ?? entry.exceptionName}</span>
                </div>
                <pre>{entry.stacktrace}</pre>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h2>{t('checkpoints')}</h2>
        {job.checkpoints.history.length === 0 ? (
          <p class="muted">{t('noCheckpoints')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th class="num">{t('checkpoint')}</th>
                <th>{t('completedAt')}</th>
                <th class="num">{t('duration')}</th>
                <th class="num" title={t('committedRecordsHelp')}>
                  {t('committedRecords')}
                </th>
                <th>{t('committedPositions')}</th>
              </tr>
            </thead>
            <tbody>
              {job.checkpoints.history.map((checkpoint) => (
                <tr key={checkpoint.id}>
                  <td class="num">{number(checkpoint.id)}</td>
                  <td>{time(checkpoint.latest_ack_timestamp)}</td>
                  <td class="num">{duration(checkpoint.end_to_end_duration)}</td>
                  <td class="num" data-test="commit-records">
                    {number(checkpoint.rivulet.records)}
                  </td>
                  <td class="small" data-test="commit-positions">
                    {checkpoint.rivulet.positions.map(({ source, position }) => (
                      <div key={source}>
                        <span class="muted">{source}</span> {position}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {insight.script && (
        <section>
          <h2>
            {t('script')} <span class="muted small">{insight.script.file}</span>
          </h2>
          <pre class="sql" data-test="job-sql">
            {insight.script.text}
          </pre>
        </section>
      )}
    </div>
  );
}

function Figure({ label, value, test }: { readonly label: string; readonly value: string; readonly test?: string }) {
  return (
    <div class="figure">
      <div class="muted small">{label}</div>
      <div class="value" data-test={test}>
        {value}
      </div>
    </div>
  );
}
