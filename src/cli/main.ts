import { Command, CommanderError } from 'commander';
import { formatError } from '../common/errors.ts';
import { VERSION } from '../common/version.ts';
import { registerConsume } from './commands/consume.ts';
import { registerExplain } from './commands/explain.ts';
import { registerJobCommands } from './commands/jobs.ts';
import { registerPendingCommands } from './commands/pending.ts';
import { registerStress } from './commands/stress.ts';
import { registerTopics } from './commands/topics.ts';
import { registerUp } from './commands/up.ts';
import { registerValidate } from './commands/validate.ts';

const program = new Command('rivulet')
  .description('Flink SQL pipelines over PostgreSQL change data capture')
  .version(VERSION)
  .showHelpAfterError('(run rivulet --help for usage)')
  .exitOverride();

registerUp(program);
registerExplain(program);
registerTopics(program);
registerConsume(program);
registerJobCommands(program);
registerValidate(program);
registerStress(program);
registerPendingCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    console.error(formatError(error));
    if (process.env.RIVULET_DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  }
}
