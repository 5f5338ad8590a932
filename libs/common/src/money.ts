import Decimal from 'decimal.js';
import { ValidationError } from './errors';

export { Decimal };

/** Money and quantities are decimals end to end; this is the one place that parses them. */
export function toDecimal(value: unknown, field: string): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`${field}: not a finite number (${value})`, field);
    // Source APIs send JSON numbers; their shortest decimal representation is what the user typed.
    return new Decimal(value.toString());
  }
  if (typeof value === 'string' && value.trim() !== '') {
    try {
      return new Decimal(value.trim());
    } catch (error) {
      throw new ValidationError(`${field}: "${value}" is not a decimal number`, field, error);
    }
  }
  throw new ValidationError(`${field}: expected a decimal number, got ${JSON.stringify(value)}`, field);
}

/** Encodes a decimal at a fixed scale as Avro `bytes` with logicalType decimal (big-endian two's complement). */
export function decimalToAvroBytes(value: Decimal, scale: number, field = 'decimal'): Buffer {
  if (!value.isFinite() || value.decimalPlaces() > scale) {
    throw new ValidationError(`${field}: ${value.toString()} has more than ${scale} decimal places`, field);
  }
  const small = smallUnscaled(value, scale);
  if (small !== undefined) return smallUnscaledToBytes(small, value.isNegative());
  // toFixed at a scale ≥ the value's places is exact: the unscaled integer is its digits without the point
  // (no multiplication by 10^scale, which costs more than the rest of an event's encoding).
  const digits = value.toFixed(scale).replace('.', '');
  const negative = digits.startsWith('-');
  if (digits.length <= (negative ? 16 : 15)) return smallUnscaledToBytes(Math.abs(Number(digits)), negative);
  let unscaled = BigInt(digits);
  const bytes: number[] = [];
  // Emit minimal two's-complement bytes.
  for (;;) {
    const byte = Number(unscaled & 0xffn);
    bytes.push(byte);
    unscaled >>= 8n;
    const signBitSet = (byte & 0x80) !== 0;
    if ((!negative && unscaled === 0n && !signBitSet) || (negative && unscaled === -1n && signBitSet)) break;
  }
  return Buffer.from(bytes.reverse());
}

/** decimal.js' representation: digit words in base 1e7 (most significant first), exponent of the leading digit. */
interface DecimalDigits {
  d: number[] | null;
  e: number;
}

/**
 * |value| × 10^scale when it has at most 15 digits (exact in a double), read from decimal.js' digit words without
 * making a string; undefined when it is larger (or not finite). The value has at most `scale` decimal places.
 */
function smallUnscaled(value: Decimal, scale: number): number | undefined {
  const { d, e } = value as unknown as DecimalDigits;
  if (!d) return undefined;
  const first = d[0]!;
  if (first === 0) return 0;
  let length = 1 + 7 * (d.length - 1);
  for (let bound = 10; first >= bound; bound *= 10) length += 1;
  const shift = e + 1 - length + scale;
  if (shift < 0 || length + shift > 15) return undefined;
  let digits = first;
  for (let index = 1; index < d.length; index += 1) digits = digits * 1e7 + d[index]!;
  return digits * 10 ** shift;
}

/**
 * Minimal big-endian two's complement of ±magnitude for magnitudes below 10^15 (exact in a double), without BigInt:
 * a negative number's bytes are the inverted bytes of magnitude − 1.
 */
function smallUnscaledToBytes(magnitude: number, negative: boolean): Buffer {
  if (magnitude === 0) return Buffer.from([0]);
  let rest = negative ? magnitude - 1 : magnitude;
  let length = 1;
  // The top bit of the first byte is the sign: positive values (and magnitude − 1 of negatives) keep it clear.
  for (let bound = 128; rest >= bound; bound *= 256) length += 1;
  const out = Buffer.allocUnsafe(length);
  for (let index = length - 1; index >= 0; index -= 1) {
    const byte = rest % 256;
    out[index] = negative ? 255 - byte : byte;
    rest = Math.floor(rest / 256);
  }
  return out;
}

