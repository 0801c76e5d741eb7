/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one process) for tests
 * and for users without a cluster. Its jars come from Maven Central through scripts/kafka/pom.xml
 * (Java 17 and Maven are needed); its data lives in a temporary directory removed on stop.
 *
 *   node --import tsx scripts/kafka/broker.ts        # start one, print its address, stop on Ctrl-C
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RivuletError } from '../../src/common/errors.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { waitForExit } from '../../src/embedded/process-alive.ts';
import { stopProcessGroup } from '../process-group.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const LIBS = join(HERE, 'target', 'libs');

/** Fetches the broker's jars once (Maven caches them in ~/.m2 too). */
export function ensureKafkaJars(): string {
  if (existsSync(LIBS) && readdirSync(LIBS).some((file) => file.startsWith('kafka_2.13'))) return LIBS;
  mkdirSync(LIBS, { recursive: true });
  try {
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        join(HERE, 'pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${LIBS}`,
        '-DincludeScope=runtime',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (cause) {
    rmSync(LIBS, { recursive: true, force: true });
    const output = `${(cause as { stdout?: Buffer }).stdout ?? ''}${(cause as { stderr?: Buffer }).stderr ?? ''}`
      .trim()
      .split('\n')
      .slice(-5)
      .join('\n');
    throw new RivuletError(
      'KAFKA_JARS_UNAVAILABLE',
      `could not fetch Apache Kafka's jars with Maven: ${output || (cause as Error).message}`,
      'install Java 17 and Maven, and make sure Maven Central is reachable',
    );
  }
  return LIBS;
}

export interface KafkaBroker {
  /** host:port of the PLAINTEXT listener on loopback. */
  readonly bootstrap: string;
  readonly dir: string;
  /** The shell that runs the broker's JVM (and starts it again): the root of the broker's processes. */
  readonly pid: number;
  /** Stops the broker (SIGTERM, a controlled shutdown) and starts it again on the same ports and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function waitForPort(port: number, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        reject(new RivuletError('KAFKA_START_FAILED', `the Kafka broker exited while starting; see ${logFile}`));
        return;
      }
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline)
          reject(
            new RivuletError(
              'KAFKA_START_FAILED',
              `the Kafka broker did not listen within ${timeoutMs / 1000} s; see ${logFile}`,
            ),
          );
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** Starts a broker on free loopback ports and waits until it accepts connections. */
export async function startKafkaBroker(): Promise<KafkaBroker> {
  const libs = ensureKafkaJars();
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-kafka-'));
  const port = await freeLoopbackPort();
  const controllerPort = await freeLoopbackPort();
  const config = join(dir, 'server.properties');
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=1',
      'group.initial.rebalance.delay.ms=0',
      'log.cleaner.backoff.ms=500',
      '',
    ].join('\n'),
  );
  const classpath = `${libs}/*`;
  const java = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', '-cp', classpath];
  execFileSync('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', randomUUID(), '-c', config], {
    stdio: 'pipe',
  });
  const logFile = join(dir, 'broker.log');
  writeFileSync(logFile, '');
  const out = await import('node:fs').then((fs) => fs.openSync(logFile, 'a'));
  // The broker goes with the process that started it, however that one ends: a shell runs it and
  // stops it when its stdin, a pipe from this process, closes; then it removes the broker's
  // directory. (A JVM left behind by a killed test or benchmark would take CPU from every later run
  // on the machine. A background job's stdin is /dev/null unless redirected: the watcher reads a
  // copy, fd 3.) The shell starts the broker again when it ends with a file `restart` beside it.
  const script = [
    'exec 3<&0',
    'cd "$RIVULET_KAFKA_DIR"',
    '(cat <&3 >/dev/null; touch stop; kill -TERM "$(cat broker.pid)" 2>/dev/null) &',
    'while :; do',
    '  java "$@" & echo $! > broker.pid; wait $!',
    '  if [ -e restart ] && [ ! -e stop ]; then rm -f restart; else break; fi',
    'done',
    'cd / && rm -rf "$RIVULET_KAFKA_DIR"',
  ].join('\n');
  const child = spawn('sh', ['-c', script, 'sh', ...java, 'kafka.Kafka', config], {
    env: { ...process.env, RIVULET_KAFKA_DIR: dir },
    stdio: ['pipe', out, out],
    detached: true,
  });
  const stop = async () => {
    await stopProcessGroup(child, 15_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, logFile, 60_000);
  } catch (error) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
    await stop();
    throw new RivuletError('KAFKA_START_FAILED', `${(error as Error).message}\n${tail}`);
  }
  const restart = async () => {
    writeFileSync(join(dir, 'restart'), '');
    const pid = Number(readFileSync(join(dir, 'broker.pid'), 'utf8'));
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, 30_000))) process.kill(pid, 'SIGKILL');
    await waitForPort(port, child, logFile, 60_000);
  };
  return { bootstrap: `127.0.0.1:${port}`, dir, pid: child.pid as number, restart, stop };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const broker = await startKafkaBroker();
  process.stdout.write(
    `Kafka broker on ${broker.bootstrap} (data in ${broker.dir}). Ctrl-C stops it.\nUse it with: --log kafka://${broker.bootstrap}\n`,
  );
  const stop = () => {
    broker.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
