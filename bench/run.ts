import { report } from './harness.ts';
import { kafkaLogBenchmarks, postgresLogBenchmarks } from './log.ts';
import { sqlBenchmarks } from './sql.ts';

/** Every benchmark of the project, one table. */
report([...sqlBenchmarks(), ...(await postgresLogBenchmarks()), ...(await kafkaLogBenchmarks())]);
