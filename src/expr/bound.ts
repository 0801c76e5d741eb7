import type { DataType } from '../types/data-type.ts';
import type { ScalarFunction } from './functions/definition.ts';
import type { Value } from './value.ts';

/**
 * A typed expression over the fields of an input row, produced by the planner's binder and turned
 * into an evaluator by `compile`. Operators and functions are all `call`s by canonical name.
 */
export type BoundExpr = InputRef | BoundLiteral | BoundCall | BoundCast;

export interface InputRef {
  readonly kind: 'input';
  readonly index: number;
  readonly name: string;
  readonly type: DataType;
}

export interface BoundLiteral {
  readonly kind: 'literal';
  readonly value: Value;
  readonly type: DataType;
}

export interface BoundCall {
  readonly kind: 'call';
  /** Canonical upper-case name: an operator (PLUS, EQUALS, AND, CASE, ...) or a function (CONCAT, ...). */
  readonly name: string;
  readonly args: readonly BoundExpr[];
  readonly type: DataType;
  /** The function of a user-defined function's call (the registry knows only the built-in ones by name). */
  readonly fn?: ScalarFunction;
}

export interface BoundCast {
  readonly kind: 'cast';
  readonly operand: BoundExpr;
  readonly type: DataType;
  /** TRY_CAST: NULL instead of an error when the value does not convert. */
  readonly try: boolean;
  /** Inserted by the planner to unify types (not written by the user). */
  readonly implicit: boolean;
}

export function inputRef(index: number, name: string, type: DataType): InputRef {
  return { kind: 'input', index, name, type };
}

export function literal(value: Value, type: DataType): BoundLiteral {
  return { kind: 'literal', value, type };
}
