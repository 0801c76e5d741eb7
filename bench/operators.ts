import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonDecoder, jsonEncoder } from '../src/connectors/formats/json-format.ts';
import { CalcOperator } from '../src/exec/calc.ts';
import type { Change } from '../src/exec/change.ts';
import { NormalizeOperator } from '../src/exec/normalize.ts';
import type { EvalEnv } from '../src/expr/eval-env.ts';
import type { Row, Value } from '../src/expr/value.ts';
import { inputsOf } from '../src/plan/explain.ts';
import type { Calc, Join, PlanNode } from '../src/plan/nodes.ts';
import { planScript } from '../src/plan/planner.ts';
import { buildGraph, type JobGraph, type SourceVertex } from '../src/runtime/graph.ts';
import { push } from '../src/runtime/push.ts';
import { statefulOperator } from '../src/runtime/stateful-operators.ts';
import type { RowField } from '../src/types/data-type.ts';
import { parseTimestamp, resolveTimeZone } from '../src/types/temporal.ts';
import type { Measurement } from './harness.ts';

const EXAMPLES = 'examples/ecommerce';
export const env: EvalEnv = { timeZone: resolveTimeZone('Asia/Shanghai'), nowMicros: () => Date.now() * 1000 };
const BATCH = 1000;

const T0 = parseTimestamp('2025-07-11 17:25:55.145') as number;
const CITIES = ['北京', '上海', '广州', '深圳', '杭州', '成都', '武汉', '西安', '苏州', '重庆', '长沙', '青岛'];
const CATEGORIES: [string, string][] = [
  ['电子产品', 'ELECTRONICS'],
  ['服装鞋帽', 'CLOTHING'],
  ['图书', 'BOOKS'],
  ['家居用品', 'HOME'],
  ['食品饮料', 'FOOD'],
];
const STATUSES: [string, string][] = [
  ['PENDING', '待处理'],
  ['SHIPPED', '已发货'],
  ['COMPLETED', '已完成'],
];
export const USER_ID_BASE = 1_000_000;

/** Row i of ods_users: (user_id, username, email, phone, city, register_time, updated_at). */
export function userRow(i: number): Value[] {
  const time = T0 + i * 1_000_000;
  return [
    BigInt(USER_ID_BASE + i),
    `用户${i}`,
    `user${i}@example.com`,
    `138${String(i).padStart(8, '0')}`,
    CITIES[i % CITIES.length] as string,
    time,
    time,
  ];
}

/** Row i of ods_orders, as the CDC layer writes it (10 columns). */
export function odsOrderRow(i: number, users: number): Value[] {
  const quantity = 1 + (i % 3);
  const price = 1999n + BigInt((i * 7919) % 500_000);
  const time = T0 + i * 1000;
  return [
    BigInt(10_000_000 + i),
    BigInt(USER_ID_BASE + ((i * 7) % users)),
    ` Product ${i % 5000} `,
    (CATEGORIES[i % CATEGORIES.length] as [string, string])[0],
    quantity,
    price,
    price * BigInt(quantity),
    (STATUSES[i % STATUSES.length] as [string, string])[0].toLowerCase(),
    time,
    time,
  ];
}

/** Row i of dwd_orders, as the DWD layer writes it (16 columns). */
export function dwdOrderRow(i: number, users: number): Value[] {
  const [category, normalized] = CATEGORIES[i % CATEGORIES.length] as [string, string];
  const [status, statusDesc] = STATUSES[i % STATUSES.length] as [string, string];
  const quantity = 1 + (i % 3);
  const price = 1999n + BigInt((i * 7919) % 500_000);
  const total = price * BigInt(quantity);
  const time = T0 + i * 1000;
  return [
    BigInt(10_000_000 + i),
    BigInt(USER_ID_BASE + ((i * 7) % users)),
    `Product ${i % 5000}`,
    category,
    normalized,
    quantity,
    price,
    total,
    `¥${total / 100n}.${String(total % 100n).padStart(2, '0')}`,
    status,
    statusDesc,
    time,
    '2025-07-11',
    17,
    time,
    time,
  ];
}

