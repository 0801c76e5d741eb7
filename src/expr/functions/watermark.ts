import { isRowtime } from '../../types/data-type.ts';
import { fromEpochMillis } from '../../types/time-value.ts';
import type { ScalarFunction } from '../bound.ts';

/**
 * CURRENT_WATERMARK(rowtime): the watermark the evaluating operator has received, NULL before the
 * first, typed as the rowtime column without its time attribute (TIMESTAMP(3) or TIMESTAMP_LTZ(3)),
 * as Flink 1.18 defines it.
 */
export const CURRENT_WATERMARK: ScalarFunction = {
  name: 'CURRENT_WATERMARK',
  signatures: ['CURRENT_WATERMARK(<rowtime attribute>)'],
  deterministic: false,
  bind(args, ctx) {
    const type = args[0]?.type;
    if (args.length !== 1 || !type) return ctx.fail(`CURRENT_WATERMARK takes 1 argument, got ${args.length}`);
    if (!isRowtime(type))
      return ctx.fail(
        'The argument of CURRENT_WATERMARK must be a rowtime attribute',
        "pass the column the table's WATERMARK FOR clause declares",
      );
    return { args, type: { kind: type.kind, precision: 3, nullable: true } };
  },
  compile: (_args, _call, env) => () => {
    const watermark = env.currentWatermark?.();
    return watermark === undefined ? null : fromEpochMillis(watermark);
  },
};
