import { type DataType, MAX_LENGTH } from '../types/data-type.ts';

/**
 * A type as Calcite spells it in the parts of Flink's plans that show row types (a Correlate's
 * `rowType=[RecordType(...)]`): `INTEGER`, `VARCHAR(2147483647) ARRAY`, `(K, V) MAP`, with NOT NULL.
 */
export function calciteType(type: DataType): string {
  const notNull = type.kind !== 'NULL' && !type.nullable ? ' NOT NULL' : '';
  return `${calciteTypeBody(type)}${notNull}`;
}

function calciteTypeBody(type: DataType): string {
  switch (type.kind) {
    case 'NULL':
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
      return type.kind;
    case 'INT':
      return 'INTEGER';
    case 'DECIMAL':
      return `DECIMAL(${type.precision}, ${type.scale})`;
    case 'CHAR':
    case 'VARCHAR':
    case 'BINARY':
    case 'VARBINARY':
      return `${type.kind}(${type.length === MAX_LENGTH ? MAX_LENGTH : type.length})`;
    case 'TIME':
      return `TIME(${type.precision})`;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const name = type.kind === 'TIMESTAMP' ? 'TIMESTAMP' : 'TIMESTAMP_WITH_LOCAL_TIME_ZONE';
      return `${name}(${type.precision})${type.timeAttribute ? ` *${type.timeAttribute}*` : ''}`;
    }
    case 'INTERVAL_DAY_TIME':
      return 'INTERVAL SECOND(3)';
    case 'INTERVAL_YEAR_MONTH':
      return 'INTERVAL MONTH';
    case 'ARRAY':
      return `${calciteType(type.element)} ARRAY`;
    case 'MULTISET':
      return `${calciteType(type.element)} MULTISET`;
    case 'MAP':
      return `(${calciteType(type.key)}, ${calciteType(type.value)}) MAP`;
    case 'ROW':
      return `RecordType:peek_no_expand(${type.fields.map((field) => `${calciteType(field.type)} ${field.name}`).join(', ')})`;
  }
}
