import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planScript } from '../../../src/plan/planner.ts';
import { failure, resolveTable } from '../../helpers/resolve-table.ts';

const table = (options: string, partitioned = 'PARTITIONED BY (day)') =>
  `CREATE TABLE t (id BIGINT, day STRING) ${partitioned} WITH ('connector' = 'filesystem', 'format' = 'json'${options})`;

describe('filesystem options', () => {
  it('takes a local path or a file:// URI, with the defaults of Flink', () => {
    const resolved = resolveTable(table(", 'path' = 'file:///tmp/out'"));
    assert.equal(resolved.get('partition.default-name'), '__DEFAULT_PARTITION__');
    assert.equal(resolved.get('sink.rolling-policy.file-size'), '128MB');
    assert.equal(resolved.get('sink.rolling-policy.rollover-interval'), 30 * 60_000);
    assert.equal(resolved.get('sink.rolling-policy.check-interval'), 60_000);
    assert.equal(resolved.get('sink.partition-commit.trigger'), 'process-time');
    assert.equal(resolved.get('sink.partition-commit.success-file.name'), '_SUCCESS');
    assert.deepEqual(resolved.partitionKeys, ['day']);
  });

  it('refuses a path of another filesystem', () => {
    const error = failure(() => resolveTable(table(", 'path' = 's3://bucket/out'")));
    assert.equal(error.code, 'CONNECTOR_INVALID');
    assert.match(error.message, /uses the scheme 's3': only local paths and file:\/\/ are supported/);
  });

  it('requires path and format', () => {
    const error = failure(() =>
      resolveTable(`CREATE TABLE t (id BIGINT) WITH ('connector' = 'filesystem', 'format' = 'json')`),
    );
    assert.equal(error.code, 'OPTION_MISSING');
    assert.match(error.message, /'path'/);
  });

  it('refuses what needs watermarks, a metastore, Java classes or compaction', () => {
    const cases: [string, string, RegExp][] = [
      ["'sink.partition-commit.trigger' = 'partition-time'", 'OPTION_NOT_SUPPORTED', /does not see watermarks/],
      ["'partition.time-extractor.timestamp-pattern' = '$day'", 'OPTION_NOT_SUPPORTED', /partition-time/],
      ["'sink.partition-commit.policy.kind' = 'metastore,success-file'", 'CONNECTOR_INVALID', /Hive metastore/],
      ["'sink.partition-commit.policy.class' = 'a.B'", 'OPTION_NOT_SUPPORTED', /Java classes/],
      ["'auto-compaction' = 'true'", 'CONNECTOR_INVALID', /compaction of part files is not implemented/],
      ["'sink.rolling-policy.file-size' = 'big'", 'CONNECTOR_INVALID', /is not a memory size/],
      ["'source.path.regex-pattern' = '(['", 'CONNECTOR_INVALID', /Invalid regular expression/],
    ];
    for (const [option, code, message] of cases) {
      const error = failure(() => resolveTable(table(`, 'path' = '/tmp/out', ${option}`)));
      assert.equal(error.code, code, option);
      assert.match(error.message, message, option);
    }
  });

  it('commits partitions only of a partitioned table', () => {
    const error = failure(() =>
      resolveTable(table(", 'path' = '/tmp/out', 'sink.partition-commit.policy.kind' = 'success-file'", '')),
    );
    assert.match(error.message, /not PARTITIONED BY any column/);
  });

  it('refuses PARTITIONED BY on a connector without partitions, and an unknown partition column', () => {
    const kafka = failure(() =>
      resolveTable(
        `CREATE TABLE t (id BIGINT, day STRING) PARTITIONED BY (day) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json')`,
      ),
    );
    assert.equal(kafka.code, 'CONNECTOR_INVALID');
    assert.match(kafka.message, /connector 'kafka' has no partitions/);
    const unknown = failure(() =>
      planScript(
        't.sql',
        `CREATE TABLE t (id BIGINT) PARTITIONED BY (nope) WITH ('connector' = 'filesystem', 'path' = '/tmp/o', 'format' = 'json');`,
        new Map(),
        {},
      ),
    );
    assert.equal(unknown.code, 'SQL_UNKNOWN_COLUMN');
    assert.match(unknown.message, /Partition column 'nope' not defined in the table schema/);
  });

  it('takes inserts only: an updating query is refused at planning, as in Flink', () => {
    const error = failure(() =>
      planScript(
        't.sql',
        `CREATE TABLE src (id BIGINT, day STRING) WITH ('connector' = 'filesystem', 'path' = '/tmp/i', 'format' = 'json');
         CREATE TABLE out (day STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/o', 'format' = 'json');
         INSERT INTO out SELECT day, COUNT(*) FROM src GROUP BY day;`,
        new Map(),
        {},
      ),
    );
    assert.equal(error.code, 'SQL_SINK_CHANGELOG');
    assert.match(error.message, /Table sink '.*out' doesn't support consuming update/);
  });
});
