/** The most lines kept for each job: older ones are dropped first. */
export const PRINTED_LINES_KEPT = 1000;

interface Printed {
  readonly lines: string[];
  /** Lines printed by the job since the engine started, kept or dropped. */
  total: number;
}

const byJob = new Map<string, Printed>();

/** Keeps a line a print sink of job `job` (its name) wrote, for GET /jobs/:id/print and `rivulet print`. */
export function keepPrintedLine(job: string, line: string): void {
  let printed = byJob.get(job);
  if (!printed) {
    printed = { lines: [], total: 0 };
    byJob.set(job, printed);
  }
  printed.lines.push(line);
  printed.total++;
  if (printed.lines.length > PRINTED_LINES_KEPT) printed.lines.splice(0, printed.lines.length - PRINTED_LINES_KEPT);
}

/** The latest lines the print sinks of job `job` wrote (oldest first), and how many it wrote in all. */
export function printedLines(job: string): { readonly lines: readonly string[]; readonly total: number } {
  const printed = byJob.get(job);
  return { lines: [...(printed?.lines ?? [])], total: printed?.total ?? 0 };
}
