/**
 * The 赛狐 list endpoints the emulator serves (source-apis.md §5.4), one row each: path, the record's id and
 * update-time fields, the window parameters and the list key of `data`. Where the public docs mirror did not show an
 * update-time filter or a full path, the row says so (`assumed`) and docs/saihu.md lists it as an open question.
 */

export const SAIHU_DOCUMENT_TYPES = [
  'sales_order',
  'multiplatform_order',
  'fbm_package',
  'sales_return',
  'fbm_return',
  'purchase_instock',
  'purchase_return',
  'other_instock',
  'other_outstock',
  'transfer',
  'stock_count',
  'first_leg_shipment',
  'settlement_summary',
  'settlement_detail',
  'warehouse_inventory',
  'fba_inventory',
  'shop',
  'warehouse',
  'product',
] as const;
export type SaihuDocumentType = (typeof SAIHU_DOCUMENT_TYPES)[number];

export interface SaihuEndpoint {
  type: SaihuDocumentType;
  path: string;
  idField: string;
  /** Update time `yyyy-MM-dd HH:mm:ss` (Beijing): the window filters on it and the record carries it. */
  modifiedField: string;
  /** Window parameters (both ends inclusive); null: the endpoint has no time filter and returns every row. */
  window: { start: string; end: string } | null;
  /** A parameter that must name the update time (e.g. `dateType=updateDateTime`); others are refused. */
  timeType?: { param: string; value: string };
  /** Key of the list inside `data` (most endpoints: `rows`). */
  rowsKey: string;
  /** Unverified details of this row (path prefix, filter names), for the docs' open questions. */
  assumed?: string;
}

const updateWindow = { start: 'startTime', end: 'endTime' };

