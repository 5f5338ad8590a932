/**
 * What the emulator serves, per edition (source-apis.md §3.2–3.6): script names, 旗舰版 methods, list keys,
 * windows, and the error codes and texts. Protocol facts live in this one table; entries marked [chosen] were not
 * settled by public sources and are explained in the README.
 */

export const WDT_DOCUMENT_TYPES = [
  'sales_out',
  'refund_in',
  'purchase_in',
  'purchase_return',
  'other_in',
  'other_out',
  'transfer',
  'stock_pd',
  'assembly',
] as const;

export type WdtDocumentType = (typeof WDT_DOCUMENT_TYPES)[number];

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface WdtDocumentProtocol {
  /** 企业版 script: POST /openapi2/<script>. */
  qybScript: string;
  /** 企业版 response list key. */
  qybListKey: string;
  /** 企业版 longest start_time..end_time window. */
  qybMaxWindowMs: number;
  /** 旗舰版 method name. */
  qjbMethod: string;
  /** 旗舰版 list key inside `data`. */
  qjbListKey: string;
  qjbMaxWindowMs: number;
  /** Record field holding the document's id, and its number. */
  idField: string;
  noField: string;
  /** Detail list key per edition (旗舰版 wms.stockin.Other says `detail_list`). */
  qjbDetailsKey: string;
  /** Status of a finished document, the one the product syncs. */
  doneStatus: number;
  /** Statuses the generator draws from; the first is the finished one. */
  statuses: number[];
  /** Name of the business-time field (出库/入库/审核 time). */
  eventTimeField: string;
  /** 旗舰版 header datetimes sent as ms epochs (per each method's doc or example; others are text). */
  qjbEpochFields?: string[];
}

