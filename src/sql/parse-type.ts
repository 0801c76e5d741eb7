import {
  type DataType,
  MAX_DECIMAL_PRECISION,
  MAX_LENGTH,
  MAX_TIMESTAMP_PRECISION,
  type RowField,
  T,
  withNullable,
} from '../types/data-type.ts';
import type { Cursor } from './cursor.ts';

const TYPE_NAMES =
  'BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, DECIMAL(p, s), FLOAT, DOUBLE, CHAR(n), VARCHAR(n), STRING, BINARY(n), VARBINARY(n), BYTES, DATE, TIME(p), TIMESTAMP(p), TIMESTAMP_LTZ(p), ARRAY<t>, MAP<k, v>, MULTISET<t>, ROW<...>';

/** A data type with its nullability: `INT`, `DECIMAL(10, 2) NOT NULL`, `ARRAY<STRING>`, ... */
export function parseDataType(cursor: Cursor): DataType {
  let type = parseTypeBody(cursor);
  for (;;) {
    if (cursor.acceptKeywords('ARRAY')) type = { kind: 'ARRAY', element: type, nullable: true };
    else if (cursor.acceptKeywords('MULTISET')) type = { kind: 'MULTISET', element: type, nullable: true };
    else break;
  }
  if (cursor.acceptKeywords('NOT', 'NULL')) return withNullable(type, false);
  cursor.acceptKeywords('NULL');
  return type;
}

function parseTypeBody(cursor: Cursor): DataType {
  const token = cursor.token;
  if (token.kind !== 'word') throw cursor.unexpected('expected a data type', `types: ${TYPE_NAMES}`);
  cursor.advance();
  switch (token.upper) {
    case 'BOOLEAN':
      return T.boolean();
    case 'TINYINT':
      return T.tinyint();
    case 'SMALLINT':
      return T.smallint();
    case 'INT':
    case 'INTEGER':
      return T.int();
    case 'BIGINT':
      return T.bigint();
    case 'DECIMAL':
    case 'DEC':
    case 'NUMERIC': {
      const [precision = 10, scale = 0] = parseLengths(cursor, 2);
      if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
        throw cursor.error(
          token.offset,
          `DECIMAL precision must be between 1 and ${MAX_DECIMAL_PRECISION}, got ${precision}`,
        );
      }
      if (scale < 0 || scale > precision) {
        throw cursor.error(
          token.offset,
          `DECIMAL scale must be between 0 and the precision (${precision}), got ${scale}`,
        );
      }
      return T.decimal(precision, scale);
    }
    case 'FLOAT':
    case 'REAL':
      return T.float();
    case 'DOUBLE':
      cursor.acceptKeywords('PRECISION');
      return T.double();
    case 'CHAR':
    case 'CHARACTER':
      if (cursor.acceptKeywords('VARYING')) return T.varchar(lengthOf(cursor, token.offset, 1));
      return T.char(lengthOf(cursor, token.offset, 1));
    case 'VARCHAR':
      return T.varchar(lengthOf(cursor, token.offset, 1));
    case 'STRING':
      return T.string();
    case 'BINARY':
      return { kind: 'BINARY', length: lengthOf(cursor, token.offset, 1), nullable: true };
    case 'VARBINARY':
      return { kind: 'VARBINARY', length: lengthOf(cursor, token.offset, 1), nullable: true };
    case 'BYTES':
      return T.bytes();
    case 'DATE':
      return T.date();
    case 'TIME': {
      const precision = precisionOf(cursor, token.offset, 0);
      cursor.acceptKeywords('WITHOUT', 'TIME', 'ZONE');
      return T.time(precision);
    }
    case 'TIMESTAMP': {
      const precision = precisionOf(cursor, token.offset, 6);
      if (cursor.acceptKeywords('WITH', 'LOCAL', 'TIME', 'ZONE')) return T.timestampLtz(precision);
      if (cursor.isKeyword('WITH') && cursor.isKeyword('TIME', 1)) {
        throw cursor.error(
          cursor.at,
          'TIMESTAMP WITH TIME ZONE is not supported (as in Flink)',
          'use TIMESTAMP_LTZ(p) or TIMESTAMP(p)',
          'SQL_UNSUPPORTED',
        );
      }
      cursor.acceptKeywords('WITHOUT', 'TIME', 'ZONE');
      return T.timestamp(precision);
    }
    case 'TIMESTAMP_LTZ':
      return T.timestampLtz(precisionOf(cursor, token.offset, 6));
    case 'ARRAY': {
      cursor.expectSymbol('<');
      const element = parseDataType(cursor);
      cursor.expectSymbol('>');
      return { kind: 'ARRAY', element, nullable: true };
    }
    case 'MULTISET': {
      cursor.expectSymbol('<');
      const element = parseDataType(cursor);
      cursor.expectSymbol('>');
      return { kind: 'MULTISET', element, nullable: true };
    }
    case 'MAP': {
      cursor.expectSymbol('<');
      const key = parseDataType(cursor);
      cursor.expectSymbol(',');
      const value = parseDataType(cursor);
      cursor.expectSymbol('>');
      return { kind: 'MAP', key, value, nullable: true };
    }
    case 'ROW': {
      let close = '>';
      if (!cursor.acceptSymbol('<')) {
        cursor.expectSymbol('(');
        close = ')';
      }
      const fields: RowField[] = [];
      do {
        const name = cursor.advance();
        if (name.kind !== 'word' && name.kind !== 'quoted') throw cursor.unexpected('expected a field name');
        fields.push({ name: name.value, type: parseDataType(cursor) });
      } while (cursor.acceptSymbol(','));
      cursor.expectSymbol(close);
      return { kind: 'ROW', fields, nullable: true };
    }
    default:
      throw cursor.error(
        token.offset,
        `unknown data type '${token.value}'`,
        `types: ${TYPE_NAMES}`,
        'SQL_UNKNOWN_TYPE',
      );
  }
}

function parseLengths(cursor: Cursor, max: number): number[] {
  if (!cursor.acceptSymbol('(')) return [];
  const values: number[] = [];
  do {
    const token = cursor.advance();
    if (token.kind !== 'number' || !/^\d+$/.test(token.value))
      throw cursor.error(token.offset, 'expected a whole number');
    values.push(Number(token.value));
  } while (values.length < max && cursor.acceptSymbol(','));
  cursor.expectSymbol(')');
  return values;
}

function lengthOf(cursor: Cursor, at: number, fallback: number): number {
  const [length = fallback] = parseLengths(cursor, 1);
  if (length < 1 || length > MAX_LENGTH)
    throw cursor.error(at, `length must be between 1 and ${MAX_LENGTH}, got ${length}`);
  return length;
}

function precisionOf(cursor: Cursor, at: number, fallback: number): number {
  const [precision = fallback] = parseLengths(cursor, 1);
  if (precision > MAX_TIMESTAMP_PRECISION) {
    throw cursor.error(at, `precision must be between 0 and ${MAX_TIMESTAMP_PRECISION}, got ${precision}`);
  }
  return precision;
}