export const SAIHU_ENDPOINTS: readonly SaihuEndpoint[] = [
  {
    type: 'sales_order',
    path: '/api/order/pageList.json',
    idField: 'amazonOrderId',
    modifiedField: 'lastUpdateDate',
    window: { start: 'dateStart', end: 'dateEnd' },
    timeType: { param: 'dateType', value: 'updateDateTime' },
    rowsKey: 'rows',
  },
  {
    type: 'multiplatform_order',
    path: '/api/multiplatform/order/list.json',
    idField: 'orderId',
    modifiedField: 'updateTime',
    window: { start: 'dateStart', end: 'dateEnd' },
    timeType: { param: 'dateType', value: 'updateTime' },
    rowsKey: 'rows',
    assumed: 'filter names and fields',
  },
  {
    type: 'sales_return',
    path: '/api/order/api/report/fbaReturn/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: updateWindow,
    timeType: { param: 'timeType', value: 'updateTime' },
    rowsKey: 'rows',
    assumed: 'update-time filter',
  },
  {
    type: 'fbm_package',
    path: '/api/packageShip/getPackagePage.json',
    idField: 'packageSn',
    modifiedField: 'updateTime',
    window: updateWindow,
    timeType: { param: 'timeType', value: 'updateTime' },
    rowsKey: 'rows',
    assumed: 'filter names and fields',
  },
  {
    type: 'fbm_return',
    path: '/api/order/api/report/fbm/return/order/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: updateWindow,
    timeType: { param: 'timeType', value: 'updateTime' },
    rowsKey: 'rows',
    assumed: 'filter names and fields',
  },
  {
    type: 'purchase_instock',
    path: '/api/purchaseStock/getStockPageList.json',
    idField: 'purchaseStockNo',
    modifiedField: 'updateTime',
    window: { start: 'beginTime', end: 'endTime' },
    timeType: { param: 'timeType', value: 'updateDate' },
    rowsKey: 'rows',
    assumed: 'path prefix (only …/getStockPageList.json is known) and the updateDate time type',
  },
  {
    type: 'purchase_return',
    path: '/api/purchaseReturned/pageList.json',
    idField: 'returnedNo',
    modifiedField: 'updateTime',
    window: updateWindow,
    timeType: { param: 'timeType', value: 'updateTime' },
    rowsKey: 'rows',
    assumed: 'update-time filter (documented: apply time)',
  },
  {
    type: 'other_instock',
    path: '/api/warehouseInOut/inRecords.json',
    idField: 'orderNo',
    modifiedField: 'updateTime',
    window: { start: 'start', end: 'end' },
    timeType: { param: 'timeType', value: 'updateTime' },
    rowsKey: 'rows',
  },
  {
    type: 'other_outstock',
    path: '/api/warehouseInOut/outRecords.json',
    idField: 'orderNo',
    modifiedField: 'updateTime',
    window: { start: 'start', end: 'end' },
    timeType: { param: 'timeType', value: 'updateTime' },
    rowsKey: 'rows',
    assumed: 'time type as inRecords',
  },
  {
    type: 'transfer',
    path: '/api/warehouseTransfer/pageList.json',
    idField: 'transferNo',
    modifiedField: 'updateTime',
    window: { start: 'start', end: 'end' },
    timeType: { param: 'timeType', value: 'updateTime' },
    rowsKey: 'rows',
    assumed: 'time type',
  },
  {
    type: 'stock_count',
    path: '/api/inventory/count/order/page.json',
    idField: 'pdSn',
    modifiedField: 'updateTime',
    window: updateWindow,
    timeType: { param: 'timeType', value: 'updateTime' },
    rowsKey: 'rows',
    assumed: 'filter names',
  },
  {
    type: 'first_leg_shipment',
    path: '/api/fba/shippingOrder/pageList.json',
    idField: 'shipSn',
    modifiedField: 'updateTime',
    window: { start: 'updateTimeStart', end: 'updateTimeEnd' },
    rowsKey: 'rows',
    assumed: 'update-time filter (documented: createTimeStart/End by date)',
  },
  {
    type: 'settlement_summary',
    path: '/api/financial/v2/settlementSummary/groupPage.json',
    idField: 'settlementId',
    modifiedField: 'updateTimeStr',
    window: updateWindow,
    timeType: { param: 'timeType', value: 'updateTime' },
    rowsKey: 'groupVoList',
    assumed: 'updateTime time type (documented: settlement start/end, transfer time)',
  },
  {
    type: 'settlement_detail',
    path: '/api/financial/v2/settlementSummary/detailPage.json',
    idField: 'id',
    modifiedField: 'updateTimeStr',
    window: { start: 'updateTimeStart', end: 'updateTimeEnd' },
    rowsKey: 'detailPageVoList',
  },
  {
    type: 'warehouse_inventory',
    path: '/api/warehouseManage/warehouseItemList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: { start: 'modifiedTimeStart', end: 'modifiedTimeEnd' },
    rowsKey: 'rows',
    assumed: 'row id field',
  },
  {
    type: 'fba_inventory',
    path: '/api/inventoryManage/fba/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: { start: 'modifiedTimeStart', end: 'modifiedTimeEnd' },
    rowsKey: 'rows',
    assumed: 'filter names and fields',
  },
  {
    type: 'shop',
    path: '/api/shop/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: null,
    rowsKey: 'rows',
    assumed: 'updateTime field',
  },
  {
    type: 'warehouse',
    path: '/api/warehouseManage/warehouseList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: null,
    rowsKey: 'rows',
    assumed: 'updateTime field, paging',
  },
  {
    type: 'product',
    path: '/api/commodity/pageList.json',
    idField: 'id',
    modifiedField: 'updateTime',
    window: { start: 'updateTimeStart', end: 'updateTimeEnd' },
    rowsKey: 'rows',
    assumed: 'update-time filter',
  },
];

export function endpointOf(type: SaihuDocumentType): SaihuEndpoint {
  return SAIHU_ENDPOINTS.find((endpoint) => endpoint.type === type)!;
}
