import {
  type DataType,
  type IntegerKind,
  integerDigits,
  isApproximate,
  isBinaryString,
  isCharacterString,
  isInteger,
  isNumeric,
  MAX_DECIMAL_PRECISION,
  MAX_LENGTH,
  type RowField,
  T,
  withNullable,
  withoutTimeAttribute,
} from './data-type.ts';

/**
 * Flink's type rules (LogicalTypeCasts, LogicalTypeMerging): which casts are implicit or explicit,
 * the common type of several types, and the DECIMAL precision/scale of arithmetic results.
 */

const INTEGER_ORDER: readonly IntegerKind[] = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'];

/** Whether a value of `from` may be used where `to` is expected without a CAST (nullability aside). */
export function isImplicitCast(from: DataType, to: DataType): boolean {
  if (from.kind === 'NULL') return true;
  switch (to.kind) {
    case 'NULL':
      return false;
    case 'BOOLEAN':
      return from.kind === 'BOOLEAN';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return isInteger(from) && INTEGER_ORDER.indexOf(from.kind) <= INTEGER_ORDER.indexOf(to.kind);
    case 'DECIMAL':
      return isInteger(from) || from.kind === 'DECIMAL';
    case 'FLOAT':
      return isInteger(from) || from.kind === 'DECIMAL' || from.kind === 'FLOAT';
    case 'DOUBLE':
      return isNumeric(from);
    case 'CHAR':
      return from.kind === 'CHAR';
    case 'VARCHAR':
      return isCharacterString(from);
    case 'BINARY':
    case 'VARBINARY':
      return isBinaryString(from);
    case 'DATE':
      return from.kind === 'DATE' || from.kind === 'TIMESTAMP';
    case 'TIME':
      return from.kind === 'TIME' || from.kind === 'TIMESTAMP';
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return from.kind === 'TIMESTAMP' || from.kind === 'TIMESTAMP_LTZ';
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return from.kind === to.kind;
    case 'ARRAY':
      return from.kind === 'ARRAY' && isImplicitCast(from.element, to.element);
    case 'MULTISET':
      return from.kind === 'MULTISET' && isImplicitCast(from.element, to.element);
    case 'MAP':
      return from.kind === 'MAP' && isImplicitCast(from.key, to.key) && isImplicitCast(from.value, to.value);
    case 'ROW':
      return (
        from.kind === 'ROW' &&
        from.fields.length === to.fields.length &&
        from.fields.every((field, i) => isImplicitCast(field.type, (to.fields[i] as { type: DataType }).type))
      );
  }
}

/**
 * Whether CAST(from AS to) is allowed. Returns a reason when it is not, in Flink's terms.
 */
export function explicitCastProblem(from: DataType, to: DataType): string | undefined {
  if (isImplicitCast(from, to)) return undefined;
  const fromString = isCharacterString(from);
  if (isCharacterString(to)) return undefined; // every type has a text form
  switch (to.kind) {
    case 'BOOLEAN':
      if (fromString || isInteger(from)) return undefined;
      break;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'DECIMAL':
    case 'FLOAT':
    case 'DOUBLE':
      if (isNumeric(from) || fromString || from.kind === 'BOOLEAN') return undefined;
      if (from.kind === 'TIMESTAMP' || from.kind === 'TIMESTAMP_LTZ') {
        return `The cast from ${from.kind} type to NUMERIC type is not allowed. It's recommended to use UNIX_TIMESTAMP(CAST(timestamp_col AS STRING)) instead.`;
      }
      break;
    case 'BINARY':
    case 'VARBINARY':
      if (fromString) return undefined;
      break;
    case 'DATE':
    case 'TIME':
      if (fromString || from.kind === 'TIMESTAMP' || from.kind === 'TIMESTAMP_LTZ' || from.kind === 'TIME')
        return undefined;
      break;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (fromString || from.kind === 'DATE' || from.kind === 'TIME') return undefined;
      if (isNumeric(from)) {
        return `The cast from NUMERIC type to ${to.kind} type is not allowed. It's recommended to use TO_TIMESTAMP(FROM_UNIXTIME(numeric_col)) instead, note the numeric is in seconds.`;
      }
      break;
    case 'ARRAY':
    case 'MULTISET':
      if (from.kind === to.kind && explicitCastProblem(from.element, to.element) === undefined) return undefined;
      break;
    case 'MAP':
      if (
        from.kind === 'MAP' &&
        explicitCastProblem(from.key, to.key) === undefined &&
        explicitCastProblem(from.value, to.value) === undefined
      )
        return undefined;
      break;
    case 'ROW':
      if (
        from.kind === 'ROW' &&
        from.fields.length === to.fields.length &&
        from.fields.every((field, i) => explicitCastProblem(field.type, (to.fields[i] as RowField).type) === undefined)
      )
        return undefined;
      break;
    default:
      break;
  }
  return `Cast function cannot convert value of type ${typeName(from)} to type ${typeName(to)}`;
}

