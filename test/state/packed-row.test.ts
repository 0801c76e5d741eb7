import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Row, Value } from '../../src/expr/value.ts';
import { pack, unpack } from '../../src/state/packed-row.ts';
import { WideTime } from '../../src/types/time-value.ts';

describe('packed rows (operator state)', () => {
  it('give back every kind of value', () => {
    const rows: Row[] = [
      [],
      [null, true, false, 0, -0, 1, -1, 2147483647, -2147483648, 2147483648, 1.5, Number.NaN, 1e300, -Infinity],
      [2 ** 52, -(2 ** 52), 2 ** 52 + 2, 2 ** 53, 1752254755145000, -1752254755145000, 127, 128, -64, -65],
      [0n, -1n, 599900n, 2n ** 52n, -(2n ** 52n), 2n ** 52n + 1n, 2n ** 63n, -(10n ** 38n) + 1n, 10n ** 37n],
      ['', 'ascii', '张三', '¥5999.00', 'x'.repeat(63), 'y'.repeat(64), `${'z'.repeat(200)}电`, '\u0000\u00ff'],
      ['😀 emoji', '电'.repeat(42), '电'.repeat(43), '\u07ff\u0800\uffff', `a${'😀'.repeat(21)}`],
      [new Uint8Array([0, 1, 255]), new Uint8Array(0)],
      [
        [1, null, 'a'],
        new Map<Value, Value>([
          ['k', 1n],
          [null, [true]],
        ]),
        [[[]]],
      ],
    ];
    for (const row of rows) {
      const back = unpack(pack(row));
      assert.deepEqual(back, row);
      for (const [i, v] of back.entries()) assert.ok(Object.is(v, row[i]) || typeof v === 'object', `field ${i}`);
    }
  });

  it('give back TIME and TIMESTAMP values beyond a number of microseconds, and keep them apart from numbers', () => {
    // 9999-12-31 23:59:59.999999999 and 0000-01-01 00:00:00, as nanoseconds since 1970.
    const row: Row = [
      new WideTime(253402300799999999999n),
      new WideTime(-62167219200000000000n),
      new WideTime(5001n),
      5001,
    ];
    assert.deepEqual(unpack(pack(row)), row);
    assert.notEqual(pack([new WideTime(5001n)]), pack([5001]));
    assert.equal(pack([new WideTime(5001n)]), pack([new WideTime(5001n)]));
  });

  it('writes text as UTF-8, a lone surrogate as U+FFFD, as Buffer does', () => {
    for (const text of ['a\ud800b', '\udc00', `${'x'.repeat(50)}\ud800`]) {
      assert.equal(unpack(pack([text]))[0], Buffer.from(text, 'utf8').toString('utf8'));
      assert.equal(pack([text]), pack([Buffer.from(text, 'utf8').toString('utf8')]));
    }
  });

  it('packs equal rows to equal strings and different rows to different ones', () => {
    assert.equal(pack([2001n, '张三', 1.5, null]), pack([2001n, '张三', 1.5, null]));
    assert.notEqual(pack([1]), pack([1n]));
    assert.notEqual(pack(['1']), pack([1]));
    assert.notEqual(pack([null]), pack([]));
    assert.notEqual(pack(['a', 'b']), pack(['ab', '']));
  });
});
