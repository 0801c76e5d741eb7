/**
 * Apache Flink 1.18, started locally from Maven jars: a MiniCluster in one JVM with its REST API and
 * Web UI on a chosen loopback port, running SQL scripts with the same `${NAME}` substitution as
 * `rivulet sql`. The jars come through scripts/flink/pom.xml (Java 17 and Maven are needed; about
 * 150 MB, fetched once and kept in ~/.m2); the classpath and the compiled runner are cached in
 * scripts/flink/target/.
 *
 *   node --import tsx scripts/flink/run.ts [--port 8081] [--gateway-port 8083] [-D NAME=VALUE]… [FILE.sql…]
 *
 * With `--gateway-port`, a Flink SQL Gateway runs beside the cluster (its REST endpoint, the one
 * `rivulet sql --engine flink://127.0.0.1:8083` submits to).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RivuletError } from '../../src/common/errors.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { substituteVariables } from '../../src/sql/substitute.ts';
import { stopProcessGroup } from '../process-group.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const TARGET = join(HERE, 'target');
const CLASSPATH_FILE = join(TARGET, 'classpath.txt');
const CLASSES = join(TARGET, 'classes');
const RUNNER_SOURCE = join(HERE, 'FlinkScriptRunner.java');
const RUNNER_CLASS = join(CLASSES, 'FlinkScriptRunner.class');

/**
 * What Flink 1.18's own scripts start its JVMs with on Java 17 (`env.java.opts.all` in the
 * distribution's flink-conf.yaml): Kryo, the planner's code generation and the connectors reach
 * into these JDK packages by reflection.
 */
export const FLINK_JAVA_17_OPTIONS: readonly string[] = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.text=ALL-UNNAMED',
  '--add-opens=java.base/java.time=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED',
];

function toolOutput(cause: unknown): string {
  const { stdout, stderr, message } = cause as { stdout?: Buffer; stderr?: Buffer; message: string };
  const text = `${stdout ?? ''}${stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
  return text || message;
}

/** Whether the classpath and the runner are already here, so that nothing is downloaded or compiled. */
export function flinkCached(): boolean {
  return existsSync(CLASSPATH_FILE) && existsSync(RUNNER_CLASS) && classpathPresent(CLASSPATH_FILE);
}

function classpathPresent(file: string): boolean {
  return readFileSync(file, 'utf8')
    .trim()
    .split(':')
    .every((jar) => existsSync(jar));
}

/** The Flink version pom.xml holds: the parity runner's, and the fixtures' unless they name another. */
export const FLINK_VERSION = '1.18.1';

/**
 * Resolves the jars of a Flink version once (`mvn dependency:build-classpath`) and returns the
 * classpath: pom.xml's for FLINK_VERSION, pom-fixtures.xml's (Flink's own modules, the ones the
 * fixture runner needs) for another, cached as target/classpath-VERSION.txt.
 */
export function flinkClasspath(version: string = FLINK_VERSION): string {
  mkdirSync(TARGET, { recursive: true });
  const own = version === FLINK_VERSION;
  const file = own ? CLASSPATH_FILE : join(TARGET, `classpath-${version}.txt`);
  if (!existsSync(file) || !classpathPresent(file)) {
    const pom = own
      ? ['-f', join(HERE, 'pom.xml')]
      : ['-f', join(HERE, 'pom-fixtures.xml'), `-Dflink.version=${version}`];
    try {
      execFileSync(
        'mvn',
        ['-q', '-B', ...pom, 'dependency:build-classpath', `-Dmdep.outputFile=${file}`, '-DincludeScope=runtime'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (cause) {
      rmSync(file, { force: true });
      throw new RivuletError(
        'FLINK_JARS_UNAVAILABLE',
        `could not fetch Apache Flink ${version}'s jars with Maven: ${toolOutput(cause)}`,
        'install Java 17 and Maven, make sure Maven Central is reachable, and name a released Flink version',
      );
    }
  }
  return readFileSync(file, 'utf8').trim();
}

/** Resolves Flink's jars once and compiles the runner; returns the classpath. */
export function ensureFlink(): string {
  return compileJava([RUNNER_SOURCE], CLASSES, RUNNER_CLASS, flinkClasspath());
}

/**
 * Compiles `sources` into `classes` against `classpath` when `marker` (a class they make) is missing
 * or older than one of them; returns `classes` followed by `classpath`.
 */
