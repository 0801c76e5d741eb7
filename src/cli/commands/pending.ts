import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';

/** Contract commands (see DESIGN.md) that are declared but not built yet: they say so and fail. */
const PENDING: ReadonlyArray<{ usage: string; description: string }> = [];

export function registerPendingCommands(program: Command): void {
  for (const { usage, description } of PENDING) {
    program
      .command(usage)
      .description(`${description} (not built yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new RivuletError(
          'NOT_BUILT_YET',
          `'rivulet ${usage}' is not built yet`,
          'see the status table in README.md for what works today',
        );
      });
  }
}
