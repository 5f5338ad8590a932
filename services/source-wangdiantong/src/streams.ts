import { defineStreams, type StreamDefinition } from '@yecai/connector-kit';
import type { WdtEdition } from './config';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Endpoints with no time filter (shops, warehouses) return every row; one window then spans years. */
const NO_LIMIT = 20 * 365 * DAY;

/** How one stream is called in one edition (source-apis.md §3.3 企业版, §3.6 旗舰版). */
export interface WdtEndpoint {
  /** 企业版: script under /openapi2; 旗舰版: `method`. */
  api: string;
  /** The list's key (企业版: top level; 旗舰版: inside `data`). */
  listKey: string;
  /** The API's longest start_time..end_time window; null = the API takes no time window. */
  maxWindowMs: number | null;
  /** Extra business parameters sent on every call. */
  params?: Record<string, string | number>;
  /** Default `modified` as a Beijing datetime; 旗舰版 transfers send `modified` as epoch ms. */
  modifiedFormat?: 'beijing_datetime' | 'epoch_ms';
}

export interface WdtStreamDeclaration {
  name: string;
  documentType: string;
  description: string;
  idField: string;
  /** Master data: starts at the account's masterDataStartAt, windows as long as the API allows. */
  master?: boolean;
  qyb: WdtEndpoint;
  qjb: WdtEndpoint;
}

/**
 * The WDT streams, as data. Document types are the canonical names shared with the other sources. The
 * source publishes what the API returns; which statuses become Kingdee bills (销售出库 110 已完成, 入库 80 已完成,
 * 调拨 90 已完成 …) is decided in mapping.
 */
export const WDT_STREAM_DECLARATIONS: WdtStreamDeclaration[] = [
  {
    name: 'sales_outstock',
    documentType: 'sales_outstock',
    description: '销售出库 sales out-stock (F3; mapping keeps status 110 已完成)',
    idField: 'stockout_id',
    // is_by_modified=1: without it the 企业版 window applies to consign time (§3.3), which a late edit never moves.
    qyb: {
      api: 'stockout_order_query_trade.php',
      listKey: 'stockout_list',
      maxWindowMs: 30 * DAY,
      params: { is_by_modified: 1 },
    },
    // The 旗舰版 query requires status_type; 3 + status windows `modified` for the listed statuses: 110 已完成, the only
    // one mapping posts (0 would window consign time, which a later edit never moves).
    qjb: {
      api: 'wms.stockout.Sales.queryWithDetail',
      listKey: 'order',
      maxWindowMs: 60 * MINUTE,
      params: { status_type: 3, status: '110' },
    },
  },
  {
    name: 'sales_return',
    documentType: 'sales_return',
    description: '退货入库 refund in-stock (F4)',
    idField: 'stockin_id',
    qyb: { api: 'stockin_order_query_refund.php', listKey: 'stockin_list', maxWindowMs: 30 * DAY },
    qjb: { api: 'wms.stockin.Refund.queryWithDetail', listKey: 'order', maxWindowMs: 30 * DAY },
  },
  {
    name: 'purchase_instock',
    documentType: 'purchase_instock',
    description: '采购入库 purchase in-stock (F5)',
    idField: 'stockin_id',
    qyb: { api: 'stockin_order_query_purchase.php', listKey: 'stockin_list', maxWindowMs: 30 * DAY },
    qjb: { api: 'wms.stockin.Purchase.queryWithDetail', listKey: 'order', maxWindowMs: 30 * DAY },
  },
  {
    name: 'purchase_return',
    documentType: 'purchase_return',
    description: '采购退货出库 purchase return out-stock (F6)',
    idField: 'stockout_id',
    qyb: { api: 'stockout_order_query_return.php', listKey: 'stockout_list', maxWindowMs: 30 * DAY },
    qjb: { api: 'wms.stockout.PurchaseReturn.queryWithDetail', listKey: 'order', maxWindowMs: 30 * DAY },
  },
  {
    name: 'other_instock',
    documentType: 'other_instock',
    description: '其他入库 other in-stock (F7; 旗舰版 lines are under detail_list)',
    idField: 'stockin_id',
    qyb: { api: 'stockin_order_query.php', listKey: 'stockin_list', maxWindowMs: 30 * DAY },
    qjb: { api: 'wms.stockin.Other.queryWithDetail', listKey: 'order', maxWindowMs: 30 * DAY },
  },
  {
    name: 'other_outstock',
    documentType: 'other_outstock',
    description: '其他出库 other out-stock (F8)',
    idField: 'stockout_id',
    qyb: { api: 'stockout_order_query.php', listKey: 'stockout_list', maxWindowMs: 30 * DAY },
    qjb: { api: 'wms.stockout.OtherQuery.queryWithDetail', listKey: 'order', maxWindowMs: 30 * DAY },
  },
  {
    name: 'transfer',
    documentType: 'transfer',
    description: '调拨单 transfers with out (from_warehouse_no) and in (to_warehouse_no) warehouses (F9)',
    idField: 'transfer_id',
    qyb: { api: 'stock_transfer_query.php', listKey: 'transfer_list', maxWindowMs: 30 * DAY },
    qjb: {
      api: 'wms.stocktransfer.Manage.queryWithDetail',
      listKey: 'order',
      maxWindowMs: 30 * DAY,
      modifiedFormat: 'epoch_ms', // `modified` is a ms epoch here, `modified_date` its text (source-apis.md §3.7)
    },
  },
  {
    name: 'stock_count',
    documentType: 'stock_count',
    description: '盘点单 stock-take with gains and losses per line (F10)',
    idField: 'pd_id',
    qyb: { api: 'stock_pd_order_query.php', listKey: 'pd_list', maxWindowMs: 30 * DAY },
    qjb: { api: 'wms.StockPd.queryStockPd', listKey: 'pd_list', maxWindowMs: 30 * DAY },
  },
  {
    name: 'assembly',
    documentType: 'assembly',
    description: '组装拆卸单 assembly / disassembly (F11; no public query — endpoint as the emulator chose)',
    idField: 'assembly_id',
    qyb: { api: 'stock_assembly_query.php', listKey: 'assembly_list', maxWindowMs: 30 * DAY },
    qjb: { api: 'wms.stockassembly.Manage.queryWithDetail', listKey: 'order', maxWindowMs: 30 * DAY },
  },
  {
    name: 'material',
    documentType: 'material',
    description: '货品 goods with their specs (spec_list) → Kingdee materials',
    idField: 'goods_id',
    master: true,
    qyb: { api: 'goods_query.php', listKey: 'goods_list', maxWindowMs: 30 * DAY },
    qjb: { api: 'goods.Goods.queryWithSpec', listKey: 'goods_list', maxWindowMs: 30 * DAY },
  },
  {
    name: 'customer',
    documentType: 'customer',
    description: '店铺 shops → Kingdee customers',
    idField: 'shop_id',
    master: true,
    qyb: { api: 'shop.php', listKey: 'shoplist', maxWindowMs: null },
    qjb: { api: 'setting.Shop.queryShop', listKey: 'details', maxWindowMs: null },
  },
  {
    name: 'warehouse',
    documentType: 'warehouse',
    description: '仓库 warehouses',
    idField: 'warehouse_id',
    master: true,
    qyb: { api: 'warehouse_query.php', listKey: 'warehouses', maxWindowMs: null },
    qjb: { api: 'setting.Warehouse.queryWarehouse', listKey: 'details', maxWindowMs: null },
  },
];

