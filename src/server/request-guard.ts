import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Why a request is not served: the status of the answer and its message. */
export interface Refusal {
  readonly status: 400 | 401 | 403 | 413 | 415;
  readonly message: string;
}

/** Flink's default for rest.server.max-content-length is 100 MiB; a SQL script needs far less. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A body as JSON, or why it was refused. */
export type JsonBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'refused'; readonly refusal: Refusal };

function isMutating(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/json\s*(?:;|$)/i.test(contentType?.trim() ?? '');
}

/** Shortens what a client sent before it is quoted in an answer. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * Who may call the REST API, checked before any route (see docs/rest.md, Security). The server
 * listens on loopback, but a web page the user visits can still send requests to it: a form or
 * `fetch` with `text/plain` (a simple request, which no CORS preflight stops), or through a name of
 * its own that resolves to 127.0.0.1 (DNS rebinding). So:
 *
 * - the Host header must name this server as bound (`127.0.0.1:<port>` or `localhost:<port>`);
 * - a request from a browser must come from the same origin: a foreign `Origin`, or a
 *   `Sec-Fetch-Site` other than same-origin (or none, typed by the user), is refused;
 * - every request that may change something (all but GET and HEAD) needs the bearer token;
 * - a body must be JSON (`Content-Type: application/json`) of at most `maxBodyBytes`.
 */
export class RequestGuard {
  private readonly hosts: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;
  private readonly token: Buffer;

  constructor(
    port: number,
    token: string,
    readonly maxBodyBytes = MAX_BODY_BYTES,
  ) {
    const names = ['127.0.0.1', 'localhost'];
    const hosts = names.map((name) => `${name}:${port}`);
    if (port === 80) hosts.push(...names);
    this.hosts = new Set(hosts);
    this.origins = new Set(hosts.map((host) => `http://${host}`));
    this.token = Buffer.from(token);
  }

  /** Why the request is refused before its route is looked at, or undefined when it may go on. */
  check(request: IncomingMessage): Refusal | undefined {
    const host = request.headers.host?.toLowerCase();
    if (host === undefined || !this.hosts.has(host)) {
      return {
        status: 403,
        message: `Forbidden: the Host header ${quoted(host ?? '')} does not name this server (${[...this.hosts][0]}); requests through other names are refused`,
      };
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) {
      return {
        status: 403,
        message: `Forbidden: cross-origin requests are refused (Origin ${quoted(origin)}); use the API from ${[...this.origins][0]} or outside a browser`,
      };
    }
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return { status: 403, message: `Forbidden: cross-site requests are refused (Sec-Fetch-Site: ${quoted(site)})` };
    }
    const method = request.method ?? 'GET';
    if (isMutating(method) && !this.authorized(request)) {
      return {
        status: 401,
        message: request.headers.authorization
          ? 'Unauthorized: the bearer token is not valid'
          : 'Unauthorized: this request needs the header Authorization: Bearer <token> (the token is in <data-dir>/rest-token unless rivulet up was given another)',
      };
    }
    if (hasBody(request) && !isJson(request.headers['content-type'])) {
      return {
        status: 415,
        message: `Unsupported Media Type: the body must be JSON with Content-Type: application/json, not ${quoted(request.headers['content-type'] ?? 'none')}`,
      };
    }
    if (Number(request.headers['content-length'] ?? 0) > this.maxBodyBytes) return this.tooLarge();
    return undefined;
  }

  /** Reads the body as JSON; stops reading, and refuses, as soon as it grows beyond the limit. */
  readJson(request: IncomingMessage): Promise<JsonBody> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= this.maxBodyBytes) {
          chunks.push(chunk);
          return;
        }
        request.off('data', onData).off('end', onEnd);
        request.resume(); // the rest is read and dropped, never kept
        resolve({ kind: 'refused', refusal: this.tooLarge() });
      };
      const onEnd = () => resolve(parseJson(Buffer.concat(chunks).toString('utf8')));
      request.on('data', onData).once('end', onEnd).once('error', reject);
    });
  }

  /** Whether the request carries the bearer token (compared in constant time). */
  private authorized(request: IncomingMessage): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) return false;
    const given = Buffer.from(match[1] as string);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  private tooLarge(): Refusal {
    return { status: 413, message: `Payload Too Large: the body may have at most ${this.maxBodyBytes} bytes` };
  }
}

function parseJson(text: string): JsonBody {
  if (text.trim() === '')
    return { kind: 'refused', refusal: { status: 400, message: 'Bad Request: the body is empty; send a JSON object' } };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch (error) {
    // V8 quotes the start of the text in some messages; the body is not echoed.
    const why = (error as Error).message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, ' is not valid JSON');
    return { kind: 'refused', refusal: { status: 400, message: `Bad Request: the body is not valid JSON: ${why}` } };
  }
}
