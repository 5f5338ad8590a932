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
 * - `$allocateBySales(fees, sales, fields, places)` — fee lines of one settlement, shop-level fees spread over its
 *   SKUs by sales: a fee with a SKU stays on it (`allocation: "direct"`); a fee without one is split over the SKUs
 *   whose summed sales are positive, in proportion to those sales, largest remainder to `places` decimals (each
 *   part gets `allocation: "sales_amount"` and `allocationWeight`: the SKU's sales); with no such SKU the fee stays
 *   whole (`allocation: "unallocated"`). `fields` names the SKU and amount fields of both lists,
 *   e.g. `{"sku": "localSku", "amount": "currencyAmount"}`. Direct lines first, then the split ones, fee by fee.
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

const fieldName = (fields: Record<string, unknown>, key: string): string => {
  const name = fields[key];
  if (typeof name !== 'string' || name === '')
    throw new Error(`$allocateBySales: fields.${key} must name the ${key} field (e.g. {"sku": "localSku", "amount": "amount"})`);
  return name;
};

export function allocateBySales(
  fees: unknown,
  sales: unknown,
  fields: unknown,
  places: unknown = 2,
): Record<string, unknown>[] {
  if (typeof fields !== 'object' || fields === null) throw new Error('$allocateBySales: fields must be an object');
  const skuField = fieldName(fields as Record<string, unknown>, 'sku');
  const amountField = fieldName(fields as Record<string, unknown>, 'amount');
  const rows = (value: unknown) => list(value) as Record<string, unknown>[];
  const skuOf = (row: Record<string, unknown>) => row[skuField];
  const weights = new Map<string, Decimal>();
  for (const [index, sale] of rows(sales).entries()) {
    const sku = skuOf(sale);
    if (!sku) continue;
    const amount = toDecimal(sale[amountField], `$allocateBySales sales[${index}].${amountField}`);
    weights.set(String(sku), (weights.get(String(sku)) ?? new Decimal(0)).plus(amount));
  }
  const skus = [...weights].filter(([, weight]) => weight.gt(0));
  const direct = rows(fees)
    .filter((fee) => skuOf(fee))
    .map((fee) => ({ ...fee, allocation: 'direct' }));
  const shared = rows(fees).filter((fee) => !skuOf(fee));
  const allocated = shared.flatMap((fee, index) => {
    if (skus.length === 0) return [{ ...fee, allocation: 'unallocated' }];
    const parts = allocateLargestRemainder(
      toDecimal(fee[amountField], `$allocateBySales fees[${index}].${amountField}`),
      skus.map(([, weight]) => weight),
      Number(places),
      '$allocateBySales',
    );
    return skus.map(([sku, weight], i) => ({
      ...fee,
      [skuField]: sku,
      [amountField]: parts[i]!.toFixed(),
      allocation: 'sales_amount',
      allocationWeight: weight.toFixed(),
    }));
  });
  return [...direct, ...allocated];
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
  expression.registerFunction('allocateBySales', allocateBySales);
}