/**
 * Rows as a source hands them to the operators: written with the table's json format and read
 * back, so that strings, bigints and timestamps are separate values per row, as in a running job.
 */
export function decoded(fields: readonly RowField[]): (row: Row) => Row {
  const encode = jsonEncoder(fields);
  const decode = jsonDecoder(fields);
  return (row) => decode(encode(row));
}

export function batches(count: number, make: (i: number) => Row, kind: Change['kind'] = '+U'): Change[][] {
  const out: Change[][] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch: Change[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) batch.push({ kind, row: make(i) });
    out.push(batch);
  }
  return out;
}

/** The first node of a kind in a plan, depth first. */
export function firstNode<K extends PlanNode['kind']>(root: PlanNode, kind: K): Extract<PlanNode, { kind: K }> {
  const stack = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.kind === kind) return node as Extract<PlanNode, { kind: K }>;
    stack.push(...[...inputsOf(node)].reverse());
  }
  throw new Error(`no ${kind} in the plan`);
}

/** The sinks of the one job of an example file. */
export function planExample(file: string) {
  const script = planScript(file, readFileSync(join(EXAMPLES, file), 'utf8'), new Map(), {});
  return script.jobs[0]?.sinks ?? [];
}

/** The job graph of 3_dimension_join.sql, its two sources, and a function that drains its sink. */
export function joinJob(): { graph: JobGraph; orders: SourceVertex; users: SourceVertex; drain: () => number } {
  const graph = buildGraph(planExample('3_dimension_join.sql'), env);
  const source = (name: string) => graph.sources.find((s) => s.name === name) as SourceVertex;
  const sink = graph.sinks[0];
  if (!sink) throw new Error('no sink');
  return {
    graph,
    orders: source('dwd_orders'),
    users: source('ods_users'),
    drain: () => {
      const n = sink.pending.length;
      sink.pending.length = 0;
      return n;
    },
  };
}

export function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Runs `setup` then times `run` `runs` times; rows/s of the median run, and of the slowest and
 * fastest. A warm-up run that took over `longRunSeconds` is followed by a single timed run.
 */
export function rowsPerSecond<S>(
  rows: number,
  runs: number,
  setup: () => S,
  run: (state: S) => void,
  longRunSeconds = Number.POSITIVE_INFINITY,
): number[] {
  const rates: number[] = [];
  let total = runs + 1;
  for (let r = 0; r < total; r++) {
    const state = setup();
    const rate = rows / seconds(() => run(state));
    if (r > 0) rates.push(rate);
    else if (rows / rate > longRunSeconds) total = 2; // the first run warms up
  }
  rates.sort((a, b) => a - b);
  return [rates[Math.floor(rates.length / 2)] as number, rates[0] as number, rates[rates.length - 1] as number];
}

export function range(rates: readonly number[]): string {
  const k = (n: number) => `${Math.round(n / 1000)}k`;
  return `${k(rates[1] as number)}–${k(rates[2] as number)}`;
}

/** Throughput of the seed's operators on one core, and the join job's memory in a child process. */
export function operatorBenchmarks(): Measurement[] {
  return [...operatorThroughput(), ...joinMemory()];
}

/**
 * `count` rows in batches of 1000, made as a source would hand them over but cheaply: copies of a
 * pool of decoded rows, each given its own key by `fill`. Made batch by batch, so that (as in a
 * running job) only the batch at hand is alive besides the operators' state.
 */
function* copies(pool: readonly Row[], count: number, fill: (row: Value[], i: number) => void, kind: Change['kind']) {
  for (let start = 0; start < count; start += BATCH) {
    const batch: Change[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const row = (pool[i % pool.length] as Row).slice();
      fill(row, i);
      batch.push({ kind, row });
    }
    yield batch;
  }
}

