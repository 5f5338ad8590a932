import { Decimal, formatBeijingTime, parseBeijingTime } from '@yecai/common';
import { pageOf } from '@yecai/emulator-kit';
import { JST_MAX_PAGE_SIZE, JST_MAX_WINDOW_MS, JST_PAGE_SIZE_TEXT, JST_WINDOW_TEXT } from './endpoints';

/**
 * 商品 (goods, SKU level): the write and the read a writer needs (source-apis.md §2.6).
 * - `/open/jushuitan/itemsku/upload` (普通商品资料上传), `biz = {items: [{sku_id, i_id, name, properties_value?,
 *   sku_code?, unit?, s_price?, enabled?, remark?, …}]}`. JST upserts by `sku_id`: an upload of a sku_id that exists
 *   updates the fields given (可更新), so the write is idempotent by key. Each item is answered on its own
 *   [chosen: the public parameter docs give no answer sample]: `data = {datas: [{sku_id, is_success, msg}]}`; a refused
 *   item changes nothing, the others are applied.
 * - `/open/sku/query` by `sku_ids` (comma separated, ≤ 20) or a `modified_begin/end` window (≤ 7 d), pages ≤ 50:
 *   `datas[{sku_id, i_id, name, properties_value, sku_code, unit, enabled, s_price, modified, created}]`.
 * Validation texts are [chosen] (JST's are not public): a missing 商品编码 / 款式编码 (new goods) / 名称 (new goods),
 * a price that is not a number, an `enabled` outside -1/0/1.
 */
export const JST_GOODS_PATHS = {
  upload: '/open/jushuitan/itemsku/upload',
  query: '/open/sku/query',
} as const;

export const JST_GOODS_MAX_ITEMS = 200;
export const JST_GOODS_MAX_SKU_IDS = 20;

export const GOODS_ERRORS = {
  noItems: 'items不能为空',
  tooMany: `items一次最多上传${JST_GOODS_MAX_ITEMS}条`,
  skuId: '商品编码(sku_id)不能为空',
  iId: (sku: string) => `商品编码 ${sku} 的款式编码(i_id)不能为空`,
  name: (sku: string) => `商品编码 ${sku} 的名称(name)不能为空`,
  price: (sku: string, field: string) => `商品编码 ${sku} 的价格(${field})格式错误`,
  enabled: (sku: string) => `商品编码 ${sku} 的是否启用(enabled)可选值: -1=禁用, 0=备用, 1=启用`,
  tooManySkuIds: `sku_ids最多${JST_GOODS_MAX_SKU_IDS}个`,
  noCondition: 'sku_ids和修改时间不能同时为空',
} as const;

const TEXT_FIELDS = ['i_id', 'name', 'properties_value', 'sku_code', 'unit', 'short_name', 'remark', 'brand', 'c_name', 'supplier_name', 'weight'] as const;
const PRICE_FIELDS = ['s_price', 'sale_price', 'cost_price'] as const;

export interface JstGoods {
  sku_id: string;
  i_id: string;
  name: string;
  properties_value?: string;
  sku_code?: string;
  unit?: string;
  enabled: number;
  s_price?: string;
  [field: string]: string | number | undefined;
  created: string;
  modified: string;
}

/** One applied write (a test asserts how often a sku was created vs. updated). */
export interface GoodsWrite {
  sku_id: string;
  kind: 'created' | 'updated';
  atMs: number;
}

export class JstGoodsStore {
  private readonly goods = new Map<string, { row: JstGoods; modifiedMs: number }>();
  readonly writes: GoodsWrite[] = [];

  get(skuId: string): JstGoods | undefined {
    const found = this.goods.get(skuId);
    return found ? { ...found.row } : undefined;
  }

  list(): JstGoods[] {
    return [...this.goods.values()].map((entry) => ({ ...entry.row }));
  }

  count(): number {
    return this.goods.size;
  }

  /** Upserts one checked item. */
  put(item: Record<string, string | number>, nowMs: number): GoodsWrite {
    const skuId = String(item.sku_id);
    const existing = this.goods.get(skuId);
    const at = formatBeijingTime(nowMs);
    const row: JstGoods = existing
      ? { ...existing.row, ...item, sku_id: skuId, modified: at }
      : { enabled: 1, ...item, sku_id: skuId, i_id: String(item.i_id), name: String(item.name), created: at, modified: at };
    this.goods.set(skuId, { row, modifiedMs: nowMs });
    const write: GoodsWrite = { sku_id: skuId, kind: existing ? 'updated' : 'created', atMs: nowMs };
    this.writes.push(write);
    return write;
  }

  modifiedWithin(fromMs: number, toMs: number): JstGoods[] {
    return [...this.goods.values()]
      .filter((entry) => entry.modifiedMs >= fromMs && entry.modifiedMs <= toMs)
      .sort((a, b) => a.modifiedMs - b.modifiedMs || a.row.sku_id.localeCompare(b.row.sku_id))
      .map((entry) => ({ ...entry.row }));
  }
}

