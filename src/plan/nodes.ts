import type { ResolvedConnector } from '../connectors/registry.ts';
import type { AggregateCall } from '../exec/accumulators.ts';
import type { DeduplicateSpec } from '../exec/deduplicate.ts';
import type { WindowProperty } from '../exec/group-window.ts';
import type { IntervalBounds } from '../exec/interval-join.ts';
import type { JoinType } from '../exec/join.ts';
import type { OverSpec } from '../exec/over-aggregate.ts';
import type { RankSpec } from '../exec/rank.ts';
import type { WindowSpec } from '../exec/window.ts';
import type { WindowDeduplicateSpec, WindowRankSpec } from '../exec/window-rank.ts';
import type { BoundExpr } from '../expr/bound.ts';
import type { DataType } from '../types/data-type.ts';
import type { ChangelogMode } from './changelog.ts';
import type { LookupHintSpec } from './lookup-hints.ts';

export interface Field {
  readonly name: string;
  readonly type: DataType;
}

/** Fields every plan node has: its output columns, the changes it emits, and a unique key if known. */
interface Common {
  readonly fields: readonly Field[];
  readonly changelog: ChangelogMode;
  /** Output columns that identify a row (the upsert key), when the planner can tell. */
  readonly uniqueKey?: readonly number[];
}

/** A plan is a tree of these kind-tagged, readonly nodes. */
export type PlanNode =
  | TableSourceScan
  | ChangelogNormalize
  | WatermarkAssigner
  | Calc
  | Correlate
  | Join
  | IntervalJoin
  | WindowJoin
  | TemporalJoin
  | LookupJoin
  | GroupAggregate
  | Expand
  | Rank
  | Deduplicate
  | OverAggregate
  | WindowTableFunction
  | WindowAggregate
  | GroupWindowAggregate
  | WindowRank
  | WindowDeduplicate
  | Union
  | Values
  | Sink;

export interface TableReference {
  readonly name: string;
  readonly connector: ResolvedConnector;
  readonly primaryKey?: readonly string[];
  /** The options of an OPTIONS hint on this reference, merged into `connector` (Flink's dynamic table options). */
  readonly dynamicOptions?: readonly { readonly key: string; readonly value: string }[];
}

export interface TableSourceScan extends Common {
  readonly kind: 'TableSourceScan';
  readonly table: TableReference;
  /** For each output field: a physical column, or a metadata key. */
  readonly columns: readonly ({ readonly physical: string } | { readonly metadata: string })[];
}

export interface ChangelogNormalize extends Common {
  readonly kind: 'ChangelogNormalize';
  readonly input: PlanNode;
  readonly key: readonly number[];
}

export interface WatermarkAssigner extends Common {
  readonly kind: 'WatermarkAssigner';
  readonly input: PlanNode;
  readonly rowtime: number;
  readonly watermark: BoundExpr;
}

export interface Calc extends Common {
  readonly kind: 'Calc';
  readonly input: PlanNode;
  readonly projection: readonly BoundExpr[];
  readonly condition?: BoundExpr;
}

/**
 * `CROSS JOIN UNNEST(collection)` and `LEFT JOIN UNNEST(collection) ON TRUE`, as Flink plans them: a
 * Correlate with the table function $UNNEST_ROWS$1. Each input row is joined to the rows of its
 * collection (an ARRAY's elements, or the fields of its ROW elements; a MAP's keys and values; a
 * MULTISET's elements, each as often as it occurs), with the input's row kind. Its fields are the
 * input's, then the collection's.
 */
export interface Correlate extends Common {
  readonly kind: 'Correlate';
  readonly input: PlanNode;
  /** The collection, over the input's fields. */
  readonly collection: BoundExpr;
  /** LEFT: a row with NULLs for an input row whose collection is empty or NULL. */
  readonly joinType: 'INNER' | 'LEFT';
}

/**
 * A regular join; SEMI and ANTI (Flink's LeftSemiJoin, LeftAntiJoin) emit the left row alone, so
 * their fields are the left side's.
 */
