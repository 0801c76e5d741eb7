/**
 * `--engine flink://host:port`: the same commands against an Apache Flink SQL Gateway (its REST
 * endpoint, API v2) instead of a Rivulet engine. A script goes statement by statement into one
 * session, as Flink's SQL client sends it; each INSERT or statement set comes back as a job id.
 */
import { RivuletError } from '../common/errors.ts';
import type { StatementResult } from '../plan/show/result.ts';
import { scan } from '../sql/scan.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import { substituteVariables } from '../sql/substitute.ts';

const SCHEME = 'flink://';
/** How often an operation that has no result yet is asked again. */
const POLL_MS = 100;

export function isFlinkEngine(engine: string | undefined): engine is string {
  return engine?.startsWith(SCHEME) === true;
}

/** One statement of a script: its text and where it starts. */
export interface ScriptStatement {
  readonly text: string;
  readonly start: number;
}

/**
 * The statements of a script, split at `;` outside quotes and comments, comments dropped; a
 * `[EXECUTE] STATEMENT SET BEGIN … END` block is one statement (the `END` of a `CASE` inside it is not its end).
 */
export function splitStatements(text: string): ScriptStatement[] {
  const statements: ScriptStatement[] = [];
  let current = '';
  let start = -1;
  let inSet = false;
  let cases = 0;
  const end = () => {
    if (current.trim() !== '') statements.push({ text: current.trim(), start });
    current = '';
    start = -1;
  };
  for (const stretch of scan(text)) {
    const piece = text.slice(stretch.start, stretch.end);
    if (stretch.kind === 'comment') {
      current += ' ';
      continue;
    }
    if (stretch.kind !== 'code') {
      if (start < 0) start = stretch.start;
      current += piece;
      continue;
    }
    for (const token of piece.match(/[A-Za-z_][A-Za-z0-9_$]*|;|[^A-Za-z_;]+/g) ?? []) {
      if (token === ';' && !inSet) {
        end();
        continue;
      }
      const word = token.toUpperCase();
      if (word === 'BEGIN' && /STATEMENT\s+SET\s*$/i.test(current)) inSet = true;
      else if (inSet && word === 'CASE') cases++;
      else if (inSet && word === 'END') {
        if (cases > 0) cases--;
        else inSet = false;
      }
      if (start < 0 && token.trim() !== '') start = stretch.start + piece.indexOf(token);
      current += token;
    }
  }
  end();
  return statements;
}

/** A Rivulet function module (`AS 'path/module.ts#export'`): Flink loads Java classes only. */
const MODULE_FUNCTION = /^CREATE\s+(?:TEMPORARY\s+)?(?:SYSTEM\s+)?FUNCTION\s+(.+?)\s+AS\s+'([^']*#[^']*)'/is;

/** The Rivulet-only parts of a script, refused before anything is sent to Flink. */
function refuseRivuletOnly(source: SqlSource, statements: readonly ScriptStatement[]): void {
  for (const statement of statements) {
    const module = MODULE_FUNCTION.exec(statement.text);
    if (module) {
      throw new SqlError(
        'FLINK_UNSUPPORTED',
        source,
        statement.start,
        `function ${module[1]} is a Rivulet function module ('${module[2]}'), which Flink cannot load`,
        "Flink's CREATE FUNCTION names a Java class (AS 'com.example.MyFunction' USING JAR '…'): write the function for Flink, or run the script on Rivulet",
      );
    }
  }
}

interface FetchResult {
  readonly resultType: 'NOT_READY' | 'PAYLOAD' | 'EOS';
  readonly jobID?: string;
  readonly nextResultUri?: string;
  readonly results?: {
    readonly columns?: readonly { readonly name: string }[];
    readonly data?: readonly { readonly kind: string; readonly fields: readonly unknown[] }[];
  };
}

/** A session of the gateway at `engine` (flink://host:port). */
export class FlinkGatewaySession {
  private constructor(
    private readonly base: string,
    private readonly handle: string,
  ) {}

