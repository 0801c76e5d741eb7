import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { RivuletError } from '../../common/errors.ts';
import type { Change } from '../../exec/change.ts';
import { compileCast } from '../../expr/cast.ts';
import type { Value } from '../../expr/value.ts';
import { T } from '../../types/data-type.ts';
import { resolveTimeZone } from '../../types/temporal.ts';
import type { FormatChange, RowCodec } from '../formats/format.ts';
import { FORMATS } from '../formats/formats.ts';
import type { ReplayedBatch, SourceContext, SourceReader } from '../source-reader.ts';
import { fileNumber, isHidden, localDirectory, partitionSpec } from './paths.ts';

/** One file of the table's directory, read once from `offset` (bytes) to its end. */
interface SourceFile {
  readonly relative: string;
  readonly number: number;
  /** Where reading resumes: just past the last line handed over. */
  offset: number;
  /** Lines before this offset were processed before a restart: replayed, their output dropped. */
  readonly replayUntil: number;
  content: Buffer | undefined;
  /** The row's values of the partition columns, from the file's directory. */
  readonly partitionValues: readonly Value[];
}

/**
 * A filesystem table as a source: each file of its directory (and its partition directories) read
 * once, line by line (a line of a changelog format is the changes it holds, as in Flink), in the order of their paths; the position of each file (the byte offset past
 * its last line handed over) is committed under a number derived from its path, so a restarted job
 * resumes within a file exactly. Without 'source.monitor-interval' the files present at the start
 * are read and the source ends; with it, the directory is listed again at that interval and new
 * files are read too, unendingly.
 */
export class FileSourceReader implements SourceReader {
  readonly newestSourceMicros = 0;
  private readonly queue: SourceFile[] = [];
  private readonly known = new Set<string>();
  private readonly numbers = new Map<number, string>();
  private readonly positionsByNumber = new Map<number, bigint>();
  private nextListing = 0;
  private endCommitted = false;
  private listedOnce = false;

  private constructor(
    readonly positionTopic: string,
    private readonly dir: string,
    private readonly context: SourceContext,
    private readonly codec: RowCodec,
    private readonly committedAtOpen: ReadonlyMap<number, bigint>,
    private readonly replayFromStart: boolean,
    private readonly monitorMs: number | undefined,
    private readonly pattern: RegExp | undefined,
  ) {}

  static async open(context: SourceContext): Promise<FileSourceReader> {
    const { table } = context;
    const located = localDirectory(String(table.options.get('path')));
    if ('error' in located) throw new RivuletError('CONNECTOR_INVALID', located.error);
    const topic = `rivulet-filesystem.${createHash('sha256').update(located.dir).digest('hex').slice(0, 16)}`;
    const committed = await context.committedPositions(topic);
    const partitionKeys = table.partitionKeys ?? [];
    const dataFields = table.fields.filter((field) => !partitionKeys.includes(field.name));
    const format = String(table.options.get('format'));
    const codec = FORMATS.get(format)?.codec(dataFields, table.options, '');
    if (!codec) throw new RivuletError('FORMAT_UNKNOWN', `format '${format}' of table '${table.name}' is unknown`);
    const monitor = table.options.get('source.monitor-interval');
    const regex = table.options.get('source.path.regex-pattern');
    const reader = new FileSourceReader(
      topic,
      located.dir,
      context,
      codec,
      committed,
      context.stateful && committed.size > 0,
      monitor === undefined ? undefined : Number(monitor),
      regex === undefined ? undefined : new RegExp(`^(?:${String(regex)})$`),
    );
    reader.list();
    return reader;
  }

  /** Adds the files not seen yet, in the order of their paths. */
  private list(): void {
    this.listedOnce = true;
    if (this.monitorMs !== undefined) this.nextListing = Date.now() + this.monitorMs;
    if (!fs.existsSync(this.dir)) return;
    const found = listVisibleFiles(this.dir, '')
      .filter((relative) => !this.known.has(relative))
      .filter((relative) => this.pattern === undefined || this.pattern.test(join(this.dir, relative)))
      .sort();
    for (const relative of found) {
      const number = fileNumber(relative);
      const other = this.numbers.get(number);
      if (other !== undefined) {
        throw new RivuletError(
          'SOURCE_FAILED',
          `files '${other}' and '${relative}' of ${this.dir} have the same position number ${number}`,
          'rename one of the two files',
        );
      }
      this.numbers.set(number, relative);
      this.known.add(relative);
      const committed = Number(this.committedAtOpen.get(number) ?? 0n);
      const file: SourceFile = {
        relative,
        number,
        offset: this.replayFromStart ? 0 : committed,
        replayUntil: this.replayFromStart ? committed : 0,
        content: undefined,
        partitionValues: this.partitionValues(relative),
      };
      this.positionsByNumber.set(number, BigInt(file.offset));
      this.queue.push(file);
    }
  }

