import { type ChildProcess, spawn } from 'node:child_process';

/**
 * An engine process (test/helpers/job-runner.ts) running the jobs of SQL `files` on the log at
 * `logUrl`, for tests that kill it; resolves once its jobs are submitted.
 */
export async function startJobRunner(
  logUrl: string,
  variables: Readonly<Record<string, string>>,
  files: readonly string[],
): Promise<ChildProcess> {
  const engine = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/job-runner.ts', logUrl, JSON.stringify(variables), ...files],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  engine.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    engine.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('started')) resolve();
    });
    engine.on('exit', (code) => reject(new Error(`engine exited with ${code}: ${stderr}`)));
  });
  return engine;
}

/** Kills the engine process with SIGKILL, as a crash would, and waits until it is gone. */
export async function killEngine(engine: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => engine.once('exit', resolve));
  engine.kill('SIGKILL');
  await exited;
}