export const WDT_PROTOCOL: Record<WdtDocumentType, WdtDocumentProtocol> = {
  sales_out: {
    qybScript: 'stockout_order_query_trade.php',
    qybListKey: 'stockout_list',
    qybMaxWindowMs: 30 * DAY,
    qjbMethod: 'wms.stockout.Sales.queryWithDetail',
    qjbListKey: 'order',
    qjbMaxWindowMs: 60 * MINUTE,
    idField: 'stockout_id',
    noField: 'order_no',
    qjbDetailsKey: 'details_list',
    doneStatus: 110,
    statuses: [110, 95, 100, 55, 5, 113],
    eventTimeField: 'consign_time',
    qjbEpochFields: ['created', 'trade_time', 'pay_time'],
  },
  refund_in: {
    qybScript: 'stockin_order_query_refund.php',
    qybListKey: 'stockin_list',
    qybMaxWindowMs: 30 * DAY,
    qjbMethod: 'wms.stockin.Refund.queryWithDetail',
    qjbListKey: 'order',
    qjbMaxWindowMs: 30 * DAY,
    idField: 'stockin_id',
    noField: 'order_no',
    qjbDetailsKey: 'details_list',
    doneStatus: 80,
    statuses: [80, 30, 20, 10],
    eventTimeField: 'check_time',
    qjbEpochFields: ['check_time'],
  },
  purchase_in: {
    qybScript: 'stockin_order_query_purchase.php',
    qybListKey: 'stockin_list',
    qybMaxWindowMs: 30 * DAY,
    qjbMethod: 'wms.stockin.Purchase.queryWithDetail',
    qjbListKey: 'order',
    qjbMaxWindowMs: 30 * DAY,
    idField: 'stockin_id',
    noField: 'order_no',
    qjbDetailsKey: 'details_list',
    doneStatus: 80,
    statuses: [80, 30, 20, 10],
    eventTimeField: 'check_time',
  },
  purchase_return: {
    qybScript: 'stockout_order_query_return.php',
    qybListKey: 'stockout_list',
    qybMaxWindowMs: 30 * DAY,
    qjbMethod: 'wms.stockout.PurchaseReturn.queryWithDetail',
    qjbListKey: 'order',
    qjbMaxWindowMs: 30 * DAY,
    idField: 'stockout_id',
    noField: 'order_no',
    qjbDetailsKey: 'details_list',
    doneStatus: 110,
    statuses: [110, 55, 5],
    eventTimeField: 'consign_time',
  },
  other_in: {
    qybScript: 'stockin_order_query.php',
    qybListKey: 'stockin_list',
    qybMaxWindowMs: 30 * DAY,
    qjbMethod: 'wms.stockin.Other.queryWithDetail',
    qjbListKey: 'order',
    qjbMaxWindowMs: 30 * DAY,
    idField: 'stockin_id',
    noField: 'order_no',
    qjbDetailsKey: 'detail_list',
    doneStatus: 80,
    statuses: [80, 30, 20, 10],
    eventTimeField: 'check_time',
  },
  other_out: {
    qybScript: 'stockout_order_query.php',
    qybListKey: 'stockout_list',
    qybMaxWindowMs: 30 * DAY,
    qjbMethod: 'wms.stockout.OtherQuery.queryWithDetail',
    qjbListKey: 'order',
    qjbMaxWindowMs: 30 * DAY,
    idField: 'stockout_id',
    noField: 'order_no',
    qjbDetailsKey: 'details_list',
    doneStatus: 110,
    statuses: [110, 55, 5],
    eventTimeField: 'consign_time',
  },
  transfer: {
    qybScript: 'stock_transfer_query.php',
    qybListKey: 'transfer_list',
    qybMaxWindowMs: 30 * DAY,
    qjbMethod: 'wms.stocktransfer.Manage.queryWithDetail',
    qjbListKey: 'order',
    qjbMaxWindowMs: 30 * DAY,
    idField: 'transfer_id',
    noField: 'transfer_no',
    qjbDetailsKey: 'details_list',
    doneStatus: 90, // 10 已取消, 20 编辑中, 30 待审核, 40 已审核, 50 调拨中, 80 待结算, 90 调拨完成 (旗舰版 doc)
    statuses: [90, 80, 50, 40, 30, 20, 10],
    eventTimeField: 'check_time',
    qjbEpochFields: ['created'],
  },
  stock_pd: {
    qybScript: 'stock_pd_order_query.php',
    qybListKey: 'pd_list', // [chosen] the 企业版 key is not public; 旗舰版 uses data.pd_list
    qybMaxWindowMs: 30 * DAY,
    qjbMethod: 'wms.StockPd.queryStockPd',
    qjbListKey: 'pd_list',
    qjbMaxWindowMs: 30 * DAY,
    idField: 'pd_id',
    noField: 'pd_no',
    qjbDetailsKey: 'details_list',
    doneStatus: 30, // [chosen] 10 编辑中, 20 盘点中, 30 已完成, 31 已取消
    statuses: [30, 20, 10, 31],
    eventTimeField: 'check_time',
  },
  assembly: {
    qybScript: 'stock_assembly_query.php', // [chosen] no public 组装拆卸 query exists in either edition's docs
    qybListKey: 'assembly_list',
    qybMaxWindowMs: 30 * DAY,
    qjbMethod: 'wms.stockassembly.Manage.queryWithDetail',
    qjbListKey: 'order',
    qjbMaxWindowMs: 30 * DAY,
    idField: 'assembly_id',
    noField: 'assembly_no',
    qjbDetailsKey: 'details_list',
    doneStatus: 90, // [chosen] 10 编辑中, 50 待审核, 90 已完成, 5 已取消
    statuses: [90, 50, 10, 5],
    eventTimeField: 'check_time',
  },
};

