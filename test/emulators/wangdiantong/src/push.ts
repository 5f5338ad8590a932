import { Decimal } from '@yecai/common';
import { DocumentInputError } from './documents';
import type { WdtStore } from './store';

/**
 * 企业版 stock-bill write endpoints (source-apis.md §3.3), one JSON-string parameter each (as the official PHP/Java
 * demos send structured parameters):
 * - 采购入库 push `stockin_purchase_push.php`, `purchase_info`:
 *   `{outer_no, warehouse_no, purchase_no?, provider_no, remark?, details_list: [{spec_no, stockin_num, stockin_price?}]}`;
 * - 采购退货 push `purchase_return_push.php`, `purchase_return_info` [chosen: the spec names the script, not its fields]:
 *   `{outer_no, warehouse_no, provider_no, remark?, details_list: [{spec_no, num, price?}]}`;
 * - 其他入库 push `stockin_order_push.php`, `stockin_info` (the official 企业版 demo):
 *   `{outer_no, warehouse_no, remark?, goods_list: [{spec_no, stockin_num, stockin_price?, batch_no?}]}`;
 * - 其他出库 push `stockout_order_push.php`, `stockout_info` (the official 企业版 demo):
 *   `{outer_no, warehouse_no, remark?, detail_list: [{spec_no, num, price?, batch_no?}]}`;
 * - 调拨 push `stock_transfer_push.php`, `transfer_info` (field names as public 企业版 SDKs send them):
 *   `{outer_no, from_warehouse_no, to_warehouse_no, remark?, skus: [{spec_no, num, batch_no?}]}`; the two warehouses must
 *   differ (`调出仓库和调入仓库不能相同` [chosen]); an unknown one is named with its side (`调出仓库编号为 X …` / `调入…`);
 *   success is one finished transfer (status 90 调拨完成) read back on `stock_transfer_query.php` by `outer_no`, stock
 *   −qty in the source warehouse and +qty in the destination, answer `transfer_no` [chosen].
 *
 * Rules, the same for all (the real server's, texts [chosen] where no public source gives them — 企业版 codes are
 * not public):
 * - `outer_no` (外部单号) is unique per seller and kind: a second push with the same number is refused with
 *   `{code: 100, message: "外部单号 <no> 已存在, 入库单号 <RK…>"}` (退货单号 / 出库单号 for the stock-outs) and changes
 *   nothing — the caller's proof that its earlier push landed;
 * - an unknown warehouse (`仓库编号为 X 的仓库不存在或无权限`, the 旗舰版 doc's own example text), an unknown 商家编码,
 *   an unknown provider (purchase pushes), a missing field or a quantity that is not a positive number: code 100,
 *   nothing written;
 * - success: one finished document (stock-in status 80 已完成; stock-out status 110 已完成), read back by `outer_no` on
 *   the kind's query (`stockin_order_query_purchase.php`, `stockout_order_query_return.php`, `stockin_order_query.php`,
 *   `stockout_order_query.php`), `outer_no` and `remark` kept on it; stock of each spec in the warehouse + the
 *   quantity (in) or − it (out; may go below zero: the emulator's stock counts pushes only, generated documents never
 *   move it); answer `{code: 0, message: "ok", stockin_no | return_no | stockout_no: "…"}` [chosen: the 旗舰版 upload
 *   answers the number in `data`; the other-out key is the one WDT's 出库单 push documents].
 * `purchase_no` links a WDT purchase order in the real API; the emulator keeps it as given (a Kingdee bill has no
 * WDT purchase order) and takes the provider from `provider_no`.
 */
