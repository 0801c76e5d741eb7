import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type FlinkCluster, flinkCached, jobStates, startFlink } from '../../scripts/flink/run.ts';

// Apache Flink's jars (150 MB) are fetched by `npm run parity`, not by the tests.
const skip = flinkCached()
  ? false
  : 'Flink classpath not cached in scripts/flink/target (npm run parity fetches it with Maven)';
if (skip) process.stdout.write(`# skipped the Flink runner smoke test: ${skip}\n`);

describe('Apache Flink from Maven jars (scripts/flink/run.ts)', { skip }, () => {
  let cluster: FlinkCluster | undefined;
  after(async () => {
    await cluster?.stop();
  });

  it('runs a script with ${NAME} substitution, an INSERT and a statement set as jobs, with the Web UI', async () => {
    cluster = await startFlink({
      variables: new Map([['RATE', '5']]),
      scripts: [
        {
          name: 'smoke.sql',
          text: `-- a comment; with a semicolon
SET 'parallelism.default' = '1';
CREATE TABLE numbers (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '\${RATE}');
CREATE TABLE nowhere (x INT, s STRING) WITH ('connector' = 'blackhole');
INSERT INTO nowhere SELECT x, CASE WHEN x > 0 THEN 'a;b' ELSE 'c' END FROM numbers;
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO nowhere SELECT x, 'one' FROM numbers;
  INSERT INTO nowhere SELECT x, CASE WHEN x < 0 THEN 'two' END FROM numbers;
END;
`,
        },
      ],
    });
    assert.deepEqual(
      cluster.jobs.map((job) => job.name),
      ['smoke#1', 'smoke#2'],
    );
    const states = await jobStates(cluster.restUrl);
    assert.deepEqual([...states.keys()].sort(), ['smoke#1', 'smoke#2']);
    const page = await (await fetch(`${cluster.restUrl}/`)).text();
    assert.match(page, /<html/i);
  });
});
