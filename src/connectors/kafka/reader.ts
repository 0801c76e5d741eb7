import { RivuletError } from '../../common/errors.ts';
import type { Change } from '../../exec/change.ts';
import type { EvaluationError, Value } from '../../expr/value.ts';
import type { LogReader, LogRecord, ProduceRecord, StartPosition } from '../../log/log.ts';
import { type FormatChange, FormatError, type RowCodec } from '../formats/format.ts';
import type { ReplayedBatch, SourceContext, SourceReader } from '../source-reader.ts';
import { BoundedLogReader, boundedEnds } from './bounded.ts';
import { checkBrokers } from './brokers.ts';
import { deadLetter } from './dead-letter.ts';
import { replayStart, startPosition } from './start-position.ts';
import { changesReader, type KafkaTable, kafkaTable, keyCodec, valueFormatOption } from './table.ts';

/**
 * Reads a topic as the table's changes: `upsert-kafka` turns a value into an upsert (+U, keyed)
 * and a tombstone into a delete of that key; `kafka` turns each value into an insert (or, in a
 * changelog format such as debezium-json, into the changes it holds) and skips tombstones. A record that does not fit the schema fails with its topic, partition and offset,
 * or, when the table has a 'dead-letter-topic', is set aside for the job to commit there (see
 * dead-letter.ts) in place of its change.
 */
export class KafkaTableReader implements SourceReader {
  readonly atCommitPoint = true;
  private readonly changesOf: (value: Buffer, record: LogRecord) => readonly FormatChange[];
  private readonly key: RowCodec | undefined;
  private readonly deadLetter: string | undefined;
  /** The option that skips records its format cannot read, for the hint of an unreadable record. */
  private readonly ignoreParseErrors: string;
  /** Dead letters of the records read since the last takeDeadLetters. */
  private letters: ProduceRecord[] = [];
  /**
   * With a dead-letter topic: the record of each change of the latest poll (of the whole replay
   * before the first), and whether it gave that change alone.
   */
  private recordOf = new Map<Change, { record: LogRecord; alone: boolean }>();

  /**
   * `replayUntil`: the positions committed before a restart, when the reader starts before them to
   * rebuild operator state (see replayStart).
   */
  constructor(
    private readonly table: KafkaTable,
    private readonly reader: LogReader,
    /** Records before these were set aside before a restart (or read): not set aside again. */
    private readonly deadLettered: ReadonlyMap<number, bigint>,
    private readonly replayUntil?: ReadonlyMap<number, bigint>,
  ) {
    this.changesOf = changesReader(table);
    this.key = keyCodec(table);
    const deadLetter = table.options.get('dead-letter-topic');
    this.deadLetter = deadLetter === undefined ? undefined : String(deadLetter);
    this.ignoreParseErrors = valueFormatOption(table, 'ignore-parse-errors');
  }

  /**
   * Opens the table's topic where the job committed last, or where `scan.startup.mode` says on a
   * first start; before the committed positions when the job's state must be rebuilt.
   */
  static async open(context: SourceContext, upsert: boolean): Promise<KafkaTableReader> {
    const { log, group } = context;
    if (context.columns.some((column) => 'metadata' in column)) {
      throw new RivuletError(
        'NOT_SUPPORTED_YET',
        `metadata columns of '${context.table.name}' cannot run yet`,
        'see the status table in README.md',
      );
    }
    const table = kafkaTable(context.table, upsert);
    const deadLetterTopic = table.options.get('dead-letter-topic');
    if (deadLetterTopic !== undefined) await log.ensureTopic(String(deadLetterTopic));
    await checkBrokers(log, table);
    // A source topic that does not exist yet is created, as Kafka does for a consumer by default.
    await log.ensureTopic(table.topic, { compacted: upsert });
    const committed = await context.committedPositions(table.topic);
    const replayFrom = committed.size > 0 ? await replayStart(log, table, group, context.stateful) : undefined;
    const start: StartPosition =
      committed.size === 0
        ? await startPosition(log, table, group)
        : (replayFrom ?? { kind: 'offsets', offsets: committed, otherwise: 'earliest' });
    const deadLettered = deadLetterTopic === undefined ? committed : await context.deadLetteredPositions(table.topic);
    const opened = await log.openReader(table.topic, start);
    let reader: LogReader = opened;
    try {
      const ends = await boundedEnds(log, table, group);
      if (ends) reader = new BoundedLogReader(opened, ends);
      return new KafkaTableReader(table, reader, deadLettered, replayFrom ? committed : undefined);
    } catch (error) {
      await opened.close();
      throw error;
    }
  }

  /** Whether a bounded source has read up to its ends and that is committed: nothing more comes. */
  private endCommitted = false;

  get moved(): boolean {
    return this.reader instanceof BoundedLogReader && this.reader.finished && !this.endCommitted;
  }

  get ended(): boolean {
    return this.endCommitted;
  }

