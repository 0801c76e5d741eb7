import type { RowKind } from '../../exec/change.ts';
import { formatJavaDouble, formatJavaFloat } from '../../expr/cast.ts';
import type { Row, Value } from '../../expr/value.ts';
import type { DataType } from '../../types/data-type.ts';
import { formatDecimal } from '../../types/decimal.ts';
import { formatTimestampTrimmed } from '../../types/temporal.ts';
import { MICROS_PER_DAY, MICROS_PER_MILLI, type TimeValue } from '../../types/time-value.ts';

type Text = (value: Value) => string;

/**
 * A row as Flink's print sink writes it: Row.toString of the row converted to Java's external
 * types, `+I[1, a, null]`: java.time's ISO text for times (LocalDateTime `2020-01-01T12:00`,
 * Instant `2020-01-01T12:00:00Z`), Java's Double/Float.toString, BigDecimal's plain text,
 * Arrays.toString for arrays and bytes, `{k=v}` for maps, and nested rows as rows again.
 */
export function rowText(fields: readonly DataType[]): (kind: RowKind, row: Row) => string {
  const texts = fields.map(valueText);
  return (kind, row) =>
    `${kind}[${row.map((value, i) => (value === null ? 'null' : (texts[i] as Text)(value))).join(', ')}]`;
}

function valueText(type: DataType): Text {
  const orNull =
    (text: Text): Text =>
    (value) =>
      value === null ? 'null' : text(value);
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'CHAR':
    case 'VARCHAR':
    case 'NULL':
      return (value) => String(value);
    case 'FLOAT':
      return (value) => formatJavaFloat(value as number);
    case 'DOUBLE':
      return (value) => formatJavaDouble(value as number);
    case 'DECIMAL': {
      const scale = type.scale;
      return (value) => formatDecimal(value as bigint, scale);
    }
    case 'BINARY':
    case 'VARBINARY':
      return (value) => `[${[...(value as Uint8Array)].map((byte) => (byte > 127 ? byte - 256 : byte)).join(', ')}]`;
    case 'DATE':
      return (value) => localDateTime((value as number) * MICROS_PER_DAY).slice(0, -6);
    case 'TIME':
      return (value) => localDateTime(value as TimeValue).slice(11);
    case 'TIMESTAMP':
      return (value) => localDateTime(value as TimeValue);
    case 'TIMESTAMP_LTZ':
      return (value) => instant(value as TimeValue);
    case 'INTERVAL_YEAR_MONTH':
      return (value) => period(value as number);
    case 'INTERVAL_DAY_TIME':
      return (value) => duration(value as number);
    case 'ARRAY': {
      const element = orNull(valueText(type.element));
      return (value) => `[${(value as Value[]).map(element).join(', ')}]`;
    }
    case 'MULTISET':
    case 'MAP': {
      const key = orNull(valueText(type.kind === 'MAP' ? type.key : type.element));
      const entry = type.kind === 'MAP' ? orNull(valueText(type.value)) : String;
      return (value) => `{${[...(value as Map<Value, Value>)].map(([k, v]) => `${key(k)}=${entry(v)}`).join(', ')}}`;
    }
    case 'ROW': {
      const text = rowText(type.fields.map((field) => field.type));
      return (value) => text('+I', value as Row);
    }
  }
}

/** java.time's LocalDateTime.toString: `2020-01-01T12:00`, `…T12:00:05`, fractions in groups of three digits. */
function localDateTime(value: TimeValue): string {
  const text = formatTimestampTrimmed(value, 'T');
  const point = text.indexOf('.');
  if (point < 0) return text.endsWith(':00') ? text.slice(0, -3) : text;
  const fraction = text.slice(point + 1);
  return `${text.slice(0, point)}.${fraction.padEnd(Math.ceil(fraction.length / 3) * 3, '0')}`;
}

/** java.time's Instant.toString: always the seconds, and a `Z`. */
function instant(value: TimeValue): string {
  const text = localDateTime(value);
  return `${text.length === 16 ? `${text}:00` : text}Z`;
}

/** java.time's Period.toString of a number of months: `P1Y2M`, `P0D`. */
function period(months: number): string {
  const years = Math.trunc(months / 12);
  const rest = months % 12;
  if (years === 0 && rest === 0) return 'P0D';
  return `P${years !== 0 ? `${years}Y` : ''}${rest !== 0 ? `${rest}M` : ''}`;
}

/** java.time's Duration.toString of microseconds: `PT1H2M3.5S`, `PT0S`. */
function duration(micros: number): string {
  if (micros === 0) return 'PT0S';
  const millis = Math.trunc(micros / MICROS_PER_MILLI);
  const hours = Math.trunc(millis / 3_600_000);
  const minutes = Math.trunc((millis % 3_600_000) / 60_000);
  const seconds = (millis % 60_000) / 1000;
  return `PT${hours !== 0 ? `${hours}H` : ''}${minutes !== 0 ? `${minutes}M` : ''}${seconds !== 0 ? `${seconds}S` : ''}`;
}
