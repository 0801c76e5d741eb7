import { RivuletError } from '../common/errors.ts';
import type { SourceReader } from '../connectors/source-reader.ts';
import { EvaluationError } from '../expr/value.ts';

/**
 * An evaluation error (a user function that threw, a bad CAST) as the failure of the job, told
 * with where its record came from: the table, and the positions of the batch it was in, so that the
 * record can be found in the topic (or the source's changes). Operators keep no position per row.
 */
export function atRecords(
  error: unknown,
  table: string,
  reader: SourceReader,
  from: ReadonlyMap<number, bigint>,
): unknown {
  if (!(error instanceof EvaluationError)) return error;
  const ranges: string[] = [];
  for (const [partition, to] of reader.positions()) {
    const start = from.get(partition) ?? 0n;
    if (to > start) ranges.push(`partition ${partition}, offsets ${start} to ${to - 1n}`);
  }
  const where = `a record of table '${table}' at topic '${reader.positionTopic}'${ranges.length > 0 ? `, ${ranges.join('; ')}` : ''}`;
  const hint = error.code.startsWith('UDF_')
    ? 'fix the function (see docs/udf.md), or filter out such records before the call'
    : 'filter out or convert such records before the expression (TRY_CAST gives NULL instead of failing)';
  return new RivuletError(error.code, `${error.message}, in ${where}`, hint, { cause: error });
}
