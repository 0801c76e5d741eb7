import type { Command } from 'commander';
import { RivuletError } from '../common/errors.ts';
import { findInstance } from '../embedded/instance.ts';
import { localEngineToken } from './local-engines.ts';

export interface EngineOptions {
  readonly engine?: string;
  readonly dataDir: string;
}

export function withEngineOptions(command: Command): Command {
  return command
    .option(
      '--engine <url>',
      'REST API of the engine, or flink://host:port for a Flink SQL Gateway (default: the running instance of --data-dir)',
    )
    .option('--data-dir <dir>', 'data directory of the running instance', '.rivulet');
}

/**
 * The bearer token for the engine at `restUrl`: RIVULET_REST_TOKEN when set, otherwise that of the
 * engine this user started on that loopback port (see local-engines.ts).
 */
export function engineToken(restUrl: string): string | undefined {
  return process.env.RIVULET_REST_TOKEN || localEngineToken(restUrl);
}

/** Calls the engine's REST API; its `errors` become one RivuletError. */
export async function callEngine<T>(options: EngineOptions, method: string, path: string, body?: unknown): Promise<T> {
  const base = (options.engine ?? findInstance(options.dataDir).restUrl).replace(/\/$/, '');
  const token = engineToken(base);
  let response: Response;
  try {
    const headers: Record<string, string> = {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
    response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (cause) {
    throw new RivuletError(
      'ENGINE_UNREACHABLE',
      `cannot reach the engine at ${base}: ${(cause as Error).message}`,
      'start it with `npm start` or pass --engine URL',
      { cause },
    );
  }
  const text = await response.text();
  const json = text ? (JSON.parse(text) as T & { errors?: string[] }) : ({} as T & { errors?: string[] });
  if (!response.ok) {
    const message = json.errors?.join('\n') ?? `HTTP ${response.status}`;
    // The engine already formatted a located SQL error: pass it through as it is.
    const located = /^error\[([A-Z_]+)\]: ([\s\S]*?)(?:\n {2}hint: ([\s\S]*))?$/.exec(message);
    if (located) throw new RivuletError(located[1] as string, located[2] as string, located[3]);
    if (response.status === 401) {
      throw new RivuletError(
        'ENGINE_UNAUTHORIZED',
        message,
        token
          ? 'the token sent is not that of this engine: set RIVULET_REST_TOKEN to the one in its <data-dir>/rest-token (or the one rivulet up was given)'
          : 'no token of this engine is known here (another user or machine started it): set RIVULET_REST_TOKEN to its token (in its <data-dir>/rest-token)',
      );
    }
    throw new RivuletError('ENGINE_ERROR', message);
  }
  return json;
}
