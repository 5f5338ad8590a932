import { defineStreams, type StreamDefinition } from '@yecai/connector-kit';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 赛狐 states no window limit (source-apis.md §8, open question 19); we keep a week, as the other sources. */
const MAX_WINDOW_MS = 7 * DAY;
/** Endpoints with no time filter (shops, warehouses) return every row; one window then spans years. */
const NO_LIMIT = 20 * 365 * DAY;

/** How one stream calls its endpoint (source-apis.md §5.4). */
export interface SaihuStreamDeclaration {
  name: string;
  /** Canonical name where the flow is the one the other sources have; otherwise the 赛狐 concept. */
  documentType: string;
  description: string;
  path: string;
  idField: string;
  /** The update time the window filters on and the record carries (`yyyy-MM-dd HH:mm:ss`, Beijing). */
  modifiedField: string;
  /** Window parameter names; null: the endpoint takes no time filter (master data). */
  window: { start: string; end: string } | null;
  /** Key of the list inside `data`. */
  rowsKey: string;
  /** Sent on every call: the time type that makes the window filter on update time, `queryDel`… */
  params?: Record<string, string>;
  /** Master data: starts at the account's masterDataStartAt, windows as long as the API allows. */
  master?: boolean;
  /** Late rows (settlement reports): re-read a longer overlap (source-apis.md §1: ≥ 1 h). */
  overlapMs?: number;
}

const between = (start: string, end: string) => ({ start, end });

/** The 赛狐 streams, as data, in the order of issue #19's priorities. */
export const SAIHU_STREAM_DECLARATIONS: SaihuStreamDeclaration[] = [
  {
    name: 'sales_order',
    documentType: 'sales_order',
    description: '亚马逊订单 Amazon orders',
    path: '/api/order/pageList.json',
    idField: 'amazonOrderId',
    modifiedField: 'lastUpdateDate',
    window: between('dateStart', 'dateEnd'),
    rowsKey: 'rows',
    params: { dateType: 'updateDateTime' },
  },
  {
    name: 'multiplatform_order',
    documentType: 'multiplatform_order',
    description: '多平台订单 multi-platform orders',
    path: '/api/multiplatform/order/list.json',
    idField: 'orderId',
    modifiedField: 'updateTime',
    window: between('dateStart', 'dateEnd'),
    rowsKey: 'rows',
    params: { dateType: 'updateTime' },
  },
  {
    name: 'sales_return',
    documentType: 'sales_return',
    description: 'FBA 退货报告 FBA returns',
    path: '/api/order/api/report/fbaReturn/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: between('startTime', 'endTime'),
    rowsKey: 'rows',
    params: { timeType: 'updateTime' },
  },
  {
    name: 'fbm_package',
    documentType: 'fbm_package',
    description: '自发货包裹 FBM packages',
    path: '/api/packageShip/getPackagePage.json',
    idField: 'packageSn',
    modifiedField: 'updateTime',
    window: between('startTime', 'endTime'),
    rowsKey: 'rows',
    params: { timeType: 'updateTime' },
  },
  {
    name: 'fbm_return',
    documentType: 'fbm_return',
    description: 'FBM 退货 FBM returns',
    path: '/api/order/api/report/fbm/return/order/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: between('startTime', 'endTime'),
    rowsKey: 'rows',
    params: { timeType: 'updateTime' },
  },
  {
    name: 'purchase_instock',
    documentType: 'purchase_instock',
    description: '采购入库单 purchase in-stock',
    path: '/api/purchaseStock/getStockPageList.json',
    idField: 'purchaseStockNo',
    modifiedField: 'updateTime',
    window: between('beginTime', 'endTime'),
    rowsKey: 'rows',
    params: { timeType: 'updateDate' },
  },
  {
    name: 'purchase_return',
    documentType: 'purchase_return',
    description: '采购退货单 purchase returns',
    path: '/api/purchaseReturned/pageList.json',
    idField: 'returnedNo',
    modifiedField: 'updateTime',
    window: between('startTime', 'endTime'),
    rowsKey: 'rows',
    params: { timeType: 'updateTime' },
  },
  {
    name: 'other_instock',
    documentType: 'other_instock',
    description: '入库记录 in records (其他/采购/维修/退货/还回/次品)',
    path: '/api/warehouseInOut/inRecords.json',
    idField: 'orderNo',
    modifiedField: 'updateTime',
    window: between('start', 'end'),
    rowsKey: 'rows',
    params: { timeType: 'updateTime' },
  },
  {
    name: 'other_outstock',
    documentType: 'other_outstock',
    description: '出库记录 out records',
    path: '/api/warehouseInOut/outRecords.json',
    idField: 'orderNo',
    modifiedField: 'updateTime',
    window: between('start', 'end'),
    rowsKey: 'rows',
    params: { timeType: 'updateTime' },
  },
  {
    name: 'transfer',
    documentType: 'transfer',
    description: '调拨单 transfers',
    path: '/api/warehouseTransfer/pageList.json',
    idField: 'transferNo',
    modifiedField: 'updateTime',
    window: between('start', 'end'),
    rowsKey: 'rows',
    params: { timeType: 'updateTime' },
  },
  {
    name: 'stock_count',
    documentType: 'stock_count',
    description: '盘点单 stock-takes',
    path: '/api/inventory/count/order/page.json',
    idField: 'pdSn',
    modifiedField: 'updateTime',
    window: between('startTime', 'endTime'),
    rowsKey: 'rows',
    params: { timeType: 'updateTime' },
  },
  {
    name: 'first_leg_shipment',
    documentType: 'first_leg_shipment',
    description: 'FBA 发货单 FBA shipments (头程)',
    path: '/api/fba/shippingOrder/pageList.json',
    idField: 'shipSn',
    modifiedField: 'updateTime',
    window: between('updateTimeStart', 'updateTimeEnd'),
    rowsKey: 'rows',
  },
  {
    name: 'settlement',
    documentType: 'settlement',
    description:
      '结算 settlements (V2 结算汇总 by update time); a paid-out settlement (transferTime set) carries all its detail rows, read by settlementId — one receipt and one fee payable per settlement',
    path: '/api/financial/v2/settlementSummary/groupPage.json',
    idField: 'settlementId',
    modifiedField: 'updateTimeStr',
    window: between('startTime', 'endTime'),
    rowsKey: 'groupVoList',
    params: { timeType: 'updateTime' },
    overlapMs: 2 * HOUR,
  },
  {
    name: 'settlement_detail',
    documentType: 'settlement_detail',
    description: '结算明细 settlement detail (V2), soft deletes included',
    path: '/api/financial/v2/settlementSummary/detailPage.json',
    idField: 'id',
    modifiedField: 'updateTimeStr',
    window: between('updateTimeStart', 'updateTimeEnd'),
    rowsKey: 'detailPageVoList',
    params: { queryDel: '1' },
    overlapMs: 2 * HOUR,
  },
  {
    name: 'warehouse_inventory',
    documentType: 'warehouse_inventory',
    description: '仓库库存 warehouse inventory (own and overseas warehouses)',
    path: '/api/warehouseManage/warehouseItemList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: between('modifiedTimeStart', 'modifiedTimeEnd'),
    rowsKey: 'rows',
  },
  {
    name: 'fba_inventory',
    documentType: 'fba_inventory',
    description: 'FBA 库存 FBA inventory',
    path: '/api/inventoryManage/fba/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: between('modifiedTimeStart', 'modifiedTimeEnd'),
    rowsKey: 'rows',
  },
  {
    name: 'shop',
    documentType: 'shop',
    description: '店铺 shops (marketplace, currency)',
    path: '/api/shop/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: null,
    rowsKey: 'rows',
    master: true,
  },
  {
    name: 'warehouse',
    documentType: 'warehouse',
    description: '仓库 warehouses (1 国内, 2 FBA, 3 海外仓)',
    path: '/api/warehouseManage/warehouseList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: null,
    rowsKey: 'rows',
    master: true,
  },
  {
    name: 'product',
    documentType: 'material',
    description: '商品 products (SKU) → Kingdee materials',
    path: '/api/commodity/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: between('updateTimeStart', 'updateTimeEnd'),
    rowsKey: 'rows',
    master: true,
  },
];

