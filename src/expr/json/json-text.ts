import { RivuletError } from '../../common/errors.ts';
import { type DataType, formatType, isCharacterString } from '../../types/data-type.ts';
import { formatDecimal } from '../../types/decimal.ts';
import { formatDate, formatTimestampTrimmed, formatTimeTrimmed } from '../../types/temporal.ts';
import type { TimeValue } from '../../types/time-value.ts';
import type { BoundExpr } from '../bound.ts';
import { formatJavaDouble, formatJavaFloat } from '../cast.ts';
import type { Value } from '../value.ts';

/**
 * Values of SQL types as JSON text: as Flink's json format writes them (the format's options), and
 * as Flink's JSON functions (JSON_STRING, JSON_OBJECT, JSON_ARRAY, JSON_OBJECTAGG, JSON_ARRAYAGG)
 * write them.
 */

/** The json format's options that change how a value is written. */
export interface JsonTextOptions {
  readonly timestampStandard: 'SQL' | 'ISO-8601';
  readonly decimalAsPlainNumber: boolean;
  readonly ignoreNullFields: boolean;
  /** What a MAP key that is null is written as: an error (FAIL), nothing (DROP), or `mapNullKeyLiteral`. */
  readonly mapNullKeyMode: 'FAIL' | 'DROP' | 'LITERAL';
  readonly mapNullKeyLiteral: string;
  /**
   * Whether a character beyond U+FFFF is written as the \uXXXX escapes of its surrogate pair, as
   * the json format's bytes are (Jackson's UTF-8 generator); the JSON functions' strings keep it.
   */
  readonly astralEscaped: boolean;
}

const JSON_TEXT_DEFAULTS: JsonTextOptions = {
  timestampStandard: 'SQL',
  decimalAsPlainNumber: false,
  ignoreNullFields: false,
  mapNullKeyMode: 'FAIL',
  mapNullKeyLiteral: 'null',
  astralEscaped: true,
};

type Encode = (value: Value) => string;

/** The count of each element of a MULTISET, written as an INT. */
const MULTISET_COUNT: DataType = { kind: 'INT', nullable: false };

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};

/**
 * A string as a JSON literal, escaped as Flink's Jackson writes it: `"`, `\`, control characters
 * (\n, \t, ... or \u001F, hex in upper case), and with `astral` the surrogates of a character beyond
 * U+FFFF (src/common/text-bytes.ts writes the same as bytes).
 */
export function jacksonString(text: string, astral: boolean): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const escaped =
      c < 0x20 || c === 0x22 || c === 0x5c || (astral && c >= 0xd800 && c <= 0xdfff)
        ? (SHORT_ESCAPES[c] ?? `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`)
        : undefined;
    if (escaped === undefined) continue;
    out += text.slice(start, i) + escaped;
    start = i + 1;
  }
  return `${out}${text.slice(start)}"`;
}