/** Rows per second of the seed's calc, normalize and join, on one core. */
export function operatorThroughput(): Measurement[] {
  const measurements: Measurement[] = [];
  const runs = 5;
  const rows = 200_000;
  const users = 100_000;
  const pool = 5_000;

  // The DWD layer (2_dwd_layer.sql): its Calc alone, then ChangelogNormalize + Calc as wired by
  // buildGraph. New orders: each row a new order_id.
  const dwdSinks = planExample('2_dwd_layer.sql');
  const dwdCalc: Calc = firstNode(dwdSinks[0] as PlanNode, 'Calc');
  const ods = decoded(firstNode(dwdSinks[0] as PlanNode, 'TableSourceScan').fields);
  const odsPool = Array.from({ length: pool }, (_, i) => ods(odsOrderRow(i, users)));
  const newOrder = (row: Value[], i: number) => {
    row[0] = BigInt(10_000_000 + i);
  };
  const calc = rowsPerSecond(
    rows,
    runs,
    () => new CalcOperator(dwdCalc.projection, dwdCalc.condition, env),
    (operator) => {
      for (const batch of copies(odsPool, rows, newOrder, '+I')) operator.process(batch, 0);
    },
  );
  measurements.push({
    name: `calc: the DWD projection + filter, 1000-row batches (${range(calc)} over ${runs} runs)`,
    value: calc[0] as number,
    unit: 'rows/s',
    target: '>= 200,000 rows/s per core',
  });
  const normalize = rowsPerSecond(
    rows,
    runs,
    () => new NormalizeOperator([0]),
    (operator) => {
      for (const batch of copies(odsPool, rows, newOrder, '+U')) operator.process(batch, 0);
    },
  );
  measurements.push({
    name: `normalize: new keys (${range(normalize)})`,
    value: normalize[0] as number,
    unit: 'rows/s',
  });
  const dwdJob = rowsPerSecond(
    rows,
    runs,
    () => {
      const graph = buildGraph(dwdSinks, env);
      return { source: graph.sources[0] as SourceVertex, sink: graph.sinks[0] };
    },
    ({ source, sink }) => {
      for (const batch of copies(odsPool, rows, newOrder, '+U')) {
        push(source, batch, 0);
        if (sink) sink.pending.length = 0;
      }
    },
  );
  measurements.push({
    name: `job 2_dwd_layer: normalize + calc (${range(dwdJob)})`,
    value: dwdJob[0] as number,
    unit: 'rows/s',
  });

  // The dimension join (3_dimension_join.sql) with 100,000 users in state: new orders arrive.
  const { userBatches, orderPool, newOrderOfSomeUser } = joinInputs(users, pool);
  const job = rowsPerSecond(
    rows,
    runs,
    () => {
      const built = joinJob();
      for (const batch of userBatches) push(built.users, batch, 0);
      built.drain();
      return built;
    },
    (built) => {
      for (const batch of copies(orderPool, rows, newOrderOfSomeUser, '+U')) {
        push(built.orders, batch, 0);
        built.drain();
      }
    },
  );
  measurements.push({
    name: `job 3_dimension_join: 2 normalize + join + calc, 100k users (${range(job)})`,
    value: job[0] as number,
    unit: 'rows/s',
    target: '>= 100,000 rows/s',
  });

  // The join operator alone; then the same with a state TTL on both sides (table.exec.state.ttl),
  // where nothing expires.
  for (const [label, stateTtlMs] of [
    ['', 0],
    [', state TTL 1 h', 3_600_000],
  ] as const) {
    const joinOnly = joinOperatorRates(rows, runs, stateTtlMs);
    measurements.push({
      name: `join operator alone (LEFT, orders ⋈ 100k users${label}) (${range(joinOnly)})`,
      value: joinOnly[0] as number,
      unit: 'rows/s',
      ...(stateTtlMs === 0 ? { target: '>= 100,000 rows/s' } : {}),
    });
  }
  return measurements;
}

