/**
 * Exact DECIMAL(p, s) arithmetic. A value is its unscaled integer as a bigint (5999.00 in
 * DECIMAL(10, 2) is 599900n); the scale and precision live in the type, never in the value, and no
 * floating point is involved anywhere on this path. Rounding is HALF_UP, as Java's BigDecimal in Flink.
 */

const POWERS: bigint[] = [1n];
for (let i = 1; i <= 80; i++) POWERS.push((POWERS[i - 1] as bigint) * 10n);

export function pow10(n: number): bigint {
  return POWERS[n] ?? 10n ** BigInt(n);
}

/** Whether the unscaled value has at most `precision` digits. */
export function fitsPrecision(unscaled: bigint, precision: number): boolean {
  const limit = pow10(precision);
  return unscaled < limit && unscaled > -limit;
}

/** Divides rounding half away from zero (HALF_UP). */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator;
  const remainder = numerator - quotient * denominator;
  if (remainder === 0n) return quotient;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice >= denominator) return numerator < 0n ? quotient - 1n : quotient + 1n;
  return quotient;
}

/** The same number at another scale, rounding HALF_UP when digits are dropped. */
export function rescale(unscaled: bigint, fromScale: number, toScale: number): bigint {
  if (toScale === fromScale) return unscaled;
  if (toScale > fromScale) return unscaled * pow10(toScale - fromScale);
  return divideHalfUp(unscaled, pow10(fromScale - toScale));
}

/** The same number at another scale, dropping digits toward zero (as CAST to an integer does). */
export function truncateScale(unscaled: bigint, fromScale: number, toScale: number): bigint {
  if (toScale >= fromScale) return unscaled * pow10(toScale - fromScale);
  return unscaled / pow10(fromScale - toScale);
}

const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/**
 * Parses decimal text ('5999.00', '-1.5', '1e3', '.5') to an unscaled value at `scale`, rounding
 * HALF_UP. Returns null for text that is not a number.
 */
export function parseDecimal(text: string, scale: number): bigint | null {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return null;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return null;
  const digits = BigInt(`${whole}${fraction}` || '0');
  const textScale = fraction.length - Number(exponent);
  const unscaled = textScale >= 0 ? rescale(digits, textScale, scale) : digits * pow10(scale - textScale);
  return sign === '-' ? -unscaled : unscaled;
}

/** Plain text of a value: 599900n at scale 2 is '5999.00'; never scientific notation. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/**
 * The decimal value of a double, as Java's BigDecimal.valueOf(double) reads it (the shortest text
 * that round-trips), at `scale`. Returns null for NaN and infinities.
 */
export function decimalFromDouble(value: number, scale: number): bigint | null {
  if (!Number.isFinite(value)) return null;
  return parseDecimal(String(value), scale);
}

/** The nearest double to an exact decimal (through its text, so rounding is correct). */
export function decimalToDouble(unscaled: bigint, scale: number): number {
  return Number.parseFloat(formatDecimal(unscaled, scale));
}