export interface WdtStreamOptions {
  edition: WdtEdition;
  windowMinutes?: number;
  overlapMinutes?: number;
}

/**
 * Kit stream definitions for one edition: its windows, its time formats. Paging is backward (WDT reports
 * total_count; the 旗舰版 vendor advice is to page from the last page); pages are 0-based on the wire (the
 * transport converts). A window override is capped at the edition's API limit.
 */
export function wdtStreams(options: WdtStreamOptions): StreamDefinition[] {
  return defineStreams(
    `wangdiantong ${options.edition}`,
    WDT_STREAM_DECLARATIONS.map((declaration) => {
      const endpoint = declaration[options.edition];
      const maxWindowMs = endpoint.maxWindowMs ?? NO_LIMIT;
      const wanted =
        declaration.master || options.windowMinutes === undefined
          ? declaration.master
            ? maxWindowMs
            : 60 * MINUTE
          : Math.round(options.windowMinutes * MINUTE);
      const windowMs = Math.min(wanted, maxWindowMs);
      const overlapMs = Math.min(
        options.overlapMinutes !== undefined ? Math.round(options.overlapMinutes * MINUTE) : 5 * MINUTE,
        windowMs - 1000,
      );
      return {
        name: declaration.name,
        documentType: declaration.documentType,
        endpoint: endpoint.api,
        description: declaration.description,
        idField: declaration.idField,
        modifiedField: 'modified',
        modifiedFormat: endpoint.modifiedFormat ?? 'beijing_datetime',
        cursor: { kind: 'modified_time', maxWindowMs, windowMs, overlapMs, settleLagMs: MINUTE },
        paging: { style: 'page_index_backward', pageSize: 100, maxPageSize: 100 },
      };
    }),
  );
}

export function wdtDeclaration(streamName: string): WdtStreamDeclaration {
  const found = WDT_STREAM_DECLARATIONS.find((declaration) => declaration.name === streamName);
  if (!found) throw new Error(`wangdiantong: no stream "${streamName}"`);
  return found;
}

/** Names of the master-data streams (they start at masterDataStartAt). */
export const WDT_MASTER_STREAMS = WDT_STREAM_DECLARATIONS.filter((d) => d.master).map((d) => d.name);
