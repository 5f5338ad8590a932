/**
 * The 领星 streams as data: the kit's stream definitions plus, per stream, how its endpoint is called (envelope
 * family, paging style, window parameters and format, the parameter that makes it filter by last change) —
 * source-apis §4.7/§8. Which statuses become Kingdee bills is decided in mapping, not here.
 */
import { defineStreams } from '@yecai/connector-kit';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Where the rows and the window's total are: `/erp/sc/…` top level, some routing/`/pb/` in data.list, `/bd/` data.records. */
export type LingxingEnvelope = 'erp' | 'erp_list' | 'finance';
/** `offset_length`: row offset; `page`: page/page_size (1-based); `offset_is_page`: `offset` is a 1-based page number. */
export type LingxingPaging = 'offset_length' | 'page' | 'offset_is_page';

export interface LingxingEndpoint {
  envelope: LingxingEnvelope;
  paging: LingxingPaging;
  window: {
    from: string;
    to: string;
    /**
     * `date` endpoints take whole days (yyyy-MM-dd); `month` (currency rates) one month per call (`from` = `to` =
     * the month parameter): every month the window touches is read whole. The kit drops rows outside its window.
     */
    format: 'datetime' | 'date' | 'month' | 'unix';
    /** Amazon orders filter [start, end): the end is sent one second later so the kit's inclusive end is read. */
    endExclusive?: boolean;
  };
  /** Parameters sent on every call: the update-time selector (without it the API filters by creation) and type. */
  params: Record<string, string | number>;
  /** Concurrent calls the path's token bucket admits (documented capacity; most are 1). */
  bucket: number;
  /** A record time in unix seconds (products): the transport adds `<field>_beijing` for the kit's cursor. */
  epochSecondsField?: string;
}

/** Currency rate rows have no id of their own: `rate_key` = `<date>/<code>` (one rate per currency and month). */
export const RATE_KEY_FIELDS = ['date', 'code'] as const;

/** Settlement rows' `uniqueKey` is re-issued between calls; the identity is this composite, in `dedupe_key`. */
export const SETTLEMENT_KEY_FIELDS = [
  'sid',
  'settlementId',
  'eventType',
  'type',
  'amazonOrderId',
  'sellerSku',
  'postedDateLocale',
  'currencyAmount',
] as const;

interface Declaration {
  name: string;
  description: string;
  endpoint: string;
  idField: string;
  modifiedField: string;
  maxWindowMs: number;
  windowMs: number;
  overlapMs: number;
  pageSize: number;
  maxPageSize: number;
  call: LingxingEndpoint;
}

const datetime = (from = 'start_date', to = 'end_date') => ({ from, to, format: 'datetime' as const });
const date = { from: 'start_date', to: 'end_date', format: 'date' as const };

