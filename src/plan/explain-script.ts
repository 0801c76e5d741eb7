import { explainPlan } from './explain.ts';
import type { PlannedScript } from './planner.ts';

/** The plans of a script as text: one section per job, then each EXPLAIN statement's output. */
export function explainScript(script: PlannedScript): string {
  const sections = script.jobs.map(
    (job) => `== ${job.name} (${job.location}) ==\n${job.sinks.map(explainPlan).join('\n\n')}`,
  );
  for (const [i, explain] of script.explains.entries()) sections.push(`== EXPLAIN ${i + 1} ==\n${explain}`);
  if (sections.length === 0) sections.push('(no INSERT statements: nothing runs)');
  return sections.join('\n\n');
}
