import type { Log, LogRecord } from '../log/log.ts';

/** The most records a tail shows, and the default. */
export const MAX_TAIL = 500;
export const DEFAULT_TAIL = 50;
/** How long a tail waits for each batch of records already in the log. */
const POLL_MILLIS = 200;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as their UTF-8 text (a JSON key or value, say), or as hex when they are not UTF-8. */
function decoded(bytes: Buffer | null): { readonly text: string | null; readonly encoding: 'utf8' | 'hex' } {
  if (bytes === null) return { text: null, encoding: 'utf8' };
  try {
    return { text: utf8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('hex'), encoding: 'hex' };
  }
}

function shown(record: LogRecord) {
  return {
    partition: record.partition,
    offset: record.offset.toString(),
    timestamp: record.timestamp,
    key: decoded(record.key),
    value: decoded(record.value),
    headers: (record.headers ?? []).map(([key, value]) => ({ key: decoded(key), value: decoded(value) })),
  };
}

/**
 * The latest `limit` records of a topic, latest first: the last `limit` offsets of each partition
 * are read (from the end offsets a reader at `latest` starts at), and those whose key contains
 * `keyFilter` (as text) kept. So the filter looks at the latest records only, not at the whole topic.
 */
export async function topicTail(log: Log, topic: string, limit: number, keyFilter: string | undefined) {
  await log.partitions(topic); // LOG_TOPIC_NOT_FOUND for a topic that does not exist
  const atEnd = await log.openReader(topic, { kind: 'latest' });
  const ends = new Map(atEnd.positions());
  await atEnd.close();
  const window = BigInt(limit);
  const starts = new Map([...ends].map(([partition, end]) => [partition, end > window ? end - window : 0n]));
  const reader = await log.openReader(topic, { kind: 'offsets', offsets: starts, otherwise: 'earliest' });
  const records: LogRecord[] = [];
  try {
    const behind = () => [...ends].some(([partition, end]) => (reader.positions().get(partition) ?? end) < end);
    while (behind()) {
      const batch = await reader.poll(limit * ends.size, POLL_MILLIS);
      if (batch.length === 0) break; // what is left was removed by compaction or retention
      records.push(...batch);
    }
  } finally {
    await reader.close();
  }
  const kept = records.filter(
    (record) =>
      (ends.get(record.partition) ?? 0n) > record.offset &&
      (keyFilter === undefined || (decoded(record.key).text ?? '').includes(keyFilter)),
  );
  kept.sort((a, b) => b.timestamp - a.timestamp || (b.offset > a.offset ? 1 : b.offset < a.offset ? -1 : 0));
  // The postgres log keeps no record headers (docs/log.md); the other log's records carry them.
  const headers = log.kind !== 'postgres';
  return { topic, partitions: ends.size, 'log-headers': headers, records: kept.slice(0, limit).map(shown) };
}
