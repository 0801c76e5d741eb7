import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { explainScript } from '../../plan/explain-script.ts';
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

/** The plans of a script file as text (see explainScript), with its user functions loaded from beside it. */
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
  return explainScript(await planScriptWithFunctions(name, text, define, process.env, dirname(resolve(file))));
}