  private partitionValues(relative: string): Value[] {
    const keys = this.context.table.partitionKeys ?? [];
    if (keys.length === 0) return [];
    const spec = partitionSpec(relative.slice(0, Math.max(0, relative.lastIndexOf('/'))));
    const defaultName = String(this.context.table.options.get('partition.default-name'));
    const env = { timeZone: resolveTimeZone('UTC'), nowMicros: () => Date.now() * 1000 };
    return this.context.table.fields.map((field) => {
      if (!keys.includes(field.name)) return null;
      const text = spec.get(field.name);
      if (text === undefined || text === defaultName) return null;
      return compileCast(T.string(), field.type, env, false)(text);
    });
  }

  get atCommitPoint(): boolean {
    return true;
  }

  get replaying(): boolean {
    return this.queue.some((file) => file.offset < file.replayUntil);
  }

  async replay(max: number): Promise<ReplayedBatch> {
    const replayed: Change[] = [];
    const fresh: Change[] = [];
    this.read(max, (change, replaying) => (replaying ? replayed : fresh).push(change));
    return { replayed, fresh };
  }

  async poll(max: number, timeoutMs: number): Promise<Change[]> {
    if (this.monitorMs !== undefined && Date.now() >= this.nextListing) this.list();
    const changes: Change[] = [];
    this.read(max, (change) => changes.push(change));
    if (changes.length === 0) await new Promise((resolve) => setTimeout(resolve, timeoutMs));
    return changes;
  }

  /** Reads up to `max` lines from the files in order; `take` gets each row and whether it is replayed. */
  private read(max: number, take: (change: Change, replaying: boolean) => void): void {
    let count = 0;
    while (count < max) {
      const file = this.queue[0];
      if (!file) return;
      file.content ??= this.contentOf(file);
      const { content } = file;
      if (file.offset >= content.length) {
        this.queue.shift();
        file.content = undefined;
        continue;
      }
      const newline = content.indexOf(10, file.offset);
      const end = newline < 0 ? content.length : newline;
      const start = file.offset;
      file.offset = newline < 0 ? content.length : newline + 1;
      this.positionsByNumber.set(file.number, BigInt(file.offset));
      const line = content.subarray(start, end);
      if (line.length === 0 || (line.length === 1 && line[0] === 13)) continue;
      count++;
      for (const change of this.decode(file, line, start)) take(change, start < file.replayUntil);
    }
  }

  private contentOf(file: SourceFile): Buffer {
    try {
      return fs.readFileSync(join(this.dir, file.relative));
    } catch (cause) {
      throw new RivuletError(
        'SOURCE_FAILED',
        `cannot read file ${join(this.dir, file.relative)}: ${(cause as Error).message}`,
        'files of a filesystem table must stay in place until the job has read them',
        { cause },
      );
    }
  }

  /** The changes of one line: one insert, or a changelog format's changes (debezium-json, canal-json). */
  private decode(file: SourceFile, line: Buffer, at: number): Change[] {
    let changes: FormatChange[];
    try {
      if (this.codec.decodeChanges) changes = this.codec.decodeChanges(line);
      else {
        const row = this.codec.decode(line);
        changes = row ? [{ kind: '+I', row }] : [];
      }
    } catch (cause) {
      throw new RivuletError(
        'SOURCE_FAILED',
        `file ${join(this.dir, file.relative)} at byte ${at}: ${(cause as Error).message}`,
        'fix or remove the line, or skip unreadable lines with the format option (json.ignore-parse-errors)',
        { cause },
      );
    }
    const keys = this.context.table.partitionKeys ?? [];
    return changes.map(({ kind, row: data }) => {
      let next = 0;
      const row = this.context.table.fields.map((field, i) =>
        keys.includes(field.name) ? (file.partitionValues[i] ?? null) : (data[next++] ?? null),
      );
      return { kind, row };
    });
  }

  positions(): ReadonlyMap<number, bigint> {
    return new Map(this.positionsByNumber);
  }

  /** A bounded source has read everything once the files listed at its start are read. */
  private get finishedReading(): boolean {
    return this.monitorMs === undefined && this.listedOnce && this.queue.length === 0;
  }

  get moved(): boolean {
    return this.finishedReading && !this.endCommitted;
  }

  get ended(): boolean {
    return this.endCommitted;
  }

  committed(positions: ReadonlyMap<number, bigint>): void {
    const all = [...this.positionsByNumber].every(([number, next]) => positions.get(number) === next);
    if (this.finishedReading && all) this.endCommitted = true;
  }

  async close(): Promise<void> {}
}

/** The files under `dir` a filesystem source reads: hidden files and directories (`.x`, `_x`) left out, as Flink does. */
function listVisibleFiles(dir: string, relative: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(join(dir, relative), { withFileTypes: true })) {
    if (isHidden(entry.name)) continue;
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) found.push(...listVisibleFiles(dir, path));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}
