import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KafkaTableReader } from '../../../src/connectors/kafka/reader.ts';
import { type KafkaTable, kafkaTable } from '../../../src/connectors/kafka/table.ts';
import { kafkaTableBatchWriter, kafkaTableWriter } from '../../../src/connectors/kafka/writer.ts';
import { resolveConnector } from '../../../src/connectors/registry.ts';
import type { Change } from '../../../src/exec/change.ts';
import type { ProduceRecord } from '../../../src/log/log.ts';
import type { PostgresLog } from '../../../src/log/postgres/postgres-log.ts';
import type { CreateTableStatement } from '../../../src/sql/ast.ts';
import { parseScript } from '../../../src/sql/parser.ts';
import { substituteVariables } from '../../../src/sql/substitute.ts';
import { T } from '../../../src/types/data-type.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { resolveTable } from '../../helpers/resolve-table.ts';

const resolve = resolveTable;

function table(connector: 'kafka' | 'upsert-kafka', topic: string, extra = ''): KafkaTable {
  const ddl =
    connector === 'upsert-kafka'
      ? `CREATE TABLE t (order_id BIGINT, status STRING, amount DECIMAL(10, 2), PRIMARY KEY (order_id) NOT ENFORCED)
         WITH ('connector' = 'upsert-kafka', 'topic' = '${topic}', 'key.format' = 'json', 'value.format' = 'json'${extra})`
      : `CREATE TABLE t (order_id BIGINT, status STRING, amount DECIMAL(10, 2))
         WITH ('connector' = 'kafka', 'topic' = '${topic}', 'format' = 'json'${extra})`;
  const source = substituteVariables('t.sql', ddl, new Map(), {});
  const statement = parseScript(source)[0] as CreateTableStatement;
  const primaryKey = statement.primaryKey?.columns.map((c) => c.name);
  const options = resolveConnector(
    { name: 't', primaryKey, hasWatermark: false, columns: ['order_id', 'status', 'amount'] },
    statement.at,
    statement.options,
    source,
  );
  return kafkaTable(
    {
      name: 't',
      fields: [
        { name: 'order_id', type: T.bigint(false) },
        { name: 'status', type: T.string() },
        { name: 'amount', type: T.decimal(10, 2) },
      ],
      key: primaryKey ? [0] : [],
      options,
    },
    connector === 'upsert-kafka',
  );
}

/** Opens the table's reader as a job's run does, for the consumer group `group`. */
function openReader(log: PostgresLog, table: KafkaTable, group: string): Promise<KafkaTableReader> {
  return KafkaTableReader.open(
    {
      table,
      columns: table.fields.map((field) => ({ physical: field.name })),
      group,
      log,
      stateful: false,
      committedPositions: (topic) => log.committedPositions(group, topic),
      deadLetteredPositions: (topic) => log.committedPositions(group, topic),
      warn: () => undefined,
    },
    table.upsert,
  );
}

async function readChanges(reader: KafkaTableReader, count: number): Promise<Change[]> {
  const out: Change[] = [];
  for (let i = 0; i < 30 && out.length < count; i++) out.push(...(await reader.poll(100, 100)));
  return out;
}

