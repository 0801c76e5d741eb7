import { RivuletError } from '../common/errors.ts';
import { JdbcDatabase } from '../connectors/jdbc-sink.ts';
import { KafkaTableReader } from '../connectors/kafka-table.ts';
import type { Change } from '../exec/change.ts';
import type { EvalEnv } from '../expr/functions/definition.ts';
import type { Log } from '../log/log.ts';
import type { PlannedJob } from '../plan/planner.ts';
import { resolveTimeZone } from '../types/temporal.ts';
import { buildGraph, type JobGraph, push, type SinkVertex, type SourceVertex } from './graph.ts';

export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'CANCELED' | 'FAILED';

/** Where a job's output and the positions it consumed are committed together. */
type CommitDomain = { readonly kind: 'log' } | { readonly kind: 'jdbc'; readonly database: JdbcDatabase };

interface RunningSource {
  readonly vertex: SourceVertex;
  readonly group: string;
  readonly reader: KafkaTableReader;
  /** Below these offsets, records were already processed before a restart: replayed, not emitted. */
  readonly replayUntil: ReadonlyMap<number, bigint> | undefined;
}

/**
 * A running job. Each batch of input goes through the operators, and the sinks' output is
 * committed in one transaction together with the positions consumed so far (in the log for log
 * sinks, in the sink database for jdbc sinks): nothing is lost or written twice. After a restart,
 * operator state is rebuilt by replaying the upsert sources up to the committed positions with
 * output suppressed.
 */
export class Job {
  status: JobStatus = 'CREATED';
  failure: Error | undefined;
  readonly startedAt = Date.now();
  endedAt: number | undefined;
  recordsIn = 0;
  recordsOut = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private graph: JobGraph | undefined;
  private domain: CommitDomain | undefined;
  private sources: RunningSource[] = [];

  constructor(
    readonly id: string,
    readonly plan: PlannedJob,
    private readonly log: Log,
    private readonly batchSize = 2000,
  ) {}

  private env(): EvalEnv {
    return {
      timeZone: resolveTimeZone(this.plan.settings.get('table.local-time-zone') ?? 'default'),
      nowMicros: () => Date.now() * 1000,
    };
  }

  async start(): Promise<void> {
    this.graph = buildGraph(this.plan.sinks, this.env());
    this.domain = this.commitDomain(this.graph.sinks);
    for (const sink of this.graph.sinks) {
      if (sink.target.kind === 'log')
        await this.log.ensureTopic(sink.target.topic, { compacted: sink.target.compacted });
    }
    for (const vertex of this.graph.sources) {
      const group = `${this.plan.name}/${vertex.name}`;
      // A source topic that does not exist yet is created, as Kafka does for a consumer by default.
      await this.log.ensureTopic(vertex.table.topic, { compacted: vertex.table.connector === 'upsert-kafka' });
      const committed = await this.committed(group, vertex.table.topic);
      const upsert = vertex.table.connector === 'upsert-kafka';
      const reader =
        committed.size > 0 && !upsert
          ? new KafkaTableReader(
              this.log,
              vertex.table,
              await this.log.openReader(vertex.table.topic, {
                kind: 'offsets',
                offsets: committed,
                otherwise: 'earliest',
              }),
            )
          : await KafkaTableReader.open(this.log, vertex.table, group);
      this.sources.push({ vertex, group, reader, replayUntil: upsert && committed.size > 0 ? committed : undefined });
    }
    this.status = 'RUNNING';
    this.loop = this.run().catch((error: Error) => {
      this.status = 'FAILED';
      this.failure = error;
      this.endedAt = Date.now();
    });
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
      if (!source.replayUntil) continue;
      const until = source.replayUntil;
      const done = () =>
        [...until].every(([partition, offset]) => (source.reader.positions().get(partition) ?? 0n) >= offset);
      while (!done() && !this.stopping) {
        const { replay, fresh } = await this.pollSplit(source, until);
        push(source.vertex, replay, 0);
        live.set(source, [...(live.get(source) ?? []), ...fresh]);
      }
    }
    for (const sink of (this.graph as JobGraph).sinks) sink.pending = [];
    for (const [source, changes] of live) push(source.vertex, changes, 0);
    await this.commit();

    // Phase 2: live.
    const polls = new Map<RunningSource, Promise<Change[]>>();
    while (!this.stopping) {
      for (const source of this.sources) {
        if (!polls.has(source)) polls.set(source, source.reader.poll(this.batchSize, 200));
      }
      const settled = await Promise.race(
        [...polls].map(([source, poll]) => poll.then((changes) => ({ source, changes }))),
      );
      polls.delete(settled.source);
      if (settled.changes.length === 0) continue;
      this.recordsIn += settled.changes.length;
      push(settled.source.vertex, settled.changes, 0);
      await this.commit();
    }
    await Promise.allSettled(polls.values());
  }

  /** A poll split into changes of records processed before the restart and new ones. */
  private async pollSplit(
    source: RunningSource,
    until: ReadonlyMap<number, bigint>,
  ): Promise<{ replay: Change[]; fresh: Change[] }> {
    const replay: Change[] = [];
    const fresh: Change[] = [];
    for (const entry of await source.reader.pollEntries(this.batchSize, 200)) {
      (entry.offset < (until.get(entry.partition) ?? 0n) ? replay : fresh).push(entry.change);
    }
    return { replay, fresh };
  }

  /** Commits the sinks' pending output with every source's position. */
  private async commit(): Promise<void> {
    const graph = this.graph as JobGraph;
    const domain = this.domain as CommitDomain;
    const positions = this.sources.map((s) => ({
      group: s.group,
      topic: s.vertex.table.topic,
      positions: new Map(s.reader.positions()),
    }));
    const out = graph.sinks.reduce((n, sink) => n + sink.pending.length, 0);
    if (domain.kind === 'log') {
      const transaction = await this.log.beginTransaction();
      try {
        for (const sink of graph.sinks) {
          if (sink.target.kind !== 'log') continue;
          const encode = sink.target.encode;
          const records = sink.pending.map(encode).filter((r) => r !== undefined);
          if (records.length > 0) await transaction.produce(records);
        }
        for (const p of positions) await transaction.commitPositions(p.group, p.topic, p.positions);
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    } else {
      await domain.database.write(
        graph.sinks.map((sink) => ({
          writer: (sink.target as Extract<SinkVertex['target'], { kind: 'jdbc' }>).writer,
          changes: sink.pending,
        })),
        positions,
      );
    }
    this.recordsOut += out;
    for (const sink of graph.sinks) sink.pending = [];
  }

  async cancel(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.all(this.sources.map((s) => s.reader.close()));
    if (this.domain?.kind === 'jdbc') await this.domain.database.close();
    if (this.status === 'RUNNING') {
      this.status = 'CANCELED';
      this.endedAt = Date.now();
    }
  }
}
