import { useTexts } from './i18n.ts';
import type { PlanNode, Vertex } from './types.ts';

const BOX_WIDTH = 240;
const BOX_HEIGHT = 140;
const COLUMN_GAP = 60;
const ROW_GAP = 20;

/** Columns by depth: a vertex sits one column right of the deepest vertex it reads from. */
function layout(nodes: readonly PlanNode[]): Map<string, { column: number; row: number }> {
  const depth = new Map<string, number>();
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    depth.set(id, 0); // guards against a cycle, which a job graph never has
    const inputs = byId.get(id)?.inputs ?? [];
    const value = inputs.length === 0 ? 0 : 1 + Math.max(...inputs.map((input) => depthOf(input.id)));
    depth.set(id, value);
    return value;
  };
  const rows = new Map<number, number>();
  const places = new Map<string, { column: number; row: number }>();
  for (const node of nodes) {
    const column = depthOf(node.id);
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    places.set(node.id, { column, row });
  }
  return places;
}

/** The job's vertices as boxes with their figures, and the edges between them. */
export function OperatorGraph(props: {
  readonly vertices: readonly Vertex[];
  readonly nodes: readonly PlanNode[];
  readonly rates: ReadonlyMap<string, number>;
}) {
  const { t, number, bytes } = useTexts();
  const places = layout(props.nodes);
  const x = (id: string) => (places.get(id)?.column ?? 0) * (BOX_WIDTH + COLUMN_GAP);
  const y = (id: string) => (places.get(id)?.row ?? 0) * (BOX_HEIGHT + ROW_GAP);
  const width = Math.max(0, ...props.vertices.map((v) => x(v.id) + BOX_WIDTH));
  const height = Math.max(0, ...props.vertices.map((v) => y(v.id) + BOX_HEIGHT));
  const millis = (value: number | null) => (value === null ? '—' : `${number(value)} ms`);
  return (
    <div class="graph" style={{ width: `${width}px`, height: `${height}px` }} data-test="graph">
      <svg width={width} height={height} aria-hidden="true">
        {props.nodes.flatMap((node) =>
          (node.inputs ?? []).map((input) => {
            const x1 = x(input.id) + BOX_WIDTH;
            const y1 = y(input.id) + BOX_HEIGHT / 2;
            const x2 = x(node.id);
            const y2 = y(node.id) + BOX_HEIGHT / 2;
            const mid = (x1 + x2) / 2;
            return <path key={`${input.id}-${node.id}`} d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} />;
          }),
        )}
      </svg>
      {props.vertices.map((vertex) => {
        const pending = vertex.rivulet['pending-output'];
        const busy = vertex.rivulet.busyTimeMsPerSecond;
        const backPressured = vertex.rivulet.backPressuredTimeMsPerSecond;
        const state = vertex.rivulet['state-size'];
        const percent = (msPerSecond: number) => `${number(Math.round(msPerSecond / 10))} %`;
        return (
          <div
            key={vertex.id}
            class={`vertex ${vertex.rivulet.kind}${(pending !== null && pending > 0) || backPressured > 100 ? ' pressured' : ''}`}
            style={{ left: `${x(vertex.id)}px`, top: `${y(vertex.id)}px`, width: `${BOX_WIDTH}px` }}
            data-test="vertex"
            title={vertex.name}
          >
            <div class="vname">{vertex.name}</div>
            <div class="vline">
              ↓ {number(vertex.metrics['read-records'])} · ↑ {number(vertex.metrics['write-records'])}
            </div>
            <div class="vline">
              {number(props.rates.get(vertex.id) ?? 0)}
              {t('perSecond')}
            </div>
            <div class="vline muted" title={t('latencyHelp')}>
              {t('latency')}: {millis(vertex.rivulet['latency-p50'])} / {millis(vertex.rivulet['latency-p99'])}
            </div>
            <div class="vline muted" data-test="vertex-time">
              {busy !== null && (
                <span title={t('busyHelp')}>
                  {t('busy')} {percent(busy)}
                </span>
              )}
              {busy !== null && ' · '}
              <span title={t('backPressuredHelp')} class={backPressured > 100 ? 'warning-text' : undefined}>
                {t('backPressured')} {percent(backPressured)}
              </span>
            </div>
            {state !== null && (
              <div class="vline muted" title={t('stateHelp')} data-test="vertex-state">
                {t('stateBytes')} {bytes(state)} · {t('spilled')} {bytes(vertex.rivulet['spilled-bytes'] ?? 0)}
              </div>
            )}
            {pending !== null && (
              <div class="vline muted">
                {t('pending')}: {number(pending)}
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
}
