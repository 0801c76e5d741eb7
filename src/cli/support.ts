import pg from 'pg';
import { RivuletError } from '../common/errors.ts';
import type { RunningInstance } from '../embedded/instance.ts';
import { engineToken } from './engine-client.ts';

/** Helpers shared by the commands that work against a running instance (`validate`, `stress`). */

/** A duration in milliseconds: `250`, `250ms`, `5s`, `1.5s`, `1m`. */
export function parseDuration(option: string): (value: string) => number {
  return (value) => {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim());
    const ms = match ? Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 }[match[2] ?? 'ms'] ?? 1) : Number.NaN;
    if (!(ms > 0)) {
      throw new RivuletError(
        'BAD_OPTION',
        `${option} must be a duration, got '${value}'`,
        'milliseconds (5000) or with a unit: 500ms, 5s, 1m',
      );
    }
    return Math.round(ms);
  };
}

const COLOURS = { red: 31, green: 32, yellow: 33, blue: 34, cyan: 36 } as const;
export type Colour = keyof typeof COLOURS;

/** Whether text output is coloured: on a terminal, not for --json, and not under NO_COLOR. */
export function useColour(json: boolean | undefined): boolean {
  return !json && process.stdout.isTTY === true && !process.env.NO_COLOR;
}

/** Paints text in a colour when `colour` is on. */
export function painter(colour: boolean): (name: Colour, text: string) => string {
  return (name, text) => (colour ? `\x1b[${COLOURS[name]}m${text}\x1b[0m` : text);
}

/** The URL of a database on the instance's embedded server, with its password: to connect with, never to show. */
export function databaseUrl(instance: RunningInstance, database: string): string {
  const password = instance.postgresPassword === undefined ? '' : `:${encodeURIComponent(instance.postgresPassword)}`;
  return `postgresql://postgres${password}@127.0.0.1:${instance.postgresPort}/${database}`;
}

/** A connected client, or the connection error (the half-open client closed). */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** GET a JSON document from the engine's REST API (with its token, when known). */
export async function getJson<T>(base: string, path: string, timeoutMs: number): Promise<T> {
  const token = engineToken(base);
  const response = await fetch(`${base.replace(/\/$/, '')}${path}`, {
    signal: AbortSignal.timeout(timeoutMs),
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${path}`);
  return (await response.json()) as T;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The nearest-rank percentile `p` (0–100) of `values`; 0 when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `check` every `intervalMs` until it returns a value; undefined once `timeoutMs` has passed without one. */
export async function until<T>(
  timeoutMs: number,
  intervalMs: number,
  check: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) return undefined;
    await sleep(intervalMs);
  }
}