export function compileJava(sources: readonly string[], classes: string, marker: string, classpath: string): string {
  const stale = !existsSync(marker) || sources.some((file) => statSync(file).mtimeMs > statSync(marker).mtimeMs);
  if (stale) {
    mkdirSync(classes, { recursive: true });
    try {
      execFileSync('javac', ['-nowarn', '-d', classes, '-cp', classpath, ...sources], { stdio: 'pipe' });
    } catch (cause) {
      throw new RivuletError(
        'FLINK_RUNNER_COMPILE_FAILED',
        `could not compile ${sources.join(', ')}: ${toolOutput(cause)}`,
        'install a Java 17 JDK (javac)',
      );
    }
  }
  return `${classes}:${classpath}`;
}

export interface FlinkScript {
  /** Its file name, shown in job names (`<name>#<n>`) and errors. */
  readonly name: string;
  /** The script as written, `${NAME}` placeholders included. */
  readonly text: string;
}

export interface FlinkJob {
  readonly id: string;
  readonly name: string;
}

export interface FlinkCluster {
  /** The REST API and Web UI. */
  readonly restUrl: string;
  /** The SQL Gateway's REST endpoint, when one was asked for. */
  readonly gatewayUrl?: string;
  readonly jobs: readonly FlinkJob[];
  /** Milliseconds from the JVM's start until the cluster took requests. */
  readonly startupMs: number;
  /** Milliseconds from the JVM's start until every job was submitted. */
  readonly submittedMs: number;
  /** Its log4j output and the runner's. */
  readonly logFile: string;
  /** The shell that runs the JVM: the root of the cluster's processes. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface FlinkOptions {
  readonly scripts: readonly FlinkScript[];
  /** Port of the REST API and Web UI on 127.0.0.1 (default: a free one). */
  readonly port?: number;
  /** `-D` values of `rivulet sql`, before the environment. */
  readonly variables?: ReadonlyMap<string, string>;
  /** Checkpoint interval of every job unless its script SETs another (default 1 s). */
  readonly checkpointMs?: number;
  /** Task slots of the one TaskManager (default 16: each job at parallelism 1 takes one). */
  readonly slots?: number;
  /** Starts a SQL Gateway beside the cluster on this loopback port (0: a free one). */
  readonly gatewayPort?: number;
}

const LOG4J = `rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:flink.runner.log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
`;

/** A Flink JVM's options: its heap, Java 17's opens, and log4j (configured in `dir`) writing to `logFile`. */
export function flinkJvmOptions(dir: string, logFile: string): string[] {
  writeFileSync(join(dir, 'log4j2.properties'), LOG4J);
  return [
    '-Xms256m',
    '-Xmx1g',
    ...FLINK_JAVA_17_OPTIONS,
    `-Dlog4j.configurationFile=${join(dir, 'log4j2.properties')}`,
    `-Dflink.runner.log=${logFile}`,
  ];
}

/** Starts the cluster, submits the scripts' jobs, and resolves once all are submitted. */
export async function startFlink(options: FlinkOptions): Promise<FlinkCluster> {
  const classpath = ensureFlink();
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-flink-'));
  const files = options.scripts.map((script, index) => {
    const text = substituteVariables(script.name, script.text, options.variables ?? new Map()).text;
    // One directory per script: the runner names a script's jobs after its file name.
    const file = join(dir, String(index + 1), basename(script.name));
    mkdirSync(dirname(file));
    writeFileSync(file, text);
    return file;
  });
  const logFile = join(dir, 'flink.log');
  const port = options.port ?? (await freeLoopbackPort());
  const gatewayPort = options.gatewayPort === undefined ? 0 : options.gatewayPort || (await freeLoopbackPort());
  const java = [
    ...flinkJvmOptions(dir, logFile),
    '-cp',
    classpath,
    'FlinkScriptRunner',
    String(port),
    String(options.slots ?? 16),
    String(options.checkpointMs ?? 1000),
    String(gatewayPort),
    ...files,
  ];
  // The JVM goes with the process that started it, however that one ends: the shell stops it when
  // its stdin, a pipe from this process, closes (as scripts/kafka/broker.ts does).
  const script = [
    'exec 3<&0',
    'java "$@" </dev/null 2>>"$RIVULET_FLINK_LOG" & pid=$!',
    '(cat <&3 >/dev/null; kill -TERM "$pid" 2>/dev/null) &',
    'wait "$pid"',
  ].join('\n');
  const startedAt = performance.now();
  const child = spawn('sh', ['-c', script, 'sh', ...java], {
    env: { ...process.env, RIVULET_FLINK_LOG: logFile },
    stdio: ['pipe', 'pipe', openSync(logFile, 'a')],
    detached: true,
  });
  const stop = async () => {
    await stopProcessGroup(child, 20_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    return await readProgress(child, logFile, startedAt, stop);
  } catch (error) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
    await stop();
    throw new RivuletError('FLINK_START_FAILED', `${(error as Error).message}\n${tail}`);
  }
}

