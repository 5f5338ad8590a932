/**
 * The emulator's EFI 应收单: the business key extSystemCode + extVouchCode is unique, references it does not know are
 * refused naming the code, amounts must add up exactly (line 含税 = 无税 + 税额, header = Σ lines), a red document
 * (direction -1) is stored red, Insert only — and its list finds a document by the business key.
 */
import { YonyouState } from '../src';
import { efiReceivable, efiReceivableLine } from './efi-documents';

const line = efiReceivableLine;
const receivable = efiReceivable;

describe('the emulator’s EFI 应收单', () => {
  it('saves a blue receivable with its own number and refuses the same extSystemCode + extVouchCode again', () => {
    const state = new YonyouState();
    const first = state.save('receivable', receivable());
    expect(first).toMatchObject({ ok: true, document: { code: expect.stringMatching(/^AR\d{8}$/), status: 0 } });
    const again = state.save('receivable', receivable({ remarks: 'second try' }));
    expect(again).toEqual({
      ok: false,
      message: `保存失败：外部系统编码[yecai]外部系统单号[AR-1]已存在，对应单据[${first.ok ? first.document.code : ''}]`,
    });
    // Another system may use the same 单号: the key is the pair.
    expect(state.save('receivable', receivable({ extSystemCode: 'other' })).ok).toBe(true);
    expect(state.save('receivable', receivable({ extVouchCode: undefined }))).toEqual({
      ok: false,
      message: '保存失败：有外部系统编码，需有外部系统单号',
    });
  });

  it.each([
    ['customerCode', 'NO-SUCH', '保存失败：客户[NO-SUCH]不存在'],
    ['oriCurrencyCode', 'XYZ', '保存失败：币种[XYZ]不存在'],
    ['financeOrgCode', '999', '保存失败：开票组织[999]不存在'],
    ['financeOrgCode', undefined, '保存失败：开票组织不允许为空!'],
    ['bustypeCode', 'ar_none', '保存失败：交易类型[ar_none]不存在'],
  ])('refuses %s = %s naming it', (field, value, message) => {
    expect(new YonyouState().save('receivable', receivable({ [field]: value }))).toEqual({ ok: false, message });
  });

  it('refuses amounts that do not add up, compared as exact decimals', () => {
    const state = new YonyouState();
    expect(state.save('receivable', receivable({ oriTaxIncludedAmount: '79.95' }))).toEqual({
      ok: false,
      message: '保存失败：表头原币含税金额[79.95]与表体合计[79.96]不一致',
    });
    expect(state.save('receivable', receivable({ bodyItem: [line(), line({ oriTaxAmount: '4.61' })] }))).toEqual({
      ok: false,
      message: '保存失败：第2行原币含税金额[39.98]不等于无税金额[35.38]+税额[4.61]',
    });
    // 0.1 + 0.2 = 0.3 exactly (a float comparison would refuse it).
    expect(
      state.save(
        'receivable',
        receivable({
          oriTaxIncludedAmount: '0.3',
          bodyItem: [line({ oriTaxIncludedAmount: '0.3', oriTaxExcludedAmount: '0.1', oriTaxAmount: '0.2' })],
        }),
      ).ok,
    ).toBe(true);
  });

  it('stores a red receivable (direction -1) with its negative amounts, and refuses a red one with a positive line', () => {
    const state = new YonyouState();
    const redLine = line({
      quantity: '-1',
      oriTaxIncludedAmount: '-19.99',
      oriTaxExcludedAmount: '-17.69',
      oriTaxAmount: '-2.30',
    });
    const red = state.save(
      'receivable',
      receivable({ extVouchCode: 'AR-1-R', direction: '-1', oriTaxIncludedAmount: '-19.99', bodyItem: [redLine] }),
    );
    expect(red).toMatchObject({ ok: true, document: { header: { direction: '-1', oriTaxIncludedAmount: '-19.99' } } });
    expect(state.save('receivable', receivable({ direction: '-1', extVouchCode: 'AR-2-R' }))).toEqual({
      ok: false,
      message: '保存失败：第1行红字单据金额不能为正[39.98]',
    });
    expect(
      state.save('receivable', receivable({ oriTaxIncludedAmount: '-19.99', bodyItem: [redLine], extVouchCode: 'X' })),
    ).toEqual({ ok: false, message: '保存失败：第1行蓝字单据金额不能为负[-19.99]' });
  });

  it('takes Insert only: an update is refused with the documented advice', () => {
    expect(new YonyouState().save('receivable', receivable({ _status: 'Update', id: '1' }))).toEqual({
      ok: false,
      message: '保存失败：本接口只支持单据保存，不支持编辑更新。如果数据错误请调用删除接口删除数据后重新保存',
    });
  });

  it('audits and un-audits a receivable once', () => {
    const state = new YonyouState();
    const saved = state.save('receivable', receivable());
    const id = saved.ok ? saved.document.id.toString() : '';
    expect(state.setStatus('receivable', id, true)).toBeUndefined();
    expect(state.setStatus('receivable', id, true)).toMatch(/已审核，不能重复审核/);
    expect(state.setStatus('receivable', id, false)).toBeUndefined();
  });
});
