import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** The latest points of a live chart: times (s) and one array per series. */
export interface Series {
  readonly labels: readonly string[];
  readonly times: readonly number[];
  /** null leaves a gap. */
  readonly values: readonly (readonly (number | null)[])[];
}

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea'];

/** A uPlot line chart that follows its data as it grows. */
export function LiveChart({ series, height = 180 }: { readonly series: Series; readonly height?: number }) {
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
  return <div class="chart" ref={box} />;
}
