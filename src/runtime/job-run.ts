import { RivuletError } from '../common/errors.ts';
import { type DeadLetterCommit, deadLetterCommit } from '../connectors/dead-letters.ts';
import { LogCommitDomain } from '../connectors/log-commit.ts';
import type { CommitDomain, SinkWriter, SourcePositions } from '../connectors/sink-writer.ts';
import type { SourceMetric, SourceReader } from '../connectors/source-reader.ts';
import type { Change } from '../exec/change.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { Log } from '../log/log.ts';
import type { PlannedJob } from '../plan/planner.ts';
import { stateTtlSetting } from '../plan/settings.ts';
import { describePositions } from './committed-positions.ts';
import {
  buildGraph,
  closeLookups,
  closeOperators,
  type JobGraph,
  type SinkVertex,
  type SourceVertex,
  sinkTable,
  sourceTable,
} from './graph.ts';
import type { JobStats } from './job-stats.ts';
import { fireProcessingTime, push, pushReplayed, resolveLookups } from './push.ts';
import { atRecords } from './record-location.ts';
import { addBackPressuredTime, addBusyTime } from './vertex-metrics.ts';

/** What a source has handed to the operators: what a commit may cover. */
interface HandedOver {
  readonly positions: ReadonlyMap<number, bigint>;
  readonly atCommitPoint: boolean;
  /** The source commit time (µs) of the newest change handed over; 0 when unknown. */
  readonly sourceMicros: number;
}

interface RunningSource {
  readonly vertex: SourceVertex;
  /** Who reads, the same across restarts: the positions are committed under this name. */
  readonly group: string;
  readonly reader: SourceReader;
  /**
   * The positions just past what the reader has handed to the operators, and whether that ends at
   * a commit point: what a commit covers. A reader runs ahead of them while a poll is under way or
   * done but not processed yet (during another source's commit), and committing its own positions
   * then would skip what it read. Until the end of the replay, where the reader was opened.
   */
  handedOver: HandedOver;
}

interface RunningSink {
  readonly vertex: SinkVertex;
  readonly writer: SinkWriter;
}

/** What one run of a job is given by the job. */
export interface RunSettings {
  readonly plan: PlannedJob;
  readonly log: Log;
  readonly env: EvalEnv;
  readonly stats: JobStats;
  /** Aborted when the job is cancelled: the run stops at its next batch. */
  readonly stop: AbortSignal;
  /** The most changes a source hands over at once. */
  readonly batchSize: number;
  /** The job's generation: its positions are committed under names of this generation. */
  readonly generation: number;
  /**
   * Who commits (the writer of the log's transactions, a sink database's commit marker): the job's
   * name, or for a subtask of a parallel job, a name of the subtask's own.
   */
  readonly writer?: string;
  /** Of a parallel job's subtask: its index and the job's parallelism. */
  readonly subtask?: { readonly index: number; readonly parallelism: number };
  /** The id of the job's submission (see SourceContext.submission). */
  readonly submission?: string;
}

/**
 * One run of a job, from its start or restart to its end or failure: the graph, the sources opened
 * where the job committed last, and the sinks with their commit domain. Each batch of input goes
 * through the operators, and the sinks' output is committed together with the positions consumed
 * so far, in the log or in the sink database: nothing is lost or written twice. A restarted run
 * first rebuilds operator state by replaying what the sources say was processed before, with
 * output suppressed.
 */
export class JobRun {
  private closing: Promise<void> | undefined;
  /** Dead letters staged since the last commit, by source: counted once committed. */
  private readonly pendingDeadLetters = new Map<RunningSource, number>();
  /** Output changes written into the open transaction since the last commit (see commitOrHold). */
  private heldRecords = 0;

  private constructor(
    readonly graph: JobGraph,
    private readonly settings: RunSettings,
    private readonly domain: CommitDomain,
    private readonly deadLetters: DeadLetterCommit,
    private readonly sinks: readonly RunningSink[],
    private readonly sources: readonly RunningSource[],
  ) {
    graph.setAside = (change, error) => sources.some((source) => source.reader.setAside?.(change, error) ?? false);
  }

