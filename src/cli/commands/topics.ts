import type { Command } from 'commander';
import { type LogOptions, openLogFor, withLogOptions } from '../log-option.ts';

export function registerTopics(program: Command): void {
  withLogOptions(program.command('topics').description('list the topics of the log')).action(
    async (options: LogOptions) => {
      const log = await openLogFor(options);
      try {
        const topics = await log.describeTopics();
        const rows = [
          ['TOPIC', 'PARTITIONS', 'MESSAGES', 'SIZE', 'CLEANUP'],
          ...topics.map((t) => [
            t.name,
            String(t.partitions),
            String(t.messages),
            formatBytes(t.bytes),
            t.compacted ? 'compact' : 'delete',
          ]),
        ];
        const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
        for (const row of rows)
          process.stdout.write(
            `${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}\n`,
          );
      } finally {
        await log.close();
      }
    },
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
