/**
 * Which finance system a reconciliation reads (Kingdee or YonSuite), and its words. The comparison and the reports
 * are written once, in Kingdee's terms (金蝶, FThirdBillNo, FModifyDate …); for YonSuite every text a person reads —
 * report values, column headers, sheet names, the 口径 — goes through `financeText`, one place.
 */
export type FinanceSystem = 'kingdee' | 'yonyou';

/** Kingdee's terms → YonSuite's, longest first (FModifyDate before FDate). */
const YONYOU_TERMS: [string, string][] = [
  ['第三方单据编号 (FThirdBillNo)', '外部来源线索 (out_sys_id)'],
  ['FThirdBillNo', 'out_sys_id'],
  ['FModifyDate', 'pubts'],
  ['FBaseUnitQty', 'qty'],
  ['FAllAmount', 'oriSum'],
  ['FDate', 'vouchdate'],
  ['金蝶', '用友'],
  ['Kingdee', 'YonSuite'],
];

export function financeText(text: string, system: FinanceSystem | undefined): string {
  if (system !== 'yonyou') return text;
  return YONYOU_TERMS.reduce((result, [from, to]) => result.split(from).join(to), text);
}

/** Every string in `value` (not the keys) in the system's words. */
export function inFinanceTerms<T>(value: T, system: FinanceSystem): T {
  if (system !== 'yonyou') return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return financeText(item, system);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    return item;
  };
  return walk(value) as T;
}
