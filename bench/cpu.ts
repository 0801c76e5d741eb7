import { readFileSync } from 'node:fs';
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { TICKS_PER_SECOND, treeUsage } from './process-tree.ts';

/** Busy CPU seconds of the whole machine, all cores, from /proc/stat. */
function machineSeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
}

interface Reading {
  readonly at: number;
  readonly engine: number;
  readonly postgres: number;
  readonly machine: number;
  readonly loops: readonly EventLoopUtilization[];
}

/** Where the machine's CPU went over an interval: the engine, its workers' event loops, PostgreSQL, the rest. */
export class CpuShare {
  private readonly start: Reading;

  constructor(
    private readonly postmaster: number,
    private readonly workers: readonly Worker[],
  ) {
    this.start = this.read();
  }

  private read(): Reading {
    const usage = process.cpuUsage();
    return {
      at: performance.now(),
      engine: (usage.user + usage.system) / 1e6,
      // The postmaster and all below it, with the backends that have ended (the postmaster's cutime/cstime).
      postgres: treeUsage([this.postmaster]).cpuSeconds,
      machine: machineSeconds(),
      loops: this.workers.map((worker) => worker.performance.eventLoopUtilization()),
    };
  }

  /** Cores used on average since the start, and each worker's event loop utilization (0–1). */
  end(): { engine: number; postgres: number; others: number; loops: number[] } {
    const now = this.read();
    const seconds = (now.at - this.start.at) / 1000;
    const engine = (now.engine - this.start.engine) / seconds;
    const postgres = (now.postgres - this.start.postgres) / seconds;
    const machine = (now.machine - this.start.machine) / seconds;
    return {
      engine,
      postgres,
      others: Math.max(0, machine - engine - postgres),
      loops: this.workers.map((worker, i) => {
        const since = this.start.loops[i];
        return since ? worker.performance.eventLoopUtilization(since).utilization : Number.NaN;
      }),
    };
  }
}
