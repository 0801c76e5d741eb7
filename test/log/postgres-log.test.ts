import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { isRivuletError } from '../../src/common/errors.ts';
import { PACE_ACTIVE_MS, PACE_MAX_WAIT_MS, PACE_RECORDS, PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import type { PostgresReader } from '../../src/log/postgres/reader.ts';
import { recordsTable } from '../../src/log/postgres/schema.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';
import { logConformance } from './conformance.ts';

logConformance('postgres', async () => {
  const server = await startTestPostgres();
  const admin = await server.connect();
  await admin.query('CREATE DATABASE rivulet');
  const url = server.server.url('rivulet');
  const log = await PostgresLog.open(url, { maintenanceIntervalMs: 0, minCompactionLagMs: 0 });
  return {
    log,
    compact: () => log.runMaintenance(),
    async deleteBefore(topic, partition, offset) {
      const id = await log.topicId(topic);
      await log.pool.query(`DELETE FROM ${recordsTable(id)} WHERE partition = $1 AND "offset" < $2`, [
        partition,
        offset,
      ]);
    },
    async crashDuringTransaction(write) {
      const doomed = await PostgresLog.open(url, { maintenanceIntervalMs: 0 });
      await write(doomed);
      // Terminate the backend like a killed process would: the open transaction rolls back.
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'rivulet' AND state = 'idle in transaction'",
      );
      await doomed.close();
    },
    async dispose() {
      await log.close();
      await server.dispose();
    },
  };
});

