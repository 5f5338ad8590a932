/**
 * Settlements (结算汇总) as LingXing's summary endpoint reports them, derived from the seeded transaction rows: one
 * per settlement id, its shop and currency, Open until all its rows exist, then Closed (funds transferred). Its
 * `gmtModified` is its latest row's, so a late row moves the settlement into a connector's next window.
 */
import { formatBeijingTime, toDecimal } from '@yecai/common';
import {
  SETTLEMENT_ROWS,
  renderRecord,
  settlementId,
  settlementIndexOf,
  settlementShop,
  type StoredDocument,
} from './generator';
import type { LingxingStore } from './store';

export function settlementSummaries(
  store: LingxingStore,
  seed: number,
  range: { fromMs: number; toMs: number },
): Record<string, unknown>[] {
  const bySettlement = new Map<number, StoredDocument[]>();
  for (const row of store.query('fee_settlement', { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })) {
    const index = settlementIndexOf(row.index);
    bySettlement.set(index, [...(bySettlement.get(index) ?? []), row]);
  }
  return [...bySettlement.entries()]
    .map(([index, rows]) => ({ index, rows, modifiedMs: Math.max(...rows.map((row) => row.modifiedMs)) }))
    .filter(({ modifiedMs }) => modifiedMs >= range.fromMs && modifiedMs <= range.toMs)
    .sort((a, b) => a.modifiedMs - b.modifiedMs || a.index - b.index)
    .map(({ index, rows, modifiedMs }) => {
      const records = rows.map((row) => renderRecord(seed, row));
      const posted = records.map((record) => String(record.postedDateLocale)).sort();
      const closed = rows.length >= SETTLEMENT_ROWS;
      const shop = settlementShop(index);
      return {
        id: settlementId(index),
        settlementId: settlementId(index),
        sid: shop.sid,
        storeName: shop.name,
        currencyCode: shop.currency,
        processingStatus: closed ? 'Closed' : 'Open',
        fundTransferStatus: closed ? 'Succeeded' : 'Unknown',
        financialEventGroupStart: posted[0],
        financialEventGroupEnd: posted[posted.length - 1],
        originalTotalCurrencyAmount: records
          .reduce(
            (sum, record) => sum.plus(toDecimal(record.currencyAmount, 'currencyAmount')),
            toDecimal('0', 'total'),
          )
          .toFixed(),
        gmtModified: formatBeijingTime(modifiedMs),
      };
    });
}
