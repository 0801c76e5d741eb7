import { describeType, isBinaryString, isCharacterString, isInteger, T } from '../../types/data-type.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import { EvaluationError, type Value } from '../value.ts';
import { anyNullable, strict } from './definition.ts';
import { stringFunction } from './string.ts';

// Text to bytes and back, and numbers as binary or hex digits, as Flink 1.18 defines them
// (SqlFunctionUtils, StringCallGen). Strings are UTF-8 unless a charset is named.

const nullableString = (args: readonly BoundExpr[]) => T.string(anyNullable(args));

/** TO_BASE64(s): the Base64 of s's UTF-8 bytes. */
export const TO_BASE64 = stringFunction('TO_BASE64', ['string'], nullableString, (s: string) =>
  Buffer.from(s, 'utf8').toString('base64'),
);

/** Java's basic Base64 decoder: the standard alphabet, padding optional, nothing else allowed. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** FROM_BASE64(s): the decoded bytes read as UTF-8; invalid Base64 fails the record, as it does in Flink. */
export const FROM_BASE64 = stringFunction('FROM_BASE64', ['string'], nullableString, (s: string) => {
  if (!BASE64.test(s))
    throw new EvaluationError('INVALID_ARGUMENT', `FROM_BASE64: '${truncate(s)}' is not valid Base64`);
  return Buffer.from(s, 'base64').toString('utf8');
});

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The charsets ENCODE and DECODE accept (Flink's documented list), by their upper-case name. */
const CHARSETS = new Set(['US-ASCII', 'ISO-8859-1', 'UTF-8', 'UTF-16BE', 'UTF-16LE', 'UTF-16']);

function charsetOf(name: string): string {
  const upper = name.toUpperCase();
  if (!CHARSETS.has(upper)) {
    throw new EvaluationError(
      'INVALID_ARGUMENT',
      `unsupported charset '${name}'; use one of ${[...CHARSETS].map((c) => `'${c}'`).join(', ')}`,
    );
  }
  return upper;
}

/** A literal charset argument is checked while planning, so a typo fails before the job starts. */
function checkLiteralCharset(arg: BoundExpr | undefined, name: string, ctx: BindContext): void {
  if (arg?.kind === 'literal' && typeof arg.value === 'string' && !CHARSETS.has(arg.value.toUpperCase())) {
    ctx.fail(
      `${name} does not know the charset '${arg.value}'`,
      `use one of ${[...CHARSETS].map((c) => `'${c}'`).join(', ')}`,
    );
  }
}

/** Java's String.getBytes(charset): unmappable characters become '?'; UTF-16 starts with a big-endian mark. */
function encode(s: string, charset: string): Uint8Array {
  switch (charset) {
    case 'UTF-8':
      return new Uint8Array(Buffer.from(s, 'utf8'));
    case 'US-ASCII':
    case 'ISO-8859-1': {
      const limit = charset === 'US-ASCII' ? 0x7f : 0xff;
      return Uint8Array.from(Array.from(s), (c) => {
        const code = c.codePointAt(0) as number;
        return code <= limit ? code : 0x3f;
      });
    }
    case 'UTF-16LE':
      return new Uint8Array(Buffer.from(s, 'utf16le'));
    default: {
      const bytes = Buffer.from(s, 'utf16le').swap16();
      return charset === 'UTF-16' ? Uint8Array.from([0xfe, 0xff, ...bytes]) : new Uint8Array(bytes);
    }
  }
}

/** Java's new String(bytes, charset): undecodable bytes become U+FFFD; UTF-16 honours a byte-order mark. */
function decode(bytes: Uint8Array, charset: string): string {
  switch (charset) {
    case 'UTF-8':
      return new TextDecoder('utf-8').decode(bytes);
    case 'US-ASCII':
      return Array.from(bytes, (b) => (b <= 0x7f ? String.fromCharCode(b) : '\uFFFD')).join('');
    case 'ISO-8859-1':
      return Buffer.from(bytes).toString('latin1');
    case 'UTF-16LE':
      return new TextDecoder('utf-16le', { ignoreBOM: true }).decode(bytes);
    case 'UTF-16BE':
      return new TextDecoder('utf-16be', { ignoreBOM: true }).decode(bytes);
    default:
      if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
      return new TextDecoder('utf-16be').decode(bytes);
  }
}

const encodeText = stringFunction(
  'ENCODE',
  ['string', 'string'],
  () => T.bytes(true),
  (s: string, charset: string) => encode(s, charsetOf(charset)),
);

/** ENCODE(s, charset): the bytes of s in the charset. */
export const ENCODE: ScalarFunction = {
  ...encodeText,
  bind(args, ctx) {
    const bound = encodeText.bind(args, ctx);
    checkLiteralCharset(args[1], 'ENCODE', ctx);
    return bound;
  },
};

/** DECODE(bytes, charset): the bytes read as text in the charset. */
export const DECODE: ScalarFunction = {
  name: 'DECODE',
  signatures: ['DECODE(BYTES, STRING)'],
  bind(args, ctx) {
    if (args.length !== 2) ctx.fail(`DECODE takes 2 arguments, got ${args.length}`);
    const [bytes, charset] = args as [BoundExpr, BoundExpr];
    if (bytes.type.kind !== 'NULL' && !isBinaryString(bytes.type))
      ctx.fail(`argument 1 of DECODE must be binary, got ${describeType(bytes.type)}`, 'ENCODE text to get bytes');
    if (charset.type.kind !== 'NULL' && !isCharacterString(charset.type))
      ctx.fail(`argument 2 of DECODE must be a character string, got ${describeType(charset.type)}`);
    checkLiteralCharset(charset, 'DECODE', ctx);
    return { args, type: T.string(true) };
  },
  compile: (args) => strict((bytes: Uint8Array, charset: string) => decode(bytes, charsetOf(charset)))(args),
};

/** BIN(n): n in binary digits, negative numbers as their 64-bit two's complement (Java's Long.toBinaryString). */
export const BIN = stringFunction('BIN', ['int'], nullableString, (n: number | bigint) =>
  BigInt.asUintN(64, BigInt(n)).toString(2),
);

/** HEX(n) and HEX(s): an integer's 64-bit two's complement, or a string's UTF-8 bytes, in upper-case hex digits. */
export const HEX: ScalarFunction = {
  name: 'HEX',
  signatures: ['HEX(INTEGER)', 'HEX(STRING)'],
  bind(args, ctx) {
    if (args.length !== 1) ctx.fail(`HEX takes 1 argument, got ${args.length}`);
    const [arg] = args as [BoundExpr];
    if (arg.type.kind !== 'NULL' && !isInteger(arg.type) && !isCharacterString(arg.type))
      ctx.fail(`HEX needs an integer or a character string, got ${describeType(arg.type)}`);
    return { args, type: nullableString(args) };
  },
  compile: (args) =>
    strict((value: Value) =>
      typeof value === 'string'
        ? Buffer.from(value, 'utf8').toString('hex').toUpperCase()
        : BigInt.asUintN(64, BigInt(value as number | bigint))
            .toString(16)
            .toUpperCase(),
    )(args),
};
