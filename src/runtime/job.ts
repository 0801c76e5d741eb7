import { RivuletError } from '../common/errors.ts';
import { type CdcTable, cdcPositionTopic } from '../connectors/cdc/cdc-table.ts';
import { PostgresCdcReader } from '../connectors/cdc/postgres-cdc-reader.ts';
import { JdbcScanReader, jdbcScanPositionTopic } from '../connectors/jdbc-scan.ts';
import { JdbcDatabase, type JdbcTransaction } from '../connectors/jdbc-sink.ts';
import { KafkaTableReader } from '../connectors/kafka-table.ts';
import { parseDuration } from '../connectors/options.ts';
import type { Change } from '../exec/change.ts';
import type { EvalEnv } from '../expr/functions/definition.ts';
import type { Log, LogTransaction } from '../log/log.ts';
import type { PlannedJob } from '../plan/planner.ts';
import { resolveTimeZone } from '../types/temporal.ts';
import {
  buildGraph,
  closeOperators,
  fireProcessingTime,
  type JobGraph,
  push,
  pushReplayed,
  resolveLookups,
  type SinkVertex,
  type SourceVertex,
} from './graph.ts';
import { COMMIT_SECONDS_BUCKETS, Histogram, LATENCY_SECONDS_BUCKETS } from './histogram.ts';
import { replayStart } from './replay.ts';

export type JobStatus = 'CREATED' | 'RUNNING' | 'RESTARTING' | 'FINISHED' | 'CANCELED' | 'FAILED';

/** A failure of a job, kept for `rivulet list` and the REST API's exceptions. */
export interface JobException {
  readonly timestamp: number;
  readonly error: Error;
}

/** Flink's fixed-delay restart strategy: how often a failed job starts again, and after what pause. */
interface RestartStrategy {
  readonly attempts: number;
  readonly delayMs: number;
}

function restartStrategy(settings: ReadonlyMap<string, string>): RestartStrategy {
  const type = settings.get('restart-strategy.type') ?? settings.get('restart-strategy') ?? 'fixed-delay';
  if (['none', 'off', 'disable', 'no-restart'].includes(type)) return { attempts: 0, delayMs: 0 };
  if (type !== 'fixed-delay') {
    throw new RivuletError(
      'NOT_SUPPORTED_YET',
      `restart-strategy.type '${type}' is not supported`,
      "use 'fixed-delay' (with restart-strategy.fixed-delay.attempts and .delay) or 'none'",
    );
  }
  const attempts = Number(settings.get('restart-strategy.fixed-delay.attempts') ?? 3);
  const delay = settings.get('restart-strategy.fixed-delay.delay') ?? '1 s';
  const delayMs = parseDuration(delay);
  if (!Number.isInteger(attempts) || attempts < 0 || delayMs === undefined) {
    throw new RivuletError(
      'BAD_OPTION',
      `restart-strategy.fixed-delay: attempts '${settings.get('restart-strategy.fixed-delay.attempts')}' or delay '${delay}' is not valid`,
      "for example SET 'restart-strategy.fixed-delay.attempts' = '3'; SET 'restart-strategy.fixed-delay.delay' = '1 s';",
    );
  }
  return { attempts, delayMs };
}

/** Where a job's output and the positions it consumed are committed together. */
type CommitDomain = { readonly kind: 'log' } | { readonly kind: 'jdbc'; readonly database: JdbcDatabase };

interface LogSource {
  readonly kind: 'log';
  /** Source commit time (µs) of the newest record handed over (its log timestamp). */
  deliveredMicros: number;
  readonly vertex: SourceVertex;
  readonly group: string;
  readonly topic: string;
  readonly reader: KafkaTableReader;
  /** Below these offsets, records were already processed before a restart: replayed, not emitted. */
  readonly replayUntil: ReadonlyMap<number, bigint> | undefined;
}

interface CdcSource {
  readonly kind: 'cdc';
  readonly vertex: SourceVertex;
  readonly group: string;
  /** The slot's position is committed as the offset (an LSN) of partition 0 of this name. */
  readonly topic: string;
  readonly reader: PostgresCdcReader;
  /** Whether its latest poll found nothing to read (the slot's stream was idle), for /metrics. */
  caughtUp: boolean;
  /** The reader's lastCommitMicros when its latest poll returned: the newest source transaction delivered. */
  deliveredMicros: number;
}