  /** Builds the graph and opens the sinks, then the sources where the job committed last. */
  static async open(settings: RunSettings): Promise<JobRun> {
    const opened: Opened = { graph: undefined, domains: new Set(), readers: [] };
    try {
      const graph = buildGraph(settings.plan.sinks, settings.env, stateTtlSetting(settings.plan.settings));
      opened.graph = graph;
      const sinks = await openSinks(graph, settings, opened.domains);
      const domain = commitDomainOf(sinks, settings);
      opened.domains.add(domain);
      const deadLetters = deadLetterCommit(domain, settings.log, settings.plan.name);
      const sources = await openSources(graph, settings, domain, deadLetters, opened.readers);
      return new JobRun(graph, settings, domain, deadLetters, sinks, sources);
    } catch (error) {
      await Promise.all(opened.readers.map((reader) => reader.close().catch(() => undefined)));
      await Promise.all([...opened.domains].map((domain) => domain.close().catch(() => undefined)));
      if (opened.graph) {
        await closeLookups(opened.graph);
        closeOperators(opened.graph);
      }
      throw error;
    }
  }

  /** Runs until the job is cancelled (false) or every source has ended and its end is committed (true). */
  async run(): Promise<boolean> {
    if (!(await this.rebuildState())) return false;
    return this.runLive();
  }

  /**
   * Pushes what was processed before a restart, emitting nothing, then commits (or holds) what is
   * new; false when the job was cancelled before the replay ended (nothing is committed then: the
   * readers stand before the positions committed last).
   */
  private async rebuildState(): Promise<boolean> {
    const { graph, settings } = this;
    const fresh = new Map<RunningSource, Change[]>();
    for (const source of this.sources) {
      while (source.reader.replaying) {
        if (settings.stop.aborted) return false;
        const batch = await source.reader.replay(settings.batchSize);
        pushReplayed(graph, source.vertex, batch.replayed, 0);
        this.stageDeadLetters(source);
        await resolveLookups(graph, true);
        if (batch.fresh.length > 0) fresh.set(source, [...(fresh.get(source) ?? []), ...batch.fresh]);
      }
    }
    for (const sink of graph.sinks) sink.pending = [];
    for (const [source, changes] of fresh) {
      // Read for the first time (past the committed positions, in the replay's last batch): taken in now.
      this.settings.stats.recordsIn += changes.length;
      push(source.vertex, changes, 0);
      this.stageDeadLetters(source);
    }
    await resolveLookups(graph);
    for (const source of this.sources) this.handOver(source);
    await this.commitOrHold();
    return true;
  }

  private async runLive(): Promise<boolean> {
    const polls = new Map<RunningSource, Promise<Change[]>>();
    /** Polls that have returned and are not processed yet. */
    const ready = new Map<RunningSource, Change[]>();
    let finished = false;
    while (!this.settings.stop.aborted) {
      // Every source has ended, and its end is committed: the job is done, as in Flink.
      finished = this.sources.every((source) => source.reader.ended);
      if (finished) break;
      for (const source of this.sources) {
        if (polls.has(source)) continue;
        const poll = source.reader.poll(this.settings.batchSize, 200);
        polls.set(source, poll);
        poll.then(
          (changes) => ready.set(source, changes),
          () => undefined,
        );
      }
      await Promise.race(polls.values());
      // Every source whose poll has returned, also while the others were processed, goes into one commit.
      let commit = false;
      const taken: RunningSource[] = [];
      for (let next = ready.entries().next(); !next.done; next = ready.entries().next()) {
        const [source, changes] = next.value;
        ready.delete(source);
        polls.delete(source);
        taken.push(source);
        if (await this.take(source, changes)) commit = true;
      }
      if (commit) await this.commitOrHold(taken);
    }
    await Promise.allSettled(polls.values());
    if (finished) await this.domain.finish?.();
    this.deadLetters.abort();
    await this.domain.abort();
    return finished;
  }

  /** Hands a returned poll to the operators; whether there is something to commit. */
  private async take(source: RunningSource, changes: Change[]): Promise<boolean> {
    // No poll of this source is under way now: its reader's positions are those of what it returned.
    const from = source.handedOver.positions;
    const { sourceMicros } = this.handOver(source);
    this.settings.stats.recordsIn += changes.length;
    try {
      push(source.vertex, changes, 0, sourceMicros > 0 ? sourceMicros / 1000 : undefined);
    } catch (error) {
      throw atRecords(error, source.vertex.scan.table.name, source.reader, from);
    }
    // After the push: a Calc right after the source may have set records aside too.
    const deadLetters = this.stageDeadLetters(source);
    // Processing-time windows fire here: after every batch, and every poll timeout when idle.
    const fired = fireProcessingTime(this.graph, Date.now());
    await resolveLookups(this.graph);
    return changes.length > 0 || deadLetters > 0 || fired || source.reader.moved;
  }

