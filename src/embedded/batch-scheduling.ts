import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The command and arguments that run `command` under Linux's SCHED_BATCH policy, through util-linux's
 * `chrt` when it is on the PATH; the command itself elsewhere. Every process the server forks
 * inherits the policy. A batch process does not preempt a running one when it wakes: a backend
 * that a commit wakes waits for a free core instead of taking the engine's (on two cores it
 * lowered the p99 latency at 2,000 changes/s; docs/embedded-postgres.md).
 * Changing to SCHED_BATCH needs no privilege; where a sandbox refuses it anyway, the command runs
 * as it is.
 */
export function underBatchScheduling(command: string, args: readonly string[]): [string, string[]] {
  batchRunner ??= findBatchRunner() ?? null;
  return batchRunner ? [batchRunner, ['--batch', '0', command, ...args]] : [command, [...args]];
}

let batchRunner: string | null | undefined;

function findBatchRunner(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const chrt = findOnPath('chrt');
  if (!chrt) return undefined;
  const probe = spawnSync(chrt, ['--batch', '0', process.execPath, '--version'], { stdio: 'ignore' });
  return probe.status === 0 ? chrt : undefined;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
