/**
 * The 领星 document endpoints as data: path, the envelope family of its URL prefix, its paging style, its window
 * parameters and their format, the parameter that makes it filter by last change, and its concurrency bucket.
 */
import type { LingxingDocumentType } from './generator';

/**
 * - `erp`: `/erp/sc/…` — `{code: 0, message, error_details, request_id, response_time, total, data: [...]}`
 * - `erp_list`: some `/erp/sc/routing/…` and `/pb/…` — `{code: 0, message, data: {total, list}}`
 * - `finance`: `/bd/…`, `/basicOpen/…` — `{code: 0, msg, data: {total, records}}`
 */
export type Envelope = 'erp' | 'erp_list' | 'finance';

/**
 * - `offset_length`: `offset` is a row offset, `length` the page size.
 * - `page`: `page` (1-based) and `page_size`.
 * - `offset_is_page`: `offset` is a 1-based PAGE NUMBER and `length` the page size (multi-platform returns).
 */
export type Paging =
  | { style: 'offset_length'; maxLength: number; defaultLength: number }
  | { style: 'page'; maxLength: number; defaultLength: number }
  | { style: 'offset_is_page'; maxLength: number; defaultLength: number };

export interface DocumentEndpoint {
  path: string;
  /** The document type asked for; inbound/outbound endpoints serve several by their `type` parameter. */
  documentType(params: Record<string, unknown>): LingxingDocumentType | { error: string };
  envelope: Envelope;
  paging: Paging;
  window: {
    from: string;
    to: string;
    /** `datetime` yyyy-MM-dd HH:mm:ss (Beijing), `date` yyyy-MM-dd (whole days, both inclusive), `unix` seconds. */
    format: 'datetime' | 'date' | 'unix';
    /** Amazon orders: [start, end). */
    toExclusive?: boolean;
    maxDays: number;
  };
  /** Without this parameter at this value the endpoint filters by creation time, not by the last change. */
  byLastChange?: { param: string; value: string | number };
  /** Concurrent requests per app on this path (the documented token bucket); more answer 3001008. */
  bucket: number;
  /** With this parameter the rows of that one settlement are answered, whatever their time (window optional). */
  settlementFilter?: 'settlementId';
  /** `settlement_summary`: one record per settlement of the documents (结算汇总), not the documents themselves. */
  view?: 'settlement_summary';
}

const only = (type: LingxingDocumentType) => () => type;
const byTypeParam =
  (types: Record<number, LingxingDocumentType>, what: string) =>
  (params: Record<string, unknown>): LingxingDocumentType | { error: string } =>
    types[Number(params.type)] ?? { error: `${what} type 不支持 / unsupported type ${String(params.type)}` };

