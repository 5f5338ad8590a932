/**
 * Functions the rules may call beyond JSONata's own. Decimal ones (JSONata's own arithmetic is binary floating point: money never goes
 * through it). Each returns decimal TEXT, which the engine reads exactly into the canonical decimal field.
 *
 * - `$allocate(total, weights, places?)` — `total` split in proportion to `weights` (a list, or one value), each part
 *   rounded to `places` decimals (default 2), the parts summing to `total` exactly (largest remainder,
 *   libs/common `allocateLargestRemainder`). In a line: `$allocate($doc.fee, $doc.items.quantity)[$index]`.
 * - `$decimalDiv(a, b, places)` — a ÷ b rounded half-up to `places` decimals (e.g. a unit price from a line total).
 * - `$decimalTimes(a, b)` — a × b, exact.
 * - `$decimalSum(values)` — the exact sum of a list of decimals (JSONata's `$sum` adds floats).
 * - `$hash(text, length)` — the first `length` hex digits of the text's sha256: a short, stable bill number for a
 *   document whose own identity is a long composite key (领星 settlement rows).
 */
import { createHash } from 'node:crypto';
import type jsonata from 'jsonata';
import { Decimal, allocateLargestRemainder, toDecimal } from '@yecai/common';

const list = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];

export function allocate(total: unknown, weights: unknown, places: unknown = 2): string[] | undefined {
  if (total === undefined || total === null || total === '') return undefined;
  return allocateLargestRemainder(
    toDecimal(total, '$allocate total'),
    list(weights).map((weight, index) => toDecimal(weight, `$allocate weights[${index}]`)),
    Number(places),
    '$allocate',
  ).map((part) => part.toFixed());
}

export function decimalDiv(dividend: unknown, divisor: unknown, places: unknown): string | undefined {
  if (
    dividend === undefined ||
    dividend === null ||
    dividend === '' ||
    divisor === undefined ||
    divisor === null ||
    divisor === ''
  )
    return undefined;
  const by = toDecimal(divisor, '$decimalDiv divisor');
  if (by.isZero()) throw new Error('$decimalDiv: division by 0');
  return toDecimal(dividend, '$decimalDiv dividend')
    .div(by)
    .toDecimalPlaces(Number(places), Decimal.ROUND_HALF_UP)
    .toFixed();
}

export function decimalTimes(a: unknown, b: unknown): string | undefined {
  if (a === undefined || a === null || a === '' || b === undefined || b === null || b === '') return undefined;
  return toDecimal(a, '$decimalTimes').times(toDecimal(b, '$decimalTimes')).toFixed();
}

export function decimalSum(values: unknown): string {
  return list(values)
    .reduce<Decimal>((sum, value, index) => sum.plus(toDecimal(value, `$decimalSum values[${index}]`)), new Decimal(0))
    .toFixed();
}

export function hash(value: unknown, length: unknown = 12): string | undefined {
  if (value === undefined || value === null) return undefined;
  return createHash('sha256').update(String(value)).digest('hex').slice(0, Number(length));
}

/** Makes the functions callable from a compiled rule expression. */
export function registerRuleFunctions(expression: jsonata.Expression): void {
  expression.registerFunction('hash', hash);
  expression.registerFunction('allocate', allocate);
  expression.registerFunction('decimalDiv', decimalDiv);
  expression.registerFunction('decimalTimes', decimalTimes);
  expression.registerFunction('decimalSum', decimalSum);
}