  static async open(engine: string): Promise<FlinkGatewaySession> {
    const base = `http://${engine.slice(SCHEME.length).replace(/\/$/, '')}`;
    const { sessionHandle } = await call<{ sessionHandle: string }>(base, 'POST', '/v2/sessions', {
      sessionName: 'rivulet',
      properties: {},
    });
    return new FlinkGatewaySession(base, sessionHandle);
  }

  /** Runs one statement to its end; its columns and rows, and its job id when it started one. */
  async execute(statement: string): Promise<{ jobId?: string; columns: string[]; rows: unknown[][] }> {
    const session = `/v2/sessions/${this.handle}`;
    const { operationHandle } = await call<{ operationHandle: string }>(this.base, 'POST', `${session}/statements`, {
      statement,
    });
    let next: string | undefined = `${session}/operations/${operationHandle}/result/0?rowFormat=JSON`;
    let jobId: string | undefined;
    let columns: string[] = [];
    const rows: unknown[][] = [];
    while (next) {
      const result: FetchResult = await call<FetchResult>(this.base, 'GET', next);
      if (result.resultType === 'NOT_READY') {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
      jobId ??= result.jobID;
      if (result.results?.columns?.length) columns = result.results.columns.map((column) => column.name);
      for (const row of result.results?.data ?? []) rows.push([...row.fields]);
      next = result.resultType === 'EOS' ? undefined : result.nextResultUri;
    }
    // An INSERT's answer is one row with the column `job id`, also where the response has no jobID.
    if (jobId === undefined && columns.length === 1 && columns[0] === 'job id') jobId = String(rows[0]?.[0]);
    return { ...(jobId ? { jobId } : {}), columns, rows };
  }

  /** The session's configuration: the gateway's defaults and what the session SET. */
  async configuration(): Promise<Record<string, string>> {
    return (await call<{ properties: Record<string, string> }>(this.base, 'GET', `/v2/sessions/${this.handle}`))
      .properties;
  }

  async close(): Promise<void> {
    await call(this.base, 'DELETE', `/v2/sessions/${this.handle}`).catch(() => undefined);
  }
}

async function call<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  } catch (cause) {
    throw new RivuletError(
      'ENGINE_UNREACHABLE',
      `cannot reach the Flink SQL Gateway at ${base}: ${(cause as Error).message}`,
      'start one (sql-gateway.sh start, or scripts/flink/run.ts --gateway-port PORT) or check the address in flink://host:port',
      { cause },
    );
  }
  const text = await response.text();
  const json = (text ? JSON.parse(text) : {}) as T & { errors?: string[] };
  if (!response.ok) throw new Error(flinkCause(json.errors ?? [`HTTP ${response.status}`]));
  return json;
}

/** Flink's answer to a failed statement is its stack trace; the deepest `Caused by` says what is wrong. */
function flinkCause(errors: readonly string[]): string {
  const trace = errors.join('\n');
  const causes = [...trace.matchAll(/^Caused by: (?:[\w.$]+: )?(.*)$/gm)].map((match) => match[1] as string);
  return (
    causes.at(-1) ?? errors.find((line) => line.trim() !== '' && !line.startsWith('Internal server error')) ?? trace
  );
}

/** `rivulet sql -f FILE --engine flink://…`: the script's ${NAME}s filled, its statements run in one session. */
export async function submitToFlink(
  engine: string,
  name: string,
  text: string,
  variables: ReadonlyMap<string, string>,
): Promise<{ jobs: { jid: string; name: string }[]; results: StatementResult[] }> {
  const source = substituteVariables(name, text, variables);
  const statements = splitStatements(source.text);
  refuseRivuletOnly(source, statements);
  const session = await FlinkGatewaySession.open(engine);
  const jobs: { jid: string; name: string }[] = [];
  const results: StatementResult[] = [];
  // Jobs are named as Rivulet names those of a script without 'pipeline.name': <file>#<n>.
  let named = false;
  try {
    for (const statement of statements) {
      const isJob = /^(?:INSERT|EXECUTE\s+STATEMENT\s+SET|STATEMENT\s+SET|EXECUTE\s+INSERT)\b/i.test(statement.text);
      const jobName = `${name}#${jobs.length + 1}`;
      try {
        if (/^SET\s+'pipeline\.name'/i.test(statement.text)) named = true;
        if (isJob && !named) await session.execute(`SET 'pipeline.name' = '${jobName.replaceAll("'", "''")}'`);
        const answer = await session.execute(statement.text);
        if (answer.jobId) jobs.push({ jid: answer.jobId, name: named ? '(pipeline.name)' : jobName });
        else if (/^(?:SHOW|DESCRIBE|DESC|EXPLAIN)\b/i.test(statement.text))
          results.push({
            kind: 'table',
            statement: statement.text,
            columns: answer.columns,
            rows: answer.rows.map((row) => row.map((cell) => (cell === null ? null : String(cell)))),
          });
        if (isJob) named = false;
      } catch (error) {
        if (error instanceof RivuletError) throw error;
        throw new SqlError(
          'FLINK_STATEMENT_FAILED',
          source,
          statement.start,
          `Flink refused the statement: ${(error as Error).message}`,
          jobs.length > 0
            ? `the jobs started before it keep running: ${jobs.map((job) => job.jid).join(', ')}`
            : undefined,
        );
      }
    }
  } finally {
    await session.close();
  }
  return { jobs, results };
}