  /** Stages what a source set aside for its dead-letter topic into the domain's next commit; how many. */
  private stageDeadLetters(source: RunningSource): number {
    const letters = source.reader.takeDeadLetters?.() ?? [];
    if (letters.length === 0) return 0;
    this.deadLetters.stage(letters);
    this.pendingDeadLetters.set(source, (this.pendingDeadLetters.get(source) ?? 0) + letters.length);
    return letters.length;
  }

  /** Notes what a source has just handed to the operators (no poll of it is under way). */
  private handOver(source: RunningSource): HandedOver {
    source.handedOver = handedOver(source.reader);
    return source.handedOver;
  }

  /**
   * Commits the sinks' pending output with every source's position when every source is at a
   * commit point; otherwise writes it into a transaction that stays open until one is reached
   * (a snapshot, or a source transaction larger than a batch).
   */
  private async commitOrHold(waiting: readonly RunningSource[] = this.sources): Promise<void> {
    const writing = this.sinks.filter(({ vertex }) => vertex.pending.length > 0).map(({ vertex }) => vertex);
    const started = performance.now();
    if (this.sources.every((source) => source.handedOver.atCommitPoint)) await this.commit();
    else {
      const staged = this.stageOutput();
      if (staged === 0) return;
      await this.domain.hold();
      this.settings.stats.recordsOut += staged;
      this.heldRecords += staged;
    }
    // The sinks were busy writing; the sources that handed this output over read nothing meanwhile:
    // that wait is this engine's back-pressure (a source whose read is under way is not waiting).
    const millis = performance.now() - started;
    for (const vertex of writing) addBusyTime(vertex, millis);
    for (const source of waiting) addBackPressuredTime(source.vertex, millis);
  }

  /** Hands the sinks' pending output to their writers; how many changes. */
  private stageOutput(): number {
    const sourceMillis = this.newestSourceMillis();
    let staged = 0;
    for (const { vertex, writer } of this.sinks) {
      if (vertex.pending.length === 0) continue;
      staged += vertex.pending.length;
      writer.write(vertex.pending, sourceMillis);
      vertex.pending = [];
    }
    return staged;
  }

  /** Commits the sinks' pending output with every source's position. */
  private async commit(): Promise<void> {
    const started = performance.now();
    const positions: SourcePositions[] = this.sources.map((source) => ({
      group: source.group,
      topic: source.reader.positionTopic,
      positions: source.handedOver.positions,
    }));
    const staged = this.stageOutput();
    await this.deadLetters.prepare(positions);
    await this.domain.commit(positions);
    this.settings.stats.recordsOut += staged;
    for (const [source, count] of this.pendingDeadLetters) this.settings.stats.deadLettered(source.vertex.name, count);
    this.pendingDeadLetters.clear();
    for (const [i, source] of this.sources.entries()) {
      source.reader.committed((positions[i] as SourcePositions).positions);
    }
    const records = staged + this.heldRecords;
    this.heldRecords = 0;
    const { stats } = this.settings;
    stats.commit(
      performance.now() - started,
      records,
      this.sources.map((source, i) => ({
        source: source.vertex.name,
        position: describePositions(source.reader, (positions[i] as SourcePositions).positions),
      })),
    );
    stats.observeSourceToCommit(
      this.sources.map((source) => ({ group: source.group, sourceMicros: source.handedOver.sourceMicros })),
    );
  }

  /**
   * The source commit time (ms) of the newest change the job has taken in, stamped on its output
   * so that the next job downstream measures its latency from the source too; undefined before
   * the first (the log then takes the time of the append).
   */
  private newestSourceMillis(): number | undefined {
    let newest = 0;
    for (const source of this.sources) newest = Math.max(newest, source.handedOver.sourceMicros);
    return newest > 0 ? Math.floor(newest / 1000) : undefined;
  }

