import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { planScriptWithFunctions } from '../../plan/planner.ts';
import { type StatementResult, tableau } from '../../plan/show/result.ts';
import { callEngine, type EngineOptions, withEngineOptions } from '../engine-client.ts';
import { flinkJobs, isFlinkEngine, refuseRivuletOnlyOptions, stopFlinkJob, submitToFlink } from '../flink-gateway.ts';
import { collectDefine, type Defines, readNamedFile } from '../options.ts';

interface JobOverview {
  readonly jid: string;
  readonly name: string;
  readonly state: string;
  readonly 'start-time': number;
  /** Rivulet's: the subtasks of a parallel job. */
  readonly rivulet?: { readonly parallelism?: number };
}

/** `rivulet sql -f FILE`: checks the script here (located errors), then submits it to the engine. */
export function registerJobCommands(program: Command): void {
  withEngineOptions(
    program
      .command('sql')
      .description('submit a Flink SQL file to the engine, like sql-client.sh -f; prints each job id')
      .requiredOption('-f, --file <file>', 'the SQL script')
      .option('-D, --define <NAME=VALUE>', 'value of a ${NAME} placeholder (repeatable)', collectDefine, new Map())
      .option(
        '--from-scratch',
        'read the sources again from their start instead of resuming from the positions of a stopped or cancelled job of the script (an append-only sink then gets its rows again)',
      ),
  ).action(async (options: EngineOptions & { file: string; define: Defines; fromScratch?: boolean }) => {
    const text = readNamedFile(options.file);
    const name = relative(process.cwd(), options.file) || options.file;
    // Placeholders are filled here, from -D and this shell's environment, as the user expects.
    const variables = new Map(options.define);
    for (const [, placeholder] of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_.]*)(?::-[^}]*)?\}/g)) {
      const value = process.env[placeholder as string];
      if (!variables.has(placeholder as string) && value !== undefined) variables.set(placeholder as string, value);
    }
    const directory = dirname(resolve(options.file));
    let result: { jobs: { jid: string; name: string }[]; results: StatementResult[] };
    if (isFlinkEngine(options.engine)) {
      // Flink plans the script itself (it knows more than Rivulet runs); only Rivulet-only parts are refused here.
      refuseRivuletOnlyOptions(options);
      result = await submitToFlink(options.engine, name, text, variables);
    } else {
      await planScriptWithFunctions(name, text, variables, {}, directory);
      result = await callEngine(options, 'POST', '/sql', {
        name,
        directory,
        script: text,
        variables: Object.fromEntries(variables),
        fromScratch: options.fromScratch === true,
      });
    }
    for (const answer of result.results) process.stdout.write(tableau(answer));
    for (const job of result.jobs) process.stdout.write(`Job ID: ${job.jid}  ${job.name}\n`);
    if (result.jobs.length === 0 && result.results.length === 0)
      process.stdout.write('The script has no INSERT: no job was started.\n');
  });

  withEngineOptions(program.command('list').description('list the jobs of the engine, like flink list')).action(
    async (options: EngineOptions) => {
      const jobs: JobOverview[] = isFlinkEngine(options.engine)
        ? await flinkJobs(options.engine)
        : (await callEngine<{ jobs: JobOverview[] }>(options, 'GET', '/jobs/overview')).jobs;
      const running = jobs.filter((job) => ['RUNNING', 'RESTARTING', 'CREATED'].includes(job.state));
      const other = jobs.filter((job) => !running.includes(job));
      const line = (job: JobOverview) => {
        const p = job.rivulet?.parallelism ?? 1;
        const state = p > 1 ? `${job.state}, ${p} subtasks` : job.state;
        return `${formatTime(job['start-time'])} : ${job.jid} : ${job.name} (${state})`;
      };
      // A failed job shows why, with where (the record, the option) as its error says.
      const causes = new Map<string, string>();
      for (const job of jobs.filter((job) => job.state === 'FAILED' && !isFlinkEngine(options.engine))) {
        const details = await callEngine<{ 'failure-cause'?: string }>(options, 'GET', `/jobs/${job.jid}`);
        if (details['failure-cause']) causes.set(job.jid, details['failure-cause']);
      }
      const terminated = (job: JobOverview) => {
        const cause = causes.get(job.jid);
        return cause === undefined ? line(job) : `${line(job)}\n    cause: ${cause.replace(/\n/g, '\n    ')}`;
      };
      const out: string[] = ['------------------ Running/Restarting Jobs -------------------'];
      out.push(
        ...(running.length > 0 ? running.map(line) : ['No running jobs.']),
        '--------------------------------------------------------------',
      );
      if (other.length > 0)
        out.push(
          '---------------------- Terminated Jobs -----------------------',
          ...other.map(terminated),
          '--------------------------------------------------------------',
        );
      process.stdout.write(`${out.join('\n')}\n`);
    },
  );

  withEngineOptions(
    program
      .command('cancel')
      .description('cancel a job for good: it is not restored by the next start')
      .argument('<job-id>', 'the id `rivulet list` shows'),
  ).action(async (id: string, options: EngineOptions) => {
    if (isFlinkEngine(options.engine)) await stopFlinkJob(options.engine, jobId(id), undefined);
    else await callEngine(options, 'PATCH', `/jobs/${jobId(id)}?mode=cancel`);
    process.stdout.write(`Cancelled job ${id}.\n`);
  });

  withEngineOptions(
    program
      .command('print')
      .description("show the latest lines a job's print sinks wrote (the engine keeps the last 1000 per job)")
      .argument('<job-id>', 'the id `rivulet list` shows'),
  ).action(async (id: string, options: EngineOptions) => {
    if (isFlinkEngine(options.engine)) {
      throw new RivuletError(
        'FLINK_UNSUPPORTED',
        "rivulet print shows the lines a Rivulet job's print sinks wrote, which the Rivulet engine keeps; a Flink job's print sink writes to its TaskManager's stdout, which the SQL Gateway does not serve",
        "read them in Flink's Web UI (Task Managers → Stdout) or the TaskManager's .out file",
      );
    }
    const { lines, total } = await callEngine<{ lines: string[]; total: number }>(
      options,
      'GET',
      `/jobs/${jobId(id)}/stdout`,
    );
    if (total > lines.length) process.stdout.write(`(${total - lines.length} earlier lines not kept)\n`);
    for (const line of lines) process.stdout.write(`${line}\n`);
  });

  withEngineOptions(
    program
      .command('stop')
      .description('stop a job keeping its positions, like flink stop: submitting its script again resumes it')
      .argument('<job-id>', 'the id `rivulet list` shows')
      .option(
        '--savepoint [dir]',
        "with a Flink engine: stop with a savepoint, in DIR or the gateway's state.savepoints.dir (without it, Flink cancels the job and its state is gone)",
      ),
  ).action(async (id: string, options: EngineOptions & { savepoint?: string | true }) => {
    if (isFlinkEngine(options.engine)) {
      const request =
        options.savepoint === undefined ? undefined : options.savepoint === true ? {} : { dir: options.savepoint };
      const path = await stopFlinkJob(options.engine, jobId(id), request);
      process.stdout.write(
        path === undefined
          ? `Stopped job ${id}: Flink cancels a job stopped without a savepoint, so its state is gone (--savepoint keeps it).\n`
          : `Stopped job ${id} with a savepoint at ${path}: SET 'execution.savepoint.path' = '${path}' before its INSERT resumes it.\n`,
      );
      return;
    }
    if (options.savepoint !== undefined) {
      throw new RivuletError(
        'BAD_OPTION',
        '--savepoint is for a Flink engine (--engine flink://…): Rivulet has no savepoints; its stop keeps the positions the job consumed, and submitting its script again resumes from them',
        'leave --savepoint out',
      );
    }
    await callEngine(options, 'POST', `/jobs/${jobId(id)}/stop`, {});
    process.stdout.write(`Stopped job ${id}; its positions are kept: \`rivulet sql -f\` of its script resumes it.\n`);
  });
}

function jobId(id: string): string {
  if (!/^[0-9a-f]{32}$/.test(id))
    throw new RivuletError('BAD_OPTION', `'${id}' is not a job id (32 hex digits, as rivulet list shows)`);
  return id;
}

function formatTime(millis: number): string {
  const d = new Date(millis);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
