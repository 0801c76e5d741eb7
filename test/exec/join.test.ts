import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JoinOperator } from '../../src/exec/join.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import { T } from '../../src/types/data-type.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';
import { c, show } from './changes.ts';

const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };
const L = 0;
const R = 1;

/** orders(order_id, user_id) JOIN users(user_id, name) ON orders.user_id = users.user_id */
function ordersJoinUsers(type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL') {
  return new JoinOperator(type, [1], [0], [2, 2], undefined, env);
}

describe('regular join with retraction', () => {
  it('LEFT JOIN: an order without its user is padded, and fixed when the user arrives late', () => {
    const join = ordersJoinUsers('LEFT');
    assert.deepEqual(show(join.process([c('+I', 2001n, 1001n)], L)), ['+I(2001, 1001, NULL, NULL)']);
    assert.deepEqual(show(join.process([c('+I', 1001n, '张三')], R)), [
      '-D(2001, 1001, NULL, NULL)',
      '+I(2001, 1001, 1001, 张三)',
    ]);
  });

  it('LEFT JOIN: a user update re-emits every order of that user', () => {
    const join = ordersJoinUsers('LEFT');
    join.process([c('+I', 1001n, '张三'), c('+I', 1002n, '李四')], R);
    join.process([c('+I', 2001n, 1001n), c('+I', 2002n, 1001n), c('+I', 2003n, 1002n)], L);
    const update = join.process([c('-U', 1001n, '张三'), c('+U', 1001n, '张三丰')], R);
    // The inner side's retraction keeps its kind (-U), as in Flink; the padding moves are +I/-D.
    assert.deepEqual(show(update), [
      '-U(2001, 1001, 1001, 张三)',
      '-U(2002, 1001, 1001, 张三)',
      '+I(2001, 1001, NULL, NULL)',
      '+I(2002, 1001, NULL, NULL)',
      '-D(2001, 1001, NULL, NULL)',
      '-D(2002, 1001, NULL, NULL)',
      '+I(2001, 1001, 1001, 张三丰)',
      '+I(2002, 1001, 1001, 张三丰)',
    ]);
  });

  it('LEFT JOIN: deleting a user pads its orders; deleting an order retracts its row', () => {
    const join = ordersJoinUsers('LEFT');
    join.process([c('+I', 1001n, '张三')], R);
    join.process([c('+I', 2001n, 1001n)], L);
    assert.deepEqual(show(join.process([c('-D', 1001n, '张三')], R)), [
      '-D(2001, 1001, 1001, 张三)',
      '+I(2001, 1001, NULL, NULL)',
    ]);
    assert.deepEqual(show(join.process([c('-D', 2001n, 1001n)], L)), ['-D(2001, 1001, NULL, NULL)']);
  });

  it('a delete then a re-insert of the same row joins again', () => {
    const join = ordersJoinUsers('INNER');
    join.process([c('+I', 1001n, '张三')], R);
    assert.deepEqual(show(join.process([c('+I', 2001n, 1001n), c('-D', 2001n, 1001n), c('+I', 2001n, 1001n)], L)), [
      '+I(2001, 1001, 1001, 张三)',
      '-D(2001, 1001, 1001, 张三)',
      '+I(2001, 1001, 1001, 张三)',
    ]);
  });

  it('an update that arrives before the insert on the other side is applied when it comes', () => {
    const join = ordersJoinUsers('INNER');
    assert.deepEqual(join.process([c('-U', 2001n, 1001n)], L), [], 'retracting an unknown row changes nothing');
    assert.deepEqual(join.process([c('+U', 2001n, 1001n)], L), [], 'no user yet: the inner join emits nothing');
    assert.deepEqual(show(join.process([c('+I', 1001n, '张三')], R)), ['+I(2001, 1001, 1001, 张三)']);
  });

  it('INNER JOIN keeps duplicates as many times as they occur', () => {
    const join = ordersJoinUsers('INNER');
    join.process([c('+I', 2001n, 1001n), c('+I', 2001n, 1001n)], L);
    assert.deepEqual(show(join.process([c('+I', 1001n, 'a')], R)), [
      '+I(2001, 1001, 1001, a)',
      '+I(2001, 1001, 1001, a)',
    ]);
    assert.deepEqual(show(join.process([c('-D', 2001n, 1001n)], L)), ['-D(2001, 1001, 1001, a)']);
  });

  it('FULL JOIN pads both sides and moves rows between padded and joined', () => {
    const join = ordersJoinUsers('FULL');
    assert.deepEqual(show(join.process([c('+I', 1009n, 'x')], R)), ['+I(NULL, NULL, 1009, x)']);
    assert.deepEqual(show(join.process([c('+I', 2009n, 1009n)], L)), [
      '-D(NULL, NULL, 1009, x)',
      '+I(2009, 1009, 1009, x)',
    ]);
    assert.deepEqual(show(join.process([c('-D', 2009n, 1009n)], L)), [
      '-D(2009, 1009, 1009, x)',
      '+I(NULL, NULL, 1009, x)',
    ]);
  });

  it('RIGHT JOIN pads users without orders', () => {
    const join = ordersJoinUsers('RIGHT');
    assert.deepEqual(show(join.process([c('+I', 2001n, 1001n)], L)), []);
    assert.deepEqual(show(join.process([c('+I', 1001n, 'a')], R)), ['+I(2001, 1001, 1001, a)']);
  });

  it('a NULL join key matches nothing, and an outer row still shows', () => {
    const join = ordersJoinUsers('LEFT');
    assert.deepEqual(show(join.process([c('+I', 2001n, null)], L)), ['+I(2001, NULL, NULL, NULL)']);
    assert.deepEqual(show(join.process([c('+I', null, 'nobody')], R)), []);
  });

  it('applies the residual condition to each pair', () => {
    // ... AND users.name <> 'blocked'
    const residual = {
      kind: 'call' as const,
      name: 'NOT_EQUALS',
      args: [
        { kind: 'input' as const, index: 3, name: 'name', type: T.string() },
        { kind: 'literal' as const, value: 'blocked', type: T.string(false) },
      ],
      type: T.boolean(),
    };
    const join = new JoinOperator('LEFT', [1], [0], [2, 2], residual, env);
    join.process([c('+I', 1001n, 'blocked')], R);
    assert.deepEqual(show(join.process([c('+I', 2001n, 1001n)], L)), ['+I(2001, 1001, NULL, NULL)']);
  });
});