/** The join job's input: 100k users (as batches), a pool of decoded orders, and how to give a copy its keys. */
function joinInputs(users: number, pool: number) {
  const probe = joinJob();
  const decodeUser = decoded(probe.users.scan.fields);
  const decodeOrder = decoded(probe.orders.scan.fields);
  return {
    userBatches: batches(users, (i) => decodeUser(userRow(i))),
    orderPool: Array.from({ length: pool }, (_, i) => decodeOrder(dwdOrderRow(i, users))),
    newOrderOfSomeUser: (row: Value[], i: number) => {
      row[0] = BigInt(10_000_000 + i);
      row[1] = BigInt(USER_ID_BASE + ((i * 7) % users));
    },
  };
}

/**
 * Rows per second (median, slowest, fastest of `runs`) of the join operator of 3_dimension_join.sql
 * alone, built from its plan as a job builds it: 100k users on the right, then `rows` new orders
 * (+I, as the normalize steps emit them) on the left.
 */
export function joinOperatorRates(rows: number, runs: number, stateTtlMs = 0): number[] {
  const users = 100_000;
  const { userBatches, orderPool, newOrderOfSomeUser } = joinInputs(users, 5_000);
  const joinNode: Join = firstNode(planExample('3_dimension_join.sql')[0] as PlanNode, 'Join');
  return rowsPerSecond(
    rows,
    runs,
    () => {
      const operator = statefulOperator.join(joinNode, env, stateTtlMs);
      for (const batch of userBatches)
        operator.process(
          batch.map((c): Change => ({ kind: '+I', row: c.row })),
          1,
        );
      return operator;
    },
    (operator) => {
      for (const batch of copies(orderPool, rows, newOrderOfSomeUser, '+I')) operator.process(batch, 0);
    },
  );
}

interface JoinMemory {
  rssMb: number;
  heapUsedMb: number;
  baselineRssMb: number;
  orders: number;
  users: number;
  seconds: number;
  stateInMemoryMb: number;
  stateSpilledMb: number;
}

/** The join-memory program in a fresh process, with a state memory budget when given. */
function runJoinMemory(budget?: string): JoinMemory {
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/join-memory.ts'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: budget ? { ...process.env, BENCH_STATE_MEMORY: budget } : process.env,
  });
  return JSON.parse(output.trim().split('\n').pop() as string) as JoinMemory;
}

/** RSS of the join job with 1M orders and 100k users in state, measured in a fresh process. */
export function joinMemory(): Measurement[] {
  const memory = runJoinMemory();
  const SPILL_BUDGET = '64mb';
  const spilled = runJoinMemory(SPILL_BUDGET);
  return [
    {
      name: `join job memory: RSS with ${memory.orders / 1e6}M orders + ${memory.users / 1e3}k users in state`,
      value: memory.rssMb,
      unit: 'MB',
      target: '< 500 MB',
    },
    { name: 'join job memory: V8 heap used (after GC)', value: memory.heapUsedMb, unit: 'MB' },
    { name: 'join job memory: RSS of the same process before loading', value: memory.baselineRssMb, unit: 'MB' },
    {
      name: 'join job memory: load rate (making and decoding the JSON records, then the job)',
      value: (memory.orders + memory.users) / memory.seconds,
      unit: 'rows/s',
    },
    {
      name: `join job memory with state.memory ${SPILL_BUDGET}: RSS (state spilled to disk)`,
      value: spilled.rssMb,
      unit: 'MB',
    },
    {
      name: `join job memory with state.memory ${SPILL_BUDGET}: state in memory (estimated)`,
      value: spilled.stateInMemoryMb,
      unit: 'MB',
    },
    {
      name: `join job memory with state.memory ${SPILL_BUDGET}: state on disk`,
      value: spilled.stateSpilledMb,
      unit: 'MB',
    },
    {
      name: `join job memory with state.memory ${SPILL_BUDGET}: load rate`,
      value: (spilled.orders + spilled.users) / spilled.seconds,
      unit: 'rows/s',
    },
  ];
}