export const SAIHU_MASTER_STREAMS = SAIHU_STREAM_DECLARATIONS.filter((stream) => stream.master).map(
  (stream) => stream.name,
);

export function saihuDeclaration(streamName: string): SaihuStreamDeclaration {
  const declaration = SAIHU_STREAM_DECLARATIONS.find((stream) => stream.name === streamName);
  if (!declaration) throw new Error(`unknown 赛狐 stream ${streamName}`);
  return declaration;
}

/**
 * Kit stream definitions: 1-hour windows (master data: as long as the API allows), backward paging (赛狐 reports
 * totalPage), 100 rows a page (the maximum). Window and overlap overrides apply to document streams.
 */
export function saihuStreams(overrides: { windowMinutes?: number; overlapMinutes?: number } = {}): StreamDefinition[] {
  return defineStreams(
    'saihu',
    SAIHU_STREAM_DECLARATIONS.map((declaration) => {
      const maxWindowMs = declaration.window ? MAX_WINDOW_MS : NO_LIMIT;
      const wanted = declaration.master
        ? maxWindowMs
        : overrides.windowMinutes !== undefined
          ? Math.round(overrides.windowMinutes * MINUTE)
          : HOUR;
      const windowMs = Math.min(wanted, maxWindowMs);
      const overlap =
        overrides.overlapMinutes !== undefined
          ? Math.round(overrides.overlapMinutes * MINUTE)
          : (declaration.overlapMs ?? 5 * MINUTE);
      return {
        name: declaration.name,
        documentType: declaration.documentType,
        endpoint: declaration.path,
        description: declaration.description,
        params: declaration.params ?? {},
        idField: declaration.idField,
        modifiedField: declaration.modifiedField,
        modifiedFormat: 'beijing_datetime' as const,
        cursor: {
          kind: 'modified_time' as const,
          maxWindowMs,
          windowMs,
          overlapMs: Math.min(overlap, windowMs - 1000),
          settleLagMs: MINUTE,
        },
        paging: { style: 'page_index_backward' as const, pageSize: 100, maxPageSize: 100 },
      };
    }),
  );
}
