import type { WideTime } from '../types/time-value.ts';

/**
 * Runtime values, one JS representation per Flink type (the type says how to read it):
 *   BOOLEAN → boolean; TINYINT, SMALLINT, INT → number; BIGINT → bigint;
 *   DECIMAL(p, s) → bigint, the unscaled value (5999.00 in DECIMAL(10, 2) is 599900n);
 *   FLOAT, DOUBLE → number; CHAR, VARCHAR, STRING → string; BINARY, VARBINARY, BYTES → Uint8Array;
 *   DATE → number of days since 1970-01-01;
 *   TIME, TIMESTAMP, TIMESTAMP_LTZ → a TimeValue (src/types/time-value.ts): a number of
 *     microseconds where that is exact, else a WideTime of nanoseconds; TIME counts from midnight,
 *     TIMESTAMP from 1970-01-01 00:00 on the wall clock, TIMESTAMP_LTZ from the Unix epoch;
 *   INTERVAL DAY TO SECOND → number of microseconds; INTERVAL YEAR TO MONTH → number of months;
 *   ARRAY → Value[]; MAP → Map; ROW → Value[]; NULL → null.
 */
export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | WideTime
  | readonly Value[]
  | ReadonlyMap<Value, Value>;

export type Row = readonly Value[];

/** Evaluates one expression against one row. */
export type Evaluator = (row: Row) => Value;

/** A failure while evaluating an expression on a record (a bad CAST, a division by zero, ...). */
export class EvaluationError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'EvaluationError';
    this.code = code;
  }
}
