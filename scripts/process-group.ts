import type { ChildProcess } from 'node:child_process';

/**
 * Stops a detached shell started with its Java child and a watcher of its stdin (one process
 * group): closing stdin asks the watcher to end the JVM; after `graceMs` the whole group is killed.
 */
export async function stopProcessGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      resolve();
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
