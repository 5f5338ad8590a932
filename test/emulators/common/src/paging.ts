/** Drops the milliseconds: the SaaS APIs keep modified times to the second (hence same-second ties). */
export function truncateToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** One page of `rows`; `pageNo` counts from `firstPage` (JST pages from 1, WDT from 0). */
export function pageOf<T>(rows: readonly T[], pageNo: number, pageSize: number, firstPage: 0 | 1): T[] {
  const start = (pageNo - firstPage) * pageSize;
  return rows.slice(start, start + pageSize);
}
