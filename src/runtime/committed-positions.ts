import type { SourceReader } from '../connectors/source-reader.ts';

/**
 * The positions a commit recorded for one source, as a reader would look for them: the reader's
 * own wording when it has one (an LSN), else the topic and the next offset of each partition.
 */
export function describePositions(reader: SourceReader, positions: ReadonlyMap<number, bigint>): string {
  if (reader.describePositions) return reader.describePositions(positions);
  const partitions = [...positions].sort(([a], [b]) => a - b).map(([partition, next]) => `${partition}@${next}`);
  return `${reader.positionTopic} ${partitions.length > 0 ? partitions.join(' ') : '(none)'}`;
}