function readProgress(
  child: ChildProcess,
  logFile: string,
  startedAt: number,
  stop: () => Promise<void>,
): Promise<FlinkCluster> {
  const jobs: FlinkJob[] = [];
  let restUrl = '';
  let gatewayUrl: string | undefined;
  let startupMs = 0;
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const exited = () => reject(new Error(`Flink exited while starting (code ${child.exitCode}); see ${logFile}`));
    child.once('exit', exited);
    lines.on('line', (line) => {
      const [word, first, ...rest] = line.split(' ');
      if (word === 'READY' && first) {
        restUrl = first;
        startupMs = performance.now() - startedAt;
      } else if (word === 'GATEWAY' && first) {
        gatewayUrl = first;
      } else if (word === 'JOB' && first) {
        jobs.push({ id: first, name: rest.join(' ') });
      } else if (word === 'FAILED') {
        reject(new Error(`Flink refused a statement: ${line.slice('FAILED '.length)}`));
      } else if (word === 'SUBMITTED') {
        child.off('exit', exited);
        resolve({
          restUrl,
          ...(gatewayUrl ? { gatewayUrl } : {}),
          jobs,
          startupMs,
          submittedMs: performance.now() - startedAt,
          logFile,
          pid: child.pid as number,
          stop,
        });
      }
    });
  });
}

/** The state of each job, from the REST API (`/jobs/overview`, as Flink's Web UI reads it). */
export async function jobStates(restUrl: string): Promise<Map<string, string>> {
  const response = await fetch(`${restUrl}/jobs/overview`);
  const { jobs } = (await response.json()) as { jobs: { jid: string; name: string; state: string }[] };
  return new Map(jobs.map((job) => [job.name, job.state]));
}

function parseArguments(args: readonly string[]): {
  port?: number;
  gatewayPort?: number;
  variables: Map<string, string>;
  files: string[];
} {
  const variables = new Map<string, string>();
  const files: string[] = [];
  let port: number | undefined;
  let gatewayPort: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--port') port = Number(args[++i]);
    else if (arg === '--gateway-port') gatewayPort = Number(args[++i]);
    else if (arg === '-D') {
      const [name, ...value] = (args[++i] ?? '').split('=');
      variables.set(name as string, value.join('='));
    } else if (arg.startsWith('-D')) {
      const [name, ...value] = arg.slice(2).split('=');
      variables.set(name as string, value.join('='));
    } else files.push(arg);
  }
  return {
    ...(port === undefined ? {} : { port }),
    ...(gatewayPort === undefined ? {} : { gatewayPort }),
    variables,
    files,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { port, gatewayPort, variables, files } = parseArguments(process.argv.slice(2));
  if (files.length === 0 && gatewayPort === undefined) {
    process.stderr.write('usage: run.ts [--port 8081] [--gateway-port 8083] [-D NAME=VALUE]… [FILE.sql…]\n');
    process.exit(2);
  }
  const cluster = await startFlink({
    scripts: files.map((file) => ({ name: file, text: readFileSync(file, 'utf8') })),
    variables,
    ...(port === undefined ? {} : { port }),
    ...(gatewayPort === undefined ? {} : { gatewayPort }),
  });
  process.stdout.write(
    `${cluster.gatewayUrl ? `SQL Gateway: ${cluster.gatewayUrl} (rivulet sql --engine ${cluster.gatewayUrl.replace('http://', 'flink://')})\n` : ''}Flink ${cluster.restUrl} up in ${(cluster.startupMs / 1000).toFixed(1)} s, ${cluster.jobs.length} jobs submitted in ${(cluster.submittedMs / 1000).toFixed(1)} s:\n${cluster.jobs.map((job) => `  ${job.id}  ${job.name}`).join('\n')}\nLog: ${cluster.logFile}. Ctrl-C stops it.\n`,
  );
  const stop = () => {
    cluster.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
