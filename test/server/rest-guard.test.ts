import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Engine } from '../../src/runtime/engine.ts';
import { MAX_BODY_BYTES } from '../../src/server/request-guard.ts';
import { type RestTestServer, startRestTestServer } from '../helpers/rest-server.ts';

const TOKEN = 'guard-test-token-7c1d0e9a';

/** A job a page would like to start: it copies a topic of this machine to another topic. */
const SCRIPT = `CREATE TABLE events_in (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'events',
    'properties.bootstrap.servers' = 'unused:9092', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
  CREATE TABLE copied (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'copied',
    'properties.bootstrap.servers' = 'unused:9092', 'format' = 'json');
  INSERT INTO copied SELECT id FROM events_in;`;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/**
 * One request with exactly these headers (node:http, not fetch, so that Host and Origin are what
 * a browser would send); `chunks` are written one by one, without a Content-Length.
 */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer | readonly Buffer[],
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const all = { host: `127.0.0.1:${port}`, ...headers };
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers: all }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', reject);
    if (Array.isArray(body)) for (const chunk of body) request.write(chunk);
    else if (body !== undefined) request.write(body);
    request.end();
  });
}

describe('the REST API refuses what a web page could make a browser send', () => {
  let engine: Engine;
  let port: number;
  const answers: string[] = [];

  async function call(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string | Buffer | readonly Buffer[],
  ) {
    const answer = await send(port, method, path, headers, body);
    answers.push(answer.text);
    return answer;
  }

  function errorOf(answer: Answer): string {
    const json = JSON.parse(answer.text) as { errors: string[] };
    assert.equal(json.errors.length, 1, answer.text);
    return json.errors[0] as string;
  }

  const json = { 'content-type': 'application/json' };
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const submission = JSON.stringify({ name: 'page.sql', script: SCRIPT });

  let rest: RestTestServer;
  before(async () => {
    rest = await startRestTestServer(TOKEN);
    ({ engine, port } = rest);
  });
  after(() => rest?.dispose());

  it('refuses a cross-origin text/plain POST /sql, the simple request a page sends without a preflight', async () => {
    // What `fetch('http://127.0.0.1:8081/sql', {method: 'POST', mode: 'no-cors', body})` sends from evil.example.
    const page = { origin: 'http://evil.example', 'content-type': 'text/plain;charset=UTF-8' };
    const attack = await call('POST', '/sql', { ...page, 'sec-fetch-site': 'cross-site' }, submission);
    assert.equal(attack.status, 403);
    assert.match(errorOf(attack), /cross-origin requests are refused/);
    assert.equal(attack.headers['access-control-allow-origin'], undefined);
    // Even a page that knew the token would be refused, for its origin and then for its content type.
    assert.equal((await call('POST', '/sql', { ...page, ...bearer }, submission)).status, 403);
    const plain = await call('POST', '/sql', { 'content-type': 'text/plain', ...bearer }, submission);
    assert.equal(plain.status, 415);
    assert.match(errorOf(plain), /the body must be JSON with Content-Type: application\/json/);
    const form = await call('POST', '/sql', { 'content-type': 'application/x-www-form-urlencoded', ...bearer }, 'a=1');
    assert.equal(form.status, 415);
    // The CORS preflight of a JSON request gets no permission either.
    const preflight = await call('OPTIONS', '/sql', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.equal(engine.jobs.size, 0, 'no job was started');
  });

  it('refuses a request through another name for 127.0.0.1 (DNS rebinding), on every route, even with the token', async () => {
    const rebound = { host: `evil.example:${port}` };
    const post = await call('POST', '/sql', { ...rebound, ...json, ...bearer }, submission);
    assert.equal(post.status, 403);
    assert.match(errorOf(post), /the Host header "evil\.example:\d+" does not name this server/);
    for (const path of ['/overview', '/jobs/overview', '/metrics', '/taskmanagers']) {
      assert.equal((await call('GET', path, rebound)).status, 403, path);
    }
    assert.equal((await call('GET', '/overview', { host: 'localhost.evil.example' })).status, 403);
    assert.equal((await call('GET', '/overview', { host: `127.0.0.1:${port + 1}` })).status, 403);
    assert.equal(engine.jobs.size, 0);
  });

  it('refuses POST without the bearer token, or with another, and PATCH too', async () => {
    const none = await call('POST', '/sql', json, submission);
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    assert.match(errorOf(none), /needs the header Authorization: Bearer <token>/);
    const wrong = await call(
      'POST',
      '/sql',
      { ...json, authorization: 'Bearer guard-test-token-7c1d0e9b' },
      submission,
    );
    assert.equal(wrong.status, 401);
    assert.match(errorOf(wrong), /the bearer token is not valid/);
    const cancel = await call('PATCH', '/jobs/0123456789abcdef0123456789abcdef?mode=cancel', {});
    assert.equal(cancel.status, 401);
    assert.equal(engine.jobs.size, 0);
  });

  it('answers malformed JSON and a body of the wrong shape with 400 and a message', async () => {
    const cases: [string, RegExp][] = [
      ['{"script": "SELECT 1"', /the body is not valid JSON: .*position/],
      ['not json at all', /the body is not valid JSON/],
      ['', /the body is empty/],
      ['[1, 2]', /must be a JSON object/],
      ['{"sql": "x"}', /unknown fields 'sql'/],
      ['{"script": 42}', /'script' must be a string/],
      ['{"script": "x", "variables": {"A": 1}}', /the values of variables must be strings; 'A' is not/],
    ];
    for (const [body, message] of cases) {
      const answer = await call('POST', '/sql', { ...json, ...bearer }, body);
      assert.equal(answer.status, 400, body);
      assert.match(errorOf(answer), message);
      assert.doesNotMatch(answer.text, /not json at/, 'the body is not echoed');
    }
    assert.equal(engine.jobs.size, 0);
  });

  it('refuses a body over the limit with 413, whether its length is declared or not', async () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    const declared = await call('POST', '/sql', { ...json, ...bearer, 'content-length': String(big.length) }, big);
    assert.equal(declared.status, 413);
    assert.match(errorOf(declared), new RegExp(`at most ${MAX_BODY_BYTES} bytes`));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const streamed = await call('POST', '/sql', { ...json, ...bearer }, Array(20).fill(chunk));
    assert.equal(streamed.status, 413);
    assert.equal(engine.jobs.size, 0);
  });

  it('serves GET without the token to the same origin, and starts the job for the token and JSON', async () => {
    const sameOrigin = { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' };
    assert.equal((await call('GET', '/jobs/overview', sameOrigin)).status, 200);
    assert.equal((await call('GET', '/overview', { host: `localhost:${port}` })).status, 200);
    assert.equal(
      (await call('GET', '/overview', { 'sec-fetch-site': 'none' })).status,
      200,
      'typed in the address bar',
    );
    const crossSite = await call('GET', '/overview', { 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
    const submitted = await call('POST', '/sql', { ...json, ...bearer, ...sameOrigin }, submission);
    assert.equal(submitted.status, 200, submitted.text);
    assert.equal(engine.jobs.size, 1);
    const [id] = [...engine.jobs.keys()];
    const cancel = await call('PATCH', `/jobs/${id}?mode=cancel`, bearer);
    assert.equal(cancel.status, 202, cancel.text);
  });

  it('never shows the token in an answer', () => {
    assert.ok(answers.length > 20);
    for (const text of answers) assert.ok(!text.includes(TOKEN), text);
  });
});
