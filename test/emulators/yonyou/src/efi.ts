/**
 * The EFI 应收单 save rules (`POST /yonbip/EFI/receivable/save`, yonyou-api.md §3.5.7 and the API page's field table):
 * Insert only; references as id **or** code pairs (`financeOrg`/`financeOrgCode`, …; id wins); `extSystemCode` needs
 * `extVouchCode` and the pair is unique ("与外部系统单号联合做幂等性校验"); `direction` 1 蓝字 / -1 红字; every line's
 * 含税金额 = 无税金额 + 税额 and the header 含税金额 = Σ lines, compared as exact decimals; a red document's amounts
 * are ≤ 0, a blue one's ≥ 0 (our reading of 红字: the research does not say which sign a red line takes).
 */
import { Decimal, toDecimal } from '@yecai/common';
import type { Refusal, RefType, StoredDocument, YonyouState } from './state';

/** Reference pairs of an EFI header: id field, code field, type, caption of the documented message. */
export type HeaderRef = [string, string, RefType, string];
const HEADER_REFS: HeaderRef[] = [
  ['financeOrg', 'financeOrgCode', 'org', '开票组织'],
  ['org', 'orgCode', 'org', '业务组织'],
  ['bustype', 'bustypeCode', 'bustype', '交易类型'],
  ['oriCurrency', 'oriCurrencyCode', 'currency', '币种'],
  ['customer', 'customerCode', 'customer', '客户'],
];
const AMOUNTS = ['oriTaxIncludedAmount', 'oriTaxExcludedAmount', 'oriTaxAmount'] as const;

/**
 * The rules every EFI save shares (应收单, 收款单): Insert only, the extSystemCode + extVouchCode pair unique, the bill
 * date's format, the header references given (id or code) and known.
 */
export function checkEfiHead(
  state: YonyouState,
  data: Record<string, unknown>,
  existing: StoredDocument[],
  refs: HeaderRef[],
): Refusal | undefined {
  if (data._status !== undefined && data._status !== 'Insert')
    return refuse('本接口只支持单据保存，不支持编辑更新。如果数据错误请调用删除接口删除数据后重新保存');
  const system = text(data.extSystemCode);
  const vouch = text(data.extVouchCode);
  if (system && !vouch) return refuse('有外部系统编码，需有外部系统单号');
  if (system && vouch) {
    const taken = existing.find(
      (document) => document.header.extSystemCode === system && document.header.extVouchCode === vouch,
    );
    if (taken) return refuse(`外部系统编码[${system}]外部系统单号[${vouch}]已存在，对应单据[${taken.code}]`);
  }
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text(data.billDate) ?? ''))
    return refuse('单据日期(billDate)不能为空，格式为yyyy-MM-dd HH:mm:ss');
  for (const [idField, codeField, type, caption] of refs) {
    const value = text(data[idField]) ?? text(data[codeField]);
    if (!value) return refuse(`${caption}不允许为空!`);
    if (!state.resolve(type, value)) return refuse(`${caption}[${value}]不存在`);
  }
  return undefined;
}

/** Undefined when the document may be saved; otherwise the refusal naming the field or code. */
export function checkEfiReceivable(
  state: YonyouState,
  data: Record<string, unknown>,
  existing: StoredDocument[],
): Refusal | undefined {
  const head = checkEfiHead(state, data, existing, HEADER_REFS);
  if (head) return head;
  const direction = text(data.direction) ?? '1';
  if (direction !== '1' && direction !== '-1') return refuse(`单据方向(direction)[${direction}]只能是1或-1`);
  const lines = data.bodyItem;
  if (!Array.isArray(lines) || lines.length === 0) return refuse('表体数据(bodyItem)不能为空');
  let total = new Decimal(0);
  try {
    for (const [index, raw] of (lines as Record<string, unknown>[]).entries()) {
      const row = index + 1;
      const material = text(raw.material) ?? text(raw.materialCode);
      if (!material && !text(raw.expenseItem) && !text(raw.expenseItemCode))
        return refuse(`第${row}行物料和费用项目不能同时为空`);
      if (material && !state.resolve('product', material)) return refuse(`第${row}行物料[${material}]不存在`);
      const [included, excluded, tax] = AMOUNTS.map((field) =>
        toDecimal(raw[field], `bodyItem[${index}].${field}`),
      ) as [Decimal, Decimal, Decimal];
      if (!excluded.plus(tax).equals(included))
        return refuse(
          `第${row}行原币含税金额[${included.toFixed()}]不等于无税金额[${excluded.toFixed()}]+税额[${tax.toFixed()}]`,
        );
      if (direction === '1' ? included.lt(0) : included.gt(0))
        return refuse(
          `第${row}行${direction === '1' ? '蓝字单据金额不能为负' : '红字单据金额不能为正'}[${included.toFixed()}]`,
        );
      total = total.plus(included);
    }
    if (data.oriTaxIncludedAmount !== undefined) {
      const stated = toDecimal(data.oriTaxIncludedAmount, 'oriTaxIncludedAmount');
      if (!stated.equals(total))
        return refuse(`表头原币含税金额[${stated.toFixed()}]与表体合计[${total.toFixed()}]不一致`);
    }
  } catch (error) {
    return refuse((error as Error).message);
  }
  return undefined;
}

export function text(value: unknown): string | undefined {
  return value === undefined || value === null || String(value) === '' ? undefined : String(value);
}

export function refuse(reason: string): Refusal {
  return { ok: false, message: `保存失败：${reason}` };
}
