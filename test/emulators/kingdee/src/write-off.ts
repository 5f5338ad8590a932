import { Decimal } from '@yecai/common';
import type { BillFormDef } from './forms';
import type { ErrorLine, KingdeeState, StoredBill, StoredRef, StoredRow, StoredValue } from './state';

/**
 * 应收收款核销 (finance-flows.md §1.4): a 收款单 whose 源单明细 names 应收单 writes them off when it is audited, in the
 * original currency: the receivable's 已核销金额 (FWRITTENOFFAMOUNTFOR) grows by the row's 本次收款金额 and its 核销状态
 * (FWRITTENOFFSTATUS) becomes B 部分核销 or C 完全核销; UnAudit reverses it. Kingdee keeps the log in
 * T_AR_RECMacthLogENTRY, which no WebAPI form exposes, so readers see the write-off where Kingdee shows it: the
 * receivable's header fields and the receipt's 源单明细 (FSRCWRITTENOFFAMOUNTFOR), by ExecuteBillQuery and View.
 * A source row naming a receivable that does not exist, is not audited, is in another currency or would be paid
 * beyond its open amount refuses the Save (and the Audit, re-checked then).
 */
export const RECEIPT_FORM = 'AR_RECEIVEBILL';
export const RECEIVABLE_FORM = 'AR_receivable';

const zero = new Decimal(0);
const dec = (value: StoredValue | undefined): Decimal => (value instanceof Decimal ? value : zero);

/** 应收金额: the receivable's 价税合计 over its lines (negative on a red receivable). */
export function receivableTotal(bill: StoredBill): Decimal {
  return bill.entries.reduce((sum, entry) => sum.plus(dec(entry.fields.FAllAmount)), zero);
}

/** After a receivable's Save: 应收金额 from its lines, nothing written off yet (or what was, kept). */
export function initReceivable(form: BillFormDef, bill: StoredBill): void {
  if (form.formId !== RECEIVABLE_FORM) return;
  bill.header.FPAYAMOUNTFOR = receivableTotal(bill);
  bill.header.FWRITTENOFFAMOUNTFOR = dec(bill.header.FWRITTENOFFAMOUNTFOR);
  bill.header.FWRITTENOFFSTATUS = writtenOffStatus(bill);
}

function writtenOffStatus(receivable: StoredBill): string {
  const written = dec(receivable.header.FWRITTENOFFAMOUNTFOR);
  if (written.isZero()) return 'A';
  return written.eq(receivableTotal(receivable)) ? 'C' : 'B';
}

/** The problems of a receipt's source rows (empty for any other form). */
export function writeOffErrors(state: KingdeeState, form: BillFormDef, header: Record<string, StoredValue>, rows: StoredRow[], index: number): ErrorLine[] {
  if (form.formId !== RECEIPT_FORM) return [];
  const errors: ErrorLine[] = [];
  const pending = new Map<string, Decimal>();
  const currency = (header.FCURRENCYID as StoredRef | null | undefined)?.number;
  rows.forEach((row, rowIndex) => {
    const where = `单据体实体【源单明细】第【${rowIndex + 1}】行分录`;
    const type = String(row.fields.FSRCBILLTYPEID ?? '');
    const number = String(row.fields.FSRCBILLNO ?? '');
    if (!number) return; // 必录 is reported by the entry check
    if (type.toLowerCase() !== RECEIVABLE_FORM.toLowerCase()) {
      errors.push({ FieldName: 'FSRCBILLTYPEID', Message: `${where}，源单类型“${type}”不是应收单，不能核销`, DIndex: index });
      return;
    }
    const receivable = state.findBill(RECEIVABLE_FORM, { number });
    if (!receivable || receivable.cancelStatus === 'B') {
      errors.push({ FieldName: 'FSRCBILLNO', Message: `${where}，源单编号为“${number}”的应收单不存在，可能已被删除或作废`, DIndex: index });
      return;
    }
    if (receivable.status !== 'C') {
      errors.push({ FieldName: 'FSRCBILLNO', Message: `${where}，源单编号为“${number}”的应收单未审核，不能收款核销`, DIndex: index });
      return;
    }
    const arCurrency = (receivable.header.FCURRENCYID as StoredRef | null | undefined)?.number;
    if (currency && arCurrency && currency !== arCurrency) {
      errors.push({ FieldName: 'FSRCBILLNO', Message: `${where}，源单编号为“${number}”的应收单币别（${arCurrency}）与收款单币别（${currency}）不一致，不能核销`, DIndex: index });
      return;
    }
    const amount = dec(row.fields.FREALRECAMOUNT);
    const total = receivableTotal(receivable);
    const open = total.minus(dec(receivable.header.FWRITTENOFFAMOUNTFOR)).minus(pending.get(number) ?? zero);
    const wrongSign = !amount.isZero() && !open.isZero() && amount.isNegative() !== open.isNegative();
    if (wrongSign || amount.abs().gt(open.abs())) {
      errors.push({
        FieldName: 'FREALRECAMOUNT',
        Message: `${where}，本次收款金额 ${amount.toFixed()} 超过源单编号为“${number}”的应收单未核销金额 ${open.toFixed()}（应收金额 ${total.toFixed()}）`,
        DIndex: index,
      });
      return;
    }
    pending.set(number, (pending.get(number) ?? zero).plus(amount));
  });
  return errors;
}

/** Audit (direction 1) writes the receipt's source rows off against their receivables; UnAudit (-1) reverses it. */
export function applyWriteOff(state: KingdeeState, form: BillFormDef, bill: StoredBill, direction: 1 | -1): string | undefined {
  if (form.formId === RECEIVABLE_FORM && direction === -1 && !dec(bill.header.FWRITTENOFFAMOUNTFOR).isZero()) {
    return '单据已核销，请先反核销（反审核对应的收款单）后再反审核！';
  }
  if (form.formId !== RECEIPT_FORM) return undefined;
  const rows = bill.second ?? [];
  if (direction === 1) {
    const problem = writeOffErrors(state, form, bill.header, rows, 0)[0];
    if (problem) return problem.Message;
  }
  for (const row of rows) {
    const receivable = state.findBill(RECEIVABLE_FORM, { number: String(row.fields.FSRCBILLNO) })!;
    const amount = dec(row.fields.FREALRECAMOUNT);
    receivable.header.FWRITTENOFFAMOUNTFOR = dec(receivable.header.FWRITTENOFFAMOUNTFOR).plus(direction === 1 ? amount : amount.neg());
    receivable.header.FWRITTENOFFSTATUS = writtenOffStatus(receivable);
    receivable.modifyDate = bill.modifyDate;
    row.fields.FSRCWRITTENOFFAMOUNTFOR = direction === 1 ? amount : zero;
  }
  return undefined;
}
