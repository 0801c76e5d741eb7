import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { useTexts } from './i18n.ts';

/** The latest points of a live chart: times (s) and one array per series. */
export interface Series {
  readonly labels: readonly string[];
  readonly times: readonly number[];
  /** null leaves a gap. */
  readonly values: readonly (readonly (number | null)[])[];
}

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea'];

/**
 * A uPlot line chart that follows its data as it grows. Until it has two points it shows a line
 * of text instead: an empty plot's time axis is arbitrary (years away) and says nothing.
 */
export function LiveChart({ series, height = 180 }: { readonly series: Series; readonly height?: number }) {
  const { t } = useTexts();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    plot.current = new uPlot(
      {
        width: Math.max(300, element.clientWidth),
        height,
        series: [{}, ...series.labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2 }))],
        axes: [{}, { size: 70 }],
        legend: { live: false },
      },
      [[], ...series.labels.map(() => [])],
      element,
    );
    return () => plot.current?.destroy();
  }, [series.labels.join('\n'), height]);
  useEffect(() => {
    plot.current?.setData([series.times as number[], ...series.values.map((values) => values as (number | null)[])]);
  }, [series]);
  const empty = series.times.length < 2;
  // The plot's element stays in the page (collapsed) so that it is created once, at full width.
  return (
    <>
      {empty && (
        <p class="chart chart-empty muted" data-test="chart-empty">
          {t('noChartData')}
        </p>
      )}
      <div class={empty ? 'chart collapsed' : 'chart'} ref={box} />
    </>
  );
}
