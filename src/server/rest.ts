import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { formatError, isRivuletError } from '../common/errors.ts';
import type { Engine } from '../runtime/engine.ts';
import type { Job } from '../runtime/job.ts';

/** A job as Flink's REST API describes it in /jobs/overview. */
function overview(job: Job) {
  const end = job.status === 'RUNNING' || job.status === 'CREATED' ? -1 : (job.endedAt ?? Date.now());
  return {
    jid: job.id,
    name: job.plan.name,
    state: job.status,
    'start-time': job.startedAt,
    'end-time': end,
    duration: (end === -1 ? Date.now() : end) - job.startedAt,
    'last-modification': job.endedAt ?? job.startedAt,
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The engine's HTTP API on loopback, with Flink's paths and field names where Flink has them:
 * GET /jobs/overview, PATCH /jobs/:id?mode=cancel, and POST /sql to submit a script.
 */
export function startRestServer(engine: Engine, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    handle(engine, request, response).catch((error: unknown) => {
      send(response, isRivuletError(error) ? 400 : 500, { errors: [formatError(error)] });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function handle(engine: Engine, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/$/, '');
  if (request.method === 'GET' && path === '/jobs/overview') {
    send(response, 200, { jobs: [...engine.jobs.values()].map(overview) });
    return;
  }
  const job = /^\/jobs\/([0-9a-f]{32})$/.exec(path);
  if (job) {
    const found = engine.get(job[1] as string);
    if (!found) {
      send(response, 404, { errors: [`Job ${job[1]} not found`] });
      return;
    }
    if (request.method === 'PATCH') {
      if (url.searchParams.get('mode') !== 'cancel') {
        send(response, 400, { errors: ['only mode=cancel is supported: PATCH /jobs/<id>?mode=cancel'] });
        return;
      }
      await engine.cancel(found.id);
      send(response, 202, {});
      return;
    }
    if (request.method === 'GET') {
      send(response, 200, { ...overview(found), ...(found.failure ? { 'failure-cause': found.failure.message } : {}) });
      return;
    }
  }
  if (request.method === 'POST' && path === '/sql') {
    const body = JSON.parse(await readBody(request)) as {
      name?: string;
      script: string;
      variables?: Record<string, string>;
    };
    const jobs = await engine.submit(
      body.name ?? 'script.sql',
      body.script,
      new Map(Object.entries(body.variables ?? {})),
    );
    send(response, 200, { jobs: jobs.map((j) => ({ jid: j.id, name: j.plan.name })) });
    return;
  }
  send(response, 404, { errors: [`Not found: ${request.method} ${path}`] });
}
