import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { type LogOptions, openLogFor, withLogOptions } from '../log-option.ts';

interface ConsumeOptions extends LogOptions {
  readonly fromBeginning?: boolean;
  readonly maxMessages?: number;
  readonly timeoutMs?: number;
  readonly key?: boolean;
}

function positiveInteger(option: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1)
      throw new RivuletError('BAD_OPTION', `${option} must be a positive whole number, got '${value}'`);
    return Number(value);
  };
}

/**
 * Prints the records of a topic one per line, like kafka-console-consumer: the value, or with
 * --key the key, a tab and the value; a tombstone prints as null. Ends after --max-messages, or
 * after --timeout-ms without a new record, or on Ctrl-C.
 */
export function registerConsume(program: Command): void {
  withLogOptions(
    program
      .command('consume')
      .description('print the records of a topic')
      .argument('<topic>', 'the topic to read')
      .option('--from-beginning', 'start at the oldest record instead of new ones only')
      .option('--max-messages <n>', 'stop after this many records', positiveInteger('--max-messages'))
      .option('--timeout-ms <ms>', 'stop when no record arrives for this long', positiveInteger('--timeout-ms'))
      .option('--key', 'print the key before the value, separated by a tab'),
  ).action(async (topic: string, options: ConsumeOptions) => {
    const log = await openLogFor(options);
    let stop = false;
    const onSignal = () => {
      stop = true;
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let count = 0;
    try {
      const reader = await log.openReader(topic, { kind: options.fromBeginning ? 'earliest' : 'latest' });
      let idleSince = Date.now();
      while (!stop && (options.maxMessages === undefined || count < options.maxMessages)) {
        const wait =
          options.timeoutMs === undefined
            ? 500
            : Math.max(0, Math.min(500, idleSince + options.timeoutMs - Date.now()));
        const records = await reader.poll(
          Math.min(1000, (options.maxMessages ?? Number.MAX_SAFE_INTEGER) - count),
          wait,
        );
        if (records.length === 0) {
          if (options.timeoutMs !== undefined && Date.now() - idleSince >= options.timeoutMs) break;
          continue;
        }
        idleSince = Date.now();
        let out = '';
        for (const record of records) {
          const value = record.value === null ? 'null' : record.value.toString('utf8');
          out += options.key
            ? `${record.key === null ? 'null' : record.key.toString('utf8')}\t${value}\n`
            : `${value}\n`;
        }
        count += records.length;
        if (!process.stdout.write(out)) await new Promise((resolve) => process.stdout.once('drain', resolve));
      }
      await reader.close();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await log.close();
    }
    process.stderr.write(`Processed a total of ${count} messages\n`);
  });
}