/** A postgres-cdc source of a job's current run, as /metrics reports it. */
export interface CdcSourceState {
  readonly vertex: SourceVertex;
  readonly table: CdcTable;
  /** The LSN of the output delivered so far (committed with the next commit). */
  readonly position: bigint;
  /** Commit time (microseconds since the epoch) of the last source transaction read; 0 before the first. */
  readonly lastCommitMicros: number;
  readonly caughtUp: boolean;
}

/** A jdbc table read once (a bounded source). */
interface ScanSource {
  readonly kind: 'scan';
  readonly vertex: SourceVertex;
  readonly group: string;
  readonly topic: string;
  readonly reader: JdbcScanReader;
  /** Read before a restart: read again with output suppressed, to rebuild the operators' state. */
  readonly replay: boolean;
}

type RunningSource = LogSource | CdcSource | ScanSource;

/** What a source has handed to the operators: what a commit may cover. */
interface HandedOver {
  readonly positions: ReadonlyMap<number, bigint>;
  readonly atCommitPoint: boolean;
}

/** Output written but not committed yet, while a source is between commit points. */
type OpenTransaction =
  | { readonly kind: 'log'; readonly transaction: LogTransaction }
  | { readonly kind: 'jdbc'; readonly transaction: JdbcTransaction };

/**
 * A running job. Each batch of input goes through the operators, and the sinks' output is
 * committed in one transaction together with the positions consumed so far (in the log for log
 * sinks, in the sink database for jdbc sinks): nothing is lost or written twice. After a restart,
 * operator state is rebuilt by replaying the sources up to the committed positions with output
 * suppressed (upsert sources always, append sources when an operator keeps state; see replay.ts).
 */
export class Job {
  status: JobStatus = 'CREATED';
  failure: Error | undefined;
  readonly startedAt = Date.now();
  endedAt: number | undefined;
  recordsIn = 0;
  recordsOut = 0;
  /** Transactions committed (each one a consistent checkpoint of output and positions). */
  commits = 0;
  commitMillis = 0;
  /** The shortest and longest commit so far, and the latest commits (at most 100, the latest last). */
  commitMillisMin = Number.POSITIVE_INFINITY;
  commitMillisMax = 0;
  readonly recentCommits: { readonly id: number; readonly completedAt: number; readonly millis: number }[] = [];
  /** Every commit's duration, in seconds (for /metrics). */
  readonly commitSeconds = new Histogram(COMMIT_SECONDS_BUCKETS);
  /**
   * For each commit that covers new postgres-cdc source transactions: seconds from the commit time
   * of the latest of them at the source to the commit of the job's output (for /metrics).
   */
  readonly sourceToCommitSeconds = new Histogram(LATENCY_SECONDS_BUCKETS);
  /** Per cdc source group, the source commit time (µs) already observed in sourceToCommitSeconds. */
  private readonly observedSourceMicros = new Map<string, number>();
  /** Restarts after failures so far, and the failures (the latest last). */
  restarts = 0;
  readonly exceptions: JobException[] = [];
  private readonly restart: RestartStrategy;
  private wakeFromPause: (() => void) | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private graph: JobGraph | undefined;
  /** The graph of the latest run (rebuilt at each restart), read by the REST API for its vertices. */
  get currentGraph(): JobGraph | undefined {
    return this.graph;
  }
  /** The postgres-cdc sources of the current run, read by /metrics. */
  get cdcSources(): CdcSourceState[] {
    return this.sources.flatMap((s) =>
      s.kind === 'cdc'
        ? [
            {
              vertex: s.vertex,
              table: s.vertex.table as CdcTable,
              position: s.reader.position,
              lastCommitMicros: s.reader.lastCommitMicros,
              caughtUp: s.caughtUp,
            },
          ]
        : [],
    );
  }
  private domain: CommitDomain | undefined;
  private sources: RunningSource[] = [];
  private uncommitted: OpenTransaction | undefined;
  /**
   * Per source, the positions just past what it has handed to the operators, and whether that ends
   * at a commit point: what a commit covers. A reader runs ahead of them while a poll is under way
   * or done but not processed yet (during another source's commit), and committing its own
   * positions then would skip what it read.
   */
  private readonly handedOver = new Map<RunningSource, HandedOver>();
  /** Scans whose end has been committed. */
  private readonly scansCommitted = new Set<RunningSource>();

