import type { DataType } from '../../types/data-type.ts';

/** The PostgreSQL type a value of `type` is written as: each column is cast to it after `unnest`. */
export function pgType(type: DataType): string {
  switch (type.kind) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
      return 'smallint';
    case 'INT':
      return 'integer';
    case 'BIGINT':
      return 'bigint';
    case 'DECIMAL':
      return 'numeric';
    case 'FLOAT':
      return 'real';
    case 'DOUBLE':
      return 'double precision';
    case 'DATE':
      return 'date';
    case 'TIME':
      return 'time';
    case 'TIMESTAMP':
      return 'timestamp';
    case 'TIMESTAMP_LTZ':
      return 'timestamptz';
    case 'BINARY':
    case 'VARBINARY':
      return 'bytea';
    default:
      return 'text';
  }
}
