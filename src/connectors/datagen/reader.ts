import type { Change } from '../../exec/change.ts';
import type { ReplayedBatch, SourceContext, SourceReader } from '../source-reader.ts';
import { RowRandom } from './row-random.ts';
import { type TableGenerator, tableGenerator } from './table-generator.ts';

/**
 * A datagen table read as a source: row after row at `rows-per-second`, until `number-of-rows` or
 * the end of a sequence when either is set. Its position is the number of rows emitted, committed
 * with the job's output: a restarted job goes on from the next row, so sequences continue where
 * they stopped. Random values are drawn from a seed of the job's scan and the row number, so a job
 * that rebuilds its operators' state generates the rows it processed before again, the same ones
 * (but for DATE, TIME and TIMESTAMP values, which take the time of generation).
 */
export class DatagenReader implements SourceReader {
  readonly newestSourceMicros = 0;
  private readonly random = new RowRandom();
  /** The number of the next row to emit: rows before it were returned by `poll` or `replay`. */
  private next: number;
  private endCommitted = false;
  private readonly openedAt = performance.now();
  private readonly firstOfRun: number;

  private constructor(
    readonly positionTopic: string,
    private readonly generator: TableGenerator,
    private readonly seed: number,
    private readonly rowsPerSecond: number,
    /** Rows processed before a restart, generated again to rebuild operator state. */
    private readonly replayUntil: number,
    committed: number,
  ) {
    this.next = replayUntil > 0 ? 0 : committed;
    this.firstOfRun = committed;
  }

  static async open(context: SourceContext): Promise<DatagenReader> {
    const { table } = context;
    const topic = `rivulet-datagen.${table.name}`;
    const generator = tableGenerator(table.fields, table.options);
    const committed = Number((await context.committedPositions(topic)).get(0) ?? 0n);
    // The seed must not change across restarts of the job: it comes from the group of the scan.
    const seed = RowRandom.seedOf(context.group);
    const rowsPerSecond = Number(table.options.get('rows-per-second'));
    return new DatagenReader(topic, generator, seed, rowsPerSecond, context.stateful ? committed : 0, committed);
  }

  get replaying(): boolean {
    return this.next < this.replayUntil;
  }

  async replay(max: number): Promise<ReplayedBatch> {
    return { replayed: this.generate(Math.min(max, this.replayUntil - this.next)), fresh: [] };
  }

  async poll(max: number, timeoutMs: number): Promise<Change[]> {
    const left = this.generator.rows - this.next;
    if (left <= 0) {
      await sleep(timeoutMs);
      return [];
    }
    let due = this.due();
    if (due <= 0) {
      // The next row is due after 1/rate s from the start of this run's count.
      const waitMs = Math.ceil(((this.next - this.firstOfRun + 1) * 1000) / this.rowsPerSecond - this.elapsedMs());
      await sleep(Math.min(timeoutMs, Math.max(1, waitMs)));
      due = this.due();
    }
    return this.generate(Math.min(max, left, Math.max(0, due)));
  }

  /** Rows the rate allows now that were not emitted yet in this run. */
  private due(): number {
    return Math.floor((this.elapsedMs() * this.rowsPerSecond) / 1000) + 1 - (this.next - this.firstOfRun);
  }

  private elapsedMs(): number {
    return performance.now() - this.openedAt;
  }

  private generate(count: number): Change[] {
    const now = Date.now();
    const out: Change[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const index = this.next + i;
      this.random.reset(this.seed, index);
      out[i] = { kind: '+I', row: this.generator.row(this.random, index, now) };
    }
    this.next += count;
    return out;
  }

  positions(): ReadonlyMap<number, bigint> {
    return new Map([[0, BigInt(this.next)]]);
  }

  readonly atCommitPoint = true;

  get moved(): boolean {
    return this.next >= this.generator.rows && !this.endCommitted;
  }

  get ended(): boolean {
    return this.endCommitted;
  }

  committed(positions: ReadonlyMap<number, bigint>): void {
    if (Number(positions.get(0) ?? 0n) >= this.generator.rows) this.endCommitted = true;
  }

  async close(): Promise<void> {}
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