/** Java's BigDecimal.toString: plain unless the exponent is small, then scientific (1.2E-7). */
export function javaDecimalText(unscaled: bigint, scale: number): string {
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString();
  const adjusted = digits.length - 1 - scale;
  if (scale >= 0 && adjusted >= -6) return formatDecimal(unscaled, scale);
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${unscaled < 0n ? '-' : ''}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/**
 * A DECIMAL as Flink 1.18.1's JSON writes it (the json format and the JSON functions alike): its
 * Jackson node factory normalizes the BigDecimal, stripping trailing zeros (5999.00 is 5999, 12.50
 * is 12.5, 100.00 is 1E+2, zero is 0), which is then written with BigDecimal.toString, or
 * toPlainString with `plain` ('encode.decimal-as-plain-number').
 */
export function jsonDecimalText(unscaled: bigint, scale: number, plain: boolean): string {
  if (unscaled === 0n) return '0';
  let digits = unscaled;
  let exponent = scale;
  while (digits % 10n === 0n) {
    digits /= 10n;
    exponent--;
  }
  if (!plain) return javaDecimalText(digits, exponent);
  return exponent >= 0 ? formatDecimal(digits, exponent) : `${digits}${'0'.repeat(-exponent)}`;
}

/**
 * The JSON text of a non-null value of `type` as Flink's json format writes it inside a record
 * (json-format.ts writes the common types' bytes directly, the others with this).
 */
export function jsonText(type: DataType, options: JsonTextOptions = JSON_TEXT_DEFAULTS): Encode {
  const iso = options.timestampStandard === 'ISO-8601';
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return (v) => String(v);
    case 'FLOAT':
      // Flink writes a FloatNode, which Jackson prints with Float.toString.
      return (v) => (Number.isFinite(v as number) ? formatJavaFloat(v as number) : JSON.stringify(String(v)));
    case 'DOUBLE':
      // A DoubleNode, which Jackson prints with Double.toString (1.0, 1.0E-5, 1.0E20).
      return (v) => (Number.isFinite(v as number) ? formatJavaDouble(v as number) : JSON.stringify(String(v)));
    case 'DECIMAL': {
      const { scale } = type;
      const plain = options.decimalAsPlainNumber;
      return (v) => jsonDecimalText(v as bigint, scale, plain);
    }
    case 'CHAR':
    case 'VARCHAR': {
      const astral = options.astralEscaped;
      return (v) => jacksonString(v as string, astral);
    }
    case 'BINARY':
    case 'VARBINARY':
      return (v) => `"${Buffer.from(v as Uint8Array).toString('base64')}"`;
    case 'DATE':
      return (v) => `"${formatDate(v as number)}"`;
    case 'TIME':
      return (v) => `"${formatTimeTrimmed(v as TimeValue)}"`;
    case 'TIMESTAMP':
      return (v) => `"${formatTimestampTrimmed(v as TimeValue, iso ? 'T' : ' ')}"`;
    case 'TIMESTAMP_LTZ':
      return (v) => `"${formatTimestampTrimmed(v as TimeValue, iso ? 'T' : ' ')}Z"`;
    case 'ARRAY': {
      const element = jsonText(type.element, options);
      return (v) => `[${(v as Value[]).map((item) => (item === null ? 'null' : element(item))).join(',')}]`;
    }
    case 'MAP':
    case 'MULTISET': {
      // A MULTISET is written as Flink writes it: an object of each element's count.
      const key = jsonText(type.kind === 'MAP' ? type.key : type.element, options);
      const value = jsonText(type.kind === 'MAP' ? type.value : MULTISET_COUNT, options);
      const entry = (k: Value, x: Value) =>
        `${jacksonString(k as string, options.astralEscaped)}:${x === null ? 'null' : value(x)}`;
      return (v) => {
        const entries: string[] = [];
        for (const [k, x] of v as Map<Value, Value>) {
          if (k !== null) entries.push(entry(JSON.parse(key(k)).toString(), x));
          else if (options.mapNullKeyMode === 'LITERAL') entries.push(entry(options.mapNullKeyLiteral, x));
          else if (options.mapNullKeyMode === 'FAIL') throw nullMapKey();
        }
        return `{${entries.join(',')}}`;
      };
    }
    case 'ROW': {
      const fields = type.fields.map((field) => ({
        name: JSON.stringify(field.name),
        text: jsonText(field.type, options),
      }));
      return (v) => {
        const members: string[] = [];
        (v as Value[]).forEach((x, i) => {
          const field = fields[i] as { name: string; text: Encode };
          if (x === null && options.ignoreNullFields) return;
          members.push(`${field.name}:${x === null ? 'null' : field.text(x)}`);
        });
        return `{${members.join(',')}}`;
      };
    }
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'NULL':
      return (v) => String(v);
  }
}

/** Flink's json format fails on a MAP with a null key unless map-null-key.mode says otherwise. */
function nullMapKey(): RivuletError {
  return new RivuletError(
    'RECORD_UNWRITABLE',
    "JSON format doesn't support to serialize map data with null keys",
    "drop null key entries with 'json.map-null-key.mode' = 'DROP', or write them as a text with 'LITERAL' and 'json.map-null-key.literal'",
  );
}

/** Timestamps as Flink's JSON functions write them: ISO_LOCAL_DATE_TIME, and a 'Z' after a TIMESTAMP_LTZ. */
const JSON_FUNCTION_OPTIONS: JsonTextOptions = {
  ...JSON_TEXT_DEFAULTS,
  timestampStandard: 'ISO-8601',
  astralEscaped: false,
};

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
export function jsonFunctionText(type: DataType): Encode {
  if (type.kind === 'DOUBLE')
    return (v) => (Number.isFinite(v as number) ? formatJavaDouble(v as number) : JSON.stringify(String(v)));
  return jsonText(type, JSON_FUNCTION_OPTIONS);
}

/** The JSON constructors: a value they make is nested as JSON, not as a string, in another. */
const NESTED_AS_JSON = new Set(['JSON_OBJECT', 'JSON_ARRAY']);

/**
 * How a JSON function (JSON_OBJECT, JSON_ARRAY, JSON_STRING, and the aggregates JSON_OBJECTAGG,
 * JSON_ARRAYAGG) writes the non-null value of its argument `arg`: the text of a JSON_OBJECT or
 * JSON_ARRAY call as it is (Flink's raw node), any other value by its type (jsonFunctionText).
 */
export function jsonArgumentText(arg: BoundExpr): (value: Value) => string {
  if (arg.kind === 'call' && NESTED_AS_JSON.has(arg.name)) return (value) => value as string;
  if (arg.type.kind === 'NULL') return () => 'null';
  return jsonFunctionText(arg.type);
}
