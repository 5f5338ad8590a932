/**
 * The document queries the emulator serves (source-apis.md §2.6–2.10). Paths, list keys and which endpoints
 * accept the `start_ts` rowversion cursor are protocol facts; keep them in this one table.
 */
export const JST_DOCUMENT_TYPES = [
  'sales_outstock',
  'aftersale',
  'aftersale_received',
  'purchase_in',
  'purchase_out',
  'other_inout',
  'allocate',
  'stock_count',
] as const;

export type JstDocumentType = (typeof JST_DOCUMENT_TYPES)[number];

export interface JstEndpointSpec {
  documentType: JstDocumentType;
  path: string;
  /** Field that identifies a document. */
  idField: 'io_id' | 'as_id';
  /** Whether records carry `ts` and the query accepts `start_ts`. */
  supportsStartTs: boolean;
  /** Status returned when the request names none (purchase in-stock returns only Confirmed by default). */
  defaultStatus?: string;
  /** Statuses the generator draws from, first = most common. */
  statuses: string[];
  /**
   * Fields an inserted document must carry (`store.insertExact`): the id, the paging cursor `modified`, and what
   * the mapping rules of the flow read to decide and post it.
   */
  requiredFields: string[];
}

const COMMON_REQUIRED = ['modified', 'status', 'items'];

export const JST_ENDPOINTS: Record<JstDocumentType, JstEndpointSpec> = {
  sales_outstock: {
    documentType: 'sales_outstock',
    path: '/open/orders/out/simple/query',
    idField: 'io_id',
    supportsStartTs: true,
    statuses: ['Confirmed', 'WaitConfirm', 'Cancelled', 'Delete', 'OuterConfirming'],
    requiredFields: ['io_id', ...COMMON_REQUIRED, 'io_date', 'so_id', 'shop_id', 'wms_co_id'],
  },
  aftersale: {
    documentType: 'aftersale',
    path: '/open/refund/single/query',
    idField: 'as_id',
    supportsStartTs: true,
    statuses: ['Confirmed', 'WaitConfirm', 'Cancelled', 'Merged'],
    requiredFields: ['as_id', ...COMMON_REQUIRED, 'as_date', 'so_id', 'shop_id', 'good_status', 'wms_co_id'],
  },
  aftersale_received: {
    documentType: 'aftersale_received',
    path: '/open/aftersale/received/query',
    idField: 'io_id',
    supportsStartTs: true,
    statuses: ['Confirmed', 'WaitConfirm'],
    requiredFields: ['io_id', ...COMMON_REQUIRED, 'io_date', 'as_id', 'so_id', 'shop_id', 'wms_co_id'],
  },
  purchase_in: {
    documentType: 'purchase_in',
    path: '/open/purchasein/query',
    idField: 'io_id',
    supportsStartTs: true,
    defaultStatus: 'Confirmed',
    statuses: ['Confirmed', 'WaitConfirm', 'Cancelled', 'Archive'],
    requiredFields: ['io_id', ...COMMON_REQUIRED, 'io_date', 'supplier_id', 'wms_co_id'],
  },
  purchase_out: {
    documentType: 'purchase_out',
    path: '/open/purchaseout/query',
    idField: 'io_id',
    supportsStartTs: false,
    statuses: ['Confirmed', 'WaitConfirm', 'Cancelled'],
    requiredFields: ['io_id', ...COMMON_REQUIRED, 'io_date', 'supplier_id', 'wms_co_id'],
  },
  other_inout: {
    documentType: 'other_inout',
    path: '/open/other/inout/query',
    idField: 'io_id',
    supportsStartTs: true,
    statuses: ['Confirmed', 'WaitConfirm', 'Cancelled'],
    requiredFields: ['io_id', ...COMMON_REQUIRED, 'io_date', 'type', 'wms_co_id'],
  },
  allocate: {
    documentType: 'allocate',
    path: '/open/allocate/query',
    idField: 'io_id',
    supportsStartTs: false,
    statuses: ['Confirmed', 'WaitConfirm', 'Cancelled'],
    requiredFields: ['io_id', ...COMMON_REQUIRED, 'io_date', 'type', 'wms_co_id', 'link_wms_co_id'],
  },
  stock_count: {
    documentType: 'stock_count',
    path: '/open/inventory/count/query',
    idField: 'io_id',
    supportsStartTs: false,
    statuses: ['Confirmed', 'WaitConfirm', 'Cancelled'],
    requiredFields: ['io_id', ...COMMON_REQUIRED, 'io_date', 'wms_co_id'],
  },
};

/** Error codes and texts (source-apis.md §2.4). Business texts follow the parameter docs' wording [I]. */
export const JST_ERRORS = {
  badSign: { code: 10, msg: '签名无效' },
  badToken: { code: 100, msg: 'access_token无效或过期' },
  ipNotAllowed: { code: 110, msg: 'IP不在白名单' },
  badTimestamp: { code: 140, msg: 'timestamp无效，需在15分钟内' },
  refreshNotAllowed: { code: 150, msg: 'ISV应用不允许刷新token' },
  noPermission: { code: 190, msg: '无此接口权限' },
  perSecond: { code: 199, msg: '请求频率超过5次/秒' },
  perMinute: { code: 200, msg: '请求频率超过100次/分钟' },
} as const;

/** Code used for parameter/business errors; the real numeric values are not public [I]. */
export const JST_BUSINESS_ERROR_CODE = 1;
export const JST_WINDOW_TEXT = '修改起始时间，和结束时间必须同时存在，时间间隔不能超过七天';
export const JST_PAGE_SIZE_TEXT = 'page_size每页多少条，默认30，最大50';
export const JST_MAX_PAGE_SIZE = 50;
export const JST_MAX_WINDOW_MS = 7 * 24 * 3600_000;
export const JST_TIMESTAMP_TOLERANCE_S = 15 * 60;
