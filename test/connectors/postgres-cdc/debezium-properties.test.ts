import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cdcSettings } from '../../../src/connectors/postgres-cdc/settings.ts';
import { planScript } from '../../../src/plan/planner.ts';
import { failure, resolveTable } from '../../helpers/resolve-table.ts';

const CDC = `CREATE TABLE orders (order_id BIGINT, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
  'connector' = 'postgres-cdc', 'hostname' = 'localhost', 'username' = 'postgres', 'password' = 'secret',
  'database-name' = 'source_db', 'schema-name' = 'business', 'table-name' = 'orders', 'slot.name' = 'orders_slot'`;

/** The warnings of the one job of a script reading `orders` with these extra options. */
function jobWarnings(options: string): readonly string[] {
  const script = planScript(
    't.sql',
    `${CDC}${options});
     CREATE TABLE out_t (order_id BIGINT) WITH ('connector' = 'blackhole');
     INSERT INTO out_t SELECT order_id FROM orders;`,
    new Map(),
    {},
  );
  return script.jobs[0]?.warnings ?? [];
}

function settings(options: string) {
  return cdcSettings({ name: 'orders', fields: [], key: [], options: resolveTable(`${CDC}${options})`), columns: [] });
}

describe("postgres-cdc: Flink CDC's debezium.* pass-through properties", () => {
  it('accepts any debezium.* property, with one warning line per job naming each one that has no effect here', () => {
    const warnings = jobWarnings(
      ", 'debezium.poll.interval.ms' = '1000', 'debezium.column.exclude.list' = 'business.orders.note', 'debezium.tombstones.on.delete' = 'false'",
    );
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(
      warnings[0] as string,
      /^table 'orders': option 'debezium\.poll\.interval\.ms' = '1000' has no effect: /,
    );
    assert.match(
      warnings[1] as string,
      /^table 'orders': option 'debezium\.column\.exclude\.list' = 'business\.orders\.note' has no effect: Rivulet reads the slot itself/,
    );
  });

  it('still refuses an unknown option outside debezium.*, listing the valid ones with the namespace', () => {
    const error = failure(() => resolveTable(`${CDC}, 'poll.interval.ms' = '1000')`));
    assert.equal(error.code, 'OPTION_UNSUPPORTED');
    assert.match(error.message, /'poll\.interval\.ms'/);
    assert.match(error.hint ?? '', /supported options: .*'?debezium\.\*.*slot\.name/);
  });

  it('applies the Debezium properties that have a meaning here', () => {
    assert.equal(settings('').fetchSize, 1024);
    assert.equal(settings(", 'debezium.snapshot.fetch.size' = '200'").fetchSize, 200);
    assert.equal(settings('').maxBatchSize, undefined);
    assert.equal(settings(", 'debezium.max.batch.size' = '16'").maxBatchSize, 16);
    assert.equal(settings('').queueSize, 20_000);
    assert.equal(settings(", 'debezium.max.queue.size' = '8192'").queueSize, 8192);
    assert.deepEqual([...settings('').skipped], []);
    assert.deepEqual([...settings(", 'debezium.skipped.operations' = 'none'").skipped], []);
    assert.deepEqual([...settings(", 'debezium.skipped.operations' = 'd, t'").skipped], ['d', 't']);
    assert.deepEqual(jobWarnings(", 'debezium.max.batch.size' = '16', 'debezium.skipped.operations' = 'u'"), []);
  });

  it('refuses a skipped.operations entry that is no operation, naming it', () => {
    const error = failure(() => resolveTable(`${CDC}, 'debezium.skipped.operations' = 'c,x')`));
    assert.equal(error.code, 'CONNECTOR_INVALID');
    assert.match(error.message, /'debezium\.skipped\.operations' of table 'orders' has 'x'/);
  });

  it("refuses sizes Debezium refuses: the queue no larger than a batch, with Debezium's defaults for the one not given", () => {
    for (const [options, named] of [
      [
        ", 'debezium.max.batch.size' = '16', 'debezium.max.queue.size' = '16'",
        /'debezium\.max\.queue\.size' \(16\) must be larger than 'debezium\.max\.batch\.size' \(16\)/,
      ],
      [
        ", 'debezium.max.queue.size' = '1000'",
        /\(1000\) must be larger than 'debezium\.max\.batch\.size' \(2048, Debezium's default\)/,
      ],
      [
        ", 'debezium.max.batch.size' = '10000'",
        /\(8192, Debezium's default\) must be larger than 'debezium\.max\.batch\.size' \(10000\)/,
      ],
      [", 'debezium.max.batch.size' = '0'", /'debezium\.max\.batch\.size' must be positive/],
    ] as const) {
      const error = failure(() => resolveTable(`${CDC}${options})`));
      assert.equal(error.code, 'CONNECTOR_INVALID');
      assert.match(error.message, named);
    }
    assert.equal(settings(", 'debezium.max.batch.size' = '16', 'debezium.max.queue.size' = '17'").queueSize, 17);
  });

  it('refuses TLS modes, which a warning would turn into an unencrypted connection', () => {
    const error = failure(() => resolveTable(`${CDC}, 'debezium.database.sslmode' = 'verify-full')`));
    assert.equal(error.code, 'OPTION_NOT_SUPPORTED');
    assert.match(error.message, /'debezium\.database\.sslmode' = 'verify-full'.*without TLS/);
    assert.deepEqual(jobWarnings(", 'debezium.database.sslmode' = 'disable'"), []);
  });
});
