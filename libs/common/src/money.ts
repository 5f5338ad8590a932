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
  const scaled = value.mul(new Decimal(10).pow(scale));
  if (!scaled.isInteger()) {
    throw new ValidationError(`${field}: ${value.toString()} has more than ${scale} decimal places`, field);
  }
  let unscaled = BigInt(scaled.toFixed(0));
  const negative = unscaled < 0n;
  const bytes: number[] = [];
  // Emit minimal two's-complement bytes.
  for (;;) {
    const byte = Number(unscaled & 0xffn);
    bytes.unshift(byte);
    unscaled >>= 8n;
    const signBitSet = (byte & 0x80) !== 0;
    if ((!negative && unscaled === 0n && !signBitSet) || (negative && unscaled === -1n && signBitSet)) break;
  }
  return Buffer.from(bytes);
}

export function avroBytesToDecimal(bytes: Buffer, scale: number): Decimal {
  if (bytes.length === 0) return new Decimal(0);
  let unscaled = 0n;
  for (const byte of bytes) unscaled = (unscaled << 8n) | BigInt(byte);
  if ((bytes[0]! & 0x80) !== 0) unscaled -= 1n << BigInt(bytes.length * 8);
  return new Decimal(unscaled.toString()).div(new Decimal(10).pow(scale));
}
