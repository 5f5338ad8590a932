/**
 * Order-independent partition digests (finance-flows §3.7): every document hashes to 64 bits over a canonical row
 * string (stable key, dates ISO, decimals normalised); a partition's digest is the count, line count, Σ base qty,
 * Σ amount and the sum of the hashes modulo 2^64. Adding or removing a document moves the digest by its hash alone,
 * so digests can be kept incrementally and compared level by level, expanding only partitions that differ.
 */
import { createHash } from 'node:crypto';
import { Decimal } from '@yecai/common';
import type { DocumentFacts, LineFacts } from './model';

const MOD = 1n << 64n;
/** Kingdee's amount precision (4 dp): a sub-cent 尾差 still changes the hash, so the drill-down finds it. */
const AMOUNT_DP = 4;
const QTY_DP = 10;

export const normalizeAmount = (value: string): string => new Decimal(value || '0').toFixed(AMOUNT_DP, Decimal.ROUND_HALF_UP);
export const normalizeQty = (value: string): string => new Decimal(value || '0').toFixed(QTY_DP, Decimal.ROUND_HALF_UP);

export interface Digest {
  documents: number;
  lines: number;
  qty: Decimal;
  amount: Decimal;
  hashSum: bigint;
}

export const emptyDigest = (): Digest => ({ documents: 0, lines: 0, qty: new Decimal(0), amount: new Decimal(0), hashSum: 0n });

/**
 * The facts both sides hold, in one canonical string: the bill number (a copy under another number is another row),
 * the source reference, date, org, shop, whether the bill counts (audited, not cancelled) and every line.
 * `expectedMaterial` lets the source side hash the material the current master data maps to.
 */
export function documentHash(facts: DocumentFacts, counts: boolean, materialOf: (line: LineFacts) => string = (line) => line.material): bigint {
  const lines = facts.lines.map((line) => [line.seq, materialOf(line), line.warehouse, line.lot, normalizeQty(line.qty), normalizeAmount(line.amount)].join('\u0001'));
  const row = [facts.flow, facts.ref, facts.billNo, facts.date, facts.org, facts.shop, counts ? '1' : '0', ...lines].join('\u0002');
  return BigInt(`0x${createHash('sha1').update(row).digest('hex').slice(0, 16)}`);
}

export function addToDigest(digest: Digest, facts: DocumentFacts, hash: bigint): void {
  digest.documents += 1;
  digest.lines += facts.lines.length;
  for (const line of facts.lines) {
    digest.qty = digest.qty.plus(line.qty || '0');
    digest.amount = digest.amount.plus(line.amount || '0');
  }
  digest.hashSum = (digest.hashSum + hash) % MOD;
}

export const sameDigest = (a: Digest, b: Digest): boolean =>
  a.documents === b.documents && a.lines === b.lines && a.qty.eq(b.qty) && a.amount.eq(b.amount) && a.hashSum === b.hashSum;

/** Digests of `items` grouped by `keyOf`. */
export function digestsBy<T extends DocumentFacts>(items: Iterable<{ facts: T; hash: bigint }>, keyOf: (facts: T) => string): Map<string, Digest> {
  const digests = new Map<string, Digest>();
  for (const { facts, hash } of items) {
    const key = keyOf(facts);
    let digest = digests.get(key);
    if (!digest) digests.set(key, (digest = emptyDigest()));
    addToDigest(digest, facts, hash);
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
