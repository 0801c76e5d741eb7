import { isUtf8 } from 'node:buffer';
import type pg from 'pg';
import { preparedName } from '../../common/prepared-statement.ts';
import type { DecodedValue } from '../log.ts';
import { NOTIFY_CHANNEL, recordsTable } from './schema.ts';

/** Records bound for one partition of one topic. */
export interface AppendGroup {
  readonly topic: string;
  readonly topicId: number;
  readonly partition: number;
  readonly keys: (Buffer | null)[];
  readonly values: (Buffer | null)[];
  readonly times: number[];
  /** The rows the values were encoded from, where the writer gave them, for same-process readers. */
  readonly decoded: (DecodedValue | undefined)[];
}

/** A write statement of a commit and its result, which gives the groups' first offsets. */
export interface WrittenStatement {
  readonly groups: readonly AppendGroup[];
  readonly result: pg.QueryResult;
}

/** A consumer group's next offset in one partition. */
export interface PositionRow {
  readonly group: string;
  readonly topicId: number;
  readonly partition: number;
  readonly next: bigint;
}

/** Groups in a fixed order of partition locks, so two writers to the same partitions cannot deadlock. */
export function sortGroups(groups: AppendGroup[]): AppendGroup[] {
  return groups.sort((a, b) => a.topicId - b.topicId || a.partition - b.partition);
}

/** The first offset each group (in the statement's order) was given, from the statement's result. */
export function firstOffsets(result: pg.QueryResult): (bigint | undefined)[] {
  const firsts = (result.rows[0] as { firsts?: (string | null)[] } | undefined)?.firsts ?? [];
  return firsts.map((first) => (first === null ? undefined : BigInt(first)));
}

/**
 * One statement that appends each group (in the order of sortGroups) to its partition, moves
 * consumer positions, and notifies readers at commit (payload: the topic ids, `;`, `mark`: the
 * writer's origin and commit number, see TailShare). Sent alone it is its own transaction: output
 * and positions commit together in one round trip. It returns the first offset of each group (`firsts`).
 *
 * An append reserves offsets by moving the partition's next offset, holding that row's lock until
 * commit, which keeps offsets visible in order. Keys and values that are text without control
 * separators (JSON always is) travel as one text each, split by PostgreSQL: about twice as fast
 * as an array parameter, whose every quote node-pg escapes and PostgreSQL unescapes. Other bytes
 * travel as a bytea array.
 */
export function writeStatement(
  groups: readonly AppendGroup[],
  positions: readonly PositionRow[],
  mark: string,
): pg.QueryConfig {
  const ctes: string[] = [];
  const counts: string[] = [];
  const firsts: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  for (const [i, group] of groups.entries()) {
    const joinedKeys = joinPlain(group.keys);
    const joinedValues = joinedKeys && joinPlain(group.values);
    const asText = joinedKeys !== undefined && joinedValues !== undefined;
    const topic = param(group.topicId);
    const partition = param(group.partition);
    const times = `${param(group.times)}::bigint[]`;
    const keys = param(asText ? joinedKeys : group.keys);
    const vals = param(asText ? joinedValues : group.values);
    const rows = asText
      ? `LATERAL (
           SELECT convert_to(k, 'UTF8') AS k, convert_to(v, 'UTF8') AS v, t, n
             FROM unnest(string_to_array(${keys}, E'\\x1e', E'\\x1f'), string_to_array(${vals}, E'\\x1e', E'\\x1f'), ${times})
                  WITH ORDINALITY AS x(k, v, t, n)
         ) AS u`
      : `unnest(${keys}::bytea[], ${vals}::bytea[], ${times}) WITH ORDINALITY AS u(k, v, t, n)`;
    ctes.push(
      `next${i} AS (
         UPDATE rivulet_log.partitions SET next_offset = next_offset + cardinality(${times})
          WHERE topic_id = ${topic} AND partition = ${partition}
      RETURNING next_offset - cardinality(${times}) AS first
       )`,
      `appended${i} AS (
         INSERT INTO ${recordsTable(group.topicId)} (partition, "offset", key, value, ts)
         SELECT ${partition}, next${i}.first + u.n - 1, u.k, u.v, u.t FROM next${i}, ${rows}
         RETURNING 1
       )`,
    );
    counts.push(`(SELECT count(*) FROM appended${i})`);
    firsts.push(`(SELECT first FROM next${i})`);
  }
  if (positions.length > 0) {
    ctes.push(`moved AS (
       INSERT INTO rivulet_log.positions (group_id, topic_id, partition, next)
       SELECT * FROM unnest(${param(positions.map((p) => p.group))}::text[], ${param(positions.map((p) => p.topicId))}::int[],
                            ${param(positions.map((p) => p.partition))}::int[], ${param(positions.map((p) => p.next.toString()))}::bigint[])
       ON CONFLICT (group_id, topic_id, partition) DO UPDATE SET next = EXCLUDED.next
       RETURNING 1
     )`);
    counts.push('(SELECT count(*) FROM moved)');
  }
  const topics = [...new Set(groups.map((g) => g.topicId))].join(',');
  const notify = topics === '' ? '' : `, pg_notify('${NOTIFY_CHANNEL}', ${param(`${topics};${mark}`)})`;
  const offsets = firsts.length === 0 ? '' : `, ARRAY[${firsts.join(', ')}]::text[] AS firsts`;
  const text = `WITH ${ctes.join(',\n')}\nSELECT ${counts.join(' + ')} AS written${offsets}${notify}`;
  return { name: preparedName(text), text, values };
}

const SEPARATOR_BYTES = Buffer.from([0x1e]);
const NULL_BYTES = Buffer.from([0x1f]);

/**
 * The buffers as one UTF-8 text joined by separators (a null as its mark), sent as the bytes of a
 * text parameter; undefined when one is not plain text (invalid UTF-8, a NUL or a separator byte).
 */
function joinPlain(buffers: readonly (Buffer | null)[]): Buffer | undefined {
  const parts: Buffer[] = [];
  for (let i = 0; i < buffers.length; i++) {
    const buffer = buffers[i] as Buffer | null;
    if (i > 0) parts.push(SEPARATOR_BYTES);
    if (buffer === null) {
      parts.push(NULL_BYTES);
      continue;
    }
    if (buffer.includes(0x1e) || buffer.includes(0x1f)) return undefined;
    parts.push(buffer);
  }
  const joined = Buffer.concat(parts);
  // A byte sequence cut by a separator is invalid in the joined text too.
  return isUtf8(joined) && !joined.includes(0) ? joined : undefined;
}
