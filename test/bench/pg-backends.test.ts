import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import {
  BACKGROUND,
  BackendCpu,
  BENCH_APPLICATION,
  backendGroup,
  SOURCE_APPLICATION,
  titleGroup,
  UNSEEN,
} from '../../bench/pg-backends.ts';
import { treeUsage } from '../../bench/process-tree.ts';
import { startTestPostgres } from '../helpers/postgres.ts';

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

describe('BackendCpu on a real server', () => {
  it("attributes each child of the postmaster, one that ends during the run too, and sums to the server's CPU", async () => {
    const test = await startTestPostgres();
    try {
      await (await test.connect()).query('CREATE DATABASE sink_db');
      const postmaster = test.server.pid ?? 0;
      const before = treeUsage([postmaster]).cpuSeconds;
      const cpu = await BackendCpu.start(test.server);
      const busy = 'SELECT count(*) FROM generate_series(1, 4000000) g WHERE g % 7 = 3';
      const stays = new pg.Client({ ...test.server.connectionConfig('sink_db'), application_name: 'stays' });
      await stays.connect();
      await stays.query(busy);
      // A backend that works for several samples and ends before the run does.
      const ends = new pg.Client({ ...test.server.connectionConfig('sink_db'), application_name: 'ends' });
      await ends.connect();
      await ends.query(busy);
      await ends.end();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const result = await cpu.end();
      await stays.end();
      const total = treeUsage([postmaster]).cpuSeconds - before;
      const seconds = (group: string) =>
        (result.groups.find((each) => each.group === group)?.cores ?? 0) * result.seconds;
      assert.equal(result.strangers, 0);
      assert.ok(seconds("sink_db backends (application 'stays')") > 0.1, JSON.stringify(result.groups));
      assert.ok(
        seconds("sink_db backends (application 'ends')") + seconds(UNSEEN) > 0.1,
        JSON.stringify(result.groups),
      );
      // The same processes read from /proc, a few ticks apart (the server's CPU before start() and after end()).
      const sum = result.groups.reduce((all, each) => all + each.cores * result.seconds, 0);
      assert.ok(Math.abs(sum - total) < 0.1 + total * 0.1, `groups ${sum} s, the server ${total} s`);
    } finally {
      await test.dispose();
    }
  });
});
