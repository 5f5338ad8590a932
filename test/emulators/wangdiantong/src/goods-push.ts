import { Decimal } from '@yecai/common';
import type { WdtStore } from './store';
import type { WdtGoodsInput, WdtSpecInput } from './world';

/**
 * 企业版 货品档案 push, `goods_push.php` [`wdt.goods.push`] (source-apis.md §3.3): one structured parameter
 * `goods_list`, a JSON array of goods, each `{goods_no, goods_name, unit_name?, brand_name?, class_name?, remark?,
 * spec_list: [{spec_no, spec_name?, spec_code?, barcode?, retail_price?}]}`.
 *
 * Rules (texts and answer shape [chosen]: the 企业版 doc is not public beyond the parameter name):
 * - goods are upserted by `goods_no` (货品编号), their specs by `spec_no` (商家编码): a second push of the same goods
 *   changes the fields it gives and adds no row — the write is idempotent by key; specs not named are kept;
 * - a 商家编码 already on another goods is refused (WDT keeps spec_no unique per seller);
 * - a missing goods_no / spec_no / spec_list, a missing goods_name on new goods, or a retail_price that is not a
 *   non-negative number: code 100 naming the field, and the whole call writes nothing;
 * - success: `{code: 0, message: "ok", new_count, chg_count}`. The read back is `goods_query.php` by goods_no/spec_no.
 */
export const WDT_GOODS_PUSH = { qybScript: 'goods_push.php' } as const;

export const GOODS_PUSH_ERRORS = {
  missing: (field: string) => ({ code: 100, message: `缺少参数${field}` }),
  badJson: { code: 100, message: 'goods_list 不是合法的JSON数组' },
  goodsNo: { code: 100, message: '货品编号(goods_no)不能为空' },
  goodsName: (goodsNo: string) => ({ code: 100, message: `货品 ${goodsNo} 的货品名称(goods_name)不能为空` }),
  specList: (goodsNo: string) => ({ code: 100, message: `货品 ${goodsNo} 的规格列表(spec_list)不能为空` }),
  specNo: (goodsNo: string) => ({ code: 100, message: `货品 ${goodsNo} 的商家编码(spec_no)不能为空` }),
  price: (specNo: string) => ({ code: 100, message: `商家编码 ${specNo} 的零售价(retail_price)格式错误` }),
  specTaken: (specNo: string, goodsNo: string) => ({ code: 100, message: `商家编码 ${specNo} 已属于货品 ${goodsNo}` }),
} as const;

export type GoodsPushAnswer = { code: 0; message: 'ok'; new_count: number; chg_count: number } | { code: number; message: string };

const GOODS_TEXT = ['goods_name', 'unit_name', 'brand_name', 'class_name', 'remark'] as const;
const SPEC_TEXT = ['spec_name', 'spec_code', 'barcode'] as const;

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const out = String(value).trim();
  return out === '' ? undefined : out;
}

/** One `goods_push.php` call against the store: every goods checked first, then all applied (all or nothing). */
export function pushGoods(store: WdtStore, params: Record<string, string>): GoodsPushAnswer {
  const raw = params.goods_list;
  if (raw === undefined || raw === '') return GOODS_PUSH_ERRORS.missing('goods_list');
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return GOODS_PUSH_ERRORS.badJson;
  }
  if (!Array.isArray(list) || list.length === 0) return GOODS_PUSH_ERRORS.badJson;
  const checked: WdtGoodsInput[] = [];
  const specOwner = new Map<string, string>();
  for (const entry of list as unknown[]) {
    const input = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const goodsNo = text(input.goods_no);
    if (goodsNo === undefined) return GOODS_PUSH_ERRORS.goodsNo;
    const existing = store.listGoods().find((goods) => goods.goods_no === goodsNo);
    const goods: Record<string, unknown> = { goods_no: goodsNo };
    for (const field of GOODS_TEXT) if (text(input[field]) !== undefined) goods[field] = text(input[field]);
    if (!existing && goods.goods_name === undefined) return GOODS_PUSH_ERRORS.goodsName(goodsNo);
    const specs = input.spec_list;
    if (!Array.isArray(specs) || specs.length === 0) return GOODS_PUSH_ERRORS.specList(goodsNo);
    const specInputs: WdtSpecInput[] = [];
    for (const specEntry of specs as unknown[]) {
      const specInput = (typeof specEntry === 'object' && specEntry !== null ? specEntry : {}) as Record<string, unknown>;
      const specNo = text(specInput.spec_no);
      if (specNo === undefined) return GOODS_PUSH_ERRORS.specNo(goodsNo);
      const owner = store.spec(specNo)?.goods.goods_no ?? specOwner.get(specNo);
      if (owner !== undefined && owner !== goodsNo) return GOODS_PUSH_ERRORS.specTaken(specNo, owner);
      specOwner.set(specNo, goodsNo);
      const spec: Record<string, unknown> = { spec_no: specNo };
      for (const field of SPEC_TEXT) if (text(specInput[field]) !== undefined) spec[field] = text(specInput[field]);
      const price = text(specInput.retail_price);
      if (price !== undefined) {
        let decimal: Decimal;
        try {
          decimal = new Decimal(price);
        } catch {
          return GOODS_PUSH_ERRORS.price(specNo);
        }
        if (!decimal.isFinite() || decimal.isNegative()) return GOODS_PUSH_ERRORS.price(specNo);
        spec.retail_price = decimal.toFixed(4);
      }
      specInputs.push(spec as unknown as WdtSpecInput);
    }
    checked.push({ ...(goods as unknown as Omit<WdtGoodsInput, 'specs'>), specs: specInputs });
  }
  let created = 0;
  let changed = 0;
  for (const goods of checked) {
    if (store.pushGoods(goods) === 'created') created += 1;
    else changed += 1;
  }
  return { code: 0, message: 'ok', new_count: created, chg_count: changed };
}
