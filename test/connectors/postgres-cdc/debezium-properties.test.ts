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
  it("accepts the debezium.* properties that tune only Debezium's machinery, with one warning line per job naming each", () => {
    const warnings = jobWarnings(
      ", 'debezium.poll.interval.ms' = '1000', 'debezium.retriable.restart.connector.wait.ms' = '5000', 'debezium.tombstones.on.delete' = 'false'",
    );
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(
      warnings[0] as string,
      /^table 'orders': option 'debezium\.poll\.interval\.ms' = '1000' has no effect: /,
    );
    assert.match(
      warnings[1] as string,
      /^table 'orders': option 'debezium\.retriable\.restart\.connector\.wait\.ms' = '5000' has no effect: Rivulet reads the slot itself/,
    );
  });

  it('refuses each property that would change the rows or their values, naming it, why, and what to do', () => {
    for (const [key, value, why] of [
      ['column.include.list', 'business.orders.order_id', /leave the excluded columns out/],
      ['column.exclude.list', 'business.orders.note', /leave the excluded columns out/],
      ['column.blacklist', 'business.orders.note', /leave the excluded columns out/],
      ['table.include.list', 'business.orders', /from 'schema-name' and 'table-name'/],
      ['table.exclude.list', 'business.other', /from 'schema-name' and 'table-name'/],
      ['schema.include.list', 'business', /from 'schema-name' and 'table-name'/],
      ['schema.exclude.list', 'audit', /from 'schema-name' and 'table-name'/],
      ['message.key.columns', 'business.orders:customer_id', /PRIMARY KEY of the CREATE TABLE/],
      ['column.mask.with.4.chars', 'business.orders.note', /unmasked/],
      ['column.mask.hash.SHA-256.with.salt.s1', 'business.orders.note', /unmasked/],
      ['column.truncate.to.10.chars', 'business.orders.note', /whole/],
      ['transforms', 'unwrap', /no Kafka Connect transforms/],
      ['transforms.unwrap.type', 'io.debezium.transforms.ExtractNewRecordState', /no Kafka Connect transforms/],
      ['converters', 'isbn', /no custom converter/],
      ['snapshot.select.statement.overrides', 'business.orders', /whole table/],
      [
        'snapshot.select.statement.overrides.business.orders',
        'SELECT * FROM business.orders WHERE order_id > 10',
        /whole table/,
      ],
      ['snapshot.include.collection.list', 'business.other', /'scan\.startup\.mode'/],
      ['signal.data.collection', 'business.signals', /takes no signals/],
      ['database.initial.statements', "SET search_path = ''", /runs no statements/],
      ['unavailable.value.placeholder', 'n/a', /never a placeholder/],
      ['toasted.value.placeholder', 'n/a', /never a placeholder/],
      ['interval.handling.mode', 'numeric', /'1 day 02:00:00'/],
      ['interval.handling.mode', 'string', /'1 day 02:00:00'/],
      ['hstore.handling.mode', 'map', /hstore/],
      ['money.fraction.digits', '4', /money/],
      ['binary.handling.mode', 'base64', /bytea as bytes/],
      ['binary.handling.mode', 'hex', /bytea as bytes/],
      ['include.unknown.datatypes', 'false', /drops none/],
      ['sanitize.field.names', 'true', /rename columns/],
      ['event.processing.failure.handling.mode', 'skip', /leaves out no change/],
      ['truncate.handling.mode', 'include', /does not capture a TRUNCATE/],
    ] as const) {
      const error = failure(() => resolveTable(`${CDC}, 'debezium.${key}' = '${value.replaceAll("'", "''")}')`));
      assert.equal(error.code, 'OPTION_NOT_SUPPORTED', key);
      assert.ok(error.message.includes(`'debezium.${key}'`), `${key}: ${error.message}`);
      assert.match(error.message, why, key);
      assert.ok((error.hint ?? '').length > 0, `${key} has a hint`);
    }
  });

  it('accepts the values of those properties that Rivulet does anyway, without a warning', () => {
    assert.deepEqual(
      jobWarnings(
        ", 'debezium.binary.handling.mode' = 'bytes', 'debezium.include.unknown.datatypes' = 'true', 'debezium.sanitize.field.names' = 'false', 'debezium.event.processing.failure.handling.mode' = 'fail', 'debezium.truncate.handling.mode' = 'skip'",
      ),
      [],
    );
  });

  it("warns of the source-type properties, which change only Debezium's schema parameters, not rows", () => {
    const warnings = jobWarnings(", 'debezium.column.propagate.source.type' = '.*'");
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] as string, /'debezium\.column\.propagate\.source\.type' = '\.\*' has no effect: /);
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