export type GoodsAnswer = { error: string } | { data: unknown };

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const out = String(value).trim();
  return out === '' ? undefined : out;
}

/** Checks one item against what exists; the cleaned item or the refusal text. */
function checkItem(store: JstGoodsStore, raw: unknown): { item: Record<string, string | number> } | { sku_id: string; msg: string } {
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const skuId = text(input.sku_id);
  if (skuId === undefined) return { sku_id: '', msg: GOODS_ERRORS.skuId };
  const exists = store.get(skuId) !== undefined;
  const item: Record<string, string | number> = { sku_id: skuId };
  for (const field of TEXT_FIELDS) {
    const value = text(input[field]);
    if (value !== undefined) item[field] = value;
  }
  if (!exists && item.i_id === undefined) return { sku_id: skuId, msg: GOODS_ERRORS.iId(skuId) };
  if (!exists && item.name === undefined) return { sku_id: skuId, msg: GOODS_ERRORS.name(skuId) };
  for (const field of PRICE_FIELDS) {
    const value = text(input[field]);
    if (value === undefined) continue;
    let price: Decimal;
    try {
      price = new Decimal(value);
    } catch {
      return { sku_id: skuId, msg: GOODS_ERRORS.price(skuId, field) };
    }
    if (!price.isFinite() || price.isNegative()) return { sku_id: skuId, msg: GOODS_ERRORS.price(skuId, field) };
    item[field] = value;
  }
  if (input.enabled !== undefined && input.enabled !== null && input.enabled !== '') {
    const enabled = Number(input.enabled);
    if (![-1, 0, 1].includes(enabled)) return { sku_id: skuId, msg: GOODS_ERRORS.enabled(skuId) };
    item.enabled = enabled;
  }
  return { item };
}

/** One `itemsku/upload` call: each item checked and applied on its own; refused items change nothing. */
export function uploadGoods(store: JstGoodsStore, biz: Record<string, unknown>, nowMs: number): GoodsAnswer {
  const items = biz.items;
  if (!Array.isArray(items) || items.length === 0) return { error: GOODS_ERRORS.noItems };
  if (items.length > JST_GOODS_MAX_ITEMS) return { error: GOODS_ERRORS.tooMany };
  const datas = items.map((raw) => {
    const checked = checkItem(store, raw);
    if ('msg' in checked) return { sku_id: checked.sku_id, is_success: false, msg: checked.msg };
    store.put(checked.item, nowMs);
    return { sku_id: String(checked.item.sku_id), is_success: true, msg: '' };
  });
  return { data: { datas } };
}

/** One `sku/query` call: by sku ids, or by a modified window. */
export function queryGoods(store: JstGoodsStore, biz: Record<string, unknown>): GoodsAnswer {
  const pageIndex = biz.page_index === undefined ? 1 : Number(biz.page_index);
  const pageSize = biz.page_size === undefined ? 30 : Number(biz.page_size);
  if (!Number.isInteger(pageIndex) || pageIndex < 1) return { error: 'page_index第几页，从第一页开始，默认1' };
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > JST_MAX_PAGE_SIZE) return { error: JST_PAGE_SIZE_TEXT };
  let rows: JstGoods[];
  const skuIds = text(biz.sku_ids);
  if (skuIds !== undefined) {
    const wanted = [...new Set(skuIds.split(',').map((id) => id.trim()).filter((id) => id !== ''))];
    if (wanted.length > JST_GOODS_MAX_SKU_IDS) return { error: GOODS_ERRORS.tooManySkuIds };
    rows = wanted.map((id) => store.get(id)).filter((row): row is JstGoods => row !== undefined);
  } else {
    const begin = text(biz.modified_begin);
    const end = text(biz.modified_end);
    if (begin === undefined && end === undefined) return { error: GOODS_ERRORS.noCondition };
    if (begin === undefined || end === undefined) return { error: JST_WINDOW_TEXT };
    let beginMs: number;
    let endMs: number;
    try {
      beginMs = parseBeijingTime(begin, 'modified_begin');
      endMs = parseBeijingTime(end, 'modified_end');
    } catch {
      return { error: '时间格式错误，格式为yyyy-MM-dd HH:mm:ss' };
    }
    if (endMs < beginMs || endMs - beginMs > JST_MAX_WINDOW_MS) return { error: JST_WINDOW_TEXT };
    rows = store.modifiedWithin(beginMs, endMs);
  }
  const pageCount = Math.ceil(rows.length / pageSize);
  return {
    data: {
      page_index: pageIndex,
      page_size: pageSize,
      data_count: rows.length,
      page_count: pageCount,
      has_next: pageIndex < pageCount,
      datas: pageOf(rows, pageIndex, pageSize, 1),
    },
  };
}