  get positionTopic(): string {
    return this.table.topic;
  }

  get newestSourceMicros(): number {
    return this.newestTimestamp * 1000;
  }

  get replaying(): boolean {
    const until = this.replayUntil;
    if (!until) return false;
    const positions = this.reader.positions();
    for (const [partition, offset] of until) if ((positions.get(partition) ?? 0n) < offset) return true;
    return false;
  }

  async replay(max: number): Promise<ReplayedBatch> {
    const until = this.replayUntil ?? new Map<number, bigint>();
    const replayed: Change[] = [];
    const fresh: Change[] = [];
    for (const entry of await this.pollEntries(max, 200, until)) {
      (entry.offset < (until.get(entry.partition) ?? 0n) ? replayed : fresh).push(entry.change);
    }
    return { replayed, fresh };
  }

  committed(positions: ReadonlyMap<number, bigint>): void {
    if (this.reader instanceof BoundedLogReader && this.reader.finished && this.reader.covers(positions))
      this.endCommitted = true;
  }

  setAside(change: Change, error: EvaluationError): boolean {
    const of = this.recordOf.get(change);
    if (this.deadLetter === undefined || !of?.alone) return false;
    const { record } = of;
    this.recordOf.delete(change);
    // A record handled before a restart that failed was set aside then.
    if (record.offset < (this.deadLettered.get(record.partition) ?? 0n)) return true;
    this.letters.push(deadLetter(this.deadLetter, this.table.name, record, `${error.code}: ${error.message}`));
    return true;
  }

  takeDeadLetters(): ProduceRecord[] {
    const letters = this.letters;
    if (letters.length > 0) this.letters = [];
    return letters;
  }

  /**
   * The newest record timestamp read so far (milliseconds), of records not read before a restart.
   * Rivulet's jobs stamp their output with the source commit time of what it came from, so
   * downstream this is the time at the source.
   */
  newestTimestamp = 0;

  positions(): ReadonlyMap<number, bigint> {
    return this.reader.positions();
  }

  async poll(max: number, timeoutMs: number): Promise<Change[]> {
    // The changes of a replay are all pushed at its end: their records are kept until the first poll.
    if (this.recordOf.size > 0) this.recordOf = new Map();
    return (await this.pollEntries(max, timeoutMs)).map((entry) => entry.change);
  }

  /**
   * Like poll, with the partition and offset of the record each change came from. Records before
   * `replayedUntil` were read before a restart: their time is not the newest source time.
   */
  private async pollEntries(
    max: number,
    timeoutMs: number,
    replayedUntil?: ReadonlyMap<number, bigint>,
  ): Promise<{ change: Change; partition: number; offset: bigint }[]> {
    const records = await this.reader.poll(max, timeoutMs);
    for (const record of records) {
      if (record.timestamp <= this.newestTimestamp) continue;
      if (replayedUntil && record.offset < (replayedUntil.get(record.partition) ?? 0n)) continue;
      this.newestTimestamp = record.timestamp;
    }
    const changes: { change: Change; partition: number; offset: bigint }[] = [];
    for (const record of records) {
      try {
        const ofRecord = this.toChanges(record);
        for (const change of ofRecord) {
          changes.push({ change, partition: record.partition, offset: record.offset });
          if (this.deadLetter !== undefined) this.recordOf.set(change, { record, alone: ofRecord.length === 1 });
        }
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        // A record handled before a restart that does not fit was set aside then.
        if (record.offset < (this.deadLettered.get(record.partition) ?? 0n)) continue;
        const where = `topic '${record.topic}', partition ${record.partition}, offset ${record.offset}`;
        if (this.deadLetter === undefined) {
          throw new RivuletError(
            'RECORD_UNREADABLE',
            `record at ${where} does not fit table '${this.table.name}': ${error.message}`,
            `fix the producer of that record, set '${this.ignoreParseErrors}' = 'true', or route such records with 'dead-letter-topic'`,
          );
        }
        this.letters.push(deadLetter(this.deadLetter, this.table.name, record, error.message));
      }
    }
    return changes;
  }

  /** The changes of a record: none for a record the format skips (ignore-parse-errors) or a kafka table's tombstone. */
  private toChanges(record: LogRecord): Change[] {
    const time = record.timestamp;
    if (record.value !== null) {
      const changes = this.changesOf(record.value, record);
      // upsert-kafka's values are upserts of their key (its formats are insert-only).
      if (this.table.upsert) return changes.map(({ row }) => ({ kind: '+U', row, time }));
      return changes.map(({ kind, row }) => ({ kind, row, time }));
    }
    if (!this.table.upsert || record.key === null || !this.key) return [];
    const key = this.key.decode(record.key);
    if (!key) return [];
    const row: Value[] = new Array(this.table.fields.length).fill(null);
    this.table.key.forEach((field, i) => {
      row[field] = key[i] ?? null;
    });
    return [{ kind: '-D', row, time }];
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
