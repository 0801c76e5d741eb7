import { LogCommitDomain } from '../log-commit.ts';
import type { SinkContext, SinkWriter } from '../sink-writer.ts';
import { checkBrokers } from './brokers.ts';
import { kafkaTable } from './table.ts';
import { kafkaTableBatchWriter } from './writer.ts';

/** A kafka or upsert-kafka sink: records of its topic, committed in the log with the job's positions. */
export async function openLogSink(context: SinkContext, upsert: boolean): Promise<SinkWriter> {
  const table = kafkaTable(context.table, upsert);
  await checkBrokers(context.log, table);
  await context.log.ensureTopic(table.topic, { compacted: upsert });
  const domain = context.domain('log', () => new LogCommitDomain(context.log, context.job));
  if (!(domain instanceof LogCommitDomain))
    throw new Error(`the commit domain of table '${table.name}' is not the log`);
  const roundRobin = !upsert && table.options.get('sink.partitioner') === 'round-robin';
  const encode = kafkaTableBatchWriter(table, roundRobin ? await context.log.partitions(table.topic) : 1);
  return { domain, write: (changes, sourceMillis) => domain.stage(encode(changes, sourceMillis)) };
}
