import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CalcOperator } from '../../src/exec/calc.ts';
import { NormalizeOperator } from '../../src/exec/normalize.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import { T } from '../../src/types/data-type.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';
import { c, show } from './changes.ts';

const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };

describe('ChangelogNormalize', () => {
  it('turns upserts into inserts and update pairs, skipping an identical +I only (as Flink 1.18)', () => {
    const normalize = new NormalizeOperator([0]);
    const out = normalize.process(
      [
        c('+U', 2001n, 'PENDING'),
        c('+U', 2001n, 'SHIPPED'),
        c('+U', 2001n, 'SHIPPED'),
        c('+I', 2001n, 'SHIPPED'),
        c('+I', 2002n, 'PENDING'),
      ],
      0,
    );
    assert.deepEqual(show(out), [
      '+I(2001, PENDING)',
      '-U(2001, PENDING)',
      '+U(2001, SHIPPED)',
      '-U(2001, SHIPPED)',
      '+U(2001, SHIPPED)',
      '+I(2002, PENDING)',
    ]);
  });

  it('fills a key-only delete (a tombstone) with the last row, and ignores unknown keys', () => {
    const normalize = new NormalizeOperator([0]);
    normalize.process([c('+U', 2001n, 'SHIPPED')], 0);
    assert.deepEqual(show(normalize.process([c('-D', 2001n, null), c('-D', 9999n, null)], 0)), ['-D(2001, SHIPPED)']);
    assert.deepEqual(
      show(normalize.process([c('+U', 2001n, 'PENDING')], 0)),
      ['+I(2001, PENDING)'],
      'a re-insert after a delete is new',
    );
  });

  it('keys by several columns', () => {
    const normalize = new NormalizeOperator([0, 1]);
    const out = normalize.process([c('+U', 1n, 'a', 'x'), c('+U', 1n, 'b', 'y'), c('+U', 1n, 'a', 'z')], 0);
    assert.deepEqual(show(out), ['+I(1, a, x)', '+I(1, b, y)', '-U(1, a, x)', '+U(1, a, z)']);
  });
});

describe('Calc', () => {
  it('projects and filters each change, keeping its kind', () => {
    // SELECT order_id, quantity + 1 WHERE quantity > 0
    const projection = [
      { kind: 'input' as const, index: 0, name: 'order_id', type: T.bigint() },
      {
        kind: 'call' as const,
        name: 'PLUS',
        args: [
          { kind: 'input' as const, index: 1, name: 'quantity', type: T.int() },
          { kind: 'literal' as const, value: 1, type: T.int(false) },
        ],
        type: T.int(),
      },
    ];
    const condition = {
      kind: 'call' as const,
      name: 'GREATER_THAN',
      args: [
        { kind: 'input' as const, index: 1, name: 'quantity', type: T.int() },
        { kind: 'literal' as const, value: 0, type: T.int(false) },
      ],
      type: T.boolean(),
    };
    const calc = new CalcOperator(projection, condition, env);
    const out = calc.process([c('+I', 1n, 2), c('-U', 1n, 2), c('+U', 1n, 0), c('+I', 2n, null)]);
    assert.deepEqual(show(out), ['+I(1, 3)', '-U(1, 3)'], 'the +U failing the filter disappears; NULL does not pass');
  });
});
