import { RivuletError } from '../../common/errors.ts';
import type { ConnectorFactory } from '../../connectors/factory.ts';
import { LogCommitDomain } from '../../connectors/log-commit.ts';
import type { ResolvedConnector } from '../../connectors/registry.ts';
import type { SinkContext, SinkWriter } from '../../connectors/sink-writer.ts';
import type { ReplayedBatch, SourceContext, SourceReader } from '../../connectors/source-reader.ts';
import type { ConnectorTable } from '../../connectors/table.ts';
import type { Change, RowKind } from '../../exec/change.ts';
import { rowKey } from '../../exec/row-key.ts';
import type { Row, Value } from '../../expr/value.ts';
import type { DecodedValue, LogReader, LogRecord, ProduceRecord } from '../../log/log.ts';
import { type PackedRow, pack, unpack } from '../../state/packed-row.ts';
import { keyGroupOf } from './key-groups.ts';

/**
 * A hash exchange of a parallel job (see parallel-job.ts): the changes at the input of its keyed
 * operator, written by the router into a topic of the log with one partition per key group (the
 * partition of a change is the key group of its key), and read by each subtask from the
 * partitions of its key-group range only. A record's key is the change's key (its text as the
 * operators key their state), its value the row kind and the packed row.
 *
 * When the router's sources have all ended (a bounded job), it writes an end marker into every
 * partition, with the id of the job's submission; a subtask's reader has ended once it has read,
 * and committed past, a marker of its own submission in each of its partitions (also in its
 * replay: a subtask restarted after its end ends again). So the end reaches every subtask, across
 * restarts and rescales, and the job FINISHES as Flink's does at the end of its input; the markers
 * of an earlier submission are passed over.
 */

/** The options of an exchange's table (the factory below is never registered: no script names it). */
export interface ExchangeOptions {
  readonly topic: string;
  readonly maxParallelism: number;
  /** The key groups a subtask reads; all of them for the router, which only writes. */
  readonly keyGroups: { readonly start: number; readonly end: number };
}

const KIND_BYTES: Readonly<Record<RowKind, string>> = { '+I': 'I', '-U': 'B', '+U': 'A', '-D': 'D' };
const KINDS: Readonly<Record<string, RowKind>> = { I: '+I', B: '-U', A: '+U', D: '-D' };
/** An end marker's value starts with it, then the submission's id; no change's value starts with it. */
const END = 'E';

function endMarkers(options: ExchangeOptions, submission: string): ProduceRecord[] {
  const value = Buffer.from(END + submission, 'utf8');
  return Array.from({ length: options.maxParallelism }, (_, partition) => ({
    topic: options.topic,
    key: null,
    value,
    partition,
  }));
}

/** Of an end marker, the id of the submission that wrote it; undefined for a change. */
function endOf(record: LogRecord): string | undefined {
  const value = record.value;
  return value !== null && value[0] === END.charCodeAt(0) ? value.subarray(1).toString('utf8') : undefined;
}

/** Marks a record's row as the exchange's own: a reader of the same process takes the row, not the bytes. */
const EXCHANGE_FORMAT = { exchange: true };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The bytes a key group is computed from: equal SQL keys give equal bytes in every process. */
export function exchangeKey(row: Row, key: readonly number[]): Buffer {
  const values: Value[] = key.map((i) => {
    const value = row[i] ?? null;
    // A BIGINT may be a number or a bigint depending on its size; equal values must hash alike.
    return typeof value === 'bigint' && value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value;
  });
  return Buffer.from(rowKey(values), 'utf8');
}

function encodeChanges(
  changes: readonly Change[],
  topic: string,
  key: readonly number[],
  maxParallelism: number,
  sourceMillis: number | undefined,
): ProduceRecord[] {
  return changes.map((change) => {
    const keyBytes = exchangeKey(change.row, key);
    const packed = change.packed ?? pack(change.row);
    const decoded: DecodedValue = { format: EXCHANGE_FORMAT, row: change.row };
    const timestamp = change.time ?? sourceMillis;
    return {
      topic,
      key: keyBytes,
      value: Buffer.from(KIND_BYTES[change.kind] + packed, 'latin1'),
      partition: keyGroupOf(keyBytes, maxParallelism),
      ...(timestamp !== undefined ? { timestamp } : {}),
      decoded,
    };
  });
}

function decodeRecord(record: LogRecord): Change {
  const value = record.value;
  if (value === null)
    throw new Error(`exchange record without a value at ${record.topic}/${record.partition}@${record.offset}`);
  const text = value.toString('latin1');
  const kind = KINDS[text[0] as string];
  if (!kind) throw new Error(`exchange record of unknown kind at ${record.topic}/${record.partition}@${record.offset}`);
  const row = record.decoded?.format === EXCHANGE_FORMAT ? record.decoded.row : unpack(text.slice(1) as PackedRow);
  return { kind, row, time: record.timestamp };
}

function optionsOf(table: ConnectorTable): ExchangeOptions {
  const get = (key: string) => table.options.get(key);
  return {
    topic: String(get('topic')),
    maxParallelism: Number(get('max-parallelism')),
    keyGroups: { start: Number(get('key-groups.start')), end: Number(get('key-groups.end')) },
  };
}

/** Creates the exchange's topic, or checks that the one there has a partition per key group. */
async function ensureExchangeTopic(context: SinkContext | SourceContext, options: ExchangeOptions): Promise<void> {
  await context.log.ensureTopic(options.topic, { partitions: options.maxParallelism });
  const partitions = await context.log.partitions(options.topic);
  if (partitions !== options.maxParallelism) {
    throw new RivuletError(
      'PARALLELISM_MAX_CHANGED',
      `the exchange topic '${options.topic}' has ${partitions} partitions (key groups), but the job's max parallelism is ${options.maxParallelism}`,
      `set 'pipeline.max-parallelism' = '${partitions}' (the max parallelism cannot change while the job keeps its state), or start the job from scratch`,
    );
  }
}

