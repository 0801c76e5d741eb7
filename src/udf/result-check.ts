import { EvaluationError, type Value } from '../expr/value.ts';
import { type DataType, formatType } from '../types/data-type.ts';
import { WideTime } from '../types/time-value.ts';

/** Whether a value a function returned is in the engine's representation of `type` (see src/expr/value.ts). */
function representationTest(type: DataType): (value: unknown) => boolean {
  switch (type.kind) {
    case 'BOOLEAN':
      return (v) => typeof v === 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
    case 'INTERVAL_YEAR_MONTH':
      return (v) => Number.isInteger(v);
    case 'FLOAT':
    case 'DOUBLE':
    case 'INTERVAL_DAY_TIME':
      return (v) => typeof v === 'number';
    case 'BIGINT':
    case 'DECIMAL':
      return (v) => typeof v === 'bigint';
    case 'CHAR':
    case 'VARCHAR':
      return (v) => typeof v === 'string';
    case 'BINARY':
    case 'VARBINARY':
      return (v) => v instanceof Uint8Array;
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return (v) => typeof v === 'number' || v instanceof WideTime;
    case 'ARRAY':
    case 'ROW':
      return (v) => Array.isArray(v);
    case 'MAP':
    case 'MULTISET':
      return (v) => v instanceof Map;
    case 'NULL':
      return (v) => v === null;
  }
}

const REPRESENTATION: Partial<Record<DataType['kind'], string>> = {
  BIGINT: 'a bigint (42n)',
  DECIMAL: 'a bigint holding the unscaled value (12.50 in DECIMAL(10, 2) is 1250n)',
  DATE: 'a number of days since 1970-01-01',
  TIME: 'a number of microseconds since midnight',
  TIMESTAMP: 'a number of microseconds since 1970-01-01 00:00',
  TIMESTAMP_LTZ: 'a number of microseconds since the Unix epoch',
  BINARY: 'a Uint8Array',
  VARBINARY: 'a Uint8Array',
  MAP: 'a Map',
  MULTISET: 'a Map of element to count',
  ROW: 'an array of the field values',
};

/** A printable form of a value for an error message. */
export function showValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return `[${value.map(showValue).join(', ')}]`;
  if (value instanceof Map) return `Map(${value.size})`;
  return String(value);
}

/**
 * The check of what the function `name` returns for `type`: undefined becomes NULL, a value of
 * another representation fails the record with what was expected (a wrong value must not travel
 * on into operators that trust the type).
 */
export function resultCheck(name: string, type: DataType): (value: unknown) => Value {
  const test = representationTest(type);
  const nullable = type.nullable;
  return (value) => {
    if (value === undefined || value === null) {
      if (nullable) return null;
      throw new EvaluationError('UDF_RESULT', `function ${name} returned ${value} for ${formatType(type)}`);
    }
    if (test(value)) return value as Value;
    const expected = REPRESENTATION[type.kind] ?? `a ${type.kind} value`;
    throw new EvaluationError(
      'UDF_RESULT',
      `function ${name} returned ${showValue(value)} (${typeof value}) for its result type ${formatType(type)}: return ${expected} (see docs/udf.md)`,
    );
  };
}

/** The error of a function that threw: its name, the arguments of the call, and its message. */
export function functionFailure(name: string, args: readonly unknown[], error: unknown): EvaluationError {
  const message = error instanceof Error ? error.message : String(error);
  return new EvaluationError('UDF_FAILED', `function ${name}(${args.map(showValue).join(', ')}) failed: ${message}`);
}
