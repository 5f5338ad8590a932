import { defineStreams } from '@yecai/connector-kit';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Common to every JST document query (source-apis.md §2.5): 7-day windows, 50 rows a page, page count reported. */
const jstWindowed = {
  cursor: {
    kind: 'modified_time',
    maxWindowMs: 7 * DAY,
    windowMs: 60 * MINUTE,
    overlapMs: 5 * MINUTE,
    settleLagMs: MINUTE,
  },
  paging: { style: 'page_index_backward', pageSize: 50, maxPageSize: 50 },
  modifiedField: 'modified',
  modifiedFormat: 'beijing_datetime',
} as const;

/**
 * The JST streams, as data. The source publishes what the API returns; which statuses and lines become
 * Kingdee bills (已出库, 实退数量 > 0, 调拨入, 生效 …) is decided in mapping.
 */
export const JST_STREAMS = defineStreams('jushuitan', [
  {
    ...jstWindowed,
    name: 'sales_outstock',
    documentType: 'sales_outstock',
    endpoint: '/open/orders/out/simple/query',
    idField: 'io_id',
    description: '销售出库 sales out-stock (F3)',
  },
  {
    ...jstWindowed,
    name: 'aftersale',
    documentType: 'aftersale',
    endpoint: '/open/refund/single/query',
    idField: 'as_id',
    description: '售后单 退换管理 (F4, status and 实退数量)',
  },
  {
    ...jstWindowed,
    name: 'aftersale_received',
    documentType: 'aftersale_received',
    endpoint: '/open/aftersale/received/query',
    idField: 'io_id',
    description: '实际收货 returns received into stock (F4)',
  },
  {
    ...jstWindowed,
    name: 'purchase_in',
    documentType: 'purchase_in',
    endpoint: '/open/purchasein/query',
    idField: 'io_id',
    description: '采购入库 purchase in-stock (F5); the API returns only Confirmed (已入库) unless asked otherwise',
  },
  {
    ...jstWindowed,
    name: 'purchase_out',
    documentType: 'purchase_out',
    endpoint: '/open/purchaseout/query',
    idField: 'io_id',
    description: '采购退货 purchase return (F6)',
  },
  {
    ...jstWindowed,
    name: 'other_inout',
    documentType: 'other_inout',
    endpoint: '/open/other/inout/query',
    idField: 'io_id',
    description: '其它出入库 other in/out (F7, F8)',
  },
  {
    ...jstWindowed,
    name: 'allocate',
    documentType: 'allocate',
    endpoint: '/open/allocate/query',
    idField: 'io_id',
    description: '调拨 transfers, both 调拨出 and 调拨入 (F9)',
  },
  {
    ...jstWindowed,
    name: 'stock_count',
    documentType: 'stock_count',
    endpoint: '/open/inventory/count/query',
    idField: 'io_id',
    description: '盘点 stock-take (F10)',
  },
]);
