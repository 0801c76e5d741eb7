import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cdcSettings } from '../../../src/connectors/postgres-cdc/settings.ts';
import { resolveTable } from '../../helpers/resolve-table.ts';

const CDC = `CREATE TABLE orders (order_id BIGINT, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
  'connector' = 'postgres-cdc', 'hostname' = 'localhost', 'username' = 'postgres', 'password' = 'secret',
  'database-name' = 'source_db', 'schema-name' = 'business', 'table-name' = 'orders', 'slot.name' = 'orders_slot'`;

/** The heartbeat interval a postgres-cdc table with these extra options gets, in milliseconds. */
function heartbeatMs(options: string): number {
  const resolved = resolveTable(`${CDC}${options})`);
  return cdcSettings({ name: 'orders', fields: [], key: [], options: resolved, columns: [] }).heartbeatMs;
}

describe('postgres-cdc heartbeat interval', () => {
  it("is 30 s by default, as Flink CDC's heartbeat.interval.ms", () => {
    assert.equal(heartbeatMs(''), 30_000);
  });

  // Flink CDC 3.1 declares HEARTBEAT_INTERVAL as key("heartbeat.interval.ms").durationType(), so a
  // Flink script writes it as a duration ('10s') or as milliseconds.
  it("takes Flink CDC's heartbeat.interval.ms, as a duration or in milliseconds", () => {
    assert.equal(heartbeatMs(", 'heartbeat.interval.ms' = '10s'"), 10_000);
    assert.equal(heartbeatMs(", 'heartbeat.interval.ms' = '250'"), 250);
  });

  it("prefers Flink CDC's name to Debezium's and to heartbeat.interval", () => {
    assert.equal(
      heartbeatMs(
        ", 'heartbeat.interval.ms' = '2s', 'debezium.heartbeat.interval.ms' = '5000', 'heartbeat.interval' = '7s'",
      ),
      2_000,
    );
    assert.equal(heartbeatMs(", 'debezium.heartbeat.interval.ms' = '5000', 'heartbeat.interval' = '7s'"), 5_000);
    assert.equal(heartbeatMs(", 'heartbeat.interval' = '7s'"), 7_000);
  });
});
