import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { explainPlan } from '../../plan/explain.ts';
import { planScriptWithFunctions } from '../../plan/planner.ts';
import { collectDefine, type Defines } from '../options.ts';

interface ExplainOptions {
  readonly file: string;
  readonly define: Defines;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('print the plan of each job in a Flink SQL file')
    .requiredOption('-f, --file <file>', 'the SQL script')
    .option('-D, --define <NAME=VALUE>', 'value of a ${NAME} placeholder (repeatable)', collectDefine, new Map())
    .action(async (options: ExplainOptions) => {
      process.stdout.write(`${await explainFile(options.file, options.define)}\n`);
    });
}

/** The plans of a script as text: one section per job, then each EXPLAIN statement's output. */
export async function explainFile(file: string, define: Defines): Promise<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new RivuletError(
      'FILE_NOT_READABLE',
      `cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      'check the path given to -f',
      { cause },
    );
  }
  const name = relative(process.cwd(), file) || file;
  const script = await planScriptWithFunctions(name, text, define, process.env, dirname(resolve(file)));
  const sections = script.jobs.map(
    (job) => `== ${job.name} (${job.location}) ==\n${job.sinks.map(explainPlan).join('\n\n')}`,
  );
  for (const [i, explain] of script.explains.entries()) sections.push(`== EXPLAIN ${i + 1} ==\n${explain}`);
  if (sections.length === 0) sections.push('(no INSERT statements: nothing runs)');
  return sections.join('\n\n');
}
