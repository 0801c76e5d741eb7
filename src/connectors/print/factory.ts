import type { ConnectorFactory } from '../factory.ts';
import { opt } from '../options.ts';
import type { SinkContext, SinkWriter } from '../sink-writer.ts';
import { keepStdoutLine } from '../stdout-lines.ts';
import { rowText } from './row-text.ts';

/**
 * Flink's `print` sink: every change as a line, `+I[1, a]`, after `<print-identifier>> ` when one
 * is set, on the engine's standard output (or error), and kept for the job's printed lines.
 */
export const printFactory: ConnectorFactory = {
  identifier: 'print',
  description: "every change as a line (+I[1, a]) on the engine's output and in the job's printed lines",
  options: [
    opt.string('connector', "'print'", { required: true }),
    opt.string('print-identifier', 'a prefix of each line: `<identifier>> +I[…]`'),
    opt.boolean('standard-error', 'print to standard error instead of standard output', { default: 'false' }),
    opt.int(
      'sink.parallelism',
      "parallelism of the sink: 1; the lines of a parallel job's subtasks carry their number",
    ),
  ],
  sink: {
    // Flink's print sink takes the changelog it is given: updates and deletes print as -U, +U, -D.
    accepts: () => 'upsert',
    open: openPrintSink,
  },
  validate(_table, options) {
    const parallelism = options.get('sink.parallelism');
    if (parallelism === undefined || parallelism === 1) return undefined;
    return {
      message: `'sink.parallelism' = '${parallelism}' is not supported: a print sink has no parallelism of its own; a job's 'parallelism.default' numbers its lines by subtask`,
      option: 'sink.parallelism',
      hint: "remove 'sink.parallelism' or set it to 1",
    };
  },
};

async function openPrintSink(context: SinkContext): Promise<SinkWriter> {
  const { table, jobName } = context;
  const prefix = printPrefix(table.options.get('print-identifier'), context.subtask);
  const stream = table.options.get('standard-error') === true ? process.stderr : process.stdout;
  const text = rowText(table.fields.map((field) => field.type));
  return {
    write(changes) {
      let out = '';
      for (const change of changes) {
        const line = `${prefix}${text(change.kind, change.row)}`;
        keepStdoutLine(jobName, line);
        out += `${line}\n`;
      }
      if (out !== '') stream.write(out);
    },
  };
}

/**
 * What precedes each line, as Flink's PrintSinkOutputWriter builds it: the identifier, then, with
 * more than one subtask, the subtask's index + 1 (after a `:` when there is an identifier), then `> `.
 */
export function printPrefix(
  identifier: string | number | boolean | undefined,
  subtask: { readonly index: number; readonly parallelism: number } | undefined,
): string {
  let prefix = identifier === undefined ? '' : String(identifier);
  if (subtask && subtask.parallelism > 1) prefix += `${prefix === '' ? '' : ':'}${subtask.index + 1}`;
  return prefix === '' ? '' : `${prefix}> `;
}