  constructor(
    readonly id: string,
    readonly plan: PlannedJob,
    private readonly log: Log,
    private readonly batchSize = 5000,
  ) {
    this.restart = restartStrategy(plan.settings);
  }

  private env(): EvalEnv {
    return {
      timeZone: resolveTimeZone(this.plan.settings.get('table.local-time-zone') ?? 'default'),
      nowMicros: () => Date.now() * 1000,
    };
  }

  /** Builds and opens everything the job runs on, then runs it; a failure here fails the submission. */
  async start(): Promise<void> {
    await this.open();
    this.launch();
  }

  /**
   * Opens what the job reads and writes (the first half of `start`). The jobs of one script are
   * all opened before any runs: a postgres-cdc snapshot writes in a long transaction, and while
   * it is open PostgreSQL makes the creation of any other replication slot on the server wait.
   */
  async open(): Promise<void> {
    try {
      await this.prepare();
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  /** Runs an opened job (the second half of `start`). */
  launch(): void {
    this.status = 'RUNNING';
    this.loop = this.supervise();
  }

  /** Runs the job, restarting it after a failure as the restart strategy allows. */
  private async supervise(): Promise<void> {
    let restarting = false;
    for (;;) {
      try {
        if (restarting) {
          await this.prepare();
          this.status = 'RUNNING';
        }
        await this.run();
        if (this.status === 'FINISHED') await this.release();
        return;
      } catch (caught) {
        const error = caught as Error;
        await this.release();
        this.exceptions.push({ timestamp: Date.now(), error });
        if (this.exceptions.length > 20) this.exceptions.shift();
        if (this.stopping) return;
        if (this.restarts >= this.restart.attempts) {
          this.status = 'FAILED';
          this.failure = error;
          this.endedAt = Date.now();
          return;
        }
        this.restarts++;
        this.status = 'RESTARTING';
        console.warn(
          `job ${this.plan.name} failed (${error.message}); restart ${this.restarts} of ${this.restart.attempts} in ${this.restart.delayMs} ms`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.restart.delayMs);
          this.wakeFromPause = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (this.stopping) return;
        restarting = true;
      }
    }
  }

  /** The graph, the commit domain and the sources, opened where the job committed last. */
  private async prepare(): Promise<void> {
    this.sources = [];
    this.handedOver.clear();
    this.graph = buildGraph(this.plan.sinks, this.env());
    this.domain = this.commitDomain(this.graph.sinks);
    for (const sink of this.graph.sinks) {
      if (sink.target.kind === 'log')
        await this.log.ensureTopic(sink.target.topic, { compacted: sink.target.compacted });
    }
    const seen = new Map<string, number>();
    for (const vertex of this.graph.sources) {
      // A table scanned twice in one job (a self-join) has one group per scan.
      const scan = (seen.get(vertex.name) ?? 0) + 1;
      seen.set(vertex.name, scan);
      const group = `${this.plan.name}/${vertex.name}${scan > 1 ? `#${scan}` : ''}`;
      if (vertex.table.connector === 'postgres-cdc') {
        this.sources.push(await this.openCdc(vertex, vertex.table, group));
        continue;
      }
      if (vertex.table.connector === 'jdbc') {
        const topic = jdbcScanPositionTopic(vertex.table);
        if (this.domain?.kind === 'log') await this.log.ensureTopic(topic);
        const done = ((await this.committed(group, topic)).get(0) ?? 0n) > 0n;
        const replay = done && this.graph.stateful;
        const reader = await JdbcScanReader.open(vertex.table, done && !replay);
        this.sources.push({ kind: 'scan', vertex, group, topic, reader, replay });
        continue;
      }
      const table = vertex.table;
      // A source topic that does not exist yet is created, as Kafka does for a consumer by default.
      await this.log.ensureTopic(table.topic, { compacted: table.connector === 'upsert-kafka' });
      const committed = await this.committed(group, table.topic);
      const replayFrom =
        committed.size > 0 ? await replayStart(this.log, table, group, this.graph.stateful) : undefined;
      const reader = replayFrom
        ? new KafkaTableReader(this.log, table, await this.log.openReader(table.topic, replayFrom))
        : committed.size > 0
          ? new KafkaTableReader(
              this.log,
              table,
              await this.log.openReader(table.topic, {
                kind: 'offsets',
                offsets: committed,
                otherwise: 'earliest',
              }),
            )
          : await KafkaTableReader.open(this.log, table, group);
      this.sources.push({
        kind: 'log',
        vertex,
        group,
        topic: table.topic,
        deliveredMicros: 0,
        reader,
        replayUntil: replayFrom ? committed : undefined,
      });
    }
  }

  private async openCdc(vertex: SourceVertex, table: CdcTable, group: string): Promise<CdcSource> {
    const topic = cdcPositionTopic(table);
    if ((this.domain as CommitDomain).kind === 'log') await this.log.ensureTopic(topic);
    const committed = (await this.committed(group, topic)).get(0);
    const reader = await PostgresCdcReader.open(table, committed, (message) =>
      console.warn(`job ${this.plan.name}: ${message}`),
    );
    return { kind: 'cdc', vertex, group, topic, reader, caughtUp: false, deliveredMicros: 0 };
  }

  private commitDomain(sinks: readonly SinkVertex[]): CommitDomain {
    const jdbc = sinks.filter((sink) => sink.target.kind === 'jdbc');
    if (jdbc.length === 0) return { kind: 'log' };
    const targets = new Set(
      jdbc.map((sink) => (sink.target.kind === 'jdbc' ? `${sink.target.url}|${sink.target.username ?? ''}` : '')),
    );
    if (jdbc.length !== sinks.length || targets.size > 1) {
      throw new RivuletError(
        'NOT_SUPPORTED_YET',
        `job ${this.plan.name} writes to more than one system; its sinks must share one database or the log`,
        'put the INSERTs into separate jobs (outside the statement set)',
      );
    }
    const first = jdbc[0]?.target as Extract<SinkVertex['target'], { kind: 'jdbc' }>;
    return { kind: 'jdbc', database: new JdbcDatabase(first.url, first.username, first.password, first.maxRetries) };
  }

  private committed(group: string, topic: string): Promise<ReadonlyMap<number, bigint>> {
    const domain = this.domain as CommitDomain;
    return domain.kind === 'log'
      ? this.log.committedPositions(group, topic)
      : domain.database.committedPositions(group, topic);
  }

  private async run(): Promise<void> {
    // Phase 1: rebuild state from what was processed before, emitting nothing.
    const live = new Map<RunningSource, Change[]>();
    for (const source of this.sources) {
      if (source.kind !== 'log' || !source.replayUntil) continue;
      const until = source.replayUntil;
      const done = () =>
        [...until].every(([partition, offset]) => (source.reader.positions().get(partition) ?? 0n) >= offset);
      while (!done() && !this.stopping) {
        const { replay, fresh } = await this.pollSplit(source, until);
        pushReplayed(this.graph as JobGraph, source.vertex, replay, 0);
        await resolveLookups(this.graph as JobGraph, true);
        live.set(source, [...(live.get(source) ?? []), ...fresh]);
      }
    }
    for (const source of this.sources) {
      if (source.kind !== 'scan' || !source.replay) continue;
      while (!source.reader.finished && !this.stopping) {
        pushReplayed(this.graph as JobGraph, source.vertex, await source.reader.poll(this.batchSize, 0), 0);
        await resolveLookups(this.graph as JobGraph, true);
      }
    }
    for (const sink of (this.graph as JobGraph).sinks) sink.pending = [];
    for (const [source, changes] of live) push(source.vertex, changes, 0);
    await resolveLookups(this.graph as JobGraph);
    for (const source of this.sources) {
      this.handOver(source);
    }
    await this.commitOrHold();

    // Phase 2: live.
    const polls = new Map<RunningSource, Promise<Change[]>>();
    /** Polls that have returned and are not processed yet. */
    const ready = new Map<RunningSource, Change[]>();
    while (!this.stopping) {
      if (this.sources.every((s) => s.kind === 'scan' && this.scansCommitted.has(s))) {
        // Every source is a finished scan, and its end is committed: the job is done, as in Flink.
        this.status = 'FINISHED';
        this.endedAt = Date.now();
        break;
      }
      for (const source of this.sources) {
        if (polls.has(source)) continue;
        const poll = source.reader.poll(this.batchSize, 200);
        polls.set(source, poll);
        poll.then(
          (changes) => ready.set(source, changes),
          () => undefined,
        );
      }
      await Promise.race(polls.values());
      // Every source whose poll has returned, also while the others were processed, goes into one commit.
      let commit = false;
      for (let next = ready.entries().next(); !next.done; next = ready.entries().next()) {
        const [source, changes] = next.value;
        ready.delete(source);
        polls.delete(source);
        if (await this.take(source, changes)) commit = true;
      }
      if (commit) await this.commitOrHold();
    }
    await Promise.allSettled(polls.values());
    await this.abortOpen();
  }

  /** Hands a returned poll to the operators; whether there is something to commit. */
  private async take(source: RunningSource, changes: Change[]): Promise<boolean> {
    // No poll of this source is under way now: its reader's positions are those of what it returned.
    this.handOver(source);
    if (source.kind === 'cdc') {
      source.caughtUp = changes.length === 0;
      source.deliveredMicros = source.reader.lastCommitMicros;
    } else if (source.kind === 'log') {
      source.deliveredMicros = source.reader.newestTimestamp * 1000;
    }
    this.recordsIn += changes.length;
    const sourceMillis =
      source.kind !== 'scan' && source.deliveredMicros > 0 ? source.deliveredMicros / 1000 : undefined;
    push(source.vertex, changes, 0, sourceMillis);
    // Processing-time windows fire here: after every batch, and every poll timeout when idle.
    const fired = fireProcessingTime(this.graph as JobGraph, Date.now() * 1000);
    await resolveLookups(this.graph as JobGraph);
    const moved =
      (source.kind === 'cdc' && source.reader.moved) ||
      (source.kind === 'scan' && source.reader.finished && !this.scansCommitted.has(source));
    return changes.length > 0 || fired || moved;
  }

  /** A poll split into changes of records processed before the restart and new ones. */
  private async pollSplit(
    source: LogSource,
    until: ReadonlyMap<number, bigint>,
  ): Promise<{ replay: Change[]; fresh: Change[] }> {
    const replay: Change[] = [];
    const fresh: Change[] = [];
    for (const entry of await source.reader.pollEntries(this.batchSize, 200)) {
      (entry.offset < (until.get(entry.partition) ?? 0n) ? replay : fresh).push(entry.change);
    }
    return { replay, fresh };
  }

  /** Notes what a source has just handed to the operators (no poll of it is under way). */
  private handOver(source: RunningSource): void {
    this.handedOver.set(source, this.readerState(source));
  }

  private handedOverBy(source: RunningSource): HandedOver {
    return this.handedOver.get(source) ?? this.readerState(source);
  }

  private readerState(source: RunningSource): HandedOver {
    switch (source.kind) {
      case 'log':
        return { positions: new Map(source.reader.positions()), atCommitPoint: true };
      case 'cdc':
      case 'scan':
        return { positions: new Map([[0, source.reader.position]]), atCommitPoint: source.reader.atCommitPoint };
    }
  }

  /**
   * Commits the sinks' pending output with every source's position when every source is at a
   * commit point; otherwise writes it into a transaction that stays open until one is reached
   * (a postgres-cdc snapshot, or a source transaction larger than a batch).
   */
  private async commitOrHold(): Promise<void> {
    if (this.sources.every((s) => this.handedOverBy(s).atCommitPoint)) await this.commit();
    else await this.writeOpen();
  }

  private async openTransaction(): Promise<OpenTransaction> {
    const domain = this.domain as CommitDomain;
    this.uncommitted ??=
      domain.kind === 'log'
        ? { kind: 'log', transaction: await this.log.beginTransaction(this.plan.name) }
        : { kind: 'jdbc', transaction: await domain.database.begin() };
    return this.uncommitted;
  }

  private async writeOpen(): Promise<void> {
    const graph = this.graph as JobGraph;
    if (graph.sinks.every((sink) => sink.pending.length === 0)) return;
    await this.writePending(await this.openTransaction());
  }

  /** Moves the sinks' pending output into a transaction. */
  private async writePending(open: OpenTransaction): Promise<void> {
    const graph = this.graph as JobGraph;
    this.recordsOut += graph.sinks.reduce((n, sink) => n + sink.pending.length, 0);
    if (open.kind === 'log') {
      for (const sink of graph.sinks) {
        if (sink.target.kind !== 'log') continue;
        const records = sink.target.encode(sink.pending, this.newestSourceMillis());
        if (records.length > 0) await open.transaction.produce(records);
      }
    } else {
      await open.transaction.apply(this.jdbcWrites());
    }
    for (const sink of graph.sinks) sink.pending = [];
  }

  private jdbcWrites() {
    return (this.graph as JobGraph).sinks.map((sink) => ({
      writer: (sink.target as Extract<SinkVertex['target'], { kind: 'jdbc' }>).writer,
      changes: sink.pending,
    }));
  }

  private positions() {
    return this.sources.map((s) => ({
      group: s.group,
      topic: s.topic,
      positions: new Map(this.handedOverBy(s).positions),
    }));
  }

  /** Commits the sinks' pending output with every source's position. */
  private async commit(): Promise<void> {
    const started = performance.now();
    const graph = this.graph as JobGraph;
    const domain = this.domain as CommitDomain;
    const positions = this.positions();
    if (!this.uncommitted && domain.kind === 'jdbc') {
      // A batch on its own is retried on transient failures (sink.max-retries).
      const out = graph.sinks.reduce((n, sink) => n + sink.pending.length, 0);
      await domain.database.write(this.jdbcWrites(), positions);
      this.recordsOut += out;
      for (const sink of graph.sinks) sink.pending = [];
    } else {
      const open = await this.openTransaction();
      try {
        await this.writePending(open);
        if (open.kind === 'log') {
          for (const p of positions) await open.transaction.commitPositions(p.group, p.topic, p.positions);
          await open.transaction.commit();
        } else {
          await open.transaction.commit(positions);
        }
        this.uncommitted = undefined;
      } catch (error) {
        await this.abortOpen();
        throw error;
      }
    }
    for (const [i, source] of this.sources.entries()) {
      if (source.kind === 'cdc') source.reader.committed(positions[i]?.positions.get(0) as bigint);
      if (source.kind === 'scan' && positions[i]?.positions.get(0) === 1n) this.scansCommitted.add(source);
    }
    const millis = performance.now() - started;
    this.commits++;
    this.commitMillis += millis;
    this.recentCommits.push({ id: this.commits, completedAt: Date.now(), millis });
    if (this.recentCommits.length > 100) this.recentCommits.shift();
    this.commitMillisMin = Math.min(this.commitMillisMin, millis);
    this.commitMillisMax = Math.max(this.commitMillisMax, millis);
    this.commitSeconds.observe(millis / 1000);
    this.observeSourceToCommit();
  }

  /** Observes now − the commit time of the newest source transaction this commit covers, if any is new. */
  /**
   * The source commit time (ms) of the newest change the job has taken in, stamped on its output
   * so that the next job downstream measures its latency from the source too; undefined before
   * the first (the log then takes the time of the append).
   */
  private newestSourceMillis(): number | undefined {
    let newest = 0;
    for (const source of this.sources) if (source.kind !== 'scan') newest = Math.max(newest, source.deliveredMicros);
    return newest > 0 ? Math.floor(newest / 1000) : undefined;
  }

  private observeSourceToCommit(): void {
    let newest = 0;
    for (const source of this.sources) {
      if (source.kind === 'scan') continue;
      const micros = source.deliveredMicros;
      if (micros <= (this.observedSourceMicros.get(source.group) ?? 0)) continue;
      this.observedSourceMicros.set(source.group, micros);
      newest = Math.max(newest, micros);
    }
    if (newest > 0) this.sourceToCommitSeconds.observe(Math.max(0, Date.now() / 1000 - newest / 1_000_000));
  }

  private async abortOpen(): Promise<void> {
    const open = this.uncommitted;
    this.uncommitted = undefined;
    await open?.transaction.abort().catch(() => undefined);
  }

  /** Closes what the job has open; safe to call again. */
  private async release(): Promise<void> {
    await this.abortOpen();
    const sources = this.sources;
    this.sources = [];
    await Promise.all(sources.map((s) => s.reader.close().catch(() => undefined)));
    const domain = this.domain;
    this.domain = undefined;
    if (domain?.kind === 'jdbc') await domain.database.close().catch(() => undefined);
    const lookups = this.graph?.lookups.splice(0) ?? [];
    await Promise.all(lookups.map(({ lookup }) => lookup.close().catch(() => undefined)));
    if (this.graph) closeOperators(this.graph);
  }

  async cancel(): Promise<void> {
    this.stopping = true;
    this.wakeFromPause?.();
    await this.loop;
    await this.release();
    if (this.status === 'RUNNING' || this.status === 'RESTARTING') {
      this.status = 'CANCELED';
      this.endedAt = Date.now();
    }
  }
}