/** Master-data queries (no document store behind them). */
export const WDT_MASTER = {
  shops: { qybScript: 'shop.php', qybListKey: 'shoplist', qjbMethod: 'setting.Shop.queryShop', qjbListKey: 'details' },
  warehouses: {
    qybScript: 'warehouse_query.php',
    qybListKey: 'warehouses',
    qjbMethod: 'setting.Warehouse.queryWarehouse',
    qjbListKey: 'details',
  },
  providers: {
    qybScript: 'purchase_provider_query.php',
    qybListKey: 'provider_list',
    qjbMethod: 'setting.PurchaseProvider.queryDetail',
    qjbListKey: 'details',
  },
  goods: {
    qybScript: 'goods_query.php',
    qybListKey: 'goods_list',
    qjbMethod: 'goods.Goods.queryWithSpec',
    qjbListKey: 'goods_list', // [chosen] source-apis §3.6 marks the key as unconfirmed
    maxWindowMs: 30 * DAY,
  },
} as const;

/** 企业版: codes are not public (§3.2); these follow the observed/third-party classification [chosen]. */
export const QYB_ERRORS = {
  missingParam: (name: string) => ({ code: 100, message: `缺少参数${name}` }),
  badSid: { code: 2060, message: '卖家账号不存在' },
  badAppkey: { code: 2060, message: 'appkey不存在' },
  badSign: { code: 2030, message: '签名错误' },
  badTimestamp: { code: 2100, message: 'timestamp超时，请检查服务器时间' },
  unknownScript: { code: 2100, message: '接口不存在或无权限' },
  pageSize: { code: 100, message: 'page_size取值范围1-100' },
  pageNo: { code: 100, message: 'page_no从0开始' },
  badTime: (field: string) => ({ code: 100, message: `${field}格式错误，格式为yyyy-MM-dd HH:mm:ss` }),
  missingWindow: { code: 2900, message: '时间范围不能为空' },
  windowOrder: { code: 100, message: '结束时间必须大于开始时间' },
  window: (maxMs: number) => ({ code: 100, message: windowText(maxMs) }),
  perMinute: { code: 1, message: '超过每分钟最大调用频率限制，请稍后重试' },
  concurrency: { code: 1, message: '超过每分钟最大并发次数限制，请稍后重试' },
} as const;

/** 旗舰版 status table (official guide qjbguide_cwmsm, §3.5). */
export const QJB_ERRORS = {
  missingParam: (name: string) => ({ status: 1, message: `参数错误：缺少${name}` }),
  badSid: { status: 1, message: 'sid不存在' },
  badKey: { status: 1, message: 'key不存在或无权限' },
  badSign: { status: 1, message: '签名错误' },
  badMethod: { status: 1, message: '接口不存在或无权限' },
  badBody: { status: 2, message: '参数不合法：body必须是JSON数组' },
  badTimestamp: { status: 7, message: 'timestamp超时' },
  badVersion: { status: 8, message: '版本错误' },
  pagerMissing: { status: 100, message: '此方法仅支持分页查询' },
  pageSize: { status: 2, message: 'page_size取值范围1-100' },
  badTime: (field: string) => ({ status: 2, message: `参数不合法：${field}格式错误` }),
  missingWindow: { status: 100, message: '开始时间和结束时间不能为空' },
  window: (maxMs: number) => ({ status: 100, message: windowText(maxMs) }),
  perMinute: { status: 100, message: '超过每分钟最大调用频率限制，请稍后重试' },
  concurrency: { status: 100, message: '超过每分钟最大并发次数限制，请稍后重试' },
} as const;

export function windowText(maxMs: number): string {
  return maxMs >= DAY ? `查询时间不能大于${Math.round(maxMs / DAY)}天` : `查询时间不能大于${Math.round(maxMs / MINUTE)}分钟`;
}

export const QYB_TIMESTAMP_TOLERANCE_S = 300;
export const QJB_TIMESTAMP_TOLERANCE_S = 120;
export const QYB_DEFAULT_PAGE_SIZE = 40;
export const MAX_PAGE_SIZE = 100;
export const ZERO_DATE = '0000-00-00 00:00:00';
