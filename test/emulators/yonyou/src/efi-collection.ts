/**
 * The EFI 收款单 (`POST /yonbip/EFI/collection/save`, yonyou-api.md §3.5.7, the API page's field table) and its
 * write-off (核销) against EFI 应收单: the EFI head rules (efi.ts) with 收款组织 as the finance org, a known 结算方式 and
 * 企业银行账号, and per bodyItem an exact decimal 收款金额 (`oriTaxIncludedAmount`, header = Σ rows). A row naming a
 * source (`srcBillId` = the 应收单's id, `srcBillType` the 应收 type, optional `srcBillRowId` one of its rows) writes
 * that receivable off when the collection is audited. Save and audit both refuse a source that does not exist, is not
 * audited, is in another currency, or would be written off beyond its open amount (sign included: a negative row
 * against a red receivable) — each naming the receivable. 弃审 reverses the write-off; a receivable with anything
 * written off cannot be un-audited. The emulator keeps what is written off on the receivable (`writtenOff`), shown by
 * its list and detail as `oriWriteOffAmount` / `oriBalance` (our names: the research has no receivable list fields).
 */
import { Decimal, toDecimal } from '@yecai/common';
import { checkEfiHead, refuse, text, type HeaderRef } from './efi';
import type { Refusal, StoredDocument, YonyouState } from './state';

export const COLLECTION_KIND = 'collection';
export const RECEIVABLE_KIND = 'receivable';
/**
 * `srcBillType` of a row whose source is an 应收单: 4 (应收事务) in the documented enum of the save's answer — the
 * closest there is; which value a real tenant takes for an EFI 应收单 is open (docs/yonyou.md §6).
 */
export const RECEIVABLE_SRC_BILL_TYPE = '4';

const HEADER_REFS: HeaderRef[] = [
  ['financeOrg', 'financeOrgCode', 'org', '收款组织'],
  ['org', 'orgCode', 'org', '业务组织'],
  ['bustype', 'bustypeCode', 'bustype', '交易类型'],
  ['oriCurrency', 'oriCurrencyCode', 'currency', '币种'],
  ['customer', 'customerCode', 'customer', '客户'],
  ['settleMode', 'settleModeCode', 'settlemode', '结算方式'],
  ['enterpriseBankAccount', 'enterpriseBankAccountNo', 'bankaccount', '企业银行账号'],
];

const zero = new Decimal(0);

/** Undefined when the collection may be saved; otherwise the refusal naming the field or the receivable. */
export function checkEfiCollection(
  state: YonyouState,
  data: Record<string, unknown>,
  existing: StoredDocument[],
): Refusal | undefined {
  const head = checkEfiHead(state, data, existing, HEADER_REFS);
  if (head) return head;
  const rows = data.bodyItem;
  if (!Array.isArray(rows) || rows.length === 0) return refuse('表体数据(bodyItem)不能为空');
  let total = zero;
  try {
    for (const [index, raw] of (rows as Record<string, unknown>[]).entries())
      total = total.plus(toDecimal(raw.oriTaxIncludedAmount, `bodyItem[${index}].oriTaxIncludedAmount`));
    if (data.oriTaxIncludedAmount !== undefined) {
      const stated = toDecimal(data.oriTaxIncludedAmount, 'oriTaxIncludedAmount');
      if (!stated.equals(total)) return refuse(`表头收款金额[${stated.toFixed()}]与表体合计[${total.toFixed()}]不一致`);
    }
  } catch (error) {
    return refuse((error as Error).message);
  }
  const problem = writeOffProblem(state, data, rows as Record<string, unknown>[]);
  return problem ? refuse(problem) : undefined;
}

/**
 * Why the rows cannot write their sources off now (undefined: they can). Amounts of several rows naming one
 * receivable add up before they are compared with its open amount.
 */
