import type { DataType } from '../types/data-type.ts';
import type { EvalEnv } from './eval-env.ts';
import type { Evaluator, Value } from './value.ts';

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

/** What a function needs from the binder while it types a call. */
export interface BindContext {
  /** Fails the call with a message located at it. */
  fail(message: string, hint?: string): never;
  /** The argument converted to `type` by an implicit cast (itself when it already is). */
  cast(arg: BoundExpr, type: DataType): BoundExpr;
}

/** A scalar function; it lives beside the bound expressions because a user-defined function's call carries it (`BoundCall.fn`). */
export interface ScalarFunction {
  readonly name: string;
  /** Human-readable signatures for error messages, e.g. `CONCAT(STRING, STRING...)`. */
  readonly signatures: readonly string[];
  /** Checks the arguments, gives the result type, and may wrap arguments in implicit casts. */
  readonly bind: (args: readonly BoundExpr[], ctx: BindContext) => { args: readonly BoundExpr[]; type: DataType };
  readonly compile: (args: readonly Evaluator[], call: BoundCall, env: EvalEnv) => Evaluator;
  /** False for functions whose value changes from call to call (NOW, PROCTIME, RAND). */
  readonly deterministic?: boolean;
  /** False for functions whose callers read the call, not only its value (JSON_OBJECT nests as JSON): never folded. */
  readonly foldable?: boolean;
  /** True for functions whose value depends on the session time zone (FROM_UNIXTIME). */
  readonly zoned?: boolean;
}

export function inputRef(index: number, name: string, type: DataType): InputRef {
  return { kind: 'input', index, name, type };
}

export function literal(value: Value, type: DataType): BoundLiteral {
  return { kind: 'literal', value, type };
}