  /** The samples the sources give to /metrics. */
  async sourceMetrics(): Promise<{ readonly vertex: SourceVertex; readonly samples: readonly SourceMetric[] }[]> {
    if (this.closing) return [];
    return Promise.all(
      this.sources.map(async (source) => ({ vertex: source.vertex, samples: (await source.reader.metrics?.()) ?? [] })),
    );
  }

  /** Closes what the run has open; safe to call again. */
  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }

  private async release(): Promise<void> {
    this.deadLetters.abort();
    await this.domain.abort().catch(() => undefined);
    await Promise.all(this.sources.map((source) => source.reader.close().catch(() => undefined)));
    await this.domain.close().catch(() => undefined);
    await closeLookups(this.graph);
    closeOperators(this.graph);
  }
}

/** What JobRun.open has opened so far, closed again when a later step fails. */
interface Opened {
  graph: JobGraph | undefined;
  readonly domains: Set<CommitDomain>;
  readonly readers: SourceReader[];
}

function handedOver(reader: SourceReader): HandedOver {
  return {
    positions: new Map(reader.positions()),
    atCommitPoint: reader.atCommitPoint,
    sourceMicros: reader.newestSourceMicros,
  };
}

async function openSinks(graph: JobGraph, settings: RunSettings, opened: Set<CommitDomain>): Promise<RunningSink[]> {
  const domains = new Map<string, CommitDomain>();
  const sinks: RunningSink[] = [];
  for (const vertex of graph.sinks) {
    const factory = vertex.sink.table.connector.factory;
    if (!factory.sink) throw new Error(`connector '${factory.identifier}' has no sink`);
    const writer = await factory.sink.open({
      table: sinkTable(vertex.sink),
      log: settings.log,
      job: settings.writer ?? settings.plan.name,
      jobName: settings.plan.name,
      ...(settings.subtask ? { subtask: settings.subtask } : {}),
      ...(settings.submission ? { submission: settings.submission } : {}),
      domain: (key, create) => {
        const domain = domains.get(key) ?? create();
        domains.set(key, domain);
        opened.add(domain);
        return domain;
      },
    });
    if (writer.domain) opened.add(writer.domain);
    sinks.push({ vertex, writer });
  }
  return sinks;
}

/** The one commit domain the sinks of a job share; the log when none of them keeps its output. */
function commitDomainOf(sinks: readonly RunningSink[], settings: RunSettings): CommitDomain {
  const job = settings.writer ?? settings.plan.name;
  const [domain, ...others] = new Set(sinks.flatMap((sink) => (sink.writer.domain ? [sink.writer.domain] : [])));
  if (!domain) return new LogCommitDomain(settings.log, job);
  if (others.length > 0) {
    throw new RivuletError(
      'NOT_SUPPORTED_YET',
      `job ${job} writes to more than one system; its sinks must share one database or the log`,
      'put the INSERTs into separate jobs (outside the statement set)',
    );
  }
  return domain;
}

async function openSources(
  graph: JobGraph,
  settings: RunSettings,
  domain: CommitDomain,
  deadLetters: DeadLetterCommit,
  opened: SourceReader[],
): Promise<RunningSource[]> {
  const { plan } = settings;
  const sources: RunningSource[] = [];
  const scans = new Map<string, number>();
  for (const vertex of graph.sources) {
    // A table scanned twice in one job (a self-join) has one group per scan.
    const scan = (scans.get(vertex.name) ?? 0) + 1;
    scans.set(vertex.name, scan);
    const generation = settings.generation > 0 ? `@${settings.generation}` : '';
    const group = `${plan.name}${generation}/${vertex.name}${scan > 1 ? `#${scan}` : ''}`;
    const factory = vertex.scan.table.connector.factory;
    if (!factory.source) throw new Error(`connector '${factory.identifier}' has no source`);
    const reader = await factory.source.open({
      table: sourceTable(vertex.scan),
      columns: vertex.scan.columns,
      group,
      log: settings.log,
      stateful: graph.stateful,
      ...(settings.submission ? { submission: settings.submission } : {}),
      committedPositions: (topic) => domain.committedPositions(group, topic),
      deadLetteredPositions: (topic) => deadLetters.committedPositions(group, topic),
      warn: (message) => console.warn(`job ${plan.name}: ${message}`),
    });
    opened.push(reader);
    sources.push({ vertex, group, reader, handedOver: handedOver(reader) });
  }
  return sources;
}
