import type { ConnectorFactory } from '../factory.ts';
import { opt } from '../options.ts';

/**
 * Flink's `blackhole` sink: takes any changelog and keeps nothing. What it swallows is counted as
 * the job's output (records-out) like any sink's, so it measures what a pipeline can do.
 */
export const blackholeFactory: ConnectorFactory = {
  identifier: 'blackhole',
  description: 'takes every change and discards it; counted in the job metrics',
  options: [opt.string('connector', "'blackhole'", { required: true })],
  sink: {
    accepts: () => 'upsert',
    open: async () => ({ write: () => undefined }),
  },
};
