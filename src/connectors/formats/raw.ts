import { RivuletError } from '../../common/errors.ts';
import type { Value } from '../../expr/value.ts';
import { type DataType, formatType } from '../../types/data-type.ts';
import { opt } from '../options.ts';
import { FormatError, type FormatFactory } from './format.ts';

const IDENTIFIER = 'raw';
const CHARSET = 'charset';
const ENDIANNESS = 'endianness';

/** Java charset names (any case) Rivulet can encode and decode, with Node's encoding. */
const CHARSETS: Readonly<Record<string, BufferEncoding | 'utf16be' | 'utf16'>> = {
  'UTF-8': 'utf8',
  UTF8: 'utf8',
  'US-ASCII': 'ascii',
  ASCII: 'ascii',
  'ISO-8859-1': 'latin1',
  LATIN1: 'latin1',
  'UTF-16LE': 'utf16le',
  'UTF-16BE': 'utf16be',
  'UTF-16': 'utf16',
};

/** The column types Flink's raw format reads and writes, with the width of the fixed-size ones. */
const WIDTHS: Partial<Record<DataType['kind'], number>> = {
  BOOLEAN: 1,
  TINYINT: 1,
  SMALLINT: 2,
  INT: 4,
  BIGINT: 8,
  FLOAT: 4,
  DOUBLE: 8,
};
const VARIABLE = new Set<DataType['kind']>(['CHAR', 'VARCHAR', 'BINARY', 'VARBINARY']);

type TextCodec = { encode(text: string): Buffer; decode(bytes: Buffer): string };

function textCodec(encoding: BufferEncoding | 'utf16be' | 'utf16'): TextCodec {
  switch (encoding) {
    case 'utf16be':
    case 'utf16':
      return {
        // Java's UTF-16 writes big-endian with a byte-order mark, and reads either order by its mark (big-endian without).
        encode: (text) => {
          const bytes = Buffer.from(text, 'utf16le').swap16();
          return encoding === 'utf16' ? Buffer.concat([Buffer.from([0xfe, 0xff]), bytes]) : bytes;
        },
        decode: (bytes) => {
          if (encoding === 'utf16' && bytes[0] === 0xff && bytes[1] === 0xfe)
            return bytes.subarray(2).toString('utf16le');
          const body = encoding === 'utf16' && bytes[0] === 0xfe && bytes[1] === 0xff ? bytes.subarray(2) : bytes;
          return Buffer.from(body.subarray(0, body.length & ~1))
            .swap16()
            .toString('utf16le');
        },
      };
    default:
      return { encode: (text) => Buffer.from(text, encoding), decode: (bytes) => bytes.toString(encoding) };
  }
}

function charsetOf(name: string): TextCodec | undefined {
  const encoding = CHARSETS[name.toUpperCase()];
  return encoding === undefined ? undefined : textCodec(encoding);
}

type Value1 = Value;

/** Encoder and decoder of the single column's value, as Flink's RawFormatSerializationSchema writes it. */
function valueCodec(
  type: DataType,
  charset: TextCodec,
  little: boolean,
): { encode(value: Value1): Buffer; decode(bytes: Buffer): Value1 } {
  const width = WIDTHS[type.kind];
  const fixed = (write: (out: Buffer, value: Value1) => void, read: (bytes: Buffer) => Value1) => ({
    encode: (value: Value1) => {
      const out = Buffer.alloc(width as number);
      write(out, value);
      return out;
    },
    decode: (bytes: Buffer) => {
      if (bytes.length !== width)
        throw new FormatError(
          `a ${formatType(type)} is ${width} bytes in the raw format, the record has ${bytes.length}`,
        );
      return read(bytes);
    },
  });
  switch (type.kind) {
    case 'CHAR':
    case 'VARCHAR':
      return { encode: (value) => charset.encode(value as string), decode: (bytes) => charset.decode(bytes) };
    case 'BINARY':
    case 'VARBINARY':
      return { encode: (value) => Buffer.from(value as Uint8Array), decode: (bytes) => new Uint8Array(bytes) };
    case 'BOOLEAN':
      return fixed(
        (out, v) => out.writeUInt8(v ? 1 : 0),
        (bytes) => bytes[0] !== 0,
      );
    case 'TINYINT':
      return fixed(
        (out, v) => out.writeInt8(v as number),
        (bytes) => bytes.readInt8(0),
      );
    case 'SMALLINT':
      return little
        ? fixed(
            (out, v) => out.writeInt16LE(v as number),
            (bytes) => bytes.readInt16LE(0),
          )
        : fixed(
            (out, v) => out.writeInt16BE(v as number),
            (bytes) => bytes.readInt16BE(0),
          );
    case 'INT':
      return little
        ? fixed(
            (out, v) => out.writeInt32LE(v as number),
            (bytes) => bytes.readInt32LE(0),
          )
        : fixed(
            (out, v) => out.writeInt32BE(v as number),
            (bytes) => bytes.readInt32BE(0),
          );
    case 'BIGINT':
      return little
        ? fixed(
            (out, v) => out.writeBigInt64LE(BigInt(v as bigint)),
            (bytes) => bytes.readBigInt64LE(0),
          )
        : fixed(
            (out, v) => out.writeBigInt64BE(BigInt(v as bigint)),
            (bytes) => bytes.readBigInt64BE(0),
          );
    case 'FLOAT':
      return little
        ? fixed(
            (out, v) => out.writeFloatLE(v as number),
            (bytes) => bytes.readFloatLE(0),
          )
        : fixed(
            (out, v) => out.writeFloatBE(v as number),
            (bytes) => bytes.readFloatBE(0),
          );
    case 'DOUBLE':
      return little
        ? fixed(
            (out, v) => out.writeDoubleLE(v as number),
            (bytes) => bytes.readDoubleLE(0),
          )
        : fixed(
            (out, v) => out.writeDoubleBE(v as number),
            (bytes) => bytes.readDoubleBE(0),
          );
    default:
      throw new Error(`raw format: unsupported type ${formatType(type)}`);
  }
}

