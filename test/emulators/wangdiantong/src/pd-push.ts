import { Decimal } from '@yecai/common';
import { DocumentInputError } from './documents';
import { PUSH_ERRORS, type PushAnswer } from './push';
import type { WdtStore } from './store';

/**
 * 企业版 创建盘点单 `stock_sync_by_pd.php` (source-apis.md §3.3: "set stock via a 盘点单"). Parameters as WDT's official
 * 企业版 PHP demo and a public Java demo send them — flat, not one JSON parameter: `warehouse_no`, `outer_no` (Java demo),
 * `is_adjust_stock` (both demos send "0"), `goods_list` = JSON `[{spec_no, stock_num}]`; `remark` and a line's
 * `batch_no` are [chosen]. WDT's own description: "ERP盘点成功后，盘点单内的库存值直接覆盖前库存" — `stock_num` is the
 * counted stock, an absolute value, not a difference.
 *
 * Rules (texts [chosen] where no public source gives them):
 * - `outer_no` unique per seller among 盘点单: a second call is refused `外部单号 <no> 已存在, 盘点单号 <PD…>` and sets
 *   nothing — so a repeated sync never sets the stock again (stock sold since the first one stays sold);
 * - unknown warehouse / 商家编码, a missing parameter, a `stock_num` that is not a number or is negative
 *   (`商家编码 X 的盘点数量不能小于0`), a 商家编码 twice in one call (`商家编码 X 重复`): code 100, nothing written;
 * - success: one 盘点单 at status 30 已完成 (what the forward source reads on `stock_pd_order_query.php`, by `outer_no`
 *   too), each line with 账存 `stock_num` = the stock before, `pd_num` = the counted stock, `diff_num` = the difference;
 *   the stock becomes `stock_num` (the emulator keeps stock per warehouse and spec, not per batch); answer
 *   `{code: 0, message: "ok", pd_no}` [chosen].
 */
export const WDT_PD_PUSH = { qybScript: 'stock_sync_by_pd.php', type: 'stock_pd', noLabel: '盘点单号' } as const;

export function pushStockSyncByPd(store: WdtStore, params: Record<string, string>): PushAnswer {
  const text = (value: unknown) => (value === undefined || value === null || String(value).trim() === '' ? undefined : String(value).trim());
  const warehouseNo = text(params.warehouse_no);
  if (warehouseNo === undefined) return PUSH_ERRORS.missing('warehouse_no');
  const outerNo = text(params.outer_no);
  if (outerNo === undefined) return PUSH_ERRORS.missing('outer_no');
  const adjust = text(params.is_adjust_stock) ?? '0';
  if (adjust !== '0' && adjust !== '1') return { code: 100, message: `参数is_adjust_stock不合法：${adjust}` };
  const raw = text(params.goods_list);
  if (raw === undefined) return PUSH_ERRORS.missing('goods_list');
  let goods: unknown;
  try {
    goods = JSON.parse(raw);
  } catch {
    return PUSH_ERRORS.badJson('goods_list');
  }
  if (!Array.isArray(goods) || goods.length === 0) return PUSH_ERRORS.missing('goods_list');
  const existing = store.findByOuterNo(WDT_PD_PUSH.type, outerNo);
  if (existing) return PUSH_ERRORS.duplicate(outerNo, existing.no, WDT_PD_PUSH.noLabel);
  if (!store.warehouse(warehouseNo)) return PUSH_ERRORS.warehouse(warehouseNo);
  const lines: Array<{ spec_no: string; counted: Decimal; book: Decimal; batch_no?: string }> = [];
  for (const detail of goods as Array<Record<string, unknown>>) {
    const specNo = text(detail?.spec_no);
    if (specNo === undefined) return PUSH_ERRORS.missing('goods_list.spec_no');
    if (!store.spec(specNo)) return PUSH_ERRORS.spec(specNo);
    if (lines.some((line) => line.spec_no === specNo)) return { code: 100, message: `商家编码 ${specNo} 重复` };
    let counted: Decimal;
    try {
      counted = new Decimal(String(detail.stock_num));
    } catch {
      return { code: 100, message: `商家编码 ${specNo} 的盘点数量不合法` };
    }
    if (!counted.isFinite()) return { code: 100, message: `商家编码 ${specNo} 的盘点数量不合法` };
    if (counted.lt(0)) return { code: 100, message: `商家编码 ${specNo} 的盘点数量不能小于0` };
    const batchNo = text(detail.batch_no);
    lines.push({ spec_no: specNo, counted, book: new Decimal(store.stockOf(warehouseNo, specNo)), ...(batchNo !== undefined ? { batch_no: batchNo } : {}) });
  }
  let ref;
  try {
    ref = store.addDocument(WDT_PD_PUSH.type, {
      warehouse_no: warehouseNo,
      lines: lines.map((line) => ({ spec_no: line.spec_no, num: line.counted.minus(line.book).toFixed(4), book_num: line.book.toFixed(4), ...(line.batch_no !== undefined ? { batch_no: line.batch_no } : {}) })),
      fields: { outer_no: outerNo, ...(text(params.remark) !== undefined ? { remark: text(params.remark)! } : {}) },
    });
  } catch (error) {
    if (error instanceof DocumentInputError) return { code: 100, message: error.message };
    throw error;
  }
  for (const line of lines) store.addStock(warehouseNo, line.spec_no, line.counted.minus(line.book));
  return { code: 0, message: 'ok', pd_no: ref.no } as PushAnswer;
}
