import { DEFAULT_JSON_OPTIONS, jsonValueText } from '../../connectors/formats/json-format.ts';
import { type DataType, formatType, isCharacterString } from '../../types/data-type.ts';
import { formatJavaDouble } from '../cast.ts';
import type { Value } from '../value.ts';

/** Timestamps as Flink's JSON functions write them: ISO_LOCAL_DATE_TIME, and a 'Z' after a TIMESTAMP_LTZ. */
const JSON_FUNCTION_OPTIONS = { ...DEFAULT_JSON_OPTIONS, timestampStandard: 'ISO-8601' } as const;

/**
 * Why Flink's JSON functions cannot write a value of `type` (its JsonGenerateUtils knows no DATE,
 * TIME or INTERVAL, and writes a MAP only with string keys), or undefined.
 */
export function jsonValueProblem(type: DataType): string | undefined {
  switch (type.kind) {
    case 'DATE':
    case 'TIME':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return `Type '${formatType(type)}' is not scalar or cannot be converted into JSON.`;
    case 'MAP':
    case 'MULTISET': {
      const key = type.kind === 'MAP' ? type.key : type.element;
      if (!isCharacterString(key))
        return `Type '${formatType(key)}' is not supported for JSON conversion. The key type must be a character string.`;
      return type.kind === 'MAP' ? jsonValueProblem(type.value) : undefined;
    }
    case 'ARRAY':
      return jsonValueProblem(type.element);
    case 'ROW':
      return type.fields.map((field) => jsonValueProblem(field.type)).find((problem) => problem !== undefined);
    default:
      return undefined;
  }
}

/**
 * The JSON text of a non-null value of `type` as Flink's JSON functions write it (JSON_STRING,
 * JSON_OBJECT, JSON_ARRAY, and the JSON aggregates): the json format's encoding, with ISO
 * timestamps and a DOUBLE as Java prints it (1.0). Check the type with jsonValueProblem first.
 */
export function jsonText(type: DataType): (value: Value) => string {
  if (type.kind === 'FLOAT' || type.kind === 'DOUBLE')
    return (v) => (Number.isFinite(v as number) ? formatJavaDouble(v as number) : JSON.stringify(String(v)));
  return jsonValueText(type, JSON_FUNCTION_OPTIONS);
}
