import { randomBytes } from 'node:crypto';
import { RivuletError } from '../common/errors.ts';
import type { Log } from '../log/log.ts';
import { type PlannedJob, type PlannedScript, planScriptWithFunctions } from '../plan/planner.ts';
import { shapeChange, stateShape } from '../plan/state-shape.ts';
import { Job } from './job.ts';
import type { JobHandle } from './job-handle.ts';
import type { JobStore, StoredJob } from './job-store.ts';
import { parallelism } from './parallel/shown-graph.ts';
import { parallelShape } from './parallel/split-plan.ts';
import { ParallelRemoteJob } from './workers/parallel-remote-job.ts';
import type { WorkerPool } from './workers/pool.ts';
import { RemoteJob } from './workers/remote-job.ts';

export interface SubmitOptions {
  /** Read the sources again from their start instead of resuming from the positions the job's name committed. */
  readonly fromScratch?: boolean;
  readonly origin?: StoredJob['origin'];
  /** The script's directory, which the module paths of its CREATE FUNCTION statements are relative to (default: the working directory). */
  readonly directory?: string;
}

/** A job of a script, ready to open: its id, and the generation and shape of its positions. */
interface PreparedJob {
  readonly plan: PlannedJob;
  readonly id: string;
  readonly generation: number;
  readonly shape: readonly string[];
}

/** Where a job's plan came from: what a worker plans it again from. */
interface JobSource {
  readonly file: string;
  readonly text: string;
  readonly variables: ReadonlyMap<string, string>;
  readonly directory: string;
}

function isActive(job: JobHandle): boolean {
  return job.status === 'CREATED' || job.status === 'RUNNING' || job.status === 'RESTARTING';
}

/**
 * The jobs of one Rivulet process, run on one log. With a store, every accepted job is kept
 * (script, variables, name and id) and the jobs that were running come back at the next start.
 * With a pool, each job runs in one of its workers (see workers/pool.ts); without, on this thread.
 */
export class Engine {
  readonly jobs = new Map<string, JobHandle>();

  constructor(
    readonly log: Log,
    private readonly store?: JobStore,
    readonly pool?: WorkerPool,
  ) {}

  private create(id: string, plan: PlannedJob, generation: number, source: JobSource): JobHandle {
    if (!this.pool)
      return new Job(id, plan, this.log, { generation, script: { file: source.file, text: source.text } });
    const submission = {
      id,
      name: plan.name,
      file: source.file,
      text: source.text,
      variables: [...source.variables],
      directory: source.directory,
      generation,
    };
    if (parallelism(plan).parallelism > 1) return new ParallelRemoteJob(plan, submission, this.pool);
    return new RemoteJob(plan, submission, this.pool);
  }

  /**
   * Plans a script and starts one job per INSERT or statement set; returns the new jobs. A job
   * whose name committed positions before (a stopped or cancelled job of the same script) resumes
   * from them, unless its plan now reads or keeps them differently (see stateShape): then it is
   * refused, or started from scratch with `fromScratch`.
   */
  async submit(
    name: string,
    text: string,
    variables: ReadonlyMap<string, string>,
    options: SubmitOptions = {},
  ): Promise<JobHandle[]> {
    return (await this.submitScript(name, text, variables, options)).jobs;
  }

  /** As submit, also giving the answers of the script's SHOW and DESCRIBE statements. */
  async submitScript(
    name: string,
    text: string,
    variables: ReadonlyMap<string, string>,
    options: SubmitOptions = {},
  ): Promise<{ readonly jobs: JobHandle[]; readonly results: PlannedScript['results'] }> {
    const directory = options.directory ?? process.cwd();
    const script = await planScriptWithFunctions(name, text, variables, {}, directory);
    const stopped = this.store ? (await this.store.jobs()).filter((job) => job.status === 'STOPPED') : [];
    for (const [i, plan] of script.jobs.entries()) {
      const twin = script.jobs.slice(0, i).find((other) => other.name === plan.name);
      if (twin) {
        throw new RivuletError(
          'JOB_NAME_TAKEN',
          `${plan.location}: this job would be named ${plan.name} as the one at ${twin.location}; a job's name names its positions`,
          "put both INSERTs into one statement set (EXECUTE STATEMENT SET BEGIN … END;), or SET 'pipeline.name' = '…' before each",
        );
      }
    }
    const prepared: PreparedJob[] = [];
    for (const plan of script.jobs) prepared.push(await this.prepare(plan, stopped, options.fromScratch === true));
    const jobs = prepared.map((p) =>
      this.create(p.id, p.plan, p.generation, { file: name, text, variables, directory }),
    );
    try {
      // A script starts whole or not at all: every job is opened before any runs.
      for (const job of jobs) await job.open();
      for (const p of prepared) {
        await this.store?.saveLineage(p.plan.name, { generation: p.generation, shape: p.shape });
        await this.store?.save({
          id: p.id,
          name: p.plan.name,
          file: name,
          script: text,
          variables,
          origin: options.origin ?? 'sql',
          status: 'RUNNING',
          directory,
        });
      }
    } catch (error) {
      for (const job of jobs) await job.cancel().catch(() => undefined);
      throw error;
    }
    for (const job of jobs) this.run(job);
    return { jobs, results: script.results };
  }

