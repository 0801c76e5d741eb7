import { useTexts } from '../i18n.ts';
import type { Snapshot } from '../types.ts';

export function JobsPage({ snapshot }: { readonly snapshot: Snapshot | undefined }) {
  const { t, number, time, duration } = useTexts();
  if (!snapshot) return <p class="muted">…</p>;
  if (snapshot.jobs.length === 0) return <p class="muted">{t('noJobs')}</p>;
  const jobs = [...snapshot.jobs].sort((a, b) => b['start-time'] - a['start-time']);
  return (
    <table class="jobs" data-test="jobs">
      <thead>
        <tr>
          <th>{t('name')}</th>
          <th>{t('state')}</th>
          <th>{t('startTime')}</th>
          <th>{t('duration')}</th>
          <th class="num">{t('recordsIn')}</th>
          <th class="num">{t('recordsOut')}</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.jid} data-job={job.jid}>
            <td>
              <a href={`#/jobs/${job.jid}`} title={job.name}>
                {job.name}
              </a>
              <div class="muted small mono">{job.jid}</div>
            </td>
            <td>
              <span class={`state ${job.state}`} data-test="state">
                {job.state}
              </span>
            </td>
            <td>{time(job['start-time'])}</td>
            <td>{duration(job.duration)}</td>
            <td class="num">{number(job.rivulet['records-in'])}</td>
            <td class="num">{number(job.rivulet['records-out'])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