function writeOffProblem(
  state: YonyouState,
  header: Record<string, unknown>,
  rows: Record<string, unknown>[],
): string | undefined {
  const pending = new Map<bigint, Decimal>();
  const currency = state.resolve('currency', text(header.oriCurrency) ?? text(header.oriCurrencyCode));
  for (const [index, row] of rows.entries()) {
    const where = `第${index + 1}行`;
    const source = text(row.srcBillId);
    if (!source) continue; // a row without a source is a plain (预收) collection
    if (text(row.srcBillType) !== RECEIVABLE_SRC_BILL_TYPE)
      return `${where}来源单据类型(srcBillType)[${text(row.srcBillType) ?? ''}]不是应收单，不能核销`;
    const receivable = state.find(RECEIVABLE_KIND, source);
    if (!receivable) return `${where}源单应收单[${source}]不存在`;
    const name = `${where}源单应收单[${String(receivable.header.extVouchCode ?? receivable.code)}]`;
    const rowId = text(row.srcBillRowId);
    if (rowId && !receivable.lines.some((line) => line.id.toString() === rowId)) return `${name}没有表体行[${rowId}]`;
    if (receivable.status !== 1) return `${name}未审核，不能收款核销`;
    const arCurrency = state.resolve(
      'currency',
      text(receivable.header.oriCurrency) ?? text(receivable.header.oriCurrencyCode),
    );
    if (currency && arCurrency && currency.id !== arCurrency.id)
      return `${name}币种[${arCurrency.code}]与收款单币种[${currency.code}]不一致，不能核销`;
    const amount = toDecimal(row.oriTaxIncludedAmount, `bodyItem[${index}].oriTaxIncludedAmount`);
    const total = receivableTotal(receivable);
    const open = total.minus(receivable.writtenOff ?? zero).minus(pending.get(receivable.id) ?? zero);
    const wrongSign = !amount.isZero() && !open.isZero() && amount.isNegative() !== open.isNegative();
    if (wrongSign || amount.abs().gt(open.abs()))
      return `${where}本次收款金额[${amount.toFixed()}]超过${name.slice(where.length)}未核销余额[${open.toFixed()}]（应收金额[${total.toFixed()}]）`;
    pending.set(receivable.id, (pending.get(receivable.id) ?? zero).plus(amount));
  }
  return undefined;
}

/** 应收金额: Σ the receivable's rows' 含税金额 (negative on a red one). */
export function receivableTotal(receivable: StoredDocument): Decimal {
  return receivable.lines.reduce(
    (sum, line) => sum.plus(toDecimal(line.oriTaxIncludedAmount, 'oriTaxIncludedAmount')),
    zero,
  );
}

/**
 * What 审核 (audit true) / 弃审 does beyond the status: a collection's audit re-checks its sources and writes them
 * off, its 弃审 gives the amounts back; a receivable with a write-off cannot be un-audited. A message = refused.
 */
export function efiStatusChange(state: YonyouState, document: StoredDocument, audit: boolean): string | undefined {
  if (document.kind === RECEIVABLE_KIND && !audit && !(document.writtenOff ?? zero).isZero())
    return `单据[${document.code}]已核销，请先弃审核销它的收款单，不能弃审`;
  if (document.kind !== COLLECTION_KIND) return undefined;
  if (audit) {
    const problem = writeOffProblem(state, document.header, document.lines);
    if (problem) return `审核失败：${problem}`;
  }
  for (const row of document.lines) {
    const source = text(row.srcBillId);
    if (!source) continue;
    const receivable = state.find(RECEIVABLE_KIND, source)!;
    const amount = toDecimal(row.oriTaxIncludedAmount, 'oriTaxIncludedAmount');
    receivable.writtenOff = (receivable.writtenOff ?? zero).plus(audit ? amount : amount.neg());
  }
  return undefined;
}

/** The write-off columns of a receivable as its list and detail show them (nothing for other documents). */
export function writeOffView(document: StoredDocument): Record<string, unknown> {
  if (document.kind !== RECEIVABLE_KIND) return {};
  const written = document.writtenOff ?? zero;
  return { oriWriteOffAmount: written.toFixed(), oriBalance: receivableTotal(document).minus(written).toFixed() };
}