  private async prepare(plan: PlannedJob, stopped: readonly StoredJob[], fromScratch: boolean): Promise<PreparedJob> {
    const running = [...this.jobs.values()].find((job) => job.plan.name === plan.name && isActive(job));
    if (running) {
      throw new RivuletError(
        'JOB_RUNNING',
        `${plan.location}: job ${plan.name} is already running (${running.id})`,
        `stop it (rivulet stop ${running.id}) or cancel it (rivulet cancel ${running.id}) first; a different job needs a name of its own: SET 'pipeline.name' = '…'`,
      );
    }
    const shape = [...stateShape(plan), ...parallelShape(plan)];
    const lineage = await this.store?.lineage(plan.name);
    const change = lineage && !fromScratch ? shapeChange(lineage.shape, shape) : undefined;
    if (change) {
      throw new RivuletError(
        'JOB_INCOMPATIBLE',
        `${plan.location}: job ${plan.name} cannot resume from the positions it committed: ${change}`,
        'to read its sources again from their start, submit with --from-scratch (an append-only sink then gets its rows again); or submit the script as it was',
      );
    }
    const previous = stopped.find((job) => job.name === plan.name);
    return {
      plan,
      id: previous?.id ?? randomBytes(16).toString('hex'),
      generation: (lineage?.generation ?? 0) + (fromScratch ? 1 : 0),
      shape,
    };
  }

  /** Runs an opened (or, after `failure`, a restarting) job, and keeps its end in the store. */
  private run(job: JobHandle, failure?: Error): void {
    this.jobs.set(job.id, job);
    job.launch(failure);
    const store = this.store;
    if (!store) return;
    void job.ended.then(async () => {
      if (job.status === 'FINISHED' && !job.stopped) await store.setStatus(job.id, 'FINISHED');
      else if (job.status === 'FAILED') await store.setStatus(job.id, 'FAILED');
    });
  }

  /**
   * Starts again every stored job that was running, with its id, from its committed positions;
   * `variables` may give a job other values than those stored (the examples', for the server of
   * this start). Returns the jobs with the names of their scripts.
   */
  async restore(
    variables: (job: StoredJob) => ReadonlyMap<string, string> = (job) => job.variables,
  ): Promise<{ readonly job: JobHandle; readonly file: string }[]> {
    if (!this.store) return [];
    const restored: { job: JobHandle; file: string }[] = [];
    for (const group of scriptsOf((await this.store.jobs()).filter((job) => job.status === 'RUNNING'))) {
      const opened: JobHandle[] = [];
      for (const stored of group) {
        const job = await this.restoreOne(stored, variables(stored));
        if (!job) continue;
        restored.push({ job, file: stored.file });
        opened.push(job);
      }
      // The jobs of one script are opened before any runs, as at their submission.
      const failures = new Map<JobHandle, Error>();
      for (const job of opened) await job.open().catch((error: Error) => failures.set(job, error));
      for (const job of opened) this.run(job, failures.get(job));
    }
    return restored;
  }

  private async restoreOne(stored: StoredJob, variables: ReadonlyMap<string, string>): Promise<JobHandle | undefined> {
    let plan: PlannedJob | undefined;
    try {
      const script = await planScriptWithFunctions(stored.file, stored.script, variables, {}, stored.directory);
      plan = script.jobs.find((p) => p.name === stored.name);
    } catch (error) {
      console.warn(`job ${stored.id} (${stored.name}) cannot be restored: ${(error as Error).message}`);
    }
    if (!plan) {
      await this.store?.setStatus(stored.id, 'FAILED');
      return undefined;
    }
    const lineage = await this.store?.lineage(stored.name);
    return this.create(stored.id, plan, lineage?.generation ?? 0, {
      file: stored.file,
      text: stored.script,
      variables,
      directory: stored.directory,
    });
  }

  get(id: string): JobHandle | undefined {
    return this.jobs.get(id);
  }

  /** Cancels a job for good: it is no longer kept, and its next submission starts anew or resumes by name. */
  async cancel(id: string): Promise<JobHandle | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    await job.cancel();
    await this.store?.remove(id);
    return job;
  }

  /** Stops a running job keeping its positions: a later submission of its script resumes from them. */
  async stop(id: string): Promise<JobHandle | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (!isActive(job)) {
      throw new RivuletError(
        'JOB_NOT_RUNNING',
        `job ${id} is ${job.status}, not running`,
        'only a running job can be stopped; rivulet list shows the states',
      );
    }
    await job.stop();
    await this.store?.setStatus(id, 'STOPPED');
    return job;
  }

  /** Stops running every job of this process; stored jobs stay as they are, to be restored. */
  async close(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((job) => job.cancel().catch(() => undefined)));
    await this.pool?.close();
    await this.store?.close();
  }
}

/** Stored jobs by the script they came from (file, text and variables), in submission order. */
function scriptsOf(jobs: readonly StoredJob[]): StoredJob[][] {
  const groups = new Map<string, StoredJob[]>();
  for (const job of jobs) {
    const key = JSON.stringify([job.file, job.script, [...job.variables]]);
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  return [...groups.values()];
}