const DECLARATIONS: Declaration[] = [
  {
    name: 'sales_order',
    description:
      '亚马逊订单 Amazon orders, by LingXing update time (date_type 2); refunds after shipment arrive as new versions',
    endpoint: '/erp/sc/data/mws/orders',
    idField: 'amazon_order_id',
    modifiedField: 'gmt_modified',
    maxWindowMs: 365 * DAY,
    windowMs: HOUR,
    overlapMs: 5 * MINUTE,
    pageSize: 500,
    maxPageSize: 5000,
    call: {
      envelope: 'erp',
      paging: 'offset_length',
      window: { ...datetime(), endExclusive: true },
      params: { date_type: 2 },
      bucket: 1,
    },
  },
  {
    name: 'sales_outstock',
    description: 'WMS 销售出库单 sales out-stock, by update_at; whole-day windows (the API takes dates)',
    endpoint: '/erp/sc/routing/wms/order/wmsOrderList',
    idField: 'wo_number',
    modifiedField: 'update_at',
    maxWindowMs: 31 * DAY,
    windowMs: DAY,
    overlapMs: HOUR,
    pageSize: 200,
    maxPageSize: 200,
    call: { envelope: 'erp_list', paging: 'page', window: date, params: { time_type: 'update_at' }, bucket: 1 },
  },
  {
    name: 'first_leg_shipment',
    description: 'FBA 发货单 first-leg shipments, by update time (time_type 4)',
    endpoint: '/erp/sc/routing/storage/shipment/getInboundShipmentList',
    idField: 'shipment_sn',
    modifiedField: 'update_time',
    maxWindowMs: 31 * DAY,
    windowMs: HOUR,
    overlapMs: 5 * MINUTE,
    pageSize: 200,
    maxPageSize: 200,
    call: { envelope: 'erp_list', paging: 'offset_length', window: datetime(), params: { time_type: 4 }, bucket: 1 },
  },
  ...(
    [
      [
        'purchase_instock',
        '采购入库单 purchase in-stock (入库单 type 2)',
        '/erp/sc/routing/storage/inbound/getOrders',
        2,
      ],
      ['other_instock', '其他入库单 other in-stock (入库单 type 1)', '/erp/sc/routing/storage/inbound/getOrders', 1],
      [
        'other_outstock',
        '其他出库单 other out-stock (出库单 type 11)',
        '/erp/sc/routing/storage/outbound/getOrders',
        11,
      ],
    ] as const
  ).map(([name, description, endpoint, type]) => ({
    name,
    description: `${description}, by increment_time (last change)`,
    endpoint,
    idField: 'order_sn',
    modifiedField: 'increment_time',
    maxWindowMs: 31 * DAY,
    windowMs: HOUR,
    overlapMs: 5 * MINUTE,
    pageSize: 200,
    maxPageSize: 200,
    call: {
      envelope: 'erp' as const,
      paging: 'offset_length' as const,
      window: datetime(),
      params: { type, search_field_time: 'increment_time' },
      bucket: 1,
    },
  })),
  {
    name: 'transfer',
    description: '调拨单 transfers, by update time (search_date_type 4); whole-day windows',
    endpoint: '/erp/sc/routing/inventoryReceipt/StorageAllocation/getStorageAllocationList',
    idField: 'order_sn',
    modifiedField: 'increment_time',
    maxWindowMs: 31 * DAY,
    windowMs: DAY,
    overlapMs: HOUR,
    pageSize: 200,
    maxPageSize: 200,
    call: { envelope: 'erp_list', paging: 'page', window: date, params: { search_date_type: 4 }, bucket: 1 },
  },
  {
    name: 'purchase_return',
    description: '采购退货单 purchase returns, by last_time',
    endpoint: '/erp/sc/routing/purchase/purchase_return_order/getPurchaseReturnOrderList',
    idField: 'order_sn',
    modifiedField: 'last_time',
    maxWindowMs: 31 * DAY,
    windowMs: HOUR,
    overlapMs: 5 * MINUTE,
    pageSize: 500,
    maxPageSize: 500,
    call: {
      envelope: 'erp_list',
      paging: 'offset_length',
      window: datetime(),
      params: { search_field_time: 'last_time' },
      bucket: 1,
    },
  },
  {
    name: 'sales_return',
    description: '多平台销售退货单 multi-platform returns, by updateTime (offset is a page number here)',
    endpoint: '/pb/mp/returns/v2/list',
    idField: 'return_sn',
    modifiedField: 'update_time',
    maxWindowMs: 31 * DAY,
    windowMs: HOUR,
    overlapMs: 5 * MINUTE,
    pageSize: 200,
    maxPageSize: 200,
    call: {
      envelope: 'erp_list',
      paging: 'offset_is_page',
      window: datetime('start_time', 'end_time'),
      params: { time_type: 'updateTime' },
      bucket: 1,
    },
  },
  {
    name: 'fee_settlement',
    description:
      '结算交易明细 settlement transaction detail, by gmtModified (≤ 7-day windows; rows arrive late, 1 h overlap)',
    endpoint: '/bd/sp/api/open/settlement/transaction/detail/list',
    idField: 'dedupe_key',
    modifiedField: 'gmtModified',
    maxWindowMs: 7 * DAY,
    windowMs: 6 * HOUR,
    overlapMs: HOUR,
    pageSize: 1000,
    maxPageSize: 10_000,
    call: {
      envelope: 'finance',
      paging: 'offset_length',
      window: datetime('gmtModifiedStart', 'gmtModifiedEnd'),
      params: {},
      bucket: 1,
    },
  },
  {
    name: 'settlement',
    description:
      '结算汇总 settlements, by gmtModified (≤ 90-day windows); a Closed settlement carries all its transaction rows, read by settlementId — fees are allocated per settlement',
    endpoint: '/bd/sp/api/open/settlement/summary/list',
    idField: 'settlementId',
    modifiedField: 'gmtModified',
    maxWindowMs: 90 * DAY,
    windowMs: DAY,
    overlapMs: HOUR,
    pageSize: 100,
    maxPageSize: 1000,
    call: {
      envelope: 'finance',
      paging: 'offset_length',
      window: datetime('gmtModifiedStart', 'gmtModifiedEnd'),
      params: {},
      bucket: 1,
    },
  },
  {
    name: 'mp_sales_order',
    description:
      '多平台订单 multi-platform orders (Walmart, Shopify, TikTok …), by update time; unix-second windows ≤ 31 days',
    endpoint: '/pb/mp/order/v2/list',
    idField: 'global_order_no',
    modifiedField: 'update_time',
    maxWindowMs: 31 * DAY,
    windowMs: HOUR,
    overlapMs: 5 * MINUTE,
    pageSize: 500,
    maxPageSize: 500,
    call: {
      envelope: 'erp_list',
      paging: 'offset_length',
      window: { from: 'start_time', to: 'end_time', format: 'unix' },
      params: { date_type: 'update_time' },
      bucket: 1,
    },
  },
  {
    name: 'stock_count',
    description: '盘点单 stock counts (book vs counted per SKU), by update time; whole-day windows',
    endpoint: '/erp/sc/routing/inventoryReceipt/InventoryCheck/getOrderList',
    idField: 'order_sn',
    modifiedField: 'update_time',
    maxWindowMs: 31 * DAY,
    windowMs: DAY,
    overlapMs: HOUR,
    pageSize: 200,
    maxPageSize: 200,
    call: { envelope: 'erp_list', paging: 'page', window: date, params: { search_date_type: 4 }, bucket: 1 },
  },
  {
    name: 'material',
    description:
      '本地产品 products (local SKUs with their parent SPU), by update_time (unix seconds); from masterDataStartAt',
    endpoint: '/erp/sc/routing/data/local_inventory/productList',
    idField: 'sku',
    modifiedField: 'update_time_beijing',
    maxWindowMs: 365 * DAY,
    windowMs: 30 * DAY,
    overlapMs: HOUR,
    pageSize: 1000,
    maxPageSize: 1000,
    call: {
      envelope: 'erp',
      paging: 'offset_length',
      window: { from: 'update_time_start', to: 'update_time_end', format: 'unix' },
      params: {},
      bucket: 1,
      epochSecondsField: 'update_time',
    },
  },
  {
    name: 'currency_rate',
    description: '汇率 monthly currency rates to CNY (rate_org official, my_rate the tenant’s), by update_time',
    endpoint: '/erp/sc/routing/finance/currency/currencyMonth',
    idField: 'rate_key',
    modifiedField: 'update_time',
    maxWindowMs: 31 * DAY,
    windowMs: 7 * DAY,
    overlapMs: HOUR,
    pageSize: 1000,
    maxPageSize: 1000,
    call: {
      envelope: 'erp',
      paging: 'offset_length',
      window: { from: 'date', to: 'date', format: 'month' },
      params: {},
      bucket: 1,
    },
  },
];

