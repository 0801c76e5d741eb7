import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BACKGROUND,
  BENCH_APPLICATION,
  backendGroup,
  SOURCE_APPLICATION,
  titleGroup,
} from '../../bench/pg-backends.ts';

const row = (backend_type: string, datname: string | null = null, application_name: string | null = null) => ({
  backend_type,
  datname,
  application_name,
});

describe("the groups of PostgreSQL's processes", () => {
  it('puts WAL senders by database, client backends by database and application', () => {
    assert.equal(backendGroup(row('walsender', 'source_db')), 'WAL senders (logical decoding, source_db)');
    assert.equal(backendGroup(row('walsender')), 'WAL senders (physical replication)');
    assert.equal(backendGroup(row('client backend', 'rivulet')), 'log database backends (rivulet)');
    assert.equal(backendGroup(row('client backend', 'sink_db')), 'sink_db backends');
    assert.equal(backendGroup(row('parallel worker', 'sink_db')), 'sink_db backends');
    assert.equal(backendGroup(row('client backend', 'source_db')), 'source_db backends');
    assert.equal(
      backendGroup(row('client backend', 'source_db', SOURCE_APPLICATION)),
      'source_db backends (the source application)',
    );
    assert.equal(
      backendGroup(row('client backend', 'sink_db', BENCH_APPLICATION)),
      "sink_db backends (the bench's polling)",
    );
    assert.equal(
      backendGroup(row('client backend', 'source_db', 'rivulet-metrics')),
      "source_db backends (application 'rivulet-metrics')",
    );
    assert.equal(backendGroup(row('client backend', 'postgres')), 'postgres backends');
  });

  it('puts the server’s own processes in the background, I/O workers apart', () => {
    for (const type of [
      'checkpointer',
      'walwriter',
      'background writer',
      'autovacuum launcher',
      'logical replication launcher',
    ]) {
      assert.equal(backendGroup(row(type)), BACKGROUND);
    }
    assert.equal(backendGroup(row('autovacuum worker', 'source_db')), BACKGROUND);
    assert.equal(backendGroup(row('io worker')), 'I/O workers (io_method=worker)');
    assert.equal(backendGroup(row('something new')), 'other (something new)');
  });

  it('groups a process pg_stat_activity did not show by its title', () => {
    assert.equal(titleGroup('postgres: checkpointer '), BACKGROUND);
    assert.equal(titleGroup('postgres: autovacuum worker source_db'), BACKGROUND);
    assert.equal(titleGroup('postgres: io worker 2'), 'I/O workers (io_method=worker)');
    assert.equal(titleGroup('postgres: walsender postgres 127.0.0.1(40100) START_REPLICATION'), 'WAL senders');
    assert.equal(titleGroup('postgres: postgres sink_db 127.0.0.1(40000) idle'), 'sink_db backends');
    assert.equal(titleGroup('postgres: logger '), BACKGROUND);
    assert.equal(titleGroup(''), 'not in pg_stat_activity (no title)');
  });
});
