import type { Refusal } from './request-guard.ts';

/** The layers a change passes, in order, as `rivulet validate` measures them. */
const LAYERS = ['ods', 'dwd', 'join', 'sink', 'history'] as const;
type Layer = (typeof LAYERS)[number];

/** Milliseconds from one change's commit in the source database to its arrival at each layer it reached. */
export type ChangeTrace = { readonly status: string } & Partial<Readonly<Record<Layer, number>>>;

/** The per-layer trace of the latest `rivulet validate` run, as it reported it (POST /latency-trace). */
export interface LatencyTrace {
  readonly at: number;
  readonly ok: boolean;
  readonly changes: readonly ChangeTrace[];
}

const MAX_CHANGES = 20;

/** The trace in a JSON body `{ok, changes: [{status, ods?, dwd?, join?, sink?, history?}]}`, or what is wrong. */
export function latencyTrace(body: unknown, now: number): LatencyTrace | Refusal {
  const bad = (message: string): Refusal => ({ status: 400, message: `Bad Request: ${message}` });
  const shape =
    '{"ok": true, "changes": [{"status": "…", "ods"?: ms, "dwd"?: ms, "join"?: ms, "sink"?: ms, "history"?: ms}]}';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad(`the body must be ${shape}`);
  const { ok, changes } = body as Record<string, unknown>;
  if (typeof ok !== 'boolean' || !Array.isArray(changes) || changes.length > MAX_CHANGES) {
    return bad(`the body must be ${shape}, with at most ${MAX_CHANGES} changes`);
  }
  const traces: ChangeTrace[] = [];
  for (const change of changes) {
    if (typeof change !== 'object' || change === null || typeof change.status !== 'string') {
      return bad(`each change must be {"status": "…", <layer>: ms}; the layers are ${LAYERS.join(', ')}`);
    }
    const trace: Record<string, number | string> = { status: String(change.status).slice(0, 64) };
    for (const layer of LAYERS) {
      const ms = (change as Record<string, unknown>)[layer];
      if (ms === undefined) continue;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return bad(`'${layer}' must be milliseconds (≥ 0)`);
      trace[layer] = ms;
    }
    traces.push(trace as ChangeTrace);
  }
  return { at: now, ok, changes: traces };
}
