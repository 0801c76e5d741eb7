// A worker for bench/workers.ts: loads the engine's modules as a job worker does, reports ready
// with its memory, then answers each message with a small reply, as a job's proxy is answered.
import { parentPort } from 'node:worker_threads';
import '../src/runtime/engine.ts';

type Reply = (message: unknown) => void;
const reply: Reply = parentPort ? (m) => parentPort?.postMessage(m) : (m) => process.send?.(m);
const on = (listener: (message: unknown) => void) =>
  parentPort ? parentPort.on('message', listener) : process.on('message', listener);

reply({ kind: 'ready', rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
on((message) => {
  if ((message as { kind: string }).kind === 'exit') process.exit(0);
  reply({ kind: 'ack' });
});
