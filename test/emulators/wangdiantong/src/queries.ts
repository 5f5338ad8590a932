import { parseBeijingTime } from '@yecai/common';
import { pageOf } from '@yecai/emulator-kit';
import { WDT_MASTER, WDT_PROTOCOL, type WdtDocumentType } from './protocol';
import type { StoredDocument, WdtStore } from './store';
import { at, qty, type Fields } from './values';

/**
 * Edition-neutral query logic: which documents a window selects and which page is served. Each edition turns the
 * outcome into its own envelope and error codes.
 */

export type Edition = 'qyb' | 'qjb';

export type QueryProblem =
  | { kind: 'missingWindow' }
  | { kind: 'badTime'; field: string }
  | { kind: 'windowOrder' }
  | { kind: 'window'; maxMs: number };

export interface Page<T> {
  total: number;
  rows: T[];
}

export type QueryOutcome<T> = { problem: QueryProblem } | { page: Page<T> };

export interface Paging {
  pageNo: number;
  pageSize: number;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function parseWindow(
  params: Record<string, unknown>,
  maxMs: number,
): { problem: QueryProblem } | { fromMs: number; toMs: number } {
  const start = text(params.start_time);
  const end = text(params.end_time);
  if (start === undefined || end === undefined) return { problem: { kind: 'missingWindow' } };
  let fromMs: number;
  let toMs: number;
  try {
    fromMs = parseBeijingTime(start, 'start_time');
  } catch {
    return { problem: { kind: 'badTime', field: 'start_time' } };
  }
  try {
    toMs = parseBeijingTime(end, 'end_time');
  } catch {
    return { problem: { kind: 'badTime', field: 'end_time' } };
  }
  if (toMs < fromMs) return { problem: { kind: 'windowOrder' } };
  if (toMs - fromMs > maxMs) return { problem: { kind: 'window', maxMs } };
  return { fromMs, toMs };
}

function slice<T>(rows: T[], paging: Paging): Page<T> {
  return { total: rows.length, rows: pageOf(rows, paging.pageNo, paging.pageSize, 0) };
}

/** Status filter: a number or a comma list ("95,110"). */
function statusFilter(value: unknown): Set<number> | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  return new Set(raw.split(',').map((part) => Number(part.trim())));
}

/**
 * A document query. A document number (出库单号 etc.) needs no window, as the docs allow. Otherwise:
 * - 企业版 `stockout_order_query_trade` (§3.3): no `status` → window on `consign_time`, shipped documents only
 *   (status ≥ 95); `status` ≥ 95 → `consign_time`; `status` < 95 or `is_by_modified=1` → `modified`.
 * - 旗舰版 `wms.stockout.Sales.queryWithDetail` (its doc): `status_type` 0 → 延时发货 (90) and 已完成 (110) by
 *   `consign_time`; 1, 2 → `modified`; 3 with `status` → `modified` and those statuses; 3 without → `consign_time`.
 *   The real API requires `status_type`; without it the emulator windows `modified` (lenient, see README).
 *   `shop_nos` (comma list) filters shops.
 * - Every other query windows `modified`.
 */
