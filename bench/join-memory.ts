/**
 * Memory of the seed's dimension join job (3_dimension_join.sql) with 100,000 users and 1,000,000
 * orders in its state, in a process of its own. Rows arrive as the log delivers them (json bytes
 * decoded per record). Prints one JSON line; run with --expose-gc so the figures follow a full GC.
 * BENCH_STATE_MEMORY (a size such as 64mb) sets the state memory budget, beyond which state spills.
 */
import { push } from '../src/runtime/push.ts';
import { parseMemorySize } from '../src/state/memory-size.ts';
import { stateMemory } from '../src/state/state-memory.ts';
import { batches, decoded, dwdOrderRow, joinJob, userRow } from './operators.ts';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
/** Full GCs with pauses between them, so that concurrent sweeping has released what it freed. */
const collect = async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

const budget = process.env.BENCH_STATE_MEMORY;
if (budget) stateMemory().configure(parseMemorySize(budget) as number);
const job = joinJob();
await collect();
const baselineRssMb = mb(process.memoryUsage().rss);
const started = performance.now();

const decodeUser = decoded(job.users.scan.fields);
for (const batch of batches(USERS, (i) => decodeUser(userRow(i)))) {
  push(job.users, batch, 0);
  job.drain();
}
const decodeOrder = decoded(job.orders.scan.fields);
const CHUNK = 50_000; // generated chunk by chunk, so that only the engine holds the rows
for (let start = 0; start < ORDERS; start += CHUNK) {
  for (const batch of batches(Math.min(CHUNK, ORDERS - start), (i) => decodeOrder(dwdOrderRow(start + i, USERS)))) {
    push(job.orders, batch, 0);
    job.drain();
  }
}
const seconds = (performance.now() - started) / 1000;
await collect();
const memory = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify({
    users: USERS,
    orders: ORDERS,
    seconds,
    baselineRssMb,
    rssMb: mb(memory.rss),
    heapUsedMb: mb(memory.heapUsed),
    heapTotalMb: mb(memory.heapTotal),
    externalMb: mb(memory.external),
    arrayBuffersMb: mb(memory.arrayBuffers),
    stateInMemoryMb: mb(stateMemory().used),
    stateSpilledMb: mb(stateMemory().spilled().bytes),
    spilledKeys: stateMemory().spilled().keys,
  })}\n`,
);