/** What differs between the pushes; everything else (checks, answers, faults) is one code path. */
export const WDT_PUSH = {
  purchaseIn: {
    warehouse: 'warehouse_no',
    toWarehouse: null,
    qybScript: 'stockin_purchase_push.php',
    param: 'purchase_info',
    details: 'details_list',
    provider: true,
    type: 'purchase_in',
    quantity: 'stockin_num',
    price: 'stockin_price',
    sign: 1,
    answerKey: 'stockin_no',
    noLabel: '入库单号',
    quantityLabel: '入库数量',
  },
  purchaseReturn: {
    warehouse: 'warehouse_no',
    toWarehouse: null,
    qybScript: 'purchase_return_push.php',
    param: 'purchase_return_info',
    details: 'details_list',
    provider: true,
    type: 'purchase_return',
    quantity: 'num',
    price: 'price',
    sign: -1,
    answerKey: 'return_no',
    noLabel: '退货单号',
    quantityLabel: '退货数量',
  },
  otherIn: {
    warehouse: 'warehouse_no',
    toWarehouse: null,
    qybScript: 'stockin_order_push.php',
    param: 'stockin_info',
    details: 'goods_list',
    provider: false,
    type: 'other_in',
    quantity: 'stockin_num',
    price: 'stockin_price',
    sign: 1,
    answerKey: 'stockin_no',
    noLabel: '入库单号',
    quantityLabel: '入库数量',
  },
  otherOut: {
    warehouse: 'warehouse_no',
    toWarehouse: null,
    qybScript: 'stockout_order_push.php',
    param: 'stockout_info',
    details: 'detail_list',
    provider: false,
    type: 'other_out',
    quantity: 'num',
    price: 'price',
    sign: -1,
    answerKey: 'stockout_no',
    noLabel: '出库单号',
    quantityLabel: '出库数量',
  },
  // 调拨: out of one warehouse into the other in one call (the sign is the source side's).
  transfer: {
    warehouse: 'from_warehouse_no',
    toWarehouse: 'to_warehouse_no',
    qybScript: 'stock_transfer_push.php',
    param: 'transfer_info',
    details: 'skus',
    provider: false,
    type: 'transfer',
    quantity: 'num',
    price: 'price',
    sign: -1,
    answerKey: 'transfer_no',
    noLabel: '调拨单号',
    quantityLabel: '调拨数量',
  },
} as const;
type StockPush = (typeof WDT_PUSH)[keyof typeof WDT_PUSH];

export const PUSH_ERRORS = {
  missing: (field: string) => ({ code: 100, message: `缺少参数${field}` }),
  badJson: (param: string = 'purchase_info') => ({ code: 100, message: `${param} 不是合法的JSON` }),
  duplicate: (outerNo: string, no: string, noLabel: string = '入库单号') => ({ code: 100, message: `外部单号 ${outerNo} 已存在, ${noLabel} ${no}` }),
  warehouse: (no: string, side: '' | '调出' | '调入' = '') => ({ code: 100, message: `${side}仓库编号为 ${no} 的仓库不存在或无权限` }),
  sameWarehouse: (no: string) => ({ code: 100, message: `调出仓库和调入仓库不能相同（${no}）` }),
  spec: (no: string) => ({ code: 100, message: `商家编码 ${no} 不存在` }),
  provider: (no: string) => ({ code: 100, message: `供应商编号 ${no} 不存在` }),
  quantity: (no: string, label: string = '入库数量') => ({ code: 100, message: `商家编码 ${no} 的${label}必须大于0` }),
} as const;

export type PushAnswer = { code: 0; message: 'ok'; stockin_no?: string; return_no?: string; stockout_no?: string } | { code: number; message: string };

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const out = String(value).trim();
  return out === '' ? undefined : out;
}

/** One `stockin_purchase_push.php` call against the store: all or nothing. */
export function pushPurchaseIn(store: WdtStore, params: Record<string, string>): PushAnswer {
  return pushStockBill(WDT_PUSH.purchaseIn, store, params);
}

/** One `purchase_return_push.php` call against the store: all or nothing. */
export function pushPurchaseReturn(store: WdtStore, params: Record<string, string>): PushAnswer {
  return pushStockBill(WDT_PUSH.purchaseReturn, store, params);
}

/** One `stockin_order_push.php` (其他入库) call against the store: all or nothing. */
export function pushOtherIn(store: WdtStore, params: Record<string, string>): PushAnswer {
  return pushStockBill(WDT_PUSH.otherIn, store, params);
}

/** One `stockout_order_push.php` (其他出库) call against the store: all or nothing. */
export function pushOtherOut(store: WdtStore, params: Record<string, string>): PushAnswer {
  return pushStockBill(WDT_PUSH.otherOut, store, params);
}