/** The options of `rivulet sql` that only Rivulet has, named in the error when given with a Flink engine. */
export function refuseRivuletOnlyOptions(options: { readonly fromScratch?: boolean }): void {
  if (options.fromScratch) {
    throw new RivuletError(
      'FLINK_UNSUPPORTED',
      '--from-scratch is a Rivulet option (it reads the sources again instead of resuming a stopped job of the script); a Flink SQL Gateway has no such positions to drop',
      "leave it out: Flink starts a submitted job from its sources' start-up options unless 'execution.savepoint.path' is SET",
    );
  }
}

/** The jobs of the cluster behind the gateway (SHOW JOBS), as `rivulet list` shows them. */
export async function flinkJobs(
  engine: string,
): Promise<{ jid: string; name: string; state: string; 'start-time': number }[]> {
  const session = await FlinkGatewaySession.open(engine);
  try {
    const { columns, rows } = await session.execute('SHOW JOBS');
    const at = (name: string) => columns.indexOf(name);
    return rows.map((row) => ({
      jid: String(row[at('job id')]),
      name: String(row[at('job name')]),
      state: String(row[at('status')]),
      'start-time': Date.parse(String(row[at('start time')])),
    }));
  } finally {
    await session.close();
  }
}

/** Where `rivulet stop --savepoint` puts the savepoint: the directory given, else the gateway's `state.savepoints.dir`. */
export type SavepointRequest = { readonly dir?: string } | undefined;

/**
 * `STOP JOB '<id>'` through the gateway. Without a savepoint, Flink 1.18's gateway cancels the job
 * (its state is gone); with one, it stops the job with a savepoint in the session's
 * `state.savepoints.dir` and answers its path. Refused before anything is stopped when a savepoint
 * is asked for and no directory is known.
 */
export async function stopFlinkJob(
  engine: string,
  jobId: string,
  savepoint: SavepointRequest,
): Promise<string | undefined> {
  const session = await FlinkGatewaySession.open(engine);
  try {
    if (savepoint?.dir !== undefined)
      await session.execute(`SET 'state.savepoints.dir' = '${savepoint.dir.replaceAll("'", "''")}'`);
    else if (savepoint && !(await session.configuration())['state.savepoints.dir']) {
      throw new RivuletError(
        'FLINK_NO_SAVEPOINT_DIR',
        `cannot stop job ${jobId} with a savepoint: the Flink SQL Gateway at ${engine} has no 'state.savepoints.dir'`,
        'give the directory (--savepoint file:///path or a path the JobManager can write), or stop without --savepoint (Flink then cancels the job and its state is gone)',
      );
    }
    const { rows } = await session.execute(`STOP JOB '${jobId}'${savepoint ? ' WITH SAVEPOINT' : ''}`);
    return savepoint ? String(rows[0]?.[0]) : undefined;
  } catch (error) {
    if (error instanceof RivuletError) throw error;
    throw new RivuletError('ENGINE_ERROR', `Flink could not stop job ${jobId}: ${(error as Error).message}`);
  } finally {
    await session.close();
  }
}
