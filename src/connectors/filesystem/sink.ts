import { RivuletError } from '../../common/errors.ts';
import { toText } from '../../expr/cast.ts';
import type { Row } from '../../expr/value.ts';
import { resolveTimeZone } from '../../types/temporal.ts';
import { FORMATS } from '../formats/formats.ts';
import type { SinkContext, SinkWriter } from '../sink-writer.ts';
import { FileCommitDomain, type FileSinkPolicy } from './file-commit.ts';
import { escapePathName, localDirectory, parseMemorySize } from './paths.ts';

/**
 * A filesystem sink table: each row as a line of its format in a part file of its partition's
 * directory (`k=v/…`, partition columns left out of the line, as in Flink), committed with the
 * job's positions by the directory's FileCommitDomain.
 */
export async function openFileSink(context: SinkContext): Promise<SinkWriter> {
  const { table } = context;
  const options = table.options;
  const located = localDirectory(String(options.get('path')));
  if ('error' in located) throw new RivuletError('CONNECTOR_INVALID', located.error);
  const partitionKeys = table.partitionKeys ?? [];
  const partitionIndexes = partitionKeys.map((key) => table.fields.findIndex((field) => field.name === key));
  const dataIndexes = table.fields.flatMap((field, i) => (partitionKeys.includes(field.name) ? [] : [i]));
  const format = String(options.get('format'));
  const codec = FORMATS.get(format)?.codec(
    dataIndexes.map((i) => table.fields[i] as (typeof table.fields)[number]),
    options,
    '',
  );
  if (!codec) throw new RivuletError('FORMAT_UNKNOWN', `format '${format}' of table '${table.name}' is unknown`);
  const env = { timeZone: resolveTimeZone('UTC'), nowMicros: () => Date.now() * 1000 };
  const texts = partitionIndexes.map((i) => toText((table.fields[i] as (typeof table.fields)[number]).type, env));
  const defaultName = String(options.get('partition.default-name'));
  const bucketOf = (row: Row): string =>
    partitionIndexes
      .map((index, k) => {
        const value = row[index];
        const text = value === null || value === undefined ? '' : String((texts[k] as (v: unknown) => unknown)(value));
        return `${escapePathName(partitionKeys[k] as string)}=${text === '' ? defaultName : escapePathName(text)}`;
      })
      .join('/');
  const domain = context.domain(`filesystem:${located.dir}`, () =>
    FileCommitDomain.open(located.dir, context.job, sinkPolicy(table.options)),
  );
  if (!(domain instanceof FileCommitDomain))
    throw new Error(`the commit domain of filesystem table '${table.name}' is not a directory`);
  const newline = Buffer.from('\n');
  return {
    domain,
    write: (changes) =>
      domain.stage(
        changes.map((change) => {
          const data = dataIndexes.map((i) => change.row[i] ?? null);
          // A changelog format (debezium-json, canal-json) writes every change as a line of its own, as Flink does.
          if (codec.encodeChange) {
            const bytes = codec.encodeChange({ kind: change.kind, row: data });
            return { bucket: bucketOf(change.row), bytes: Buffer.concat([bytes, newline]) };
          }
          if (change.kind !== '+I') {
            throw new RivuletError(
              'SINK_WRITE_FAILED',
              `filesystem table '${table.name}' got a ${change.kind} change; it takes inserts only`,
            );
          }
          return { bucket: bucketOf(change.row), bytes: Buffer.concat([codec.encode(data), newline]) };
        }),
      ),
  };
}

function sinkPolicy(options: SinkContext['table']['options']): FileSinkPolicy {
  const kinds = String(options.get('sink.partition-commit.policy.kind') ?? '')
    .split(',')
    .map((kind) => kind.trim().toLowerCase());
  return {
    fileSize: parseMemorySize(String(options.get('sink.rolling-policy.file-size'))) ?? 128 * 1024 * 1024,
    rolloverMs: Number(options.get('sink.rolling-policy.rollover-interval')),
    inactivityMs: Number(options.get('sink.rolling-policy.inactivity-interval')),
    checkMs: Number(options.get('sink.rolling-policy.check-interval')),
    successFile: kinds.includes('success-file')
      ? String(options.get('sink.partition-commit.success-file.name'))
      : undefined,
    commitDelayMs: Number(options.get('sink.partition-commit.delay')),
  };
}
