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

/** The latest lines the sinks of job `job` wrote (oldest first), and how many they wrote in all. */
export function stdoutLines(job: string): { readonly lines: readonly string[]; readonly total: number } {
  const printed = byJob.get(job);
  return { lines: [...(printed?.lines ?? [])], total: printed?.total ?? 0 };
}
