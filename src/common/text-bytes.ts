/**
 * Writes `text` at `at` as UTF-8 (a lone surrogate as U+FFFD, as Buffer.from does), or with
 * `quote` as a JSON string literal escaped as Flink 1.18.1's json format (Jackson 2.14) escapes it:
 * `"` and `\`, control characters (\n, \t, ... or \u001F, hex in upper case), and a character
 * beyond U+FFFF as the \uXXXX escapes of its surrogate pair (test/connectors/formats/
 * json-flink-bytes.test.ts); returns the end. The
 * buffer must have room: 3 bytes per UTF-16 unit, 6 with `quote`, and 2 for the quotes. For short
 * texts this is about 2.5 times as fast as Buffer.write, a call into C++ per text.
 */
export function writeText(buffer: Uint8Array, at: number, text: string, quote: boolean): number {
  if (quote) buffer[at++] = 0x22;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (!quote || (c >= 0x20 && c !== 0x22 && c !== 0x5c)) buffer[at++] = c;
      else at = escapeAscii(buffer, at, c);
    } else if (c < 0x800) {
      buffer[at++] = 0xc0 | (c >> 6);
      buffer[at++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buffer[at++] = 0xe0 | (c >> 12);
      buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
      buffer[at++] = 0x80 | (c & 0x3f);
    } else {
      const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff && quote) {
        at = unicodeEscape(buffer, unicodeEscape(buffer, at, c), low);
        i++;
      } else if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        buffer[at++] = 0xf0 | (point >> 18);
        buffer[at++] = 0x80 | ((point >> 12) & 0x3f);
        buffer[at++] = 0x80 | ((point >> 6) & 0x3f);
        buffer[at++] = 0x80 | (point & 0x3f);
        i++;
      } else if (quote) {
        at = unicodeEscape(buffer, at, c);
      } else {
        // A lone surrogate, as Buffer.from writes it: U+FFFD.
        buffer[at++] = 0xef;
        buffer[at++] = 0xbf;
        buffer[at++] = 0xbd;
      }
    }
  }
  if (quote) buffer[at++] = 0x22;
  return at;
}

const SHORT_ESCAPES: Record<number, number> = { 8: 0x62, 9: 0x74, 10: 0x6e, 12: 0x66, 13: 0x72 };

function escapeAscii(buffer: Uint8Array, at: number, c: number): number {
  buffer[at++] = 0x5c;
  if (c === 0x22 || c === 0x5c) {
    buffer[at++] = c;
    return at;
  }
  const short = SHORT_ESCAPES[c];
  if (short !== undefined) {
    buffer[at++] = short;
    return at;
  }
  return unicodeEscape(buffer, at - 1, c);
}

const HEX = [...'0123456789ABCDEF'].map((digit) => digit.charCodeAt(0));

function unicodeEscape(buffer: Uint8Array, at: number, c: number): number {
  buffer[at++] = 0x5c;
  buffer[at++] = 0x75;
  for (let shift = 12; shift >= 0; shift -= 4) buffer[at++] = HEX[(c >> shift) & 0xf] as number;
  return at;
}
