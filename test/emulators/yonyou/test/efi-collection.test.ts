/**
 * The emulator's EFI 收款单 and its write-off: a source 应收单 that does not exist, is not audited, is in another
 * currency or would be over-written-off is refused naming the receivable (at save, and again at audit); the audit writes
 * the receivable off (its list shows the written-off amount and the balance), 弃审 gives it back, and a receivable with
 * a write-off cannot be un-audited. The business key is the EFI pair, as for the 应收单.
 */
import { Decimal } from '@yecai/common';
import { RECEIVABLE_SRC_BILL_TYPE, YonyouState } from '../src';
import { seedReceivable } from './efi-documents';

const row = (srcBillId: string, amount: string, overrides: Record<string, unknown> = {}) => ({
  _status: 'Insert',
  srcBillId,
  srcBillType: RECEIVABLE_SRC_BILL_TYPE,
  oriTaxIncludedAmount: amount,
  ...overrides,
});
const collection = (rows: Record<string, unknown>[], overrides: Record<string, unknown> = {}) => ({
  extSystemCode: 'yecai',
  extVouchCode: 'SK-1',
  billDate: '2026-11-25 00:00:00',
  financeOrgCode: '100',
  orgCode: '100',
  bustypeCode: 'ar_colsale',
  objectType: '1',
  customerCode: 'TM-YS01',
  oriCurrencyCode: 'USD',
  exchangeRate: '7.2011',
  settleModeCode: 'system_0001',
  enterpriseBankAccountNo: '6222000000000001',
  oriTaxIncludedAmount: rows.reduce((sum, one) => sum.plus(String(one.oriTaxIncludedAmount)), new Decimal(0)).toFixed(),
  _status: 'Insert',
  bodyItem: rows,
  ...overrides,
});
const receivableRow = (state: YonyouState, id: string) => state.view(state.find('receivable', id)!);

