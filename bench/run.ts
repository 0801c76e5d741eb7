import { report } from './harness.ts';
import { postgresLogBenchmarks } from './log.ts';
import { sqlBenchmarks } from './sql.ts';

/** Every benchmark of the project, one table. */
report([...sqlBenchmarks(), ...(await postgresLogBenchmarks())]);