export const DOCUMENT_ENDPOINTS: readonly DocumentEndpoint[] = [
  {
    path: '/erp/sc/data/mws/orders',
    documentType: only('sales_order'),
    envelope: 'erp',
    paging: { style: 'offset_length', maxLength: 5000, defaultLength: 1000 },
    window: { from: 'start_date', to: 'end_date', format: 'datetime', toExclusive: true, maxDays: 366 },
    byLastChange: { param: 'date_type', value: 2 },
    bucket: 1,
  },
  {
    path: '/erp/sc/routing/wms/order/wmsOrderList',
    documentType: only('sales_outstock'),
    envelope: 'erp_list',
    paging: { style: 'page', maxLength: 200, defaultLength: 20 },
    window: { from: 'start_date', to: 'end_date', format: 'date', maxDays: 31 },
    byLastChange: { param: 'time_type', value: 'update_at' },
    bucket: 1,
  },
  {
    path: '/erp/sc/routing/storage/shipment/getInboundShipmentList',
    documentType: only('first_leg_shipment'),
    envelope: 'erp_list',
    paging: { style: 'offset_length', maxLength: 200, defaultLength: 20 },
    window: { from: 'start_date', to: 'end_date', format: 'datetime', maxDays: 31 },
    byLastChange: { param: 'time_type', value: 4 },
    bucket: 1,
  },
  {
    path: '/erp/sc/routing/storage/inbound/getOrders',
    documentType: byTypeParam({ 1: 'other_instock', 2: 'purchase_instock' }, '入库单 inbound'),
    envelope: 'erp',
    paging: { style: 'offset_length', maxLength: 200, defaultLength: 20 },
    window: { from: 'start_date', to: 'end_date', format: 'datetime', maxDays: 31 },
    byLastChange: { param: 'search_field_time', value: 'increment_time' },
    bucket: 1,
  },
  {
    path: '/erp/sc/routing/storage/outbound/getOrders',
    documentType: byTypeParam({ 11: 'other_outstock' }, '出库单 outbound'),
    envelope: 'erp',
    paging: { style: 'offset_length', maxLength: 200, defaultLength: 20 },
    window: { from: 'start_date', to: 'end_date', format: 'datetime', maxDays: 31 },
    byLastChange: { param: 'search_field_time', value: 'increment_time' },
    bucket: 1,
  },
  {
    path: '/erp/sc/routing/inventoryReceipt/StorageAllocation/getStorageAllocationList',
    documentType: only('transfer'),
    envelope: 'erp_list',
    paging: { style: 'page', maxLength: 200, defaultLength: 15 },
    window: { from: 'start_date', to: 'end_date', format: 'date', maxDays: 31 },
    byLastChange: { param: 'search_date_type', value: 4 },
    bucket: 1,
  },
  {
    path: '/erp/sc/routing/purchase/purchase_return_order/getPurchaseReturnOrderList',
    documentType: only('purchase_return'),
    envelope: 'erp_list',
    paging: { style: 'offset_length', maxLength: 500, defaultLength: 20 },
    window: { from: 'start_date', to: 'end_date', format: 'datetime', maxDays: 31 },
    byLastChange: { param: 'search_field_time', value: 'last_time' },
    bucket: 1,
  },
  {
    path: '/pb/mp/returns/v2/list',
    documentType: only('sales_return'),
    envelope: 'erp_list',
    paging: { style: 'offset_is_page', maxLength: 200, defaultLength: 20 },
    window: { from: 'start_time', to: 'end_time', format: 'datetime', maxDays: 31 },
    byLastChange: { param: 'time_type', value: 'updateTime' },
    bucket: 1,
  },
  {
    path: '/bd/sp/api/open/settlement/transaction/detail/list',
    documentType: only('fee_settlement'),
    envelope: 'finance',
    paging: { style: 'offset_length', maxLength: 10_000, defaultLength: 20 },
    window: { from: 'gmtModifiedStart', to: 'gmtModifiedEnd', format: 'datetime', maxDays: 7 },
    bucket: 1,
    settlementFilter: 'settlementId',
  },
  {
    // Window by the settlement's last change (the parameter names of the detail list; ≤ 90 days as documented).
    path: '/bd/sp/api/open/settlement/summary/list',
    documentType: only('fee_settlement'),
    view: 'settlement_summary',
    envelope: 'finance',
    paging: { style: 'offset_length', maxLength: 1000, defaultLength: 20 },
    window: { from: 'gmtModifiedStart', to: 'gmtModifiedEnd', format: 'datetime', maxDays: 90 },
    bucket: 1,
  },
  {
    path: '/pb/mp/order/v2/list',
    documentType: only('mp_sales_order'),
    envelope: 'erp_list',
    paging: { style: 'offset_length', maxLength: 500, defaultLength: 20 },
    window: { from: 'start_time', to: 'end_time', format: 'unix', maxDays: 31 },
    byLastChange: { param: 'date_type', value: 'update_time' },
    bucket: 1,
  },
  {
    path: '/erp/sc/routing/inventoryReceipt/InventoryCheck/getOrderList',
    documentType: only('stock_count'),
    envelope: 'erp_list',
    paging: { style: 'page', maxLength: 200, defaultLength: 20 },
    window: { from: 'start_date', to: 'end_date', format: 'date', maxDays: 31 },
    byLastChange: { param: 'search_date_type', value: 4 },
    bucket: 1,
  },
  {
    path: '/erp/sc/routing/data/local_inventory/productList',
    documentType: only('material'),
    envelope: 'erp',
    paging: { style: 'offset_length', maxLength: 1000, defaultLength: 1000 },
    window: { from: 'update_time_start', to: 'update_time_end', format: 'unix', maxDays: 3660 },
    bucket: 1,
  },
];

/** Buckets of the master-data and token paths (documented capacities; most are 1). */
export const OTHER_BUCKETS: Record<string, number> = {
  '/erp/sc/data/seller/lists': 1,
  '/erp/sc/data/local_inventory/warehouse': 1,
  '/erp/sc/routing/finance/currency/currencyMonth': 1,
};

/** Rows of one page, 0-based row offset from the request's paging parameters. */
export function pageWindow(
  paging: Paging,
  params: Record<string, unknown>,
): { offset: number; length: number } | { error: string } {
  const names = paging.style === 'page' ? ['page', 'page_size'] : ['offset', 'length'];
  const [positionName, sizeName] = names as [string, string];
  const length = params[sizeName] === undefined ? paging.defaultLength : Number(params[sizeName]);
  if (!Number.isInteger(length) || length < 1 || length > paging.maxLength)
    return { error: `${sizeName} 取值 1–${paging.maxLength} / ${sizeName} must be 1–${paging.maxLength}` };
  const firstPosition = paging.style === 'offset_length' ? 0 : 1;
  const position = params[positionName] === undefined ? firstPosition : Number(params[positionName]);
  if (!Number.isInteger(position) || position < firstPosition)
    return {
      error: `${positionName} 须为不小于 ${firstPosition} 的整数 / ${positionName} must be an integer ≥ ${firstPosition}`,
    };
  return { offset: paging.style === 'offset_length' ? position : (position - 1) * length, length };
}

/** The success envelope of the family, around one page of rows and the window's total. */
export function successEnvelope(
  envelope: Envelope,
  rows: unknown[],
  total: number,
  requestId: string,
  nowText: string,
) {
  switch (envelope) {
    case 'erp':
      return {
        code: 0,
        message: 'success',
        error_details: [],
        request_id: requestId,
        response_time: nowText,
        total,
        data: rows,
      };
    case 'erp_list':
      return {
        code: 0,
        message: 'success',
        error_details: [],
        request_id: requestId,
        response_time: nowText,
        data: { total, list: rows },
      };
    case 'finance':
      return { code: 0, msg: 'success', data: { total, records: rows } };
  }
}

/** A business error (bad parameters) in the family's own shape: ERP endpoints say `message`, finance `msg`. */
export function businessError(envelope: Envelope, code: number, text: string, requestId: string) {
  return envelope === 'finance'
    ? { code, msg: text, data: null }
    : { code, message: text, error_details: [text], request_id: requestId, data: [] };
}