export function queryDocuments(
  store: WdtStore,
  type: WdtDocumentType,
  edition: Edition,
  params: Record<string, unknown>,
  paging: Paging,
): QueryOutcome<StoredDocument> {
  const protocol = WDT_PROTOCOL[type];
  const no = text(params[protocol.noField]) ?? (protocol.idField === 'stockout_id' ? text(params.stockout_no) : undefined);
  // 外部单号 of a pushed document [chosen: the query by outer number a writer resolves a lost answer with].
  const outerNo = text(params.outer_no);
  let window: { fromMs: number; toMs: number };
  if ((no !== undefined || outerNo !== undefined) && text(params.start_time) === undefined) window = { fromMs: -Infinity, toMs: Infinity };
  else {
    const parsed = parseWindow(params, edition === 'qyb' ? protocol.qybMaxWindowMs : protocol.qjbMaxWindowMs);
    if ('problem' in parsed) return parsed;
    window = parsed;
  }
  let statuses = statusFilter(params.status);
  let by: 'modified' | 'event' = 'modified';
  let shippedOnly = false;
  if (type === 'sales_out' && edition === 'qyb' && String(params.is_by_modified ?? '0') !== '1') {
    if (!statuses) {
      by = 'event';
      shippedOnly = true;
    } else if ([...statuses].every((status) => status >= 95)) by = 'event';
  }
  if (type === 'sales_out' && edition === 'qjb') {
    const statusType = text(params.status_type);
    if (statusType === '0') {
      by = 'event';
      statuses = new Set([90, 110]);
    } else if (statusType === '3' && !statuses) by = 'event';
    else if (statusType === '1' || statusType === '2') statuses = undefined; // their own state sets, not `status`
  }
  const shopNos = new Set((text(params.shop_nos) ?? text(params.shop_no) ?? '').split(',').filter((part) => part !== ''));
  const warehouseNo = text(params.warehouse_no);
  const rows = store.query(type, by, window.fromMs, window.toMs, (document) => {
    if (statuses && !statuses.has(document.status)) return false;
    if (shippedOnly && document.status < 95) return false;
    if (no !== undefined && document.no !== no) return false;
    if (outerNo !== undefined && document.overrides.outer_no !== outerNo) return false;
    const header = document.built.header;
    if (shopNos.size > 0 && !shopNos.has(String(header.shop_no))) return false;
    if (warehouseNo !== undefined && header.warehouse_no !== warehouseNo && header.from_warehouse_no !== warehouseNo) return false;
    return true;
  });
  return { page: slice(rows, paging) };
}

/**
 * 店铺. 企业版 shop.php fields per the published response type (province/city/district as ids plus *_name); 旗舰版
 * setting.Shop.queryShop per its doc (names in province/city/district, `is_disabled` a boolean, auth fields).
 * `is_disabled` and `modified` are kept in 企业版 too, although its published type does not list them.
 */
export function queryShops(store: WdtStore, params: Record<string, unknown>, paging: Paging, edition: Edition): Page<Fields> {
  const shopNo = text(params.shop_no);
  const rows = store
    .listShops()
    .filter((shop) => shopNo === undefined || shop.shop_no === shopNo)
    .map((shop): Fields => {
      const common: Fields = {
        shop_id: shop.shop_id,
        shop_no: shop.shop_no,
        shop_name: shop.shop_name,
        platform_id: shop.platform_id ?? 127,
        sub_platform_id: 0,
        account_id: '',
        contact: '',
        address: '',
        zip: '',
        mobile: '',
        telno: '',
        remark: '',
        is_disabled: shop.is_disabled === true,
        modified: at(shop.modifiedMs),
      };
      return edition === 'qyb'
        ? { ...common, account_nick: shop.shop_name, province: 0, city: 0, district: 0, province_name: '', city_name: '', district_name: '' }
        : {
            ...common,
            province: '',
            city: '',
            district: '',
            email: '',
            website: '',
            group_id: '无',
            auth_state: 1,
            auth_time: at(shop.modifiedMs),
            re_expire_time: '',
            expire_time: '',
            created: at(shop.modifiedMs),
          };
    });
  return slice(rows, paging);
}

/**
 * 仓库. 企业版 warehouse_query.php per its published type (`warehouse_type`, `ext_warehouse_no`, `is_defect`,
 * prop1/prop2); `warehouse_id` and `is_disabled` kept although that type does not list them. 旗舰版
 * setting.Warehouse.queryWarehouse per its doc (`type`, `sub_type`, boolean `is_disabled`, `created`).
 */
export function queryWarehouses(store: WdtStore, params: Record<string, unknown>, paging: Paging, edition: Edition): Page<Fields> {
  const warehouseNo = text(params.warehouse_no);
  const rows = store
    .listWarehouses()
    .filter((warehouse) => warehouseNo === undefined || warehouse.warehouse_no === warehouseNo)
    .map((warehouse): Fields => {
      const common: Fields = {
        warehouse_id: warehouse.warehouse_id,
        warehouse_no: warehouse.warehouse_no,
        name: warehouse.name,
        province: '',
        city: '',
        district: '',
        address: '',
        contact: '',
        telno: '',
        zip: '',
        mobile: '',
        remark: '',
        prop1: '',
        prop2: '',
        is_disabled: warehouse.is_disabled === true,
        modified: at(warehouse.modifiedMs),
      };
      return edition === 'qyb'
        ? { ...common, warehouse_type: warehouse.type ?? 1, ext_warehouse_no: '', is_defect: 0 }
        : {
            ...common,
            type: warehouse.type ?? 1,
            sub_type: 0,
            created: at(warehouse.modifiedMs),
            purchase_contact: '',
            purchase_telno: '',
            purchase_address: '',
          };
    });
  return slice(rows, paging);
}

