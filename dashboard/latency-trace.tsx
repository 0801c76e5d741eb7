import { useTexts } from './i18n.ts';
import type { LatencyTrace } from './types.ts';

const LAYERS = [
  ['ods', 'ODS'],
  ['dwd', 'DWD'],
  ['join', 'layerJoin'],
  ['sink', 'layerSink'],
  ['history', 'layerHistory'],
] as const;

/** The per-layer latency of the test order's changes in the latest `rivulet validate`, from their source commit. */
export function LatencyTraceCard({ trace }: { readonly trace: LatencyTrace | null }) {
  const { t, number, time } = useTexts();
  return (
    <section class="card wide" data-test="latency-trace">
      <h2>{t('latencyTrace')}</h2>
      {trace === null ? (
        <p class="muted">
          {t('noLatencyTrace')} <code>npx rivulet validate</code>
        </p>
      ) : (
        <>
          <p class="muted small">
            {time(trace.at)} · {trace.ok ? t('validationPassed') : t('validationFailed')}
          </p>
          <table>
            <thead>
              <tr>
                <th>{t('changeStatus')}</th>
                {LAYERS.map(([layer, label]) => (
                  <th key={layer} class="num">
                    {label === 'ODS' || label === 'DWD' ? label : t(label)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {trace.changes.map((change) => (
                <tr key={change.status}>
                  <td>
                    <code>{change.status}</code>
                  </td>
                  {LAYERS.map(([layer]) => (
                    <td key={layer} class="num">
                      {change[layer] === undefined ? '—' : `${number(change[layer])} ms`}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
