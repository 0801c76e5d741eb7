import { dashboardBenchmarks } from './dashboard.ts';
import { flinkBenchmarks } from './flink.ts';
import { formatBenchmarks } from './formats.ts';
import { type Measurement, report } from './harness.ts';
import { kafkaLogBenchmarks, postgresLogBenchmarks } from './log.ts';
import { operatorBenchmarks } from './operators.ts';
import { fullPipelineBenchmarks } from './pipeline.ts';
import { sqlBenchmarks } from './sql.ts';
import { udfBenchmarks } from './udf.ts';

const GROUPS: Record<string, () => Promise<Measurement[]> | Measurement[]> = {
  sql: sqlBenchmarks,
  operators: operatorBenchmarks,
  formats: formatBenchmarks,
  'postgres-log': postgresLogBenchmarks,
  'kafka-log': kafkaLogBenchmarks,
  pipeline: fullPipelineBenchmarks,
  udf: udfBenchmarks,
  dashboard: dashboardBenchmarks,
  flink: flinkBenchmarks,
};

/**
 * The groups that run only when named: flink starts Apache Flink and Kafka brokers (Java and Maven
 * needed) and takes several minutes.
 */
const ON_REQUEST = new Set(['flink']);

/** Every benchmark of the project in one table; `npm run bench -- pipeline sql` runs only those groups. */
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in GROUPS));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark group ${unknown.join(', ')}; the groups are: ${Object.keys(GROUPS).join(', ')}\n`,
  );
  process.exit(1);
}
const measurements: Measurement[] = [];
for (const [name, run] of Object.entries(GROUPS)) {
  if (chosen.includes(name) || (chosen.length === 0 && !ON_REQUEST.has(name))) measurements.push(...(await run()));
}
report(measurements);
