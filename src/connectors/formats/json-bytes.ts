import { writeText } from '../../common/text-bytes.ts';
import { isoDayText } from '../../types/temporal.ts';
import {
  dayOf,
  MICROS_PER_DAY,
  MICROS_PER_SECOND,
  NANOS_PER_SECOND,
  nanoOfDay,
  type TimeValue,
} from '../../types/time-value.ts';

/** Records are written one after another into slabs of this size and handed out as views of them. */
const SLAB_BYTES = 64 * 1024;

/**
 * JSON text written straight into bytes. Building a record's JSON as a string and then converting
 * it to UTF-8 cost a job on the kafka log about a sixth of its CPU: the concatenated string is
 * flattened (a copy, widened to two bytes per character by one Chinese value), then encoded, and
 * both copies are garbage right after.
 */
export class JsonBytes {
  private buffer = Buffer.allocUnsafe(SLAB_BYTES);
  /** Where the value being written begins: what is before it has been taken. */
  private start = 0;
  private length = 0;

  /**
   * The bytes written since the last take. A view of the slab rather than a copy: a slab is freed
   * when the last value taken from it is.
   */
  take(): Buffer {
    const out = this.buffer.subarray(this.start, this.length);
    this.start = this.length;
    return out;
  }

  /** Forgets what was written since the last take (a write that failed half way). */
  clear(): void {
    this.length = this.start;
  }

  /** The text written since the last take; its bytes are written over next. */
  takeText(): string {
    const text = this.buffer.toString('utf8', this.start, this.length);
    this.length = this.start;
    return text;
  }

  /** The slab with room for `bytes` more: a new one, with the value begun so far, when full. */
  private reserve(bytes: number): Buffer {
    if (this.length + bytes > this.buffer.length) {
      const begun = this.length - this.start;
      const fresh = Buffer.allocUnsafe(Math.max(SLAB_BYTES, 2 * (begun + bytes)));
      this.buffer.copy(fresh, 0, this.start, this.length);
      this.buffer = fresh;
      this.start = 0;
      this.length = begun;
    }
    return this.buffer;
  }

  byte(value: number): void {
    this.reserve(1)[this.length++] = value;
  }

  /** Bytes as they are (a field name's prefix, written once per record). */
  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length).set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A safe integer's digits, padded with zeros to `width`. */
  integer(value: number, width = 1): void {
    if (value < 0) {
      this.byte(0x2d);
      value = -value;
    }
    this.length = writeDigits(this.reserve(Math.max(16, width)), this.length, value, width);
  }

  /** A timestamp's text as formatTimestampTrimmed prints it, quoted; 'Z' after it for an instant. */
  timestamp(value: TimeValue, separator: number, zone: boolean): void {
    // A number of microseconds is the common case, written without a detour through nanoseconds.
    let days: number;
    let second: number;
    let fraction: number;
    let digits: number;
    if (typeof value === 'number') {
      days = Math.floor(value / MICROS_PER_DAY);
      const ofDay = value - days * MICROS_PER_DAY;
      second = Math.floor(ofDay / MICROS_PER_SECOND);
      fraction = ofDay - second * MICROS_PER_SECOND;
      digits = 6;
    } else {
      days = dayOf(value);
      const ofDay = nanoOfDay(value);
      second = Math.floor(ofDay / NANOS_PER_SECOND);
      fraction = ofDay - second * NANOS_PER_SECOND;
      digits = 9;
    }
    const hour = Math.floor(second / 3600);
    const minute = Math.floor((second - hour * 3600) / 60);
    const day = isoDayText(days);
    const buffer = this.reserve(day.length + 23);
    let at = this.length;
    buffer[at++] = 0x22;
    for (let i = 0; i < day.length; i++) buffer[at++] = day.charCodeAt(i);
    buffer[at++] = separator;
    at = writeDigits(buffer, at, hour, 2);
    buffer[at++] = 0x3a;
    at = writeDigits(buffer, at, minute, 2);
    buffer[at++] = 0x3a;
    at = writeDigits(buffer, at, second - hour * 3600 - minute * 60, 2);
    if (fraction !== 0) {
      buffer[at++] = 0x2e;
      for (; fraction % 10 === 0; digits--) fraction /= 10;
      at = writeDigits(buffer, at, fraction, digits);
    }
    if (zone) buffer[at++] = 0x5a;
    buffer[at++] = 0x22;
    this.length = at;
  }

  /** Text as UTF-8, unescaped: numbers, dates, or JSON that is already escaped. */
  raw(text: string): void {
    this.characters(text, false);
  }

  /** A JSON string literal, escaped as JSON.stringify escapes it. */
  quoted(text: string): void {
    this.characters(text, true);
  }

  private characters(text: string, quote: boolean): void {
    // At most 6 bytes per UTF-16 unit (\uXXXX); UTF-8 needs at most 3 (4 per surrogate pair).
    this.length = writeText(this.reserve(text.length * 6 + 2), this.length, text, quote);
  }
}

/** A non-negative safe integer's digits at `at`, padded with zeros to `width`; returns the end. */
function writeDigits(buffer: Uint8Array, at: number, value: number, width: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  if (digits < width) digits = width;
  for (let i = at + digits - 1; i >= at; i--) {
    const next = Math.floor(value / 10);
    buffer[i] = 0x30 + (value - next * 10);
    value = next;
  }
  return at + digits;
}