export interface Join extends Common {
  readonly kind: 'Join';
  readonly type: JoinType;
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** Per key pair, whether NULL matches NULL (IS NOT DISTINCT FROM); none when absent. */
  readonly nullSafe?: readonly boolean[];
  /** Non-equality part of the condition, over left fields followed by right fields. */
  readonly residual?: BoundExpr;
  /** Whether each side's join key covers one of its unique keys (at most one match per row). */
  readonly leftUniqueByKey: boolean;
  readonly rightUniqueByKey: boolean;
  /** The state TTL a STATE_TTL hint gives each side, as written ('1d'); the job's otherwise. */
  readonly stateTtlHints?: { readonly left?: string; readonly right?: string };
}

/**
 * A join of two insert-only streams on equal keys and a time interval between their time attributes
 * (Flink's IntervalJoin). Its fields are left ++ right; both time attributes stay time attributes.
 */
export interface IntervalJoin extends Common {
  readonly kind: 'IntervalJoin';
  readonly type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly bounds: IntervalBounds;
  /** The whole ON condition, over left ++ right fields (shown by explain). */
  readonly condition: BoundExpr;
  /** The conjuncts that are neither keys nor time bounds, over left ++ right fields. */
  readonly residual?: BoundExpr;
}

/** One side of a window join: the window of its window TVF and its window_start / window_end fields. */
export interface WindowJoinSide {
  readonly window: WindowSpec;
  readonly windowStart: number;
  readonly windowEnd: number;
}

/**
 * A join of two window TVF outputs (directly or through window aggregates, ranks, Calcs) on equal
 * window_start and window_end and other keys (Flink's WindowJoin): each window's result is emitted
 * once, as inserts, when the watermark passes its end. Fields are left ++ right (left alone for
 * SEMI and ANTI).
 */
export interface WindowJoin extends Common {
  readonly kind: 'WindowJoin';
  readonly type: JoinType;
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly leftWindow: WindowJoinSide;
  readonly rightWindow: WindowJoinSide;
  /** The join keys besides the window columns. */
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly nullSafe?: readonly boolean[];
  /** The other conjuncts, over left ++ right fields. */
  readonly residual?: BoundExpr;
}

/**
 * `JOIN versioned FOR SYSTEM_TIME AS OF left.rowtime ON ...` (Flink's event-time TemporalJoin): each
 * left row joins the right row of its key valid at its time. Fields are left ++ right; the right
 * side's time attributes become plain timestamps.
 */
export interface TemporalJoin extends Common {
  readonly kind: 'TemporalJoin';
  readonly type: 'INNER' | 'LEFT';
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** The right side's primary key, among its fields. */
  readonly rightPrimaryKey: readonly number[];
  readonly leftTimeIndex: number;
  readonly rightTimeIndex: number;
  readonly residual?: BoundExpr;
}

export interface LookupJoin extends Common {
  readonly kind: 'LookupJoin';
  readonly type: 'INNER' | 'LEFT';
  readonly input: PlanNode;
  readonly table: TableReference;
  /** Lookup table columns (all of its physical columns, in order) appended to the input's. */
  readonly lookupFields: readonly Field[];
  /** Pairs of (input field, lookup column index) that must be equal. */
  readonly keys: readonly { readonly input: number; readonly lookup: number }[];
  readonly residual?: BoundExpr;
  /** What a LOOKUP query hint asks of this join (retry on a miss). */
  readonly lookupHint?: LookupHintSpec;
}

export interface GroupAggregate extends Common {
  readonly kind: 'GroupAggregate';
  readonly input: PlanNode;
  readonly groupKeys: readonly number[];
  readonly calls: readonly AggregateCall[];
  /** The state TTL a STATE_TTL hint gives it by the name of its input, as written; the job's otherwise. */
  readonly stateTtlHint?: { readonly input: string; readonly ttl: string };
}

/**
 * Flink's Expand, below a GroupAggregate of grouping sets: each input change once per project (one
 * per grouping set), with the change's kind. Its fields are the input's (the group keys a set
 * leaves out NULL), the expand id `$e` at `expandIdField`, and copies of aggregate arguments.
 */
export interface Expand extends Common {
  readonly kind: 'Expand';
  readonly input: PlanNode;
  readonly projects: readonly (readonly BoundExpr[])[];
  readonly expandIdField: number;
}

/**
 * Flink's Top-N: ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) filtered to a range of ranks.
 * Its fields are the input's, and the rank (`w0$o0`, BIGINT) when `spec.outputRankNumber`.
 */
