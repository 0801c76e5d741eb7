import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRivuletError } from '../../src/common/errors.ts';
import { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
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

  it('leaves no connection behind after close', async () => {
    const server = await startTestPostgres();
    try {
      const admin = await server.connect();
      await admin.query('CREATE DATABASE rivulet');
      const log = await PostgresLog.open(server.server.url('rivulet'), { maintenanceIntervalMs: 0 });
      await log.ensureTopic('t');
      await log.produce([{ topic: 't', key: null, value: Buffer.from('x') }]);
      await log.close();
      const left = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'rivulet'",
      );
      assert.equal(left.rows[0]?.n, 0);
    } finally {
      await server.dispose();
    }
  });
});
