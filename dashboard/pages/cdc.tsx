import { useTexts } from '../i18n.ts';
import type { Snapshot } from '../types.ts';

/** The replication slots of the running jobs' postgres-cdc sources. */
export function CdcPage({ snapshot }: { readonly snapshot: Snapshot | undefined }) {
  const { t, number, bytes } = useTexts();
  const cdc = snapshot?.cdc;
  if (!cdc) return <p class="muted">…</p>;
  if (cdc.slots.length === 0) return <p class="muted">{t('noSlots')}</p>;
  const orDash = (value: number | null, format: (n: number) => string) => (value === null ? '—' : format(value));
  return (
    <table data-test="cdc">
      <thead>
        <tr>
          <th>{t('slot')}</th>
          <th>{t('sourceTable')}</th>
          <th>{t('database')}</th>
          <th>{t('job')}</th>
          <th class="num" title={t('confirmedLsnHelp')}>
            {t('confirmedLsn')}
          </th>
          <th class="num">{t('lagSeconds')}</th>
          <th class="num">{t('retainedWal')}</th>
          <th class="num">{t('lagBytes')}</th>
        </tr>
      </thead>
      <tbody>
        {cdc.slots.map((slot) => (
          <tr key={`${slot.jid}/${slot.slot}`} class={slot.warning ? 'warning' : ''} data-slot={slot.slot}>
            <td>
              <code>{slot.slot}</code>
              {slot.warning && (
                <div class="warning-text small" data-test="slot-warning">
                  ⚠{' '}
                  {slot.warning === 'not-reported'
                    ? t('notReported')
                    : `${t('walRetained')} ${bytes(cdc['retained-wal-warning-bytes'])}`}
                </div>
              )}
            </td>
            <td>{slot.table}</td>
            <td>
              <code>{slot.database ?? '—'}</code>
            </td>
            <td>
              <a href={`#/jobs/${slot.jid}`} title={slot.job}>
                {/* The end of a generated name is what tells jobs apart: …default_database.ods_orders */}
                {slot.job.length > 48 ? `…${slot.job.slice(-47)}` : slot.job}
              </a>
            </td>
            <td class="num" data-test="confirmed-lsn">
              <code>{slot['confirmed-flush-lsn'] ?? '—'}</code>
            </td>
            <td class="num">{orDash(slot['lag-seconds'], (n) => `${number(n)} s`)}</td>
            <td class="num">{orDash(slot['retained-wal-bytes'], bytes)}</td>
            <td class="num">{orDash(slot['lag-bytes'], bytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
