/**
 * Order-independent partition digests (finance-flows §3.7): every document hashes to 64 bits over a canonical row
 * string (stable key, dates ISO, decimals as integer units); a partition's digest is the count, line count, Σ base qty,
 * Σ amount and the sum of the hashes modulo 2^64. Adding or removing a document moves the digest by its hash alone,
 * so digests can be kept incrementally and compared level by level, expanding only partitions that differ.
 * Sums are integers (bigint) of 10^-dp units, parsed from the exact decimal text: no float, and no decimal.js object
 * per line on the hot path (100,000 documents of 3 lines: decimal.js sums took most of a 19 s run).
 */
import { createHash } from 'node:crypto';
import { Decimal } from '@yecai/common';
import type { DocumentFacts, LineFacts } from './model';

const MOD = 1n << 64n;
/** Kingdee's amount precision (4 dp): a sub-cent 尾差 still changes the hash, so the drill-down finds it. */
export const AMOUNT_DP = 4;
export const QTY_DP = 10;
const PLAIN_DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

/** Exact decimal text → integer count of 10^-dp units, rounded half away from zero (as decimal.js ROUND_HALF_UP). */
export function toUnits(text: string, dp: number): bigint {
  const value = (text || '0').trim();
  const match = PLAIN_DECIMAL.exec(value);
  if (!match) return BigInt(new Decimal(value).mul(new Decimal(10).pow(dp)).toFixed(0, Decimal.ROUND_HALF_UP));
  const [, sign, integer = '', fraction = ''] = match;
  let units = BigInt(`${integer || '0'}${fraction.padEnd(dp, '0').slice(0, dp)}`);
  if (fraction.length > dp && fraction.charCodeAt(dp) >= 53 /* '5' */) units += 1n;
  return sign === '-' ? -units : units;
}

export const fromUnits = (units: bigint, dp: number): Decimal =>
  new Decimal(units.toString()).div(new Decimal(10).pow(dp));

export interface Digest {
  documents: number;
  lines: number;
  /** Σ base quantity in 10^-QTY_DP units. */
  qty: bigint;
  /** Σ amount in 10^-AMOUNT_DP units. */
  amount: bigint;
  hashSum: bigint;
}

export const emptyDigest = (): Digest => ({ documents: 0, lines: 0, qty: 0n, amount: 0n, hashSum: 0n });

/** A document with what every level needs, computed once: its hash and its quantity and amount sums. */
export interface PreparedRow<T extends DocumentFacts> {
  facts: T;
  hash: bigint;
  qty: bigint;
  amount: bigint;
}

/**
 * The facts both sides hold, in one canonical string: the source reference, date, org, shop, whether the bill counts
 * (audited, not cancelled) and every line. The bill number is left out: a copy under another number still adds its
 * hash a second time. `materialOf` lets the source side hash the material the current master data maps to.
 */
export function prepare<T extends DocumentFacts>(
  facts: T,
  counts: boolean,
  materialOf: (line: LineFacts) => string = (line) => line.material,
): PreparedRow<T> {
  let qty = 0n;
  let amount = 0n;
  const lines = facts.lines.map((line) => {
    const lineQty = toUnits(line.qty, QTY_DP);
    const lineAmount = toUnits(line.amount, AMOUNT_DP);
    qty += lineQty;
    amount += lineAmount;
    return `${line.seq}\u0001${materialOf(line)}\u0001${line.warehouse}\u0001${line.lot}\u0001${lineQty}\u0001${lineAmount}`;
  });
  const row = [facts.flow, facts.ref, facts.date, facts.org, facts.shop, counts ? '1' : '0', ...lines].join('\u0002');
  return { facts, hash: BigInt(`0x${createHash('sha1').update(row).digest('hex').slice(0, 16)}`), qty, amount };
}

export const sameDigest = (a: Digest, b: Digest): boolean =>
  a.documents === b.documents &&
  a.lines === b.lines &&
  a.qty === b.qty &&
  a.amount === b.amount &&
  a.hashSum === b.hashSum;

/** Digests of `rows` grouped by `keyOf`. */
export function digestsBy<T extends DocumentFacts>(
  rows: Iterable<PreparedRow<T>>,
  keyOf: (facts: T) => string,
): Map<string, Digest> {
  const digests = new Map<string, Digest>();
  for (const row of rows) {
    const key = keyOf(row.facts);
    let digest = digests.get(key);
    if (!digest) digests.set(key, (digest = emptyDigest()));
    digest.documents += 1;
    digest.lines += row.facts.lines.length;
    digest.qty += row.qty;
    digest.amount += row.amount;
    digest.hashSum = (digest.hashSum + row.hash) % MOD;
  }
  return digests;
}

/** Keys whose digests differ between the two sides (present on one side only included). */
export function differingKeys(left: Map<string, Digest>, right: Map<string, Digest>): Set<string> {
  const keys = new Set<string>();
  for (const key of new Set([...left.keys(), ...right.keys()])) {
    if (!sameDigest(left.get(key) ?? emptyDigest(), right.get(key) ?? emptyDigest())) keys.add(key);
  }
  return keys;
}

/** L0 partition: flow × org × period. */
export const l0Key = (facts: DocumentFacts): string => `${facts.flow}|${facts.org}|${facts.date.slice(0, 7)}`;
/** L1 partition: flow × org × day × shop × warehouse(s). */
export const l1Key = (facts: DocumentFacts): string =>
  `${l0Key(facts)}|${facts.date}|${facts.shop}|${[...new Set(facts.lines.map((line) => line.warehouse))].sort().join('+')}`;