/**
 * Flink's `raw` format: the record is the value of the table's single column, as is (bytes), as
 * text in raw.charset, or as a fixed-size number in raw.endianness. A NULL is written as an
 * empty record (Flink writes a null message, which a kafka table's reader skips as a tombstone);
 * an empty record reads as NULL for a number, as '' or empty bytes otherwise.
 */
export const rawFormat: FormatFactory = {
  identifier: IDENTIFIER,
  options: [
    opt.string(CHARSET, 'the charset of a text column', { default: 'UTF-8' }),
    opt.enumOf(ENDIANNESS, ['big-endian', 'little-endian'], 'the byte order of a numeric column', {
      default: 'big-endian',
    }),
  ],
  validate(options, prefix, table) {
    const charsetOption = `${prefix}${IDENTIFIER}.${CHARSET}`;
    const charset = String(options.get(charsetOption) ?? 'UTF-8');
    if (!charsetOf(charset)) {
      return {
        message: `Unsupported '${charsetOption}' charset: ${charset}. Rivulet reads and writes these: ${Object.keys(CHARSETS).join(', ')}`,
        option: charsetOption,
        hint: 'choose one of these charsets, or read the column as BYTES and decode it in SQL',
      };
    }
    if (!table) return undefined;
    if (table.columns.length !== 1) {
      return {
        message: `The 'raw' format only supports single physical column. However the current schema contains multiple physical columns: [${table.columns.join(', ')}]`,
        hint: "declare one column, or choose another format such as 'json' or 'csv'",
      };
    }
    const type = table.columnTypes?.[0];
    if (type && WIDTHS[type.kind] === undefined && !VARIABLE.has(type.kind)) {
      return {
        message: `The 'raw' format doesn't supports '${formatType(type)}' as column type.`,
        hint: 'declare the column as STRING, BYTES, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT or DOUBLE',
      };
    }
    return undefined;
  },
  codec(fields, options, prefix) {
    const field = fields[0];
    if (fields.length !== 1 || !field) {
      throw new RivuletError(
        'FORMAT_UNSUPPORTED',
        `The 'raw' format only supports single physical column, here: ${fields.length}`,
        'declare one column for the raw key or value',
      );
    }
    const charset = charsetOf(String(options.get(`${prefix}${IDENTIFIER}.${CHARSET}`) ?? 'UTF-8')) as TextCodec;
    const little = options.get(`${prefix}${IDENTIFIER}.${ENDIANNESS}`) === 'little-endian';
    const value = valueCodec(field.type, charset, little);
    const fixedWidth = WIDTHS[field.type.kind] !== undefined;
    return {
      encode: (row) => (row[0] === null || row[0] === undefined ? Buffer.alloc(0) : value.encode(row[0])),
      // An empty record is the NULL this format writes for a number; for text and bytes it is empty.
      decode: (bytes) => [
        bytes.byteLength === 0 && fixedWidth
          ? null
          : value.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
      ],
    };
  },
};