/** Master data, edited long before the documents' startAt: read from the account's masterDataStartAt. */
export const LINGXING_MASTER_STREAMS = ['material', 'currency_rate'] as const;

/** The stream definitions (document types are the canonical names of libs/contracts). */
export const LINGXING_STREAMS = defineStreams(
  'lingxing',
  DECLARATIONS.map((d) => ({
    name: d.name,
    documentType: d.name,
    description: d.description,
    endpoint: d.endpoint,
    idField: d.idField,
    modifiedField: d.modifiedField,
    modifiedFormat: 'beijing_datetime' as const,
    cursor: {
      kind: 'modified_time' as const,
      maxWindowMs: d.maxWindowMs,
      windowMs: d.windowMs,
      overlapMs: d.overlapMs,
      settleLagMs: MINUTE,
    },
    paging: { style: 'page_index_backward' as const, pageSize: d.pageSize, maxPageSize: d.maxPageSize },
  })),
);

const CALLS = new Map(DECLARATIONS.map((d) => [d.name, d.call]));

/** How the stream's endpoint is called; throws for a stream this source does not declare. */
export function lingxingEndpoint(stream: string): LingxingEndpoint {
  const found = CALLS.get(stream);
  if (!found) throw new Error(`领星 stream "${stream}" is not declared`);
  return found;
}
