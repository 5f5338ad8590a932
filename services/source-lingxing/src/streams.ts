import { defineStreams } from '@yecai/connector-kit';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Common to every 领星 document query: 7-day windows, 100 rows a page, page count reported. */
const windowed = {
  cursor: { kind: 'modified_time', maxWindowMs: 7 * DAY, windowMs: 60 * MINUTE, overlapMs: 5 * MINUTE, settleLagMs: MINUTE },
  paging: { style: 'page_index_backward', pageSize: 100, maxPageSize: 100 },
  idField: 'id',
  modifiedField: 'modified',
  modifiedFormat: 'beijing_datetime',
} as const;

/** The 领星 streams, as data (docs/adding-a-source.md § 3). */
export const LINGXING_STREAMS = defineStreams('lingxing', [
  { ...windowed, name: 'sales_outstock', documentType: 'sales_outstock', endpoint: '/api/sales_outstock/query', description: 'sales_outstock' },
  { ...windowed, name: 'sales_order', documentType: 'sales_order', endpoint: '/api/sales_order/query', description: 'sales_order' },
]);
