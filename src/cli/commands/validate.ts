import type { Command } from 'commander';
import { formatError } from '../../common/errors.ts';
import { findInstance } from '../../embedded/instance.ts';
import { callEngine } from '../engine-client.ts';
import { painter, parseDuration, useColour } from '../support.ts';
import { languageOf, messagesFor } from '../validate/messages.ts';
import { validate } from '../validate/run.ts';
import type { Check, Reporter, ValidationResult } from '../validate/validation-run.ts';

export { parseDuration } from '../support.ts';

interface ValidateOptions {
  readonly dataDir: string;
  readonly maxLatency: number;
  readonly timeout: number;
  readonly json?: boolean;
}

function textReporter(colour: boolean): Reporter {
  const paint = painter(colour);
  const write = (text: string) => process.stdout.write(`${text}\n`);
  return {
    step: (text) => write(`${paint('blue', '[STEP]')} ${text}`),
    check: (check: Check) => write(`  ${check.ok ? paint('green', '✅') : paint('red', '❌')} ${check.detail}`),
    info: (text) => write(`${paint('cyan', '[INFO]')} ${text}`),
    success: (text) => write(`${paint('green', '[SUCCESS]')} ${text}`),
    warn: (text) => write(`${paint('yellow', '[WARN]')} ${text}`),
    error: (text) => write(`${paint('red', '[ERROR]')} ${text}`),
    line: (text) => write(`  ${text}`),
  };
}

const silent: Reporter = {
  step: () => undefined,
  check: () => undefined,
  info: () => undefined,
  success: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  line: () => undefined,
};

function formatMax(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * `rivulet validate`: the seed's realtime_validation_test.sh as one command against the running
 * instance of --data-dir. Exit status 0 only when every check passed within --max-latency.
 */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check the running pipeline end to end with a test order, and report its latency')
    .option('--data-dir <dir>', 'data directory of the running instance', '.rivulet')
    .option(
      '--max-latency <duration>',
      'end-to-end latency limit (ms, or 500ms, 5s)',
      parseDuration('--max-latency'),
      5000,
    )
    .option(
      '--timeout <duration>',
      'how long each step may wait for the pipeline (ms, or 10s)',
      parseDuration('--timeout'),
      30_000,
    )
    .option('--json', 'print one JSON object instead of text')
    .action(async (options: ValidateOptions) => {
      const instance = findInstance(options.dataDir);
      const language = languageOf(process.env);
      const m = messagesFor(language);
      const colour = useColour(options.json);
      const reporter = options.json ? silent : textReporter(colour);
      if (!options.json) {
        const rule = '========================================';
        process.stdout.write(`${rule}\n${m.title}\n${rule}\n`);
      }
      const result = await validate({
        instance,
        maxLatencyMs: options.maxLatency,
        timeoutMs: options.timeout,
        messages: m,
        reporter,
      });
      await reportTrace(options.dataDir, result, reporter);
      if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else printSummary(result, reporter, language === 'zh', options.maxLatency);
      process.exitCode = result.ok ? 0 : 1;
    });
}

/** Hands the per-layer trace to the engine, whose dashboard shows it; a validation does not fail on it. */
async function reportTrace(dataDir: string, result: ValidationResult, out: Reporter): Promise<void> {
  if (result.latencies.length === 0) return;
  try {
    await callEngine({ dataDir }, 'POST', '/latency-trace', { ok: result.ok, changes: result.latencies });
  } catch (error) {
    out.warn(`the latency trace was not given to the dashboard: ${formatError(error)}`);
  }
}

function printSummary(result: ValidationResult, out: Reporter, zh: boolean, maxLatencyMs: number): void {
  const m = messagesFor(zh ? 'zh' : 'en');
  const write = (text: string) => process.stdout.write(`${text}\n`);
  if (result.ok) out.success(m.passed);
  else out.error(`❌ ${m.failed(result.failed ?? '')}`);
  if (result.performance && result.endToEnd) {
    const seconds = (ms: number) => (ms / 1000).toFixed(2);
    write('');
    write(m.reportTitle);
    write(m.reportData);
    write(m.ordersProcessed(result.performance.ordersProcessed));
    write(m.averageLatency(seconds(result.endToEnd.averageMs)));
    write(m.p99Latency(seconds(result.endToEnd.p99Ms)));
    write(m.reportCluster);
    write(m.taskManagers(result.performance.taskManagers));
    write(m.slotsTotal(result.performance.slotsTotal));
    write(m.slotsAvailable(result.performance.slotsAvailable));
    write(m.utilisation(result.performance.utilisationPercent));
    const excellent = result.endToEnd.maxMs < maxLatencyMs;
    (excellent ? out.success : out.error)(m.latencyVerdict(excellent, formatMax(maxLatencyMs)));
  }
}
