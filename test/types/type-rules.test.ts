import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DataType, formatType, isRowtime, T, timeAttributeOf } from '../../src/types/data-type.ts';
import { arithmeticType, commonType, explicitCastProblem, isImplicitCast } from '../../src/types/type-rules.ts';

const dec = (p: number, s: number) => T.decimal(p, s, false);
const show = (type: DataType | undefined) => (type ? formatType(type) : 'none');

describe('DECIMAL result types (Flink LogicalTypeMerging, with the values of its own tests)', () => {
  it('division', () => {
    assert.equal(show(arithmeticType('/', dec(32, 8), dec(38, 8))), 'DECIMAL(38, 6) NOT NULL');
    assert.equal(show(arithmeticType('/', dec(30, 20), dec(30, 20))), 'DECIMAL(38, 8) NOT NULL');
  });
  it('multiplication', () => {
    assert.equal(show(arithmeticType('*', dec(30, 10), dec(30, 10))), 'DECIMAL(38, 6) NOT NULL');
    assert.equal(show(arithmeticType('*', dec(30, 20), dec(30, 20))), 'DECIMAL(38, 17) NOT NULL');
    assert.equal(show(arithmeticType('*', dec(38, 2), dec(38, 3))), 'DECIMAL(38, 5) NOT NULL');
  });
  it('modulo and addition', () => {
    assert.equal(show(arithmeticType('%', dec(30, 10), dec(30, 10))), 'DECIMAL(30, 10) NOT NULL');
    assert.equal(show(arithmeticType('+', dec(10, 2), dec(10, 2))), 'DECIMAL(11, 2) NOT NULL');
    assert.equal(show(arithmeticType('+', dec(38, 0), dec(38, 0))), 'DECIMAL(38, 0) NOT NULL');
  });
  it('integers take part as DECIMAL(10, 0) and DECIMAL(19, 0)', () => {
    assert.equal(show(arithmeticType('+', dec(10, 2), T.int(false))), 'DECIMAL(13, 2) NOT NULL');
    assert.equal(show(arithmeticType('*', T.bigint(), dec(5, 1))), 'DECIMAL(25, 1)');
  });
  it('integers alone keep an integer type; approximate numbers win', () => {
    assert.equal(show(arithmeticType('/', T.int(false), T.int(false))), 'INT NOT NULL');
    assert.equal(show(arithmeticType('+', T.int(), T.bigint(false))), 'BIGINT');
    assert.equal(show(arithmeticType('+', dec(10, 2), T.double(false))), 'DOUBLE NOT NULL');
    assert.equal(show(arithmeticType('+', T.string(), T.int())), 'none');
  });
});

describe('implicit and explicit casts', () => {
  it('widens numbers and strings implicitly, never narrows', () => {
    assert.ok(isImplicitCast(T.int(), T.bigint()));
    assert.ok(isImplicitCast(T.bigint(), T.decimal(20, 0)));
    assert.ok(isImplicitCast(T.decimal(10, 2), T.double()));
    assert.ok(isImplicitCast(T.char(3), T.string()));
    assert.ok(isImplicitCast(T.timestampLtz(3), T.timestamp(3)));
    assert.equal(isImplicitCast(T.bigint(), T.int()), false, "the seed's 'Cannot cast BIGINT to INT'");
    assert.equal(isImplicitCast(T.double(), T.decimal(10, 2)), false);
    assert.equal(isImplicitCast(T.string(), T.int()), false);
    assert.equal(isImplicitCast(T.int(), T.string()), false);
  });
  it('allows explicit casts Flink allows, and rejects numbers ↔ timestamps', () => {
    assert.equal(explicitCastProblem(T.string(), T.int()), undefined);
    assert.equal(explicitCastProblem(T.double(), T.int()), undefined);
    assert.equal(explicitCastProblem(T.timestamp(3), T.string()), undefined);
    assert.equal(explicitCastProblem(T.timestamp(3), T.date()), undefined);
    assert.match(explicitCastProblem(T.int(), T.timestamp(3)) ?? '', /TO_TIMESTAMP\(FROM_UNIXTIME/);
    assert.match(explicitCastProblem(T.timestamp(3), T.bigint()) ?? '', /UNIX_TIMESTAMP/);
    assert.match(explicitCastProblem(T.date(), T.int()) ?? '', /cannot convert value of type DATE to type INT/);
  });
});

describe('common types', () => {
  it('merges numbers, strings and timestamps', () => {
    assert.equal(show(commonType([T.int(false), T.decimal(5, 2, false)])), 'DECIMAL(12, 2) NOT NULL');
    assert.equal(show(commonType([T.char(3, false), T.char(5, false)])), 'CHAR(5) NOT NULL');
    assert.equal(show(commonType([T.char(3, false), T.varchar(2, false)])), 'VARCHAR(3) NOT NULL');
    assert.equal(show(commonType([T.timestamp(0), T.timestamp(3)])), 'TIMESTAMP(3)');
    assert.equal(show(commonType([T.null(), T.int(false)])), 'INT');
    assert.equal(show(commonType([T.int(), T.string()])), 'none');
  });
});

describe('time attributes', () => {
  const rowtime: DataType = { kind: 'TIMESTAMP', precision: 3, nullable: true, timeAttribute: 'ROWTIME' };
  const rowtimeLtz: DataType = { kind: 'TIMESTAMP_LTZ', precision: 3, nullable: true, timeAttribute: 'ROWTIME' };
  const proctime: DataType = { kind: 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'PROCTIME' };
  it('a rowtime attribute is a TIMESTAMP or TIMESTAMP_LTZ marked ROWTIME', () => {
    assert.equal(isRowtime(rowtime), true);
    assert.equal(isRowtime(rowtimeLtz), true);
    assert.equal(isRowtime(proctime), false);
    assert.equal(isRowtime(T.timestamp(3)), false);
    assert.equal(isRowtime(T.bigint()), false);
  });
  it('timeAttributeOf names the attribute, or none', () => {
    assert.equal(timeAttributeOf(rowtime), 'ROWTIME');
    assert.equal(timeAttributeOf(proctime), 'PROCTIME');
    assert.equal(timeAttributeOf(T.timestampLtz(3)), undefined);
    assert.equal(timeAttributeOf(T.date()), undefined);
  });
});
