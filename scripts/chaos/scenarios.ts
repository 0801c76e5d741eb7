/** The faults of the chaos suite, each injected while the workload runs. */
import pg from 'pg';
import type { KafkaBroker } from '../kafka/broker.ts';
import type { DatabaseServer, Engine } from './environment.ts';
import type { CuttingProxy } from './pg-proxy.ts';

export interface FaultContext {
  readonly engine: Engine;
  readonly source: DatabaseServer;
  readonly sinkProxy: CuttingProxy;
  readonly broker: KafkaBroker | undefined;
  readonly random: () => number;
  /** How long the sink database stays unreachable. */
  readonly outageMs: number;
  /** The engine's worker threads (`rivulet up --workers`). */
  readonly workers: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Runs on `--log kafka://` against a real broker instead of the embedded PostgreSQL log. */
  readonly kafkaLog: boolean;
  /** Injects one fault and resolves when it is over (the engine restarted, the server back…). */
  inject(context: FaultContext): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'kill-instance',
    description: "SIGKILL of the engine's process group and its embedded PostgreSQL, then `rivulet up` again",
    kafkaLog: false,
    async inject({ engine, random }) {
      await engine.killInstance();
      await sleep(random() * 2000);
      await engine.start();
    },
  },
  {
    name: 'kill-engine',
    description: 'SIGKILL of the engine process alone (its PostgreSQL orphaned), then `rivulet up` again',
    kafkaLog: false,
    async inject({ engine, random }) {
      await engine.killEngine();
      await sleep(random() * 2000);
      await engine.start();
    },
  },
  {
    name: 'kill-worker',
    description: 'one worker thread of the engine, chosen at random, ended from inside (an uncaught error)',
    kafkaLog: false,
    async inject({ engine, random, workers }) {
      const worker = 1 + Math.floor(random() * workers);
      const jobs = await engine.crashWorker(worker);
      if (jobs.length === 0) throw new Error(`worker ${worker} had no job: the fault would test nothing`);
    },
  },
  {
    name: 'walsender',
    description: "the source's walsenders terminated with pg_terminate_backend",
    kafkaLog: false,
    async inject({ source }) {
      const client = new pg.Client({ connectionString: source.url('postgres') });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE backend_type = 'walsender'",
        );
        if ((rows[0]?.n ?? 0) === 0) throw new Error('no walsender to terminate');
      } finally {
        await client.end();
      }
    },
  },
  {
    name: 'source-restart',
    description: 'the source PostgreSQL restarted (fast shutdown)',
    kafkaLog: false,
    async inject({ source, random }) {
      await source.restart(random() * 2000);
    },
  },
  {
    name: 'sink-outage',
    description: 'the sink database unreachable (connections cut, new ones refused)',
    kafkaLog: false,
    async inject({ sinkProxy, outageMs }) {
      const refusedBefore = sinkProxy.refusedInOutages;
      const cut = sinkProxy.outage(outageMs);
      await sleep(outageMs);
      if (cut + sinkProxy.refusedInOutages - refusedBefore === 0)
        throw new Error('the sink outage cut no connection and refused none: the jobs did not reach the sink');
    },
  },
  {
    name: 'kafka-restart',
    description: 'the Kafka broker of `--log kafka://` restarted',
    kafkaLog: true,
    async inject({ broker }) {
      if (!broker) throw new Error('kafka-restart needs a broker');
      await broker.restart();
    },
  },
];