/** One `stock_transfer_push.php` (调拨) call against the store: all or nothing. */
export function pushTransfer(store: WdtStore, params: Record<string, string>): PushAnswer {
  return pushStockBill(WDT_PUSH.transfer, store, params);
}

function pushStockBill(push: StockPush, store: WdtStore, params: Record<string, string>): PushAnswer {
  const raw = params[push.param];
  if (raw === undefined || raw === '') return PUSH_ERRORS.missing(push.param);
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return PUSH_ERRORS.badJson(push.param);
  }
  if (info === null || typeof info !== 'object' || Array.isArray(info)) return PUSH_ERRORS.badJson(push.param);
  const outerNo = text(info.outer_no);
  if (outerNo === undefined) return PUSH_ERRORS.missing('outer_no');
  const warehouseNo = text(info[push.warehouse]);
  if (warehouseNo === undefined) return PUSH_ERRORS.missing(push.warehouse);
  const toWarehouseNo = push.toWarehouse === null ? undefined : text(info[push.toWarehouse]);
  if (push.toWarehouse !== null && toWarehouseNo === undefined) return PUSH_ERRORS.missing(push.toWarehouse);
  const existing = store.findByOuterNo(push.type, outerNo);
  if (existing) return PUSH_ERRORS.duplicate(outerNo, existing.no, push.noLabel);
  if (!store.warehouse(warehouseNo)) return PUSH_ERRORS.warehouse(warehouseNo, toWarehouseNo === undefined ? '' : '调出');
  if (toWarehouseNo !== undefined) {
    if (!store.warehouse(toWarehouseNo)) return PUSH_ERRORS.warehouse(toWarehouseNo, '调入');
    if (toWarehouseNo === warehouseNo) return PUSH_ERRORS.sameWarehouse(warehouseNo);
  }
  const providerNo = text(info.provider_no);
  if (push.provider) {
    if (providerNo === undefined) return PUSH_ERRORS.missing('provider_no');
    if (!store.provider(providerNo)) return PUSH_ERRORS.provider(providerNo);
  }
  const details = info[push.details];
  if (!Array.isArray(details) || details.length === 0) return PUSH_ERRORS.missing(push.details);
  const lines: Array<{ spec_no: string; num: Decimal; price?: string; batch_no?: string }> = [];
  for (const detail of details as Array<Record<string, unknown>>) {
    const specNo = text(detail?.spec_no);
    if (specNo === undefined) return PUSH_ERRORS.missing(`${push.details}.spec_no`);
    if (!store.spec(specNo)) return PUSH_ERRORS.spec(specNo);
    let num: Decimal;
    try {
      num = new Decimal(String(detail[push.quantity]));
    } catch {
      return PUSH_ERRORS.quantity(specNo, push.quantityLabel);
    }
    if (!num.isFinite() || num.lte(0)) return PUSH_ERRORS.quantity(specNo, push.quantityLabel);
    const price = text(detail[push.price]);
    const batchNo = text(detail.batch_no);
    lines.push({ spec_no: specNo, num, ...(price !== undefined ? { price } : {}), ...(batchNo !== undefined ? { batch_no: batchNo } : {}) });
  }
  let ref;
  try {
    ref = store.addDocument(push.type, {
      warehouse_no: warehouseNo,
      ...(toWarehouseNo !== undefined ? { to_warehouse_no: toWarehouseNo } : {}),
      ...(push.provider ? { provider_no: providerNo } : {}),
      lines: lines.map((line) => ({ ...line, num: line.num.toFixed(4) })),
      fields: {
        outer_no: outerNo,
        ...(text(info.purchase_no) !== undefined ? { purchase_no: text(info.purchase_no)! } : {}),
        ...(text(info.remark) !== undefined ? { remark: text(info.remark)! } : {}),
      },
    });
  } catch (error) {
    if (error instanceof DocumentInputError) return { code: 100, message: error.message };
    throw error;
  }
  for (const line of lines) {
    store.addStock(warehouseNo, line.spec_no, line.num.times(push.sign));
    if (toWarehouseNo !== undefined) store.addStock(toWarehouseNo, line.spec_no, line.num);
  }
  return { code: 0, message: 'ok', [push.answerKey]: ref.no };
}
