import type { ConnectorFactory } from '../factory.ts';
import { FORMATS } from '../formats/formats.ts';
import { handled, opt, sinkParallelism } from '../options.ts';
import type { ResolvedOptions } from '../table.ts';
import { localDirectory, parseMemorySize } from './paths.ts';
import { FileSourceReader } from './reader.ts';
import { openFileSink } from './sink.ts';

/** Whether the table's lines are changes (debezium-json, canal-json): Flink's filesystem table then reads and writes a changelog. */
function changelogFormat(options: ResolvedOptions): boolean {
  return FORMATS.get(String(options.get('format')))?.changelog === true;
}

const NO_WATERMARK_HERE =
  'partitions are committed by processing time here: the sink does not see watermarks, so partition-time commits are not supported yet';

/** Flink's `filesystem` connector over local directories: a bounded or monitored source, and an exactly-once sink. */
export const filesystemFactory: ConnectorFactory = {
  identifier: 'filesystem',
  description:
    'files of a local directory (Hive-style partitions k=v/): source, and exactly-once sink (append-only, or a changelog in debezium-json or canal-json)',
  partitioned: true,
  options: [
    opt.string('connector', "'filesystem'", { required: true }),
    opt.string('path', 'the directory: a local path or a file:// URI', { required: true }),
    opt.string('format', 'the format of each line of the files', { required: true }),
    opt.duration('source.monitor-interval', 'how often the directory is listed again for new files (unbounded)'),
    opt.string('source.path.regex-pattern', 'a regular expression the full path of a file must match to be read'),
    opt.boolean('source.report-statistics', 'statistics for the planner', {
      handling: handled.met('the planner does not use table statistics'),
    }),
    opt.string('partition.default-name', 'the directory name of a NULL or empty partition value', {
      default: '__DEFAULT_PARTITION__',
    }),
    opt.string('sink.rolling-policy.file-size', 'the size past which a part file rolls', { default: '128MB' }),
    opt.duration('sink.rolling-policy.rollover-interval', 'the longest time a part file stays open', {
      default: '30 min',
    }),
    opt.duration('sink.rolling-policy.inactivity-interval', 'how long without writes before a part file rolls', {
      default: '30 min',
    }),
    opt.duration('sink.rolling-policy.check-interval', 'how often the time-based rolling is checked', {
      default: '1 min',
    }),
    opt.boolean('sink.shuffle-by-partition.enable', 'shuffle rows by partition before the sink', {
      default: 'false',
      handling: handled.met('the sink is one task: each partition is written by one writer either way'),
    }),
    opt.enumOf('sink.partition-commit.trigger', ['process-time', 'partition-time'], 'when a partition is committed', {
      default: 'process-time',
      handling: handled.met('partitions are committed by processing time, the one trigger accepted'),
      refused: { values: ['partition-time'], why: NO_WATERMARK_HERE, hint: "use 'process-time'" },
    }),
    opt.duration('sink.partition-commit.delay', 'how long after its first row a partition is committed', {
      default: '0 s',
    }),
    opt.string('sink.partition-commit.policy.kind', "how a partition is committed: 'success-file'"),
    opt.string('sink.partition-commit.policy.class', 'a custom commit policy class', {
      handling: handled.rejected('Rivulet runs no Java classes', "use 'success-file'"),
    }),
    opt.string('sink.partition-commit.success-file.name', 'the name of the success file', { default: '_SUCCESS' }),
    opt.string('sink.partition-commit.watermark-time-zone', 'the time zone of watermarks for partition-time', {
      handling: handled.rejected(NO_WATERMARK_HERE, "remove it and use 'process-time'"),
    }),
    opt.string('partition.time-extractor.kind', 'how a partition time is extracted', {
      handling: handled.rejected(NO_WATERMARK_HERE, "remove it and use 'process-time'"),
    }),
    opt.string('partition.time-extractor.class', 'a custom time extractor class', {
      handling: handled.rejected(NO_WATERMARK_HERE, "remove it and use 'process-time'"),
    }),
    opt.string('partition.time-extractor.timestamp-pattern', 'the partition time as a pattern of partition columns', {
      handling: handled.rejected(NO_WATERMARK_HERE, "remove it and use 'process-time'"),
    }),
    opt.string('partition.time-extractor.timestamp-formatter', 'the format of the extracted partition time', {
      handling: handled.rejected(NO_WATERMARK_HERE, "remove it and use 'process-time'"),
    }),
    opt.boolean('auto-compaction', 'merge small files of a checkpoint', {
      default: 'false',
    }),
    opt.string('compaction.file-size', 'the target size of compacted files', {
      handling: handled.rejected('compaction of part files is not implemented', "remove 'compaction.file-size'"),
    }),
    sinkParallelism,
  ],
  formatOptions: [{ key: 'format', prefix: '' }],
  source: {
    changelog: (options) => (changelogFormat(options) ? 'all' : 'insert-only'),
    metadata: {},
    open: (context) => FileSourceReader.open(context),
  },
  sink: {
    accepts: (_table, options) => (changelogFormat(options) ? 'upsert' : 'append-only'),
    updatesHint:
      "a filesystem table takes inserts only, unless its format is a changelog format ('format' = 'debezium-json' or 'canal-json'): use one, or write the updating result to a jdbc or upsert-kafka table",
    open: openFileSink,
  },
  validate(table, options) {
    const located = localDirectory(String(options.get('path')));
    if ('error' in located) {
      return { message: located.error, option: 'path', hint: 'give a local directory, or a file:///… URI' };
    }
    if (parseMemorySize(String(options.get('sink.rolling-policy.file-size'))) === undefined) {
      return {
        message: `'sink.rolling-policy.file-size' = '${String(options.get('sink.rolling-policy.file-size'))}' is not a memory size`,
        option: 'sink.rolling-policy.file-size',
        hint: "write it as '128MB', '1 kb' or a number of bytes",
      };
    }
    const regex = options.get('source.path.regex-pattern');
    if (regex !== undefined) {
      try {
        new RegExp(String(regex));
      } catch (error) {
        return { message: (error as Error).message, option: 'source.path.regex-pattern' };
      }
    }
    if (options.get('auto-compaction') === true) {
      return {
        message: "'auto-compaction' = 'true' is not supported: compaction of part files is not implemented",
        option: 'auto-compaction',
        hint: "remove it, or set a larger 'sink.rolling-policy.file-size' for fewer, larger files",
      };
    }
    const kinds = options.get('sink.partition-commit.policy.kind');
    if (kinds !== undefined) {
      for (const kind of String(kinds)
        .split(',')
        .map((k) => k.trim().toLowerCase())) {
        if (kind === 'success-file') continue;
        return {
          message: `'sink.partition-commit.policy.kind' = '${String(kinds)}': ${kind === 'metastore' ? "'metastore' needs a Hive metastore, and there is none here" : kind === 'custom' ? 'custom policies are Java classes, which Rivulet does not run' : `unknown policy '${kind}'`}`,
          option: 'sink.partition-commit.policy.kind',
          hint: "use 'success-file'",
        };
      }
      if ((table.partitionKeys ?? []).length === 0) {
        return {
          message:
            "'sink.partition-commit.policy.kind' commits partitions, and the table is not PARTITIONED BY any column",
          option: 'sink.partition-commit.policy.kind',
          hint: 'add PARTITIONED BY (...), or remove the option',
        };
      }
    }
    const columns = table.columns;
    if ((table.partitionKeys ?? []).length > 0 && table.partitionKeys?.length === columns.length) {
      return {
        message: `table '${table.name}' has only partition columns: its files would hold no data`,
        hint: 'leave at least one column out of PARTITIONED BY',
      };
    }
    return undefined;
  },
};
