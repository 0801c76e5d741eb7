import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { findInstance } from '../../embedded/instance.ts';
import { type StressMessages, stressMessagesFor } from '../stress/messages.ts';
import { stress } from '../stress/run.ts';
import type { StressReporter, StressResult } from '../stress/stress-run.ts';
import { painter, parseDuration, useColour } from '../support.ts';
import { languageOf } from '../validate/messages.ts';

interface StressOptions {
  readonly dataDir: string;
  readonly orders: number;
  readonly rate: number;
  readonly timeout: number;
  readonly json?: boolean;
  readonly keep?: boolean;
}

function positive(option: string, integer: boolean): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(n > 0) || (integer && !Number.isInteger(n))) {
      throw new RivuletError(
        'BAD_OPTION',
        `${option} must be a positive ${integer ? 'integer' : 'number'}, got '${value}'`,
        integer ? 'for example 100' : 'for example 20 or 0.5',
      );
    }
    return n;
  };
}

const silent: StressReporter = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  progress: () => undefined,
  endProgress: () => undefined,
};

/** Text output: a progress line redrawn in place on a terminal, a plain line every second otherwise. */
function textReporter(m: StressMessages, colour: boolean, tty: boolean): StressReporter {
  const paint = painter(colour);
  let shownAt = 0;
  let live = false;
  const write = (text: string) => {
    if (live) process.stdout.write('\r\x1b[K');
    live = false;
    process.stdout.write(`${text}\n`);
  };
  return {
    info: (text) => write(`${paint('cyan', '[INFO]')} ${text}`),
    warn: (text) => write(`${paint('yellow', '[WARN]')} ${text}`),
    error: (text) => write(`${paint('red', '[ERROR]')} ${text}`),
    progress: (figures, final) => {
      const now = Date.now();
      if (!final && now - shownAt < (tty ? 100 : 1000)) return;
      shownAt = now;
      if (tty) {
        process.stdout.write(`\r\x1b[K${m.progress(figures)}`);
        live = true;
      } else write(`${paint('blue', '[PROGRESS]')} ${m.progress(figures)}`);
    },
    endProgress: () => {
      if (live) process.stdout.write('\n');
      live = false;
    },
  };
}

/**
 * `rivulet stress`: the seed's continuous test against the running instance of --data-dir. Exit
 * status 0 only when every order is correct in both sink tables.
 */
export function registerStress(program: Command): void {
  program
    .command('stress')
    .description('drive orders through the pipeline and report latency')
    .option('--data-dir <dir>', 'data directory of the running instance', '.rivulet')
    .option('--orders <n>', 'how many orders to send', positive('--orders', true), 100)
    .option('--rate <r>', 'orders started per second', positive('--rate', false), 20)
    .option(
      '--timeout <duration>',
      'how long one change may take to reach the sink (ms, or 10s)',
      parseDuration('--timeout'),
      30_000,
    )
    .option('--json', 'print one JSON object instead of text')
    .option('--keep', 'keep the stress orders in source_db and sink_db afterwards')
    .action(async (options: StressOptions) => {
      const instance = findInstance(options.dataDir);
      const m = stressMessagesFor(languageOf(process.env));
      const colour = useColour(options.json);
      const reporter = options.json ? silent : textReporter(m, colour, process.stdout.isTTY === true);
      if (!options.json) {
        const rule = '========================================';
        process.stdout.write(`${rule}\n${m.title}\n${rule}\n`);
      }
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      let result: StressResult;
      try {
        result = await stress({
          instance,
          orders: options.orders,
          rate: options.rate,
          timeoutMs: options.timeout,
          keep: options.keep === true,
          messages: m,
          reporter,
          signal: abort.signal,
        });
      } finally {
        process.off('SIGINT', onSigint);
      }
      if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else printReport(result, m, colour);
      process.exitCode = result.ok ? 0 : 1;
    });
}

function printReport(result: StressResult, m: StressMessages, colour: boolean): void {
  const paint = painter(colour);
  const write = (text: string) => process.stdout.write(`${text}\n`);
  write('');
  write(m.reportTitle);
  write(`  • ${m.ordersCorrect(result.orders.correct, result.orders.requested)}`);
  const l = result.latency;
  write(`  • ${l ? m.latency(l.samples, l.p50Ms, l.p95Ms, l.p99Ms, l.maxMs) : m.noLatency}`);
  const t = result.throughput;
  write(`  • ${m.throughput(t.changesPerSecond, t.ordersPerSecond, t.targetOrdersPerSecond)}`);
  write(`  • ${m.errors(result.errors.length)}`);
  const shown = 20;
  for (const p of result.problems.slice(0, shown))
    write(`    ${paint('red', '❌')} ${m.problem(p.orderId, p.problem)}`);
  if (result.problems.length > shown) write(`    … (${result.problems.length - shown})`);
  for (const error of result.errors) write(`    ${paint('red', '❌')} ${error}`);
  write(result.ok ? paint('green', `[SUCCESS] ${m.passed}`) : paint('red', `[ERROR] ${m.failed}`));
}
