import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../../src/connectors/options.ts';
import { SqlError } from '../../src/sql/sql-error.ts';
import { resolveTable } from '../helpers/resolve-table.ts';

const resolve = resolveTable;

function failure(ddl: string): SqlError {
  try {
    resolve(ddl);
  } catch (error) {
    assert.ok(error instanceof SqlError, String(error));
    return error;
  }
  assert.fail('expected an error');
}

const CDC = `CREATE TABLE orders (order_id BIGINT, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
  'connector' = 'postgres-cdc', 'hostname' = 'localhost', 'port' = '5433', 'username' = 'postgres',
  'password' = 'secret', 'database-name' = 'source_db', 'schema-name' = 'business', 'table-name' = 'orders',
  'slot.name' = 'flink_slot_orders'`;

describe('connector options', () => {
  it('types the declared options and fills defaults', () => {
    const resolved = resolve(`${CDC}, 'heartbeat.interval' = '10s')`);
    assert.equal(resolved.factory.identifier, 'postgres-cdc');
    assert.equal(resolved.get('port'), 5433);
    assert.equal(resolved.get('heartbeat.interval'), 10_000);
    assert.equal(resolved.get('scan.startup.mode'), 'initial');
    assert.equal(resolved.get('decoding.plugin.name'), 'pgoutput');
  });

  it('lists an unknown option with the valid ones and a likely fix', () => {
    const error = failure(`${CDC},\n  'slot.nam' = 'x')`);
    assert.equal(error.code, 'OPTION_UNSUPPORTED');
    assert.equal(error.message, "t.sql:5:3: Unsupported options found for 'postgres-cdc': 'slot.nam'");
    assert.match(error.hint ?? '', /^did you mean 'slot\.name'\? supported options: .*database-name.*slot\.name/);
  });

  it('names missing required options', () => {
    const error = failure(`CREATE TABLE t (id INT) WITH ('connector' = 'jdbc')`);
    assert.equal(error.code, 'OPTION_MISSING');
    assert.match(error.message, /required options are missing .*'url', 'table-name'/);
  });

  it('rejects a value of the wrong type, naming the option', () => {
    const error = failure(`${CDC}, 'connect.max-retries' = 'five')`);
    assert.equal(
      error.message,
      "t.sql:4:38: option 'connect.max-retries' of table 'orders': expected a whole number, got 'five'",
    );
    assert.match(
      failure(`${CDC}, 'scan.startup.mode' = 'snapshot')`).message,
      /expected one of 'initial', 'latest-offset'/,
    );
  });

  it('names an unknown connector and the known ones', () => {
    const error = failure(`CREATE TABLE t (id INT) WITH ('connector' = 'mysql-cdc')`);
    assert.equal(error.message, "t.sql:1:31: Could not find any factory for identifier 'mysql-cdc'");
    assert.equal(
      error.hint,
      'available connectors: blackhole, datagen, filesystem, jdbc, kafka, postgres-cdc, print, upsert-kafka',
    );
  });

  it('rejects a PRIMARY KEY on a kafka table with json format, as Flink does', () => {
    const error = failure(
      `CREATE TABLE t (id INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json')`,
    );
    assert.equal(error.code, 'CONNECTOR_INVALID');
    assert.match(
      error.message,
      /The Kafka table 't' with 'json' format doesn't support defining PRIMARY KEY constraint/,
    );
  });

  it('requires a PRIMARY KEY on upsert-kafka, as Flink does', () => {
    const error = failure(
      `CREATE TABLE t (id INT) WITH ('connector' = 'upsert-kafka', 'topic' = 't', 'key.format' = 'json', 'value.format' = 'json')`,
    );
    assert.match(error.message, /'upsert-kafka' tables require to define a PRIMARY KEY constraint/);
  });

  it('accepts format options under the format prefix and properties.* keys', () => {
    const resolved = resolve(`CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json',
      'json.ignore-parse-errors' = 'true', 'properties.group.id' = 'g', 'properties.bootstrap.servers' = 'k:9092',
      'scan.startup.mode' = 'earliest-offset')`);
    assert.equal(resolved.get('json.ignore-parse-errors'), true);
    assert.deepEqual(
      [...resolved.withPrefix('properties.')],
      [
        ['group.id', 'g'],
        ['bootstrap.servers', 'k:9092'],
      ],
    );
    const error = failure(
      `CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json', 'csv.x' = '1')`,
    );
    assert.match(error.message, /Unsupported options found for 'kafka': 'csv.x'/);
    assert.match(
      failure(`CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'avro')`).message,
      /format factory for identifier 'avro'/,
    );
  });

  it("refuses json.fail-on-missing-field with json.ignore-parse-errors, as Flink's json format does", () => {
    const error = failure(
      `CREATE TABLE t (id INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json',
        'json.fail-on-missing-field' = 'true', 'json.ignore-parse-errors' = 'true')`,
    );
    assert.equal(error.code, 'CONNECTOR_INVALID');
    assert.match(error.message, /fail-on-missing-field and ignore-parse-errors shouldn't both be true/);
  });

  it('refuses a dead-letter topic beside ignore-parse-errors, which would skip what it is there to keep', () => {
    const error = failure(
      `CREATE TABLE t (id INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 't',
        'key.format' = 'json', 'value.format' = 'json', 'dead-letter-topic' = 't_dlq',
        'value.json.ignore-parse-errors' = 'true')`,
    );
    assert.equal(error.code, 'CONNECTOR_INVALID');
    assert.match(error.message, /give 'dead-letter-topic' or 'value.json.ignore-parse-errors' = 'true', not both/);
  });

  it('accepts only PostgreSQL JDBC URLs', () => {
    const error = failure(
      `CREATE TABLE t (id INT) WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://h/db', 'table-name' = 't')`,
    );
    assert.match(error.message, /'url' must be a PostgreSQL JDBC URL/);
  });

  it('parses Flink durations', () => {
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('1 min'), 60_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('250'), 250);
    assert.equal(parseDuration('ten seconds'), undefined);
    assert.equal(parseDuration('5 fortnights'), undefined);
  });
});
