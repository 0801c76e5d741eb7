/**
 * A process that runs the jobs of SQL files on a postgres log until it is killed, for tests that
 * kill the engine: `node --import tsx test/helpers/job-runner.ts <log url> <variables json> <file>...`.
 */
import { readFileSync } from 'node:fs';
import { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { Engine } from '../../src/runtime/engine.ts';

const [logUrl, variablesJson, ...files] = process.argv.slice(2);
const engine = new Engine(await PostgresLog.open(logUrl as string, { maintenanceIntervalMs: 0 }));
const variables = new Map(Object.entries(JSON.parse(variablesJson as string) as Record<string, string>));
for (const file of files) await engine.submit(file, readFileSync(file, 'utf8'), variables);
process.stdout.write('started\n');
setInterval(() => {
  const failed = [...engine.jobs.values()].find((job) => job.status === 'FAILED');
  if (failed) {
    process.stderr.write(`job failed: ${failed.failure?.message}\n`);
    process.exit(2);
  }
}, 50);
