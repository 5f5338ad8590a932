/**
 * 货品档案 (canonical oms_goods, an audited 是否网销 Kingdee material) as a 旺店通 企业版 `goods_push.php` goods: what is
 * sent, how WDT's refusals name the canonical field, and whether what WDT holds is what was sent. One material is one
 * WDT spec (商家编码 spec_no = the material number = `sku`) on the goods `goods_no` = its 款式编码 (`styleCode`).
 * WDT upserts goods by goods_no and specs by spec_no, so the push is idempotent by key: the same version pushed again
 * (a redelivery, a replay, a retry after a lost answer) rewrites the same row and never adds one.
 */
import { ValidationError } from '@yecai/common';
import type { CanonicalJson, LedgerProblem } from '@yecai/sink-kit';
import type { WdtAnswer } from '@yecai/source-wangdiantong';

/**
 * The goods remark yecai writes: the loop guard. wangdiantong/material (WDT goods → Kingdee materials) drops goods
 * whose remark starts with it, so a material pushed from Kingdee does not come back as a second Kingdee material.
 */
export const KINGDEE_GOODS_REMARK = '金蝶物料 ';

/** WDT refusals of a goods push, each naming the canonical field a person fixes in Kingdee (first match wins). */
const GOODS_REFUSALS: Array<{ pattern: RegExp; code: string; field: string; fix: string }> = [
  { pattern: /已属于货品/, code: 'WDT_SPEC_ON_OTHER_GOODS', field: 'styleCode', fix: '该商家编码已在旺店通另一个货品下，请核对金蝶物料编码或在旺店通调整货品 the spec number is on another WDT goods: check the material number or move it in WDT' },
  { pattern: /goods_no|货品编号/, code: 'WDT_GOODS_NO_INVALID', field: 'styleCode', fix: '请核对款式编码（默认为金蝶物料编码）check the style code' },
  { pattern: /goods_name|货品名称/, code: 'WDT_GOODS_NAME_INVALID', field: 'name', fix: '请在金蝶填写物料名称 fill in the material name in Kingdee' },
  { pattern: /spec_no|商家编码/, code: 'WDT_SPEC_NO_INVALID', field: 'sku', fix: '请核对金蝶物料编码 check the Kingdee material number' },
  { pattern: /unit|单位/, code: 'WDT_UNIT_INVALID', field: 'unit', fix: '请核对金蝶基本单位 check the base unit in Kingdee' },
  { pattern: /barcode|条码/, code: 'WDT_BARCODE_INVALID', field: 'barcode', fix: '请核对金蝶条码 check the barcode in Kingdee' },
  { pattern: /spec_name|规格/, code: 'WDT_SPEC_INVALID', field: 'specification', fix: '请核对金蝶规格型号 check the specification in Kingdee' },
  { pattern: /缺少参数|JSON/, code: 'WDT_PARAMETER_INVALID', field: 'model', fix: '请核对物料 check the material' },
];

/** The `goods_list` element of an oms_goods event: WDT field names, optional fields only when the material has them. */
export function goodsOf(canonical: CanonicalJson): Record<string, unknown> {
  const sku = canonical.sku;
  if (typeof sku !== 'string' || sku.trim() === '') throw new ValidationError('sku: the spec number (Kingdee material number) is missing', 'sku');
  const styleCode = canonical.styleCode;
  if (typeof styleCode !== 'string' || styleCode.trim() === '') throw new ValidationError('styleCode: the goods number (款式编码) is missing', 'styleCode');
  const optional = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  const goods: Record<string, unknown> = { goods_no: styleCode };
  if (optional(canonical.name) !== undefined) goods.goods_name = canonical.name;
  if (optional(canonical.unit) !== undefined) goods.unit_name = canonical.unit;
  goods.remark = `${KINGDEE_GOODS_REMARK}${sku}`;
  const spec: Record<string, unknown> = { spec_no: sku };
  if (optional(canonical.specification) !== undefined) spec.spec_name = canonical.specification;
  if (optional(canonical.barcode) !== undefined) spec.barcode = canonical.barcode;
  goods.spec_list = [spec];
  return goods;
}

/**
 * Whether WDT's goods row (goods_query.php, with its spec_list) holds what a push sent: the goods number, name and
 * unit, and the spec's name and barcode. Used for a material never pushed before, so goods that predate our push
 * (someone else's) are not taken for it.
 */
export function holdsGoods(row: Record<string, unknown>, sent: Record<string, unknown>): boolean {
  const same = (have: unknown, want: unknown) => want === undefined || String(have ?? '') === String(want);
  const sentSpec = (sent.spec_list as Array<Record<string, unknown>>)[0]!;
  const spec = ((row.spec_list ?? []) as Array<Record<string, unknown>>).find((one) => String(one.spec_no ?? '') === sentSpec.spec_no);
  if (!spec) return false;
  return (
    ['goods_no', 'goods_name', 'unit_name'].every((field) => same(row[field], sent[field])) &&
    ['spec_name', 'barcode'].every((field) => same(spec[field], sentSpec[field]))
  );
}

/** A refused goods push as a ledger problem: the data (level 1, naming the field) or anything else (level 2, retried). */
export function goodsProblemOf(answer: WdtAnswer): LedgerProblem {
  const refusal = GOODS_REFUSALS.find((entry) => entry.pattern.test(answer.message));
  if (refusal) {
    return { level: 1, code: refusal.code, field: refusal.field, message: `旺店通拒绝了货品：${answer.message}；${refusal.fix} / WDT refused the goods (${answer.code})` };
  }
  return { level: 2, code: `WDT_BUSINESS_${answer.code}`, message: `旺店通未接受货品：${answer.message}（自动重试）/ WDT did not accept the goods (${answer.code}), retrying` };
}
