import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startKafkaBroker } from '../scripts/kafka/broker.ts';
import { freeLoopbackPort } from '../src/embedded/ports.ts';
import { EmbeddedPostgres } from '../src/embedded/postgres-server.ts';
import { KafkaLog } from '../src/log/kafka/kafka-log.ts';
import type { Log, ProduceRecord } from '../src/log/log.ts';
import { PostgresLog } from '../src/log/postgres/postgres-log.ts';
import type { Measurement } from './harness.ts';

/** A ~300-byte order change as the ODS layer writes it. */
function orderRecord(topic: string, i: number, sentAt = 0): ProduceRecord {
  const value = JSON.stringify({
    order_id: 100_000 + i,
    user_id: 1001 + (i % 5),
    product_name: `Product ${i}`,
    product_category: '电子产品',
    quantity: 1 + (i % 3),
    unit_price: 5999.0,
    total_amount: 5999.0,
    order_status: 'PENDING',
    order_time: '2025-07-11 17:25:55.145',
    updated_at: '2025-07-11 17:25:55.145',
    sent_at: sentAt,
    note: 'x'.repeat(40),
  });
  return { topic, key: Buffer.from(`{"order_id":${100_000 + i}}`), value: Buffer.from(value) };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Produce throughput (1,000-record batches) and append-to-reader latency at 2,000 records/s. */
export async function logBenchmarks(name: string, log: Log): Promise<Measurement[]> {
  // Two producers, each appending 1,000-record batches to its own partition, as two parallel
  // sink tasks of a job would.
  const throughputTopic = `bench_throughput_${Date.now()}`;
  const producers = 2;
  await log.ensureTopic(throughputTopic, { partitions: producers });
  const total = 120_000;
  const batch = 1_000;
  const batches = Array.from({ length: total / batch }, (_, b) =>
    Array.from({ length: batch }, (_, i) => ({
      ...orderRecord(throughputTopic, b * batch + i),
      partition: b % producers,
    })),
  );
  const bytes = Buffer.byteLength(batches[0]?.[0]?.value ?? '');
  await log.produce(batches[0] as ProduceRecord[]); // warm-up
  const started = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async (_, p) => {
      for (let b = p; b < batches.length; b += producers) await log.produce(batches[b] as ProduceRecord[]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const singleStarted = performance.now();
  for (let b = 0; b < batches.length / 2; b++)
    await log.produce((batches[b] as ProduceRecord[]).map((r) => ({ ...r, partition: 0 })));
  const singleSeconds = (performance.now() - singleStarted) / 1000;

  const latencyTopic = `bench_latency_${Date.now()}`;
  await log.ensureTopic(latencyTopic, { partitions: 1 });
  const reader = await log.openReader(latencyTopic, { kind: 'latest' });
  const latencies: number[] = [];
  const rate = 2_000;
  const durationMs = 5_000;
  let stop = false;
  const consuming = (async () => {
    while (!stop || latencies.length < 1) {
      const records = await reader.poll(1000, 100);
      const now = performance.timeOrigin + performance.now();
      for (const record of records) latencies.push(now - JSON.parse(record.value?.toString() ?? '{}').sent_at);
      if (stop && records.length === 0) break;
    }
  })();
  const begin = performance.now();
  let sent = 0;
  while (performance.now() - begin < durationMs) {
    const due = Math.floor(((performance.now() - begin) / 1000) * rate);
    if (due > sent) {
      const now = performance.timeOrigin + performance.now();
      const records = Array.from({ length: due - sent }, (_, i) => orderRecord(latencyTopic, sent + i, now));
      sent = due;
      await log.produce(records);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 0.2));
    }
  }
  stop = true;
  await consuming;
  await reader.close();
  latencies.sort((a, b) => a - b);

  // A job's step at a low rate: one writer's transactions one after another, each a small batch
  // with the positions it consumed.
  const stepTopic = `bench_step_${Date.now()}`;
  await log.ensureTopic(stepTopic);
  const steps: number[] = [];
  for (let i = 0; i < 300; i++) {
    const stepStarted = performance.now();
    const transaction = await log.beginTransaction('bench-writer');
    await transaction.produce(Array.from({ length: 8 }, (_, k) => orderRecord(stepTopic, i * 8 + k)));
    await transaction.commitPositions('bench-group', latencyTopic, new Map([[0, BigInt(i + 1)]]));
    await transaction.commit();
    if (i >= 50) steps.push(performance.now() - stepStarted);
  }
  steps.sort((a, b) => a - b);
  return [
    {
      name: `log ${name}: produce, 2 producers, 1000-record batches of ${bytes}-byte JSON`,
      value: total / seconds,
      unit: 'records/s',
      target: name === 'postgres' ? '>= 50,000' : '>= 100,000',
    },
    {
      name: `log ${name}: produce, 1 producer, 1000-record batches`,
      value: total / 2 / singleSeconds,
      unit: 'records/s',
    },
    { name: `log ${name}: append-to-reader latency p50 at ${rate}/s`, value: percentile(latencies, 50), unit: 'ms' },
    {
      name: `log ${name}: append-to-reader latency p99 at ${rate}/s`,
      value: percentile(latencies, 99),
      unit: 'ms',
      target: name === 'postgres' ? '< 5 ms' : undefined,
    },
    {
      name: `log ${name}: a job's step (8 records and their positions in one transaction), p50`,
      value: percentile(steps, 50),
      unit: 'ms',
    },
  ].map((m) => (m.target === undefined ? { name: m.name, value: m.value, unit: m.unit } : m));
}

/** The kafka log on a throwaway local broker. */
export async function kafkaLogBenchmarks(): Promise<Measurement[]> {
  const broker = await startKafkaBroker();
  try {
    const log = await KafkaLog.open(broker.bootstrap);
    try {
      return await logBenchmarks('kafka', log);
    } finally {
      await log.close();
    }
  } finally {
    await broker.stop();
  }
}

/** The postgres log on a throwaway embedded PostgreSQL. */
export async function postgresLogBenchmarks(): Promise<Measurement[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-'));
  chmodSync(dir, 0o711);
  const server = await EmbeddedPostgres.start({ dataDir: join(dir, 'data'), port: await freeLoopbackPort() });
  try {
    const admin = new pg.Client(server.connectionConfig('postgres'));
    await admin.connect();
    await admin.query('CREATE DATABASE rivulet');
    await admin.end();
    const log = await PostgresLog.open(server.url('rivulet'), { maintenanceIntervalMs: 0 });
    try {
      return await logBenchmarks('postgres', log);
    } finally {
      await log.close();
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
