/** The lines a job's sinks wrote to standard output, kept for GET /jobs/:id/stdout (as Flink's TaskManager keeps its .out file). */

/** The most lines kept for each job: older ones are dropped first. */
export const STDOUT_LINES_KEPT = 1000;

interface Kept {
  readonly lines: string[];
  /** Lines printed by the job since the engine started, kept or dropped. */
  total: number;
}

const byJob = new Map<string, Kept>();

/** Keeps a line a sink of job `job` (its name) wrote to standard output or error. */
export function keepStdoutLine(job: string, line: string): void {
  let printed = byJob.get(job);
  if (!printed) {
    printed = { lines: [], total: 0 };
    byJob.set(job, printed);
  }
  printed.lines.push(line);
  printed.total++;
  if (printed.lines.length > STDOUT_LINES_KEPT) printed.lines.splice(0, printed.lines.length - STDOUT_LINES_KEPT);
}

/**
 * The latest lines the sinks of job `job` wrote (oldest first), and how many they wrote in all;
 * with `since`, only those written after the first `since` (as far as they are kept).
 */
export function stdoutLines(job: string, since = 0): { readonly lines: readonly string[]; readonly total: number } {
  const printed = byJob.get(job);
  const total = printed?.total ?? 0;
  if (!printed || total <= since) return { lines: [], total };
  return { lines: printed.lines.slice(-Math.min(total - since, printed.lines.length)), total };
}