/**
 * The exact decimal text of Avro decimal bytes, as `avroBytesToDecimal(bytes, scale).toString()` writes it (no
 * trailing zeros; exponent notation below 1e-6 and from 1e21, decimal.js' defaults) without building a Decimal:
 * what a typed canonical event carries.
 */
export function avroBytesToDecimalText(bytes: Buffer, scale: number): string {
  // Up to 6 bytes the unscaled integer is exact in a double (below 2^47).
  if (bytes.length === 0 || bytes.length > 6) return avroBytesToDecimal(bytes, scale).toString();
  const unscaled = bytes.readIntBE(0, bytes.length);
  if (unscaled === 0) return '0';
  let digits = Math.abs(unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    let end = digits.length;
    while (end > digits.length - scale && digits.charCodeAt(end - 1) === 48 /* '0' */) end -= 1;
    const integer = digits.slice(0, -scale);
    const fraction = digits.slice(digits.length - scale, end);
    // decimal.js writes values below 1e-6 in exponent notation: those few take the slow, identical path.
    if (integer === '0' && fraction.startsWith('000000')) return avroBytesToDecimal(bytes, scale).toString();
    digits = fraction === '' ? integer : `${integer}.${fraction}`;
  }
  return unscaled < 0 ? `-${digits}` : digits;
}

export function avroBytesToDecimal(bytes: Buffer, scale: number): Decimal {
  if (bytes.length === 0) return new Decimal(0);
  let unscaled = 0n;
  for (const byte of bytes) unscaled = (unscaled << 8n) | BigInt(byte);
  if ((bytes[0]! & 0x80) !== 0) unscaled -= 1n << BigInt(bytes.length * 8);
  // The point put into the digits: exact at any length (a division rounds to decimal.js' 20 significant digits).
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return new Decimal(`${negative ? '-' : ''}${digits}`);
}

/**
 * Splits `total` into parts proportional to `weights`, each rounded to `places` decimals, so that the parts sum to
 * `total` EXACTLY (largest-remainder method: every part is first rounded toward zero, then the units left over go
 * one each to the parts with the largest remainders, ties to the earlier part). Used to allocate a fee to the SKUs
 * of a document (by quantity or amount) without a rounding leak. Zero or negative weights, or weights summing to 0,
 * are refused naming `field`: an allocation with no basis is a guess.
 */
export function allocateLargestRemainder(
  total: Decimal.Value,
  weights: readonly Decimal.Value[],
  places: number,
  field = 'allocation',
): Decimal[] {
  const amount = toDecimal(total, field);
  if (weights.length === 0)
    throw new ValidationError(`${field}: no weights to allocate ${amount.toString()} over`, field);
  const basis = weights.map((weight, index) => toDecimal(weight, `${field}[${index}]`));
  basis.forEach((weight, index) => {
    if (weight.isNegative())
      throw new ValidationError(`${field}[${index}]: weight ${weight.toString()} is negative`, `${field}[${index}]`);
  });
  const sum = basis.reduce((acc, weight) => acc.plus(weight), new Decimal(0));
  if (sum.isZero())
    throw new ValidationError(`${field}: the weights sum to 0, nothing to allocate ${amount.toString()} by`, field);
  if (!Number.isInteger(places) || places < 0)
    throw new ValidationError(`${field}: places must be a whole number ≥ 0`, field);
  // Work in units of the last place, on the absolute amount; the sign is put back at the end.
  const unit = new Decimal(10).pow(-places);
  const units = amount.abs().div(unit);
  if (!units.isInteger())
    throw new ValidationError(`${field}: ${amount.toString()} has more than ${places} decimal places`, field);
  const exact = basis.map((weight) => units.times(weight).div(sum));
  const floors = exact.map((share) => share.floor());
  let left = units.minus(floors.reduce((acc, part) => acc.plus(part), new Decimal(0))).toNumber();
  const order = exact
    .map((share, index) => ({ index, remainder: share.minus(floors[index]!) }))
    .sort((a, b) => b.remainder.comparedTo(a.remainder) || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    floors[index] = floors[index]!.plus(1);
    left -= 1;
  }
  const sign = amount.isNegative() ? -1 : 1;
  return floors.map((part) => part.times(unit).times(sign));
}
