import { randomBytes } from 'node:crypto';
import type { Log } from '../log/log.ts';
import { planScript } from '../plan/planner.ts';
import { Job } from './job.ts';

/** The jobs of one Rivulet process, run on one log. */
export class Engine {
  readonly jobs = new Map<string, Job>();

  constructor(readonly log: Log) {}

  /** Plans a script and starts one job per INSERT or statement set; returns the new jobs. */
  async submit(name: string, text: string, variables: ReadonlyMap<string, string>): Promise<Job[]> {
    const script = planScript(name, text, variables, {});
    const started: Job[] = [];
    try {
      for (const plan of script.jobs) {
        const job = new Job(randomBytes(16).toString('hex'), plan, this.log);
        await job.open();
        started.push(job);
      }
    } catch (error) {
      // A script starts whole or not at all.
      for (const job of started) await job.cancel().catch(() => undefined);
      throw error;
    }
    for (const job of started) {
      job.launch();
      this.jobs.set(job.id, job);
    }
    return started;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  async cancel(id: string): Promise<Job | undefined> {
    const job = this.jobs.get(id);
    if (job) await job.cancel();
    return job;
  }

  async close(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((job) => job.cancel().catch(() => undefined)));
  }
}
