/**
 * Flink's logical types. Each is a readonly, `kind`-tagged value; `nullable` is explicit on every
 * type so that NOT NULL flows through planning the way Flink's does.
 */
export type DataType =
  | { readonly kind: 'NULL'; readonly nullable: true }
  | { readonly kind: 'BOOLEAN'; readonly nullable: boolean }
  | { readonly kind: 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT'; readonly nullable: boolean }
  | { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number; readonly nullable: boolean }
  | { readonly kind: 'FLOAT' | 'DOUBLE'; readonly nullable: boolean }
  | { readonly kind: 'CHAR' | 'VARCHAR'; readonly length: number; readonly nullable: boolean }
  | { readonly kind: 'BINARY' | 'VARBINARY'; readonly length: number; readonly nullable: boolean }
  | { readonly kind: 'DATE'; readonly nullable: boolean }
  | { readonly kind: 'TIME'; readonly precision: number; readonly nullable: boolean }
  | {
      readonly kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ';
      readonly precision: number;
      readonly nullable: boolean;
      /** Set on event-time (rowtime) and processing-time (proctime) attributes. */
      readonly timeAttribute?: 'ROWTIME' | 'PROCTIME';
    }
  | { readonly kind: 'INTERVAL_DAY_TIME' | 'INTERVAL_YEAR_MONTH'; readonly nullable: boolean }
  | { readonly kind: 'ARRAY'; readonly element: DataType; readonly nullable: boolean }
  /** A bag: each distinct element with its number of occurrences (Flink's MULTISET, as COLLECT makes). */
  | { readonly kind: 'MULTISET'; readonly element: DataType; readonly nullable: boolean }
  | { readonly kind: 'MAP'; readonly key: DataType; readonly value: DataType; readonly nullable: boolean }
  | { readonly kind: 'ROW'; readonly fields: readonly RowField[]; readonly nullable: boolean };

export interface RowField {
  readonly name: string;
  readonly type: DataType;
}

export type TypeKind = DataType['kind'];
export type IntegerKind = 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT';

export const MAX_LENGTH = 2147483647;
export const MAX_DECIMAL_PRECISION = 38;
export const MAX_TIMESTAMP_PRECISION = 9;

export const T = {
  null: (): DataType => ({ kind: 'NULL', nullable: true }),
  boolean: (nullable = true): DataType => ({ kind: 'BOOLEAN', nullable }),
  tinyint: (nullable = true): DataType => ({ kind: 'TINYINT', nullable }),
  smallint: (nullable = true): DataType => ({ kind: 'SMALLINT', nullable }),
  int: (nullable = true): DataType => ({ kind: 'INT', nullable }),
  bigint: (nullable = true): DataType => ({ kind: 'BIGINT', nullable }),
  decimal: (precision: number, scale: number, nullable = true): DataType => ({
    kind: 'DECIMAL',
    precision,
    scale,
    nullable,
  }),
  float: (nullable = true): DataType => ({ kind: 'FLOAT', nullable }),
  double: (nullable = true): DataType => ({ kind: 'DOUBLE', nullable }),
  char: (length: number, nullable = true): DataType => ({ kind: 'CHAR', length, nullable }),
  varchar: (length: number, nullable = true): DataType => ({ kind: 'VARCHAR', length, nullable }),
  string: (nullable = true): DataType => ({ kind: 'VARCHAR', length: MAX_LENGTH, nullable }),
  bytes: (nullable = true): DataType => ({ kind: 'VARBINARY', length: MAX_LENGTH, nullable }),
  date: (nullable = true): DataType => ({ kind: 'DATE', nullable }),
  time: (precision = 0, nullable = true): DataType => ({ kind: 'TIME', precision, nullable }),
  timestamp: (precision = 6, nullable = true): DataType => ({ kind: 'TIMESTAMP', precision, nullable }),
  timestampLtz: (precision = 6, nullable = true): DataType => ({ kind: 'TIMESTAMP_LTZ', precision, nullable }),
  intervalDayTime: (nullable = true): DataType => ({ kind: 'INTERVAL_DAY_TIME', nullable }),
  intervalYearMonth: (nullable = true): DataType => ({ kind: 'INTERVAL_YEAR_MONTH', nullable }),
} as const;

export function withNullable<D extends DataType>(type: D, nullable: boolean): D {
  if (type.kind === 'NULL' || type.nullable === nullable) return type;
  return { ...type, nullable };
}

/** The same type without a time attribute: what an expression over a rowtime column yields. */
export function withoutTimeAttribute(type: DataType): DataType {
  if ((type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ') && type.timeAttribute) {
    const { timeAttribute: _, ...plain } = type;
    return plain;
  }
  return type;
}

export function isInteger(type: DataType): type is DataType & { kind: IntegerKind } {
  return type.kind === 'TINYINT' || type.kind === 'SMALLINT' || type.kind === 'INT' || type.kind === 'BIGINT';
}

export function isApproximate(type: DataType): boolean {
  return type.kind === 'FLOAT' || type.kind === 'DOUBLE';
}

export function isNumeric(type: DataType): boolean {
  return isInteger(type) || type.kind === 'DECIMAL' || isApproximate(type);
}

export function isCharacterString(type: DataType): type is DataType & { kind: 'CHAR' | 'VARCHAR' } {
  return type.kind === 'CHAR' || type.kind === 'VARCHAR';
}

export function isBinaryString(type: DataType): boolean {
  return type.kind === 'BINARY' || type.kind === 'VARBINARY';
}

export function isTimestamp(type: DataType): type is DataType & { kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ' } {
  return type.kind === 'TIMESTAMP' || type.kind === 'TIMESTAMP_LTZ';
}

/** The time attribute of a column's type: ROWTIME, PROCTIME, or none. */
export function timeAttributeOf(type: DataType): 'ROWTIME' | 'PROCTIME' | undefined {
  return isTimestamp(type) ? type.timeAttribute : undefined;
}

/** Whether the type is an event-time (rowtime) attribute. */
export function isRowtime(type: DataType): type is DataType & { kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ' } {
  return timeAttributeOf(type) === 'ROWTIME';
}

/** ARRAY, MAP, MULTISET and ROW: the types whose values hold other values. */
export function isCollection(type: DataType): boolean {
  return type.kind === 'ARRAY' || type.kind === 'MAP' || type.kind === 'MULTISET' || type.kind === 'ROW';
}

export function isTemporal(type: DataType): boolean {
  return type.kind === 'DATE' || type.kind === 'TIME' || isTimestamp(type);
}

/** Digits of an integer type when it takes part in DECIMAL arithmetic (Flink: INT is DECIMAL(10, 0)). */
export function integerDigits(kind: IntegerKind): number {
  switch (kind) {
    case 'TINYINT':
      return 3;
    case 'SMALLINT':
      return 5;
    case 'INT':
      return 10;
    case 'BIGINT':
      return 19;
  }
}

/** Flink's spelling of a type, as in its error messages and EXPLAIN output. */
export function formatType(type: DataType): string {
  const notNull = type.kind !== 'NULL' && !type.nullable ? ' NOT NULL' : '';
  return `${formatTypeBody(type)}${notNull}`;
}

function formatTypeBody(type: DataType): string {
  switch (type.kind) {
    case 'NULL':
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
      return type.kind;
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})`;
    case 'CHAR':
      return `CHAR(${type.length})`;
    case 'VARCHAR':
      return type.length === MAX_LENGTH ? 'STRING' : `VARCHAR(${type.length})`;
    case 'BINARY':
      return `BINARY(${type.length})`;
    case 'VARBINARY':
      return type.length === MAX_LENGTH ? 'BYTES' : `VARBINARY(${type.length})`;
    case 'TIME':
      return `TIME(${type.precision})`;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const attribute = type.timeAttribute ? ` *${type.timeAttribute}*` : '';
      return `${type.kind}(${type.precision})${attribute}`;
    }
    case 'INTERVAL_DAY_TIME':
      return 'INTERVAL SECOND(3)';
    case 'INTERVAL_YEAR_MONTH':
      return 'INTERVAL MONTH';
    case 'ARRAY':
      return `ARRAY<${formatType(type.element)}>`;
    case 'MULTISET':
      return `MULTISET<${formatType(type.element)}>`;
    case 'MAP':
      return `MAP<${formatType(type.key)}, ${formatType(type.value)}>`;
    case 'ROW':
      return `ROW<${type.fields.map((field) => `\`${field.name}\` ${formatType(field.type)}`).join(', ')}>`;
  }
}

/** Equal as types, ignoring nullability and time attributes. */
export function sameType(a: DataType, b: DataType): boolean {
  return formatTypeBody(withoutTimeAttribute(a)) === formatTypeBody(withoutTimeAttribute(b));
}

/** A type as error messages name it: `DECIMAL(10, 2)`, `STRING`, `TIMESTAMP(3)` (nullability left out). */
export function describeType(type: DataType): string {
  return type.kind === 'NULL' ? 'NULL' : formatType(withNullable(type, true));
}
