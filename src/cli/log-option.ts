import type { Command } from 'commander';
import { findInstance } from '../embedded/instance.ts';
import type { Log } from '../log/log.ts';
import { openLog } from '../log/open-log.ts';

export interface LogOptions {
  readonly log?: string;
  readonly dataDir: string;
}

/** Adds `--log URL` and `--data-dir DIR` (whose running instance's log is the default). */
export function withLogOptions(command: Command): Command {
  return command
    .option('--log <url>', 'the log: postgres://… or kafka://host:port (default: the log of the running instance)')
    .option('--data-dir <dir>', 'data directory of the running instance', '.rivulet');
}

export function openLogFor(options: LogOptions): Promise<Log> {
  return openLog(options.log ?? findInstance(options.dataDir).logUrl);
}