export interface Rank extends Common {
  readonly kind: 'Rank';
  readonly input: PlanNode;
  readonly spec: RankSpec;
}

/** Top-1 ordered by a time attribute (Flink's Deduplicate): the first or last row of each key. */
export interface Deduplicate extends Common {
  readonly kind: 'Deduplicate';
  readonly input: PlanNode;
  readonly spec: DeduplicateSpec;
}

/**
 * Flink's OverAggregate: `agg(...) OVER (PARTITION BY ... ORDER BY time ...)`; its fields are the
 * input's followed by one per aggregate (`w0$o0`, ...), one output row per input row.
 */
export interface OverAggregate extends Common {
  readonly kind: 'OverAggregate';
  readonly input: PlanNode;
  readonly spec: OverSpec;
}

/** A window TVF: each row once per window it falls in, with window_start, window_end, window_time appended. */
export interface WindowTableFunction extends Common {
  readonly kind: 'WindowTableFunction';
  readonly input: PlanNode;
  readonly window: WindowSpec;
}

/**
 * GROUP BY window_start, window_end, ... over a window TVF: like a group aggregate, but each group
 * emits once, a final insert, when time passes its window_end.
 */
export interface WindowAggregate extends Common {
  readonly kind: 'WindowAggregate';
  readonly input: PlanNode;
  readonly window: WindowSpec;
  readonly groupKeys: readonly number[];
  /** Position of window_end among the group keys: the time at which a group is complete. */
  readonly windowEndKey: number;
  /** Positions of window_start and (when grouped by it) window_time among the group keys. */
  readonly windowStartKey: number;
  readonly windowTimeKey?: number;
  readonly calls: readonly AggregateCall[];
}

/**
 * Flink's legacy group window aggregate: GROUP BY TUMBLE(ts, size), HOP(ts, slide, size) or
 * SESSION(ts, gap) and other keys. Its fields are the group keys, the aggregates and the window
 * properties the query reads (w$start, w$end, w$rowtime, w$proctime, in that order); each group
 * of a window emits one final insert when time passes the window's end.
 */
export interface GroupWindowAggregate extends Common {
  readonly kind: 'GroupWindowAggregate';
  readonly input: PlanNode;
  /** TUMBLE, HOP or SESSION; its time field is a field of the input. */
  readonly window: WindowSpec;
  readonly groupKeys: readonly number[];
  readonly calls: readonly AggregateCall[];
  readonly properties: readonly WindowProperty[];
}

/**
 * Flink's WindowRank: ROW_NUMBER() OVER (PARTITION BY window_start, window_end, ...) filtered to a
 * range of ranks, over a window TVF or a window aggregate; each window's ranks are emitted once,
 * as inserts, when time passes its end. Its fields are the input's, and the rank (`w0$o0`) when
 * `spec.outputRankNumber`.
 */
export interface WindowRank extends Common {
  readonly kind: 'WindowRank';
  readonly input: PlanNode;
  /** The window of the window TVF the rows come from. */
  readonly window: WindowSpec;
  /** The input's window_start field (its window_end is `spec.windowEnd`). */
  readonly windowStart: number;
  readonly spec: WindowRankSpec;
}

/** Flink's WindowDeduplicate: the first or last row (by rowtime) of each window and key, emitted when the window ends. */
export interface WindowDeduplicate extends Common {
  readonly kind: 'WindowDeduplicate';
  readonly input: PlanNode;
  readonly window: WindowSpec;
  readonly windowStart: number;
  readonly spec: WindowDeduplicateSpec;
}

export interface Union extends Common {
  readonly kind: 'Union';
  readonly inputs: readonly PlanNode[];
}

export interface Values extends Common {
  readonly kind: 'Values';
  readonly rows: readonly (readonly BoundExpr[])[];
}

export interface Sink extends Common {
  readonly kind: 'Sink';
  readonly input: PlanNode;
  readonly table: TableReference;
  /** The sink's columns written from the input fields (one per input field, in order). */
  readonly columns: readonly string[];
  /** Upsert key of the sink, when it consumes updates by key. */
  readonly sinkKey?: readonly number[];
  /** Input changes arrive keyed differently from the sink key: materialize per sink key (Flink's SinkUpsertMaterializer). */
  readonly upsertMaterialize: boolean;
}
