import { useEffect, useState } from 'preact/hooks';
import type { Snapshot } from './types.ts';

const TOKEN_KEY = 'rivulet-token';

/**
 * A link `http://127.0.0.1:8081/#token=…` hands the token to the page: a fragment is never sent
 * to the server. It is kept in this tab's sessionStorage and removed from the address bar at once.
 */
export function takeTokenFromFragment(): void {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1] as string));
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  if (token.trim() === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token.trim());
}

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** A request that needs the token: JSON in, JSON out. */
export async function call(method: 'POST' | 'PATCH', path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${storedToken() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

/** The errors of a Flink-style error body, as one text. */
export function errorsOf(answer: Answer): string {
  const errors = (answer.body as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.join('\n') : String(answer.body);
}

export interface Live {
  readonly snapshot: Snapshot | undefined;
  readonly connected: boolean;
}

/**
 * The latest snapshot of GET /events?<query> (`job=<id>` for a job's page, `view=cdc`, …). The browser connects
 * again by itself after a broken stream; when it gives up (the engine was down when it tried),
 * the page opens a new stream every 2 s until the engine answers.
 */
export function useLive(query: string): Live {
  const [live, setLive] = useState<Live>({ snapshot: undefined, connected: false });
  useEffect(() => {
    let source: EventSource | undefined;
    let retry: number | undefined;
    const connect = () => {
      source = new EventSource(`/events${query === '' ? '' : `?${query}`}`);
      source.addEventListener('snapshot', (event) => {
        setLive({ snapshot: JSON.parse((event as MessageEvent<string>).data) as Snapshot, connected: true });
      });
      source.onerror = () => {
        setLive((previous) => ({ ...previous, connected: false }));
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retry = window.setTimeout(connect, 2000);
        }
      };
    };
    connect();
    return () => {
      source?.close();
      window.clearTimeout(retry);
    };
  }, [query]);
  return live;
}
