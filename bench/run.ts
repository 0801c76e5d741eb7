import { report } from './harness.ts';
import { kafkaLogBenchmarks, postgresLogBenchmarks } from './log.ts';
import { operatorBenchmarks } from './operators.ts';
import { fullPipelineBenchmarks } from './pipeline.ts';
import { sqlBenchmarks } from './sql.ts';

/** Every benchmark of the project, one table. */
report([
  ...sqlBenchmarks(),
  ...operatorBenchmarks(),
  ...(await postgresLogBenchmarks()),
  ...(await kafkaLogBenchmarks()),
  ...(await fullPipelineBenchmarks()),
]);