describe('the emulator’s EFI 收款单', () => {
  it('audit writes the receivables off (balance shown on the receivable), 弃审 gives it back', () => {
    const state = new YonyouState();
    const ar1 = seedReceivable(state, 'AR-1');
    const ar2 = seedReceivable(state, 'AR-2');
    const saved = state.save('collection', collection([row(ar1, '39.98'), row(ar2, '10.00')]));
    expect(saved).toMatchObject({ ok: true, document: { code: expect.stringMatching(/^SK\d{8}$/), status: 0 } });
    const id = saved.ok ? saved.document.id.toString() : '';
    // Saved, not audited: nothing written off yet.
    expect(receivableRow(state, ar1)).toMatchObject({ oriWriteOffAmount: '0', oriBalance: '39.98' });
    expect(state.setStatus('collection', id, true)).toBeUndefined();
    expect(receivableRow(state, ar1)).toMatchObject({ oriWriteOffAmount: '39.98', oriBalance: '0' });
    expect(receivableRow(state, ar2)).toMatchObject({ oriWriteOffAmount: '10', oriBalance: '29.98' });
    // A written-off receivable cannot be un-audited before its collection is.
    expect(state.setStatus('receivable', ar1, false)).toMatch(/已核销.*不能弃审/);
    expect(state.setStatus('collection', id, false)).toBeUndefined();
    expect(receivableRow(state, ar2)).toMatchObject({ oriWriteOffAmount: '0', oriBalance: '39.98' });
    expect(state.setStatus('receivable', ar1, false)).toBeUndefined();
  });

  it('refuses the same extSystemCode + extVouchCode twice, naming the document that has it', () => {
    const state = new YonyouState();
    const ar = seedReceivable(state, 'AR-1');
    const first = state.save('collection', collection([row(ar, '10.00')]));
    expect(state.save('collection', collection([row(ar, '10.00')]))).toEqual({
      ok: false,
      message: `保存失败：外部系统编码[yecai]外部系统单号[SK-1]已存在，对应单据[${first.ok ? first.document.code : ''}]`,
    });
  });

  it('refuses a source receivable that does not exist, is not audited, is in another currency, or would be over-written-off', () => {
    const state = new YonyouState();
    const open = seedReceivable(state, 'AR-OPEN', { audit: false });
    const cny = seedReceivable(state, 'AR-CNY', { currency: 'CNY' });
    const usd = seedReceivable(state, 'AR-USD');
    expect(state.save('collection', collection([row('1', '1.00')]))).toEqual({
      ok: false,
      message: '保存失败：第1行源单应收单[1]不存在',
    });
    expect(state.save('collection', collection([row(open, '1.00')]))).toEqual({
      ok: false,
      message: '保存失败：第1行源单应收单[AR-OPEN]未审核，不能收款核销',
    });
    expect(state.save('collection', collection([row(cny, '1.00')]))).toEqual({
      ok: false,
      message: '保存失败：第1行源单应收单[AR-CNY]币种[CNY]与收款单币种[USD]不一致，不能核销',
    });
    // Two rows on one receivable add up: 30 + 9.99 > 39.98 (exact decimals, one cent over).
    expect(state.save('collection', collection([row(usd, '30.00'), row(usd, '9.99')]))).toEqual({
      ok: false,
      message: '保存失败：第2行本次收款金额[9.99]超过源单应收单[AR-USD]未核销余额[9.98]（应收金额[39.98]）',
    });
    expect(state.save('collection', collection([row(usd, '-1.00')])).ok).toBe(false);
    expect(state.save('collection', collection([row(usd, '1', { srcBillType: '1' })]))).toEqual({
      ok: false,
      message: '保存失败：第1行来源单据类型(srcBillType)[1]不是应收单，不能核销',
    });
  });

  it('re-checks at audit: a second collection saved before the first was audited cannot write off what is gone', () => {
    const state = new YonyouState();
    const ar = seedReceivable(state, 'AR-1');
    const first = state.save('collection', collection([row(ar, '30.00')]));
    const second = state.save('collection', collection([row(ar, '30.00')], { extVouchCode: 'SK-2' }));
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(state.setStatus('collection', first.ok ? first.document.id.toString() : '', true)).toBeUndefined();
    expect(state.setStatus('collection', second.ok ? second.document.id.toString() : '', true)).toBe(
      '审核失败：第1行本次收款金额[30]超过源单应收单[AR-1]未核销余额[9.98]（应收金额[39.98]）',
    );
    expect(receivableRow(state, ar)).toMatchObject({ oriWriteOffAmount: '30', oriBalance: '9.98' });
  });

  it('writes a red receivable off with a negative row, and refuses a header total that is not Σ rows', () => {
    const state = new YonyouState();
    const red = seedReceivable(state, 'AR-R', { amount: '-19.99' });
    const blue = seedReceivable(state, 'AR-B');
    const saved = state.save('collection', collection([row(blue, '39.98'), row(red, '-19.99')]));
    expect(saved.ok).toBe(true);
    expect(state.setStatus('collection', saved.ok ? saved.document.id.toString() : '', true)).toBeUndefined();
    expect(receivableRow(state, red)).toMatchObject({ oriWriteOffAmount: '-19.99', oriBalance: '0' });
    expect(
      state.save('collection', collection([row(blue, '0.01')], { extVouchCode: 'SK-9', oriTaxIncludedAmount: '0.02' })),
    ).toEqual({ ok: false, message: '保存失败：表头收款金额[0.02]与表体合计[0.01]不一致' });
  });

  it.each([
    ['settleModeCode', 'NO-MODE', '保存失败：结算方式[NO-MODE]不存在'],
    ['settleModeCode', undefined, '保存失败：结算方式不允许为空!'],
    ['enterpriseBankAccountNo', '999', '保存失败：企业银行账号[999]不存在'],
    ['financeOrgCode', undefined, '保存失败：收款组织不允许为空!'],
  ])('refuses header %s = %s naming it', (field, value, message) => {
    const state = new YonyouState();
    const ar = seedReceivable(state, 'AR-1');
    expect(state.save('collection', collection([row(ar, '1.00')], { [field]: value }))).toEqual({ ok: false, message });
  });
});