describe('postgres log errors', () => {
  it('names an unreachable database without its password', async () => {
    await assert.rejects(PostgresLog.open('postgres://someone:hunter2@127.0.0.1:1/rivulet'), (error: unknown) => {
      assert.ok(isRivuletError(error));
      assert.equal(error.code, 'LOG_UNREACHABLE');
      assert.match(error.message, /cannot open the log at postgres:\/\/someone@127\.0\.0\.1:1\/rivulet/);
      assert.doesNotMatch(`${error.message} ${error.hint}`, /hunter2/);
      return true;
    });
  });

  it('warns of each failed maintenance run without the password, counts it and tries again', async () => {
    const server = await startTestPostgres();
    const warn = mock.method(console, 'warn', () => undefined);
    try {
      const admin = await server.connect();
      await admin.query('CREATE DATABASE rivulet');
      // Loopback trust lets any password through: the log is given one that must never be shown.
      const url = server.server.url('rivulet').replace('@', ':hunter2@');
      const log = await PostgresLog.open(url, { maintenanceIntervalMs: 20 });
      try {
        await log.pool.query('ALTER TABLE rivulet_log.topics RENAME TO topics_away');
        await waitFor('two failed maintenance runs', async () => (log.maintenanceFailures >= 2 ? true : undefined));
        assert.equal(warn.mock.callCount(), log.maintenanceFailures);
        const warning = String(warn.mock.calls[0]?.arguments[0]);
        assert.match(
          warning,
          /^compaction and retention of the log at postgresql:\/\/postgres@127\.0\.0\.1:\d+\/rivulet failed \(relation "rivulet_log\.topics" does not exist\); tried again in 20 ms$/,
        );
        assert.doesNotMatch(warning, /hunter2/);
      } finally {
        await log.close();
      }
    } finally {
      warn.mock.restore();
      await server.dispose();
    }
  });

  it('leaves no connection behind after close', async () => {
    const server = await startTestPostgres();
    try {
      const admin = await server.connect();
      await admin.query('CREATE DATABASE rivulet');
      const log = await PostgresLog.open(server.server.url('rivulet'), { maintenanceIntervalMs: 0 });
      await log.ensureTopic('t');
      await log.produce([{ topic: 't', key: null, value: Buffer.from('x') }]);
      await log.close();
      // A closed connection's backend leaves pg_stat_activity a moment after the client is gone.
      const connections = async () =>
        (await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'rivulet'"))
          .rows[0]?.n;
      const deadline = Date.now() + 5_000;
      while ((await connections()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await connections(), 0);
    } finally {
      await server.dispose();
    }
  });
});

describe('postgres log readers and writers in one process', () => {
  const text = (s: string) => Buffer.from(s);
  const values = (records: readonly { value: Buffer | null }[]) => records.map((r) => r.value?.toString());

  /** A log whose table reads are counted. */
  async function countingLog(url: string) {
    const log = await PostgresLog.open(url, { maintenanceIntervalMs: 0 });
    const counted = { reads: 0 };
    const fetch = log.fetch.bind(log);
    log.fetch = (...args) => {
      counted.reads++;
      return fetch(...args);
    };
    return { log, counted };
  }

  /** A fresh server with a counting log, both gone after `run`. */
  async function withCountingLog(run: (log: PostgresLog, counted: { reads: number }, url: string) => Promise<void>) {
    const server = await startTestPostgres();
    try {
      const admin = await server.connect();
      await admin.query('CREATE DATABASE rivulet');
      const url = server.server.url('rivulet');
      const { log, counted } = await countingLog(url);
      try {
        await run(log, counted, url);
      } finally {
        await log.close();
      }
    } finally {
      await server.dispose();
    }
  }

  it('reads its own commits from memory, including a transaction of several batches, and sees other processes writes', async () => {
    await withCountingLog(async (log, counted, url) => {
      const other = await PostgresLog.open(url, { maintenanceIntervalMs: 0 });
      try {
        await log.ensureTopic('t', { partitions: 2 });
        const reader = await log.openReader('t', { kind: 'earliest' });
        assert.deepEqual(await reader.poll(10, 0), []);
        const tableReads = counted.reads;
        assert.ok(tableReads > 0, 'a new reader reads the table first');

        await log.produce([{ topic: 't', key: null, value: text('a'), partition: 0 }]);
        assert.deepEqual(values(await reader.poll(10, 1_000)), ['a']);
        const tx = await log.beginTransaction();
        await tx.produce([{ topic: 't', key: null, value: text('b'), partition: 1 }]);
        await tx.produce([{ topic: 't', key: null, value: text('c'), partition: 1 }]);
        await tx.commit();
        assert.deepEqual(values(await reader.poll(10, 1_000)), ['b', 'c']);
        assert.deepEqual(await reader.poll(10, 50), []);
        assert.equal(counted.reads, tableReads, 'the reader took its own process commits from memory');

        await other.produce([{ topic: 't', key: null, value: text('d'), partition: 0 }]);
        assert.deepEqual(values(await reader.poll(10, 5_000)), ['d']);
        assert.ok(counted.reads > tableReads, 'another process write is read from the table');

        await log.produce([{ topic: 't', key: null, value: text('e'), partition: 0 }]);
        assert.deepEqual(values(await reader.poll(10, 1_000)), ['e']);

        // A transaction too large for the cache: its early batches are only in the table.
        const big = await log.beginTransaction();
        await big.produce([{ topic: 't', key: null, value: text('early'), partition: 1 }]);
        const many = Array.from({ length: 10_001 }, () => ({ topic: 't', key: null, value: text('x'), partition: 0 }));
        await big.produce(many);
        await big.commit();
        const read: (string | undefined)[] = [];
        for (let i = 0; i < 20 && read.length < 10_002; i++) read.push(...values(await reader.poll(20_000, 1_000)));
        assert.equal(read.length, 10_002);
        assert.ok(read.includes('early'), 'the batch left out of the cache is read from the table');
        await reader.close();
      } finally {
        await other.close();
      }
    });
  });

  it('keeps a committed record in memory only until every reader of the process has read it', async () => {
    await withCountingLog(async (log, counted) => {
      await log.ensureTopic('u', { partitions: 1 });
      const topicId = await log.topicId('u');
      const first = await log.openReader('u', { kind: 'earliest' });
      const second = await log.openReader('u', { kind: 'earliest' });
      assert.deepEqual(await first.poll(10, 0), []);
      assert.deepEqual(await second.poll(10, 0), []);
      const tableReads = counted.reads;

      await log.produce([{ topic: 'u', key: null, value: text('a'), partition: 0 }]);
      assert.deepEqual(values(await first.poll(10, 1_000)), ['a']);
      assert.deepEqual(values(log.cached(topicId, 0, 0n, 10) ?? []), ['a'], 'kept while the second has not read it');
      assert.deepEqual(values(await second.poll(10, 1_000)), ['a']);
      assert.equal(log.cached(topicId, 0, 0n, 10), undefined, 'forgotten once both have');
      assert.equal(counted.reads, tableReads, 'both read it from memory');

      await second.close();
      await log.produce([{ topic: 'u', key: null, value: text('b'), partition: 0 }]);
      assert.deepEqual(values(await first.poll(10, 1_000)), ['b']);
      assert.equal(log.cached(topicId, 0, 1n, 10), undefined, 'a closed reader holds nothing back');

      const late = await log.openReader('u', { kind: 'earliest' });
      assert.deepEqual(values(await late.poll(10, 1_000)), ['a', 'b']);
      assert.ok(counted.reads > tableReads, 'a reader that comes later reads the table');
      await first.close();
      await late.close();
    });
  });

  it('holds a writer back while a polling reader of the process falls behind, and no longer than it must', async () => {
    await withCountingLog(async (log, counted) => {
      await log.ensureTopic('p', { partitions: 1 });
      const batch = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ topic: 'p', key: null, value: text(`v${i}`), partition: 0 }));
      const reader = (await log.openReader('p', { kind: 'earliest' })) as PostgresReader;
      assert.deepEqual(await reader.poll(10, 0), []);
      const tableReads = counted.reads;

      await log.produce(batch(PACE_RECORDS + 1));
      const events: string[] = [];
      const tx = await log.beginTransaction();
      const producing = tx.produce(batch(1)).then(() => events.push('written'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      events.push('reading');
      assert.equal((await reader.poll(PACE_RECORDS + 1, 1_000)).length, PACE_RECORDS + 1);
      await producing;
      await tx.commit();
      assert.deepEqual(events, ['reading', 'written'], 'the write waited until the reader caught up');
      assert.equal((await reader.poll(10, 1_000)).length, 1);
      assert.equal(counted.reads, tableReads, 'the reader never left the cache');

      // A reader that keeps polling but does not catch up holds a write back for at most PACE_MAX_WAIT_MS.
      await log.produce(batch(PACE_RECORDS + 1));
      let started = performance.now();
      await log.produce(batch(1));
      assert.ok(performance.now() - started >= PACE_MAX_WAIT_MS - 5, 'the write waited for the polling reader');

      // One whose job stopped polling holds nothing back.
      reader.polledAt = Date.now() - PACE_ACTIVE_MS - 1;
      started = performance.now();
      await log.produce(batch(1));
      assert.ok(performance.now() - started < PACE_MAX_WAIT_MS, 'the write did not wait for an idle reader');
      await reader.close();
    });
  });
});