function typeName(type: DataType): string {
  return type.kind === 'TIMESTAMP_LTZ'
    ? 'TIMESTAMP_LTZ'
    : type.kind === 'VARCHAR' && type.length === MAX_LENGTH
      ? 'STRING'
      : type.kind;
}

/** DECIMAL(p, s) with p > 38 brought back to 38 digits, keeping at least min(s, 6) fraction digits. */
export function adjustPrecisionScale(precision: number, scale: number): DataType {
  if (precision <= MAX_DECIMAL_PRECISION) return T.decimal(precision, scale);
  const integral = precision - scale;
  const minScale = Math.min(scale, 6);
  return T.decimal(MAX_DECIMAL_PRECISION, Math.max(MAX_DECIMAL_PRECISION - integral, minScale));
}

/** The DECIMAL view of an exact numeric type: INT takes part in decimal arithmetic as DECIMAL(10, 0). */
export function asDecimal(type: DataType): { precision: number; scale: number } | undefined {
  if (type.kind === 'DECIMAL') return { precision: type.precision, scale: type.scale };
  if (isInteger(type)) return { precision: integerDigits(type.kind), scale: 0 };
  return undefined;
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

/** Result type of `left op right` over numeric operands, or undefined when they are not numeric. */
export function arithmeticType(operator: ArithmeticOperator, left: DataType, right: DataType): DataType | undefined {
  if (!isNumeric(left) || !isNumeric(right)) return undefined;
  const nullable = left.nullable || right.nullable;
  if (isApproximate(left) || isApproximate(right)) {
    return left.kind === 'DOUBLE' || right.kind === 'DOUBLE' || left.kind === 'DECIMAL' || right.kind === 'DECIMAL'
      ? T.double(nullable)
      : T.float(nullable);
  }
  if (isInteger(left) && isInteger(right)) {
    const wider = INTEGER_ORDER.indexOf(left.kind) >= INTEGER_ORDER.indexOf(right.kind) ? left.kind : right.kind;
    return operator === '%' ? { kind: right.kind, nullable } : { kind: wider, nullable };
  }
  const a = asDecimal(left) as { precision: number; scale: number };
  const b = asDecimal(right) as { precision: number; scale: number };
  let type: DataType;
  switch (operator) {
    case '+':
    case '-': {
      const scale = Math.max(a.scale, b.scale);
      type = adjustPrecisionScale(Math.max(a.precision - a.scale, b.precision - b.scale) + scale + 1, scale);
      break;
    }
    case '*':
      type = adjustPrecisionScale(a.precision + b.precision + 1, a.scale + b.scale);
      break;
    case '/': {
      const scale = Math.max(6, a.scale + b.precision + 1);
      type = adjustPrecisionScale(a.precision - a.scale + b.scale + scale, scale);
      break;
    }
    case '%': {
      const scale = Math.max(a.scale, b.scale);
      type = adjustPrecisionScale(Math.min(a.precision - a.scale, b.precision - b.scale) + scale, scale);
      break;
    }
  }
  return withNullable(type, nullable);
}

/**
 * The least restrictive type of several (for CASE, COALESCE, IN, UNION, comparisons), or undefined
 * when they have none. Nullable when any input is.
 */
export function commonType(types: readonly DataType[]): DataType | undefined {
  const known = types.filter((type) => type.kind !== 'NULL').map(withoutTimeAttribute);
  const nullable = types.some((type) => type.kind === 'NULL' || type.nullable);
  if (known.length === 0) return T.null();
  let result = known[0] as DataType;
  for (const next of known.slice(1)) {
    const merged = mergeTwo(result, next);
    if (!merged) return undefined;
    result = merged;
  }
  return withNullable(result, nullable);
}

function mergeTwo(a: DataType, b: DataType): DataType | undefined {
  if (isNumeric(a) && isNumeric(b)) {
    if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return T.double();
    if (a.kind === 'FLOAT' || b.kind === 'FLOAT')
      return a.kind === 'DECIMAL' || b.kind === 'DECIMAL' ? T.double() : T.float();
    if (isInteger(a) && isInteger(b)) {
      return INTEGER_ORDER.indexOf(a.kind) >= INTEGER_ORDER.indexOf(b.kind)
        ? { kind: a.kind, nullable: true }
        : { kind: b.kind, nullable: true };
    }
    const x = asDecimal(a) as { precision: number; scale: number };
    const y = asDecimal(b) as { precision: number; scale: number };
    const scale = Math.max(x.scale, y.scale);
    const integral = Math.max(x.precision - x.scale, y.precision - y.scale);
    return T.decimal(Math.min(MAX_DECIMAL_PRECISION, integral + scale), scale);
  }
  if (isCharacterString(a) && isCharacterString(b)) {
    const length = Math.max(a.length, b.length);
    return a.kind === 'CHAR' && b.kind === 'CHAR' ? T.char(length) : T.varchar(length);
  }
  if (isBinaryString(a) && isBinaryString(b)) {
    const length = Math.max((a as { length: number }).length, (b as { length: number }).length);
    return a.kind === 'BINARY' && b.kind === 'BINARY'
      ? { kind: 'BINARY', length, nullable: true }
      : { kind: 'VARBINARY', length, nullable: true };
  }
  if (
    (a.kind === 'TIMESTAMP' || a.kind === 'TIMESTAMP_LTZ') &&
    (b.kind === 'TIMESTAMP' || b.kind === 'TIMESTAMP_LTZ')
  ) {
    const precision = Math.max(a.precision, b.precision);
    return a.kind === 'TIMESTAMP_LTZ' || b.kind === 'TIMESTAMP_LTZ'
      ? T.timestampLtz(precision)
      : T.timestamp(precision);
  }
  if ((a.kind === 'DATE' && b.kind === 'TIMESTAMP') || (a.kind === 'TIMESTAMP' && b.kind === 'DATE')) {
    return T.timestamp((a.kind === 'TIMESTAMP' ? a : (b as { precision: number })).precision);
  }
  if (a.kind === 'TIME' && b.kind === 'TIME') return T.time(Math.max(a.precision, b.precision));
  if (
    a.kind === b.kind &&
    (a.kind === 'BOOLEAN' || a.kind === 'DATE' || a.kind === 'INTERVAL_DAY_TIME' || a.kind === 'INTERVAL_YEAR_MONTH')
  ) {
    return withNullable(a, true);
  }
  if ((a.kind === 'ARRAY' && b.kind === 'ARRAY') || (a.kind === 'MULTISET' && b.kind === 'MULTISET')) {
    const element = commonType([a.element, b.element]);
    return element ? { kind: a.kind, element, nullable: true } : undefined;
  }
  if (a.kind === 'MAP' && b.kind === 'MAP') {
    const key = commonType([a.key, b.key]);
    const value = commonType([a.value, b.value]);
    return key && value ? { kind: 'MAP', key, value, nullable: true } : undefined;
  }
  if (a.kind === 'ROW' && b.kind === 'ROW' && a.fields.length === b.fields.length) {
    const fields: RowField[] = [];
    for (const [i, field] of a.fields.entries()) {
      const type = commonType([field.type, (b.fields[i] as RowField).type]);
      if (!type) return undefined;
      fields.push({ name: field.name, type });
    }
    return { kind: 'ROW', fields, nullable: true };
  }
  return undefined;
}
