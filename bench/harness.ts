import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

export interface Measurement {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The figure the issue asks for, as text, to print beside the measurement. */
  readonly target?: string;
}

/** Median of `runs` timings of `fn` (each after a warm-up run), in milliseconds. */
export function medianMillis(fn: () => void, runs = 7): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

function commit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Prints the measurements as a table and writes them to bench/results/<time>.json. */
export function report(measurements: readonly Measurement[]): void {
  const machine = `${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), Node ${process.version}, commit ${commit()}`;
  const width = Math.max(...measurements.map((m) => m.name.length));
  const lines = [machine, ''];
  for (const m of measurements) {
    const value = m.value >= 100 ? Math.round(m.value).toLocaleString('en-US') : m.value.toFixed(2);
    lines.push(
      `${m.name.padEnd(width)}  ${value.padStart(14)} ${m.unit.padEnd(12)}${m.target ? `  target ${m.target}` : ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ machine, cores: availableParallelism(), commit: commit(), measurements }, null, 2)}\n`,
  );
  process.stdout.write(`\nwritten to ${file}\n`);
}
