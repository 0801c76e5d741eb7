import { Session } from 'node:inspector';
import type { Worker } from 'node:worker_threads';
import type { CpuProfile } from './profile-areas.ts';

/** Microseconds between two samples of V8's CPU profiler. */
const SAMPLING_INTERVAL_US = 1000;
const ATTACH_TIMEOUT_MS = 5000;

/** A profiled thread: `main` or `worker N` (its place in the pool), and its profile once stopped. */
export interface ThreadProfile {
  readonly thread: string;
  readonly profile: CpuProfile;
}

/**
 * V8 CPU profiles of the engine's threads, recorded from the outside: an inspector session of the
 * main thread profiles it, and reaches each worker through the inspector's NodeWorker domain (as
 * Chrome's DevTools do), so the engine's code has no hook for it and nothing runs when the bench
 * does not profile.
 */
export class WorkerProfiles {
  private nextId = 0;
  private readonly answers = new Map<number, { resolve: (result: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly session: Session,
    /** The inspector session of each worker, by its name. */
    private readonly workers: ReadonlyMap<string, string>,
  ) {}

  /** Starts profiling the main thread and the workers (each named `worker N` by its place, from 1). */
  static async start(workers: readonly Worker[]): Promise<WorkerProfiles> {
    const session = new Session();
    session.connect();
    const wanted = new Map(workers.map((worker, i) => [String(worker.threadId), `worker ${i + 1}`]));
    const sessions = new Map<string, string>();
    const attached = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the inspector attached ${sessions.size} of ${wanted.size} workers`)),
        ATTACH_TIMEOUT_MS,
      );
      session.on('NodeWorker.attachedToWorker', ({ params }) => {
        // The inspector's workerId is its own count; the title starts with the thread's id (`[worker 3] name`).
        const threadId = /^\[worker (\d+)\]/.exec(params.workerInfo.title)?.[1];
        const name = threadId === undefined ? undefined : wanted.get(threadId);
        if (name) sessions.set(name, params.sessionId);
        if (sessions.size === wanted.size) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      await post(session, 'NodeWorker.enable', { waitForDebuggerOnStart: false });
      await attached;
    } catch (error) {
      session.disconnect();
      throw error;
    }
    // In the pool's order, whichever the inspector attached first.
    const profiles = new WorkerProfiles(
      session,
      new Map([...sessions].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))),
    );
    session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => profiles.received(params.message));
    for (const target of [undefined, ...sessions.values()]) {
      await profiles.send(target, 'Profiler.enable');
      await profiles.send(target, 'Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      await profiles.send(target, 'Profiler.start');
    }
    return profiles;
  }

  private received(text: string): void {
    const message = JSON.parse(text) as { id?: number; result?: unknown; error?: { message: string } };
    const waiting = message.id === undefined ? undefined : this.answers.get(message.id);
    if (!waiting) return;
    this.answers.delete(message.id as number);
    if (message.error) waiting.reject(new Error(message.error.message));
    else waiting.resolve(message.result);
  }

  /** A command to the main thread's profiler (no worker session) or a worker's. */
  private send(worker: string | undefined, method: string, params: object = {}): Promise<unknown> {
    if (worker === undefined) return post(this.session, method, params);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.answers.set(id, { resolve, reject });
      post(this.session, 'NodeWorker.sendMessageToWorker', {
        sessionId: worker,
        message: JSON.stringify({ id, method, params }),
      }).catch(reject);
    });
  }

  /** Stops every profile and the session; the main thread's first, then each worker's. */
  async stop(): Promise<ThreadProfile[]> {
    const profiles: ThreadProfile[] = [];
    try {
      for (const [thread, target] of [['main', undefined] as const, ...this.workers]) {
        const { profile } = (await this.send(target, 'Profiler.stop')) as { profile: CpuProfile };
        profiles.push({ thread, profile });
      }
    } finally {
      await post(this.session, 'NodeWorker.disable').catch(() => undefined);
      this.session.disconnect();
    }
    return profiles;
  }
}

function post(session: Session, method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}
