import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffRows } from '../../scripts/chaos/compare.ts';
import { ANY, type CheckedTable } from '../../scripts/chaos/oracle.ts';

const table: CheckedTable = { name: 't', key: ['id', 'part'], sinkSql: '', oracleSql: '' };
const row = (id: string, part: string, value: string | null, other = 'x') => ({ id, part, value, other });

describe('the chaos comparison of a sink table with its oracle', () => {
  it('counts rows lost, rows too many and rows with another value, by the whole key', () => {
    const expected = [row('1', 'a', '10'), row('1', 'b', '20'), row('2', 'a', null), row('3', 'a', '30')];
    const actual = [row('1', 'a', '10'), row('1', 'b', '21'), row('2', 'a', '0'), row('4', 'a', '40')];
    const difference = diffRows(table, actual, expected);
    assert.deepEqual(
      { rows: difference.rows, missing: difference.missing, extra: difference.extra, wrong: difference.wrong },
      { rows: 4, missing: 1, extra: 1, wrong: 2 },
    );
    assert.match(difference.examples.join('\n'), /wrong 1\|b: value=21 \(expected 20\)/);
    assert.match(difference.examples.join('\n'), /missing .*"id":"3"/);
    assert.match(difference.examples.join('\n'), /extra .*"id":"4"/);
  });

  it('lets any value stand where the oracle cannot tell, and only there', () => {
    const expected = [row('1', 'a', ANY), row('2', 'a', '5', ANY)];
    assert.equal(diffRows(table, [row('1', 'a', 'whatever'), row('2', 'a', '5', 'y')], expected).wrong, 0);
    assert.equal(diffRows(table, [row('1', 'a', 'whatever'), row('2', 'a', '6', 'y')], expected).wrong, 1);
  });

  it('refuses an oracle that gives two rows under one key', () => {
    assert.throws(() => diffRows(table, [], [row('1', 'a', '1'), row('1', 'a', '2')]), /oracle of t gives 1 rows/);
  });
});
