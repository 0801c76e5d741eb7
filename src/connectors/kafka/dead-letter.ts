import type { LogRecord, ProduceRecord } from '../../log/log.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as a field of the envelope: `name` with their text when they are UTF-8, else `name_base64`. */
function bytesField(name: string, bytes: Buffer | null): Record<string, string | null> {
  if (bytes === null) return { [name]: null };
  try {
    return { [name]: utf8.decode(bytes) };
  } catch {
    return { [`${name}_base64`]: bytes.toString('base64') };
  }
}

/**
 * The dead letter of a record that could not be read: the record's own key (so that it keeps its
 * partitioning) and timestamp, and as value one JSON object that says where it came from and why it
 * was set aside, with its raw key and value: `{"topic", "partition", "offset", "timestamp",
 * "table", "error", "key", "value"}`, a key or value that is not UTF-8 as `key_base64` or
 * `value_base64`. `rivulet consume <topic>` prints it as one line.
 */
export function deadLetter(topic: string, table: string, record: LogRecord, error: string): ProduceRecord {
  const envelope = {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: record.timestamp,
    table,
    error,
    ...bytesField('key', record.key),
    ...bytesField('value', record.value),
  };
  return { topic, key: record.key, value: Buffer.from(JSON.stringify(envelope)), timestamp: record.timestamp };
}
