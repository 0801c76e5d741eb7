import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CuttingProxy } from '../../../scripts/chaos/pg-proxy.ts';
import { RivuletError } from '../../../src/common/errors.ts';
import { freeLoopbackPort } from '../../../src/embedded/ports.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { cdcTable, PostgresCdcReader, readChanges } from './cdc-helpers.ts';

const COLUMNS = 'id INT, v STRING, PRIMARY KEY (id) NOT ENFORCED';

/** The error of opening a reader; never mentions the password. */
async function openError(open: () => Promise<PostgresCdcReader>): Promise<RivuletError> {
  try {
    const reader = await open();
    await reader.close();
  } catch (error) {
    assert.ok(error instanceof RivuletError, String(error));
    assert.doesNotMatch(`${error.message} ${error.hint}`, /secret-password/);
    return error;
  }
  assert.fail('expected an error');
}

describe('postgres-cdc preflight: one clear message for each problem', () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await startTestPostgres();
    await (await pg.connect()).query('CREATE DATABASE cdc');
    const db = await pg.connect('cdc');
    await db.query('CREATE TABLE ok (id INT PRIMARY KEY, v TEXT)');
    await db.query('CREATE TABLE nokey (id INT, v TEXT)');
    await db.query('CREATE ROLE noreplication LOGIN');
    await db.query('CREATE ROLE noselect LOGIN REPLICATION');
    await db.query('CREATE PUBLICATION other_pub FOR TABLE nokey');
  });
  after(async () => pg?.dispose());

  const open = (options: Record<string, string>, columns = COLUMNS) =>
    PostgresCdcReader.open(cdcTable(pg, columns, { 'table-name': 'ok', 'slot.name': 'pre', ...options }), undefined);

  it('wal_level other than logical', async () => {
    // The machine's own PostgreSQL runs with wal_level = replica; a throwaway one is configured so.
    const replica = await startTestPostgres({ wal_level: 'replica' });
    try {
      await (await replica.connect()).query('CREATE DATABASE cdc');
      const error = await openError(() =>
        PostgresCdcReader.open(cdcTable(replica, COLUMNS, { 'table-name': 'ok', 'slot.name': 'pre' }), undefined),
      );
      assert.equal(error.code, 'CDC_WAL_LEVEL');
      assert.match(error.message, /wal_level = 'replica'; change data capture needs 'logical'/);
    } finally {
      await replica.dispose();
    }
  });

  it("tries a connection again as 'connect.max-retries' says", async () => {
    const proxy = await CuttingProxy.start(pg.server.port);
    try {
      const through = (retries: number) =>
        PostgresCdcReader.open(
          cdcTable(pg, COLUMNS, {
            'table-name': 'ok',
            'slot.name': 'retries',
            port: String(proxy.port),
            'connect.max-retries': String(retries),
          }),
          undefined,
        );
      proxy.refuse(2);
      const error = await openError(() => through(1));
      assert.equal(error.code, 'CDC_UNREACHABLE');
      proxy.refuse(2);
      const reader = await through(2);
      await reader.close();
    } finally {
      await proxy.stop();
    }
  });

  it('an unreachable database', async () => {
    const port = await freeLoopbackPort();
    const error = await openError(() =>
      PostgresCdcReader.open(
        cdcTable(pg, COLUMNS, { 'table-name': 'ok', 'slot.name': 'pre', port: String(port) }),
        undefined,
      ),
    );
    assert.equal(error.code, 'CDC_UNREACHABLE');
    assert.match(error.message, new RegExp(`cannot reach PostgreSQL at postgresql://postgres@127.0.0.1:${port}/cdc`));
  });

  it('a user without the REPLICATION attribute', async () => {
    const error = await openError(() => open({ username: 'noreplication' }));
    assert.equal(error.code, 'CDC_NO_REPLICATION_PRIVILEGE');
    assert.match(error.hint ?? '', /ALTER ROLE "noreplication" REPLICATION/);
  });

  it('a user without SELECT on the table', async () => {
    const error = await openError(() => open({ username: 'noselect' }));
    assert.equal(error.code, 'CDC_NO_SELECT');
    assert.match(error.hint ?? '', /GRANT SELECT ON public\.ok TO "noselect"/);
  });

  it('a table that does not exist, and a column the table lacks', async () => {
    assert.equal((await openError(() => open({ 'table-name': 'missing' }))).code, 'CDC_TABLE_NOT_FOUND');
    const error = await openError(() => open({}, 'id INT, w STRING, PRIMARY KEY (id) NOT ENFORCED'));
    assert.equal(error.code, 'CDC_SCHEMA_MISMATCH');
    assert.match(error.message, /has no column 'w'/);
  });

  it('a table without primary key or replica identity', async () => {
    const error = await openError(() => open({ 'table-name': 'nokey' }));
    assert.equal(error.code, 'CDC_NO_REPLICA_IDENTITY');
    assert.match(error.hint ?? '', /REPLICA IDENTITY FULL/);
  });

  it('a named publication that does not cover the table', async () => {
    const error = await openError(() => open({ 'publication.name': 'other_pub' }));
    assert.equal(error.code, 'CDC_PUBLICATION');
    assert.match(error.message, /publication 'other_pub' at .* does not cover table public\.ok/);
  });

  it('a slot held by another client (the slot conflict of two pipelines on one slot)', async () => {
    const first = await open({ 'slot.name': 'shared', 'connect.timeout': '1s' });
    try {
      await readChanges(first, 0);
      const error = await openError(() => open({ 'slot.name': 'shared', 'connect.timeout': '1s' }));
      assert.equal(error.code, 'CDC_SLOT_IN_USE');
      assert.match(error.message, /replication slot 'shared' at .* is in use by another client \(pid \d+/);
    } finally {
      await first.close();
    }
  });
});