async function openWriter(context: SinkContext): Promise<SinkWriter> {
  const options = optionsOf(context.table);
  await ensureExchangeTopic(context, options);
  const domain = context.domain('log', () => new LogCommitDomain(context.log, context.job));
  if (!(domain instanceof LogCommitDomain)) throw new Error('the commit domain of an exchange is not the log');
  const key = context.table.key;
  domain.atEnd(() => endMarkers(options, context.submission ?? ''));
  return {
    domain,
    write: (changes, sourceMillis) =>
      domain.stage(encodeChanges(changes, options.topic, key, options.maxParallelism, sourceMillis)),
  };
}

/**
 * A subtask's reader of its key groups' partitions. Its positions are committed under a group
 * that all subtasks share (each commits only its own partitions), so a subtask that is given a
 * key group after a rescale finds where the one before it stopped, and replays the partition
 * from its start up to there to rebuild that key group's state.
 */
class ExchangeReader implements SourceReader {
  readonly atCommitPoint = true;
  newestSourceMicros = 0;
  /** Per partition, the position just past the end marker of this submission read in it. */
  private readonly endsAt = new Map<number, bigint>();
  /** Whether every partition's end marker is read and committed. */
  private endCommitted = false;

  constructor(
    readonly positionTopic: string,
    private readonly reader: LogReader,
    private readonly replayUntil: ReadonlyMap<number, bigint>,
    private readonly partitions: readonly number[],
    private readonly submission: string,
  ) {}

  private get endRead(): boolean {
    return this.partitions.every((partition) => this.endsAt.has(partition));
  }

  get moved(): boolean {
    return this.endRead && !this.endCommitted;
  }

  get ended(): boolean {
    return this.endCommitted;
  }

  static async open(context: SourceContext): Promise<ExchangeReader> {
    const options = optionsOf(context.table);
    await ensureExchangeTopic(context, options);
    const partitions: number[] = [];
    for (let p = options.keyGroups.start; p <= options.keyGroups.end; p++) partitions.push(p);
    const committed = await context.committedPositions(options.topic);
    const mine = new Map([...committed].filter(([partition]) => partitions.includes(partition)));
    // The topic keeps every change from the job's first start: a stateful subtask reads its
    // partitions from their start, the changes before the committed positions as a replay.
    const replayUntil = context.stateful ? mine : new Map<number, bigint>();
    const start = context.stateful
      ? ({ kind: 'earliest' } as const)
      : ({ kind: 'offsets', offsets: mine, otherwise: 'earliest' } as const);
    const reader = await context.log.openReader(options.topic, start, partitions);
    return new ExchangeReader(options.topic, reader, replayUntil, partitions, context.submission ?? '');
  }

  get replaying(): boolean {
    const positions = this.reader.positions();
    for (const [partition, offset] of this.replayUntil) if ((positions.get(partition) ?? 0n) < offset) return true;
    return false;
  }

  async replay(max: number): Promise<ReplayedBatch> {
    const replayed: Change[] = [];
    const fresh: Change[] = [];
    for (const record of await this.reader.poll(max, 200)) {
      if (this.isEnd(record)) continue;
      const replay = record.offset < (this.replayUntil.get(record.partition) ?? 0n);
      if (!replay) this.noteTime(record);
      (replay ? replayed : fresh).push(decodeRecord(record));
    }
    return { replayed, fresh };
  }

  async poll(max: number, timeoutMs: number): Promise<Change[]> {
    const changes: Change[] = [];
    for (const record of await this.reader.poll(max, timeoutMs)) {
      if (this.isEnd(record)) continue;
      this.noteTime(record);
      changes.push(decodeRecord(record));
    }
    return changes;
  }

  /** Whether `record` is an end marker (noted when it is this submission's). */
  private isEnd(record: LogRecord): boolean {
    const submission = endOf(record);
    if (submission === this.submission) this.endsAt.set(record.partition, record.offset + 1n);
    return submission !== undefined;
  }

  private noteTime(record: LogRecord): void {
    this.newestSourceMicros = Math.max(this.newestSourceMicros, record.timestamp * 1000);
  }

  positions(): ReadonlyMap<number, bigint> {
    return this.reader.positions();
  }

  committed(positions: ReadonlyMap<number, bigint>): void {
    if (!this.endRead) return;
    this.endCommitted = [...this.endsAt].every(([partition, past]) => (positions.get(partition) ?? 0n) >= past);
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}

const EXCHANGE: ConnectorFactory = {
  identifier: 'rivulet-exchange',
  description: "a parallel job's hash exchange (internal)",
  options: [],
  source: { changelog: () => 'all', metadata: {}, open: (context) => ExchangeReader.open(context) },
  sink: { accepts: () => 'upsert', open: openWriter },
};

/** The connector of an exchange's table, as a planned table's connector is. */
export function exchangeConnector(options: ExchangeOptions): ResolvedConnector {
  const values = new Map<string, string | number>([
    ['topic', options.topic],
    ['max-parallelism', options.maxParallelism],
    ['key-groups.start', options.keyGroups.start],
    ['key-groups.end', options.keyGroups.end],
  ]);
  return {
    factory: EXCHANGE,
    written: [],
    specs: new Map(),
    warnings: [],
    partitionKeys: [],
    get: (key) => values.get(key),
    withPrefix: () => new Map(),
  };
}
