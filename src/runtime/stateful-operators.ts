import { GroupAggregateOperator } from '../exec/aggregate.ts';
import { DeduplicateOperator } from '../exec/deduplicate.ts';
import { IntervalJoinOperator } from '../exec/interval-join.ts';
import { JoinOperator } from '../exec/join.ts';
import { NormalizeOperator } from '../exec/normalize.ts';
import { OverAggregateOperator } from '../exec/over-aggregate.ts';
import { RankOperator } from '../exec/rank.ts';
import { TemporalJoinOperator } from '../exec/temporal-join.ts';
import { UpsertMaterializerOperator } from '../exec/upsert-materializer.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type {
  ChangelogNormalize,
  Deduplicate,
  GroupAggregate,
  IntervalJoin,
  Join,
  OverAggregate,
  Rank,
  Sink,
  TemporalJoin,
} from '../plan/nodes.ts';
import { hintedTtl } from '../plan/state-ttl-hints.ts';
import { type StateRetention, stateRetention } from '../state/idle-state.ts';

/**
 * How long the keyed state of an operator lives without being written: its STATE_TTL hint, or the
 * job's `table.exec.state.ttl` (`jobTtlMs`, 0 = forever), on the job's processing-time clock.
 */
function retention(hint: string | undefined, jobTtlMs: number, env: EvalEnv): StateRetention | undefined {
  return stateRetention(hintedTtl(hint) ?? jobTtlMs, () => env.nowMicros() / 1000);
}

/** The operators whose keyed state has a TTL, as a job runs them (and the operator fixtures drive them). */
export const statefulOperator = {
  normalize: (node: ChangelogNormalize, env: EvalEnv, jobTtlMs: number) =>
    new NormalizeOperator(node.key, retention(undefined, jobTtlMs, env)),
  join: (node: Join, env: EvalEnv, jobTtlMs: number) =>
    new JoinOperator(
      node.type,
      node.leftKeys,
      node.rightKeys,
      [node.left.fields.length, node.right.fields.length],
      node.residual,
      env,
      [node.left.uniqueKey, node.right.uniqueKey],
      [retention(node.stateTtlHints?.left, jobTtlMs, env), retention(node.stateTtlHints?.right, jobTtlMs, env)],
      node.nullSafe,
    ),
  /** Interval joins keep rows until time passes them: Flink gives them no state TTL either. */
  intervalJoin: (node: IntervalJoin, env: EvalEnv, replaying?: () => boolean) =>
    new IntervalJoinOperator(
      {
        type: node.type,
        leftKeys: node.leftKeys,
        rightKeys: node.rightKeys,
        widths: [node.left.fields.length, node.right.fields.length],
        bounds: node.bounds,
        ...(node.residual ? { residual: node.residual } : {}),
      },
      env,
      undefined,
      replaying,
    ),
  /** Flink's temporal join takes the job's TTL (no STATE_TTL hint) and clears a key idle for 1–1.5 times it. */
  temporalJoin: (node: TemporalJoin, env: EvalEnv, jobTtlMs: number) =>
    new TemporalJoinOperator(
      {
        type: node.type,
        leftKeys: node.leftKeys,
        rightKeys: node.rightKeys,
        widths: [node.left.fields.length, node.right.fields.length],
        leftTimeIndex: node.leftTimeIndex,
        rightTimeIndex: node.rightTimeIndex,
        ...(node.residual ? { residual: node.residual } : {}),
      },
      env,
      retention(undefined, jobTtlMs, env),
    ),
  aggregate: (node: GroupAggregate, env: EvalEnv, jobTtlMs: number) =>
    new GroupAggregateOperator(
      node.groupKeys,
      node.calls,
      node.input.fields.map((f) => f.type),
      retention(node.stateTtlHint?.ttl, jobTtlMs, env),
    ),
  rank: (node: Rank, env: EvalEnv, jobTtlMs: number) =>
    new RankOperator(node.spec, retention(undefined, jobTtlMs, env)),
  deduplicate: (node: Deduplicate, env: EvalEnv, jobTtlMs: number) =>
    new DeduplicateOperator(node.spec, retention(undefined, jobTtlMs, env)),
  over: (node: OverAggregate, env: EvalEnv, jobTtlMs: number, replaying?: () => boolean) =>
    new OverAggregateOperator(
      node.spec,
      node.input.fields.map((f) => f.type),
      env,
      retention(undefined, jobTtlMs, env),
      replaying,
    ),
  upsertMaterializer: (node: Sink, env: EvalEnv, jobTtlMs: number) =>
    new UpsertMaterializerOperator(node.sinkKey ?? [], node.uniqueKey, retention(undefined, jobTtlMs, env)),
} as const;
