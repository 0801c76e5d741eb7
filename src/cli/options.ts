import { readFileSync } from 'node:fs';
import { RivuletError } from '../common/errors.ts';
import { parseMemorySize } from '../state/memory-size.ts';

/** A commander argument parser for a TCP port that names the option at fault. */
export function portOption(option: string): (value: string) => number {
  return (value) => {
    const port = Number(value);
    if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
      throw new RivuletError('BAD_OPTION', `${option} must be a TCP port (1-65535), got '${value}'`);
    }
    return port;
  };
}

/** A commander argument parser for a number above 0 that names the option at fault. */
export function positiveNumberOption(option: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
      throw new RivuletError('BAD_OPTION', `${option} must be a number above 0, got '${value}'`);
    }
    return number;
  };
}

/** A commander argument parser for a whole number above 0 that names the option at fault. */
export function positiveIntegerOption(option: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
      throw new RivuletError('BAD_OPTION', `${option} must be a whole number above 0, got '${value}'`);
    }
    return Number(value);
  };
}

/** A memory size option such as `512mb` or `2gb` (Flink's MemorySize syntax). */
export function memorySizeOption(option: string): (value: string) => number {
  return (value) => {
    const bytes = parseMemorySize(value);
    if (bytes === undefined)
      throw new RivuletError('BAD_OPTION', `${option} must be a memory size such as 512mb or 2gb, got '${value}'`);
    return bytes;
  };
}

export type Defines = ReadonlyMap<string, string>;

/** Accumulates repeated `-D NAME=VALUE` options into a map. */
export function collectDefine(value: string, previous: Defines): Defines {
  const match = /^([A-Za-z_][A-Za-z0-9_.]*)=(.*)$/s.exec(value);
  if (!match) throw new RivuletError('BAD_OPTION', `-D expects NAME=VALUE, got '${value}'`);
  return new Map([...previous, [match[1] as string, match[2] as string]]);
}

/** The text of a file the user named (`what` says how, e.g. the option), or an error saying why it cannot be read. */
export function readNamedFile(file: string, what = file): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new RivuletError(
      'FILE_NOT_READABLE',
      `cannot read ${what}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      undefined,
      { cause },
    );
  }
}