/**
 * 供应商. 企业版 purchase_provider_query.php → `provider_list`; 旗舰版 setting.PurchaseProvider.queryDetail →
 * `data.details` (its example sends modified/created as ms epochs and is_disabled as a boolean).
 */
export function queryProviders(store: WdtStore, params: Record<string, unknown>, paging: Paging, edition: Edition): Page<Fields> {
  const providerNo = text(params.provider_no);
  const rows = store
    .listProviders()
    .filter((provider) => providerNo === undefined || provider.provider_no === providerNo)
    .map((provider): Fields => {
      const common: Fields = {
        provider_id: provider.provider_id,
        provider_no: provider.provider_no,
        provider_name: provider.provider_name,
        contact: '',
        telno: '',
        mobile: '',
        fax: '',
        zip: '',
        email: '',
        qq: '',
        wangwang: '',
        address: '',
        website: '',
        account_bank: '',
        account_bank_no: '',
        collect_name: '',
        arrive_cycle_days: 0,
        remark: '',
        is_disabled: provider.is_disabled === true,
        deleted: 0,
      };
      return edition === 'qyb'
        ? {
            ...common,
            country: 0,
            province: 0,
            city: 0,
            district: 0,
            min_purchase_num: qty(0),
            purchase_cycle_days: 0,
            charge_cycle_days: 0,
            last_purchase_time: at(null),
            modified: at(provider.modifiedMs),
            created: at(provider.modifiedMs),
          }
        : {
            ...common,
            follower_name: '系统',
            province: '',
            city: '',
            district: '',
            modified: provider.modifiedMs,
            created: provider.modifiedMs,
          };
    });
  return slice(rows, paging);
}

/** 商品: window on the goods' `modified` unless a goods_no/spec_no names one. */
export function queryGoods(store: WdtStore, params: Record<string, unknown>, paging: Paging): QueryOutcome<Fields> {
  const goodsNo = text(params.goods_no);
  const specNo = text(params.spec_no);
  let goods = store.listGoods();
  if (goodsNo !== undefined || specNo !== undefined) {
    goods = goods.filter(
      (item) =>
        (goodsNo === undefined || item.goods_no === goodsNo) &&
        (specNo === undefined || item.specs.some((spec) => spec.spec_no === specNo)),
    );
  } else {
    const window = parseWindow(params, WDT_MASTER.goods.maxWindowMs);
    if ('problem' in window) return window;
    goods = goods.filter((item) => item.modifiedMs >= window.fromMs && item.modifiedMs <= window.toMs);
  }
  const rows = goods.map(
    (item): Fields => ({
      goods_id: item.goods_id,
      goods_no: item.goods_no,
      goods_name: item.goods_name,
      short_name: '',
      alias: '',
      goods_type: 1,
      spec_count: item.specs.length,
      brand_name: item.brand_name ?? '',
      class_name: item.class_name ?? '',
      unit_name: item.unit_name ?? '件',
      origin: '',
      remark: item.remark ?? '',
      deleted: 0,
      created: at(item.modifiedMs),
      modified: at(item.modifiedMs),
      spec_list: item.specs.map((spec) => ({
        spec_id: spec.spec_id,
        goods_id: item.goods_id,
        spec_no: spec.spec_no,
        spec_code: spec.spec_code ?? '',
        barcode: spec.barcode ?? '',
        spec_name: spec.spec_name ?? '',
        lowest_price: qty(0),
        retail_price: qty(spec.retail_price ?? 0),
        wholesale_price: qty(spec.retail_price ?? 0),
        member_price: qty(spec.retail_price ?? 0),
        market_price: qty(spec.retail_price ?? 0),
        weight: qty(0),
        unit_name: item.unit_name ?? '件',
        is_allow_neg_stock: 0,
        deleted: 0,
        created: at(item.modifiedMs),
        modified: at(item.modifiedMs),
      })),
    }),
  );
  return { page: slice(rows, paging) };
}