describe('kafka and upsert-kafka tables on the log', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  before(async () => {
    pg = await startTestPostgres();
    log = await openTestLog(pg);
  });
  after(async () => {
    await log?.close();
    await pg?.dispose();
  });

  it('writes upserts keyed by the primary key JSON, deletes as tombstones, and a -U only when no +U follows', async () => {
    const write = kafkaTableBatchWriter(table('upsert-kafka', 'orders'));
    const changes: Change[] = [
      { kind: '+I', row: [2001n, 'PENDING', 599900n] },
      { kind: '-U', row: [2001n, 'PENDING', 599900n] },
      { kind: '+U', row: [2001n, 'SHIPPED', 599900n] },
      { kind: '-D', row: [2001n, 'SHIPPED', 599900n] },
      // A filter kept the -U of an update of 2002 but not its +U: the row must go.
      { kind: '+I', row: [2002n, 'PENDING', 100n] },
      { kind: '-U', row: [2002n, 'PENDING', 100n] },
    ];
    assert.deepEqual(
      write(
        [
          { kind: '+I', row: [1n, 'A', 1n], time: 1700 },
          { kind: '+I', row: [2n, 'B', 1n] },
        ],
        1800,
      ).map((r) => r.timestamp),
      [1700, 1800],
      "a record's timestamp is its change's source time, else the batch's",
    );
    assert.deepEqual(
      write(changes).map((r) => [r.key?.toString(), r.value?.toString() ?? null]),
      [
        ['{"order_id":2001}', '{"order_id":2001,"status":"PENDING","amount":5999}'],
        ['{"order_id":2001}', '{"order_id":2001,"status":"SHIPPED","amount":5999}'],
        ['{"order_id":2001}', null],
        ['{"order_id":2002}', '{"order_id":2002,"status":"PENDING","amount":1}'],
        ['{"order_id":2002}', null],
      ],
    );
  });

  it('reads an upsert topic as upserts and deletes, or, through a kafka table, as inserts without tombstones', async () => {
    await log.ensureTopic('ods', { compacted: true });
    const write = kafkaTableWriter(table('upsert-kafka', 'ods'));
    const produced = [
      write({ kind: '+I', row: [2001n, 'PENDING', 599900n] }, 1001),
      write({ kind: '+U', row: [2001n, 'SHIPPED', 599900n] }, 1002),
      write({ kind: '-D', row: [2001n, 'SHIPPED', 599900n] }, 1003),
    ].filter((r) => r !== undefined);
    await log.produce(produced as never);
    const upserts = await openReader(log, table('upsert-kafka', 'ods'), 'g1');
    // Each change carries its record's timestamp: the source time Rivulet's jobs stamp.
    assert.deepEqual(await readChanges(upserts, 3), [
      { kind: '+U', row: [2001n, 'PENDING', 599900n], time: 1001 },
      { kind: '+U', row: [2001n, 'SHIPPED', 599900n], time: 1002 },
      { kind: '-D', row: [2001n, null, null], time: 1003 },
    ]);
    const appends = await openReader(log, table('kafka', 'ods', ", 'scan.startup.mode' = 'earliest-offset'"), 'g2');
    assert.deepEqual(await readChanges(appends, 2), [
      { kind: '+I', row: [2001n, 'PENDING', 599900n], time: 1001 },
      { kind: '+I', row: [2001n, 'SHIPPED', 599900n], time: 1002 },
    ]);
  });

  it('fails on a record that does not fit the schema, naming topic, partition and offset', async () => {
    await log.ensureTopic('bad');
    await log.produce([
      { topic: 'bad', key: null, value: Buffer.from('{"order_id":1,"status":"OK","amount":1}') },
      { topic: 'bad', key: null, value: Buffer.from('{"order_id":"two","status":"OK"}') },
    ]);
    const reader = await openReader(log, table('kafka', 'bad', ", 'scan.startup.mode' = 'earliest-offset'"), 'g3');
    await assert.rejects(reader.poll(10, 1000), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'RECORD_UNREADABLE');
      assert.match(
        error.message,
        /record at topic 'bad', partition 0, offset 1 does not fit table 't': field 'order_id' expects BIGINT, got "two"/,
      );
      return true;
    });
  });

  it('sets unreadable records aside as dead letters with their location, error and raw bytes, and goes on', async () => {
    await log.ensureTopic('mixed');
    const binary = Buffer.from([0xff, 0xfe, 0x00]);
    await log.produce([
      { topic: 'mixed', key: Buffer.from('k1'), value: Buffer.from('not json'), timestamp: 1000 },
      { topic: 'mixed', key: null, value: Buffer.from('{"order_id":2,"status":"OK","amount":2.5}') },
      { topic: 'mixed', key: null, value: binary, timestamp: 3000 },
    ]);
    const reader = await openReader(
      log,
      table('kafka', 'mixed', ", 'scan.startup.mode' = 'earliest-offset', 'dead-letter-topic' = 'mixed_dlq'"),
      'g4',
    );
    assert.deepEqual(
      (await readChanges(reader, 1)).map((c) => ({ kind: c.kind, row: c.row })),
      [{ kind: '+I', row: [2n, 'OK', 250n] }],
    );
    const letters = reader.takeDeadLetters();
    assert.deepEqual(
      letters.map((letter) => ({ ...letter, value: JSON.parse(letter.value?.toString() ?? 'null') })),
      [
        {
          topic: 'mixed_dlq',
          key: Buffer.from('k1'),
          timestamp: 1000,
          value: {
            topic: 'mixed',
            partition: 0,
            offset: 0,
            timestamp: 1000,
            table: 't',
            error: 'not valid JSON: Unexpected token \'o\', "not json" is not valid JSON',
            key: 'k1',
            value: 'not json',
          },
        },
        {
          topic: 'mixed_dlq',
          key: null,
          timestamp: 3000,
          value: {
            topic: 'mixed',
            partition: 0,
            offset: 2,
            timestamp: 3000,
            table: 't',
            error: letters[1] && JSON.parse(letters[1].value?.toString() ?? '{}').error,
            key: null,
            value_base64: binary.toString('base64'),
          },
        },
      ],
    );
    assert.deepEqual(reader.takeDeadLetters(), [], 'taken once');
    // The reader writes nothing itself: the job commits the letters with its positions.
    const dlq = await log.openReader('mixed_dlq', { kind: 'earliest' });
    assert.deepEqual(await dlq.poll(10, 100), []);
    await dlq.close();
    await reader.close();
  });

  it('hands a reader of the writing process the written rows when its format matches, and decodes otherwise', async () => {
    await log.ensureTopic('same', { compacted: true });
    const rows = [
      [2001n, 'PENDING', 599900n],
      [2002n, 'SHIPPED', 100n],
    ];
    // Both readers are open before the write: the process keeps what it wrote until they have read it.
    const sameReader = await openReader(log, table('upsert-kafka', 'same'), 'g');
    const plain = ", 'value.json.encode.decimal-as-plain-number' = 'true'";
    const otherReader = await openReader(log, table('upsert-kafka', 'same', plain), 'h');
    const write = kafkaTableBatchWriter(table('upsert-kafka', 'same'));
    await log.produce(write(rows.map((row) => ({ kind: '+I', row }))));
    const same = await readChanges(sameReader, 2);
    assert.ok(
      same.every((change, i) => change.row === rows[i]),
      'the same format takes the row as written',
    );
    const other = await readChanges(otherReader, 2);
    assert.deepEqual(
      other.map((change) => change.row),
      rows,
    );
    assert.ok(
      other.every((change, i) => change.row !== rows[i]),
      'another format decodes the bytes',
    );
  });

  it('starts where scan.startup.mode says: group offsets, latest, timestamp', async () => {
    await log.ensureTopic('modes');
    const value = (id: number) => Buffer.from(`{"order_id":${id},"status":"S","amount":1}`);
    await log.produce([1, 2, 3].map((id) => ({ topic: 'modes', key: null, value: value(id), timestamp: 1000 * id })));
    const tx = await log.beginTransaction();
    await tx.commitPositions('job', 'modes', new Map([[0, 2n]]));
    await tx.commit();
    const byGroup = await openReader(log, table('kafka', 'modes'), 'job');
    assert.deepEqual(
      (await readChanges(byGroup, 1)).map((c) => c.row[0]),
      [3n],
    );
    const byTime = await openReader(
      log,
      table('kafka', 'modes', ", 'scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '2000'"),
      'x',
    );
    assert.deepEqual(
      (await readChanges(byTime, 2)).map((c) => c.row[0]),
      [2n, 3n],
    );
    const latest = await openReader(log, table('kafka', 'modes', ", 'scan.startup.mode' = 'latest-offset'"), 'y');
    assert.deepEqual(await latest.poll(10, 100), []);
  });

  it("starts at the offsets of 'properties.group.id', and with auto.offset.reset 'none' fails where it has none", async () => {
    await log.ensureTopic('grouped');
    const value = (id: number) => Buffer.from(`{"order_id":${id},"status":"S","amount":1}`);
    await log.produce([1, 2, 3].map((id) => ({ topic: 'grouped', key: null, value: value(id) })));
    const tx = await log.beginTransaction();
    await tx.commitPositions('flink-consumers', 'grouped', new Map([[0, 1n]]));
    await tx.commit();
    const reader = await openReader(
      log,
      table('kafka', 'grouped', ", 'properties.group.id' = 'flink-consumers'"),
      'job-a',
    );
    assert.deepEqual(
      (await readChanges(reader, 2)).map((c) => c.row[0]),
      [2n, 3n],
    );
    await assert.rejects(
      openReader(
        log,
        table('kafka', 'grouped', ", 'properties.group.id' = 'nobody', 'properties.auto.offset.reset' = 'none'"),
        'job-b',
      ),
      /consumer group 'nobody' has no committed offset for partition 0 of topic 'grouped'/,
    );
  });

  it('stops at the end scan.bounded.mode gives, and has ended once that is committed', async () => {
    await log.ensureTopic('bounded');
    const value = (id: number) => Buffer.from(`{"order_id":${id},"status":"S","amount":1}`);
    const produce = (ids: number[]) =>
      log.produce(ids.map((id) => ({ topic: 'bounded', key: null, value: value(id), timestamp: 1000 * id })));
    await produce([1, 2, 3]);
    const earliest = ", 'scan.startup.mode' = 'earliest-offset'";
    const latest = await openReader(
      log,
      table('kafka', 'bounded', `${earliest}, 'scan.bounded.mode' = 'latest-offset'`),
      'b1',
    );
    await produce([4]);
    assert.deepEqual(
      (await readChanges(latest, 3)).map((c) => c.row[0]),
      [1n, 2n, 3n],
    );
    assert.deepEqual(await latest.poll(10, 100), [], 'up to the latest offset when the reader opened');
    assert.equal(latest.moved, true, 'at its end: worth a commit');
    assert.equal(latest.ended, false, 'not ended before that end is committed');
    assert.deepEqual(latest.positions(), new Map([[0, 3n]]));
    latest.committed(new Map([[0, 3n]]));
    assert.equal(latest.ended, true);
    assert.equal(latest.moved, false);

    const byTime = await openReader(
      log,
      table(
        'kafka',
        'bounded',
        `${earliest}, 'scan.bounded.mode' = 'timestamp', 'scan.bounded.timestamp-millis' = '2500'`,
      ),
      'b2',
    );
    assert.deepEqual(
      (await readChanges(byTime, 2)).map((c) => c.row[0]),
      [1n, 2n],
    );
    assert.deepEqual(await byTime.poll(10, 100), [], 'up to the first record at or after the time');
    const byOffset = await openReader(
      log,
      table(
        'kafka',
        'bounded',
        `${earliest}, 'scan.bounded.mode' = 'specific-offsets', 'scan.bounded.specific-offsets' = 'partition:0,offset:1'`,
      ),
      'b3',
    );
    assert.deepEqual(
      (await readChanges(byOffset, 1)).map((c) => c.row[0]),
      [1n],
    );
    assert.deepEqual(await byOffset.poll(10, 100), []);
    const unbounded = await openReader(log, table('kafka', 'bounded', earliest), 'b4');
    assert.equal((await readChanges(unbounded, 4)).length, 4);
    assert.equal(unbounded.moved, false);
  });

  it("writes key.fields to the message key, named without key.fields-prefix, and leaves them out of the value with 'EXCEPT_KEY'", async () => {
    await log.ensureTopic('keyed');
    const keyed = kafkaTable(
      {
        name: 't',
        fields: [
          { name: 'k_order_id', type: T.bigint(false) },
          { name: 'status', type: T.string() },
        ],
        key: [],
        options: resolve(
          `CREATE TABLE t (k_order_id BIGINT, status STRING) WITH ('connector' = 'kafka', 'topic' = 'keyed',
           'key.format' = 'json', 'key.fields' = 'k_order_id', 'key.fields-prefix' = 'k_',
           'value.format' = 'json', 'value.fields-include' = 'EXCEPT_KEY', 'scan.startup.mode' = 'earliest-offset')`,
        ),
      },
      false,
    );
    const record = kafkaTableWriter(keyed)({ kind: '+I', row: [2001n, 'PENDING'] }) as ProduceRecord;
    assert.deepEqual([record.key?.toString(), record.value?.toString()], ['{"order_id":2001}', '{"status":"PENDING"}']);
    await log.produce([record, { topic: 'keyed', key: null, value: Buffer.from('{"status":"NO KEY"}') }]);
    const reader = await openReader(log, keyed, 'k1');
    assert.deepEqual(
      (await readChanges(reader, 2)).map((c) => c.row),
      [
        [2001n, 'PENDING'],
        [null, 'NO KEY'],
      ],
    );
  });

  it('spreads records over partitions as sink.partitioner says', async () => {
    await log.ensureTopic('spread', { partitions: 3 });
    const partitions = (extra: string, ids: number[]) => {
      const write = kafkaTableBatchWriter(table('kafka', 'spread', extra), 3);
      return write(ids.map((id) => ({ kind: '+I', row: [BigInt(id), 'S', 1n] }))).map((r) => r.partition);
    };
    assert.deepEqual(partitions(", 'sink.partitioner' = 'round-robin'", [1, 2, 3, 4]), [0, 1, 2, 0]);
    assert.deepEqual(partitions(", 'sink.partitioner' = 'fixed'", [1, 2, 3]), [0, 0, 0]);
    assert.deepEqual(
      partitions('', [1, 2]),
      [undefined, undefined],
      "'default': the key's hash, partition 0 without one",
    );
  });

  it('writes only the last record of each key of a buffer when both upsert-kafka buffer-flush options are set', async () => {
    const changes: Change[] = [
      { kind: '+I', row: [1n, 'PENDING', 1n] },
      { kind: '+I', row: [2n, 'PENDING', 1n] },
      { kind: '-U', row: [1n, 'PENDING', 1n] },
      { kind: '+U', row: [1n, 'SHIPPED', 1n] },
      { kind: '+I', row: [3n, 'PENDING', 1n] },
      { kind: '-D', row: [2n, 'PENDING', 1n] },
    ];
    const texts = (extra: string) =>
      kafkaTableBatchWriter(table('upsert-kafka', 'buffered', extra))(changes).map(
        (r) => `${r.key?.toString()} ${r.value?.toString() ?? 'null'}`,
      );
    assert.deepEqual(texts(", 'sink.buffer-flush.max-rows' = '10', 'sink.buffer-flush.interval' = '1s'"), [
      '{"order_id":1} {"order_id":1,"status":"SHIPPED","amount":0.01}',
      '{"order_id":3} {"order_id":3,"status":"PENDING","amount":0.01}',
      '{"order_id":2} null',
    ]);
    assert.deepEqual(
      texts(", 'sink.buffer-flush.max-rows' = '2', 'sink.buffer-flush.interval' = '1s'"),
      [
        '{"order_id":1} {"order_id":1,"status":"PENDING","amount":0.01}',
        '{"order_id":2} {"order_id":2,"status":"PENDING","amount":0.01}',
        '{"order_id":1} {"order_id":1,"status":"SHIPPED","amount":0.01}',
        '{"order_id":3} {"order_id":3,"status":"PENDING","amount":0.01}',
        '{"order_id":2} null',
      ],
      'a buffer of two keys is written when full',
    );
    assert.equal(texts(", 'sink.buffer-flush.max-rows' = '10'").length, 5, 'without an interval there is no buffer');
  });
});
