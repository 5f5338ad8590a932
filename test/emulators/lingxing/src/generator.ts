/** Seeded documents: the same (seed, type, index) always gives the same document. */
import { mixSeed, seededRandom, truncateToSecond } from '@yecai/emulator-kit';

export interface GeneratedDocument {
  id: number;
  modifiedMs: number;
  status: 'Confirmed' | 'Cancelled';
  /** Money as the API sends it: a decimal string. */
  amount: string;
  lines: { sku: string; qty: number; price: string }[];
}

/** A number per document type, so each type draws its own documents. */
const typeSalt = (type: string) => [...type].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);

/** Integer cents as the API's decimal text (money is never a float). */
const centsText = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** Document `index` of `type`, modified at `modifiedMs` (the API keeps whole seconds). */
export function generateDocument(seed: number, type: string, index: number, modifiedMs: number): GeneratedDocument {
  const random = seededRandom(mixSeed(seed, typeSalt(type), index));
  const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, line) => ({
    sku: `SKU-${(index * 7 + line) % 500}`,
    qty: 1 + Math.floor(random() * 9),
    cents: 100 + Math.floor(random() * 20_000),
  }));
  return {
    id: 100_000 + index,
    modifiedMs: truncateToSecond(modifiedMs),
    status: random() < 0.9 ? 'Confirmed' : 'Cancelled',
    amount: centsText(lines.reduce((sum, line) => sum + line.qty * line.cents, 0)),
    lines: lines.map(({ sku, qty, cents }) => ({ sku, qty, price: centsText(cents) })),
  };
}
