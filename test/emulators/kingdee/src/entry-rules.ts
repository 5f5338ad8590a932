import { Decimal } from '@yecai/common';
import type { BillFormDef } from './forms';
import type { BaseRecord, ErrorLine, StoredRef, StoredRow, StoredValue } from './state';

/**
 * Server-side rules on bill entries that K/3 Cloud applies at Save: the lot of a batch-managed material, and the
 * price and amounts derived from 含税单价 and 税率.
 */

/** Kingdee's default precisions (币别 PRE001: 单价精度 6, 金额精度 2), rounded half up (四舍五入). */
export const PRICE_DIGITS = 6;
export const AMOUNT_DIGITS = 2;
const round = (value: Decimal, digits: number) => value.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP);

/**
 * 批号: a batch-managed material (物料 启用批号管理) needs a lot on every row that moves its stock; the real server
 * makes 批号 conditionally required and answers with its usual must-input text for the entry row.
 */
export function missingLotErrors(
  form: BillFormDef,
  header: Record<string, unknown>,
  entries: StoredRow[],
  materialRecord: (ref: StoredRef) => BaseRecord | undefined,
  index: number,
): ErrorLine[] {
  const errors: ErrorLine[] = [];
  for (const move of form.stockMoves(header)) {
    const entity = move.entity === 'entry' ? form.entry : form.subEntry!;
    const lotField = entity.fields.find((field) => field.key === move.lotField)!;
    const rows = move.entity === 'entry' ? entries.map((entry) => entry.fields) : entries.flatMap((entry) => entry.sub.map((sub) => sub.fields));
    rows.forEach((row, rowIndex) => {
      const material = row[move.materialField] as StoredRef | null | undefined;
      if (!material || !isBlank(row[move.lotField])) return;
      if (materialRecord(material)?.fields.FIsBatchManage !== true) return;
      errors.push({
        FieldName: lotField.key,
        Message: `单据体实体【${entity.caption}】第【${rowIndex + 1}】行分录，【${lotField.caption}】字段必录（物料${material.number}启用了批号管理）`,
        DIndex: index,
      });
    });
  }
  return errors.filter((error, position) => errors.findIndex((other) => other.Message === error.Message) === position);
}

function isBlank(value: StoredValue | undefined): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * 含税 entry (价内税): 单价 FPrice = 含税单价 / (1 + 税率%) to 6 places; 价税合计 FAllAmount = 数量 × 含税单价 to
 * 2 places; 金额 FAmount = 价税合计 / (1 + 税率%) to 2 places; 税额 FTaxAmount = 价税合计 − 金额, so the three
 * amounts always add up. Without a tax rate the rate is 0. A given FPrice without FTaxPrice works the other way:
 * 含税单价 = 单价 × (1 + 税率%).
 */
export function computeEntryAmounts(form: BillFormDef, entries: StoredRow[]): void {
  if (!form.priceField || !form.qtyField) return;
  const netPriceKey = form.entry.fields.find((field) => field.key.toLowerCase() === 'fprice')?.key;
  for (const entry of entries) {
    const fields = entry.fields;
    const qty = fields[form.qtyField];
    const rateValue = fields[form.taxRateField ?? ''];
    const factor = (rateValue instanceof Decimal ? rateValue : new Decimal(0)).div(100).plus(1);
    let taxPrice = fields[form.priceField];
    const netPrice = netPriceKey ? fields[netPriceKey] : undefined;
    if (!(taxPrice instanceof Decimal) && netPrice instanceof Decimal) {
      taxPrice = round(netPrice.mul(factor), PRICE_DIGITS);
      fields[form.priceField] = taxPrice;
    }
    if (!(taxPrice instanceof Decimal)) continue;
    if (netPriceKey) fields[netPriceKey] = round(taxPrice.div(factor), PRICE_DIGITS);
    if (!(qty instanceof Decimal)) continue;
    const all = round(qty.mul(taxPrice), AMOUNT_DIGITS);
    const net = round(all.div(factor), AMOUNT_DIGITS);
    fields.FAllAmount = all;
    fields.FAmount = net;
    fields.FTaxAmount = all.minus(net);
  }
}

/**
 * 基本单位数量: the server converts each entry's quantity into the material's base unit. The emulator's units are
 * all 1:1 with the base unit, so the base quantity is always the quantity (reconciliation compares base quantities).
 */
export function computeBaseQuantities(form: BillFormDef, entries: StoredRow[]): void {
  const baseKey = form.entry.fields.find((field) => /^fbase(unit)?qty$/i.test(field.key))?.key;
  const qtyKey = form.qtyField ?? form.stockMoves({}).find((move) => move.entity === 'entry')?.qtyField;
  if (!baseKey || !qtyKey) return;
  for (const entry of entries) {
    const qty = entry.fields[qtyKey];
    if (qty instanceof Decimal) entry.fields[baseKey] = qty;
  }
}
