/**
 * The emulator's red 采购入库 (purchase return): a 退货 transaction type makes the document red, its stock moves down
 * whichever sign its quantities carry (the real convention is unconfirmed: yonyou-api.md §9 q6); references it does not
 * know are refused with their codes, as for any save.
 */
import { YonyouState } from '../src';

const header = (overrides: Record<string, unknown> = {}) => ({
  code: 'TH-1',
  vouchdate: '2026-11-20',
  bustype: 'CGTH01',
  org: '100',
  purchaseOrg: '100',
  accountOrg: '100',
  vendor: 'VEN001',
  currency: 'CNY',
  _status: 'Insert',
  ...overrides,
});
const line = (qty: string, overrides: Record<string, unknown> = {}) => ({
  _status: 'Insert',
  product: 'A1001-BLK',
  qty,
  stockUnit: 'Pcs',
  warehouse: 'CK001',
  ...overrides,
});

describe('the emulator’s red 采购入库', () => {
  it.each([
    ['negative', '-3'],
    ['positive', '3'],
  ])('a return with %s quantities takes the stock down by them', (_sign, qty) => {
    const state = new YonyouState(undefined, 10);
    const saved = state.save('purinrecord', {
      ...header(),
      purInRecords: [line(qty), line(qty, { product: 'G2001' })],
    });
    expect(saved).toMatchObject({ ok: true, document: { code: 'TH-1' } });
    expect([state.balance('CK001', 'A1001-BLK'), state.balance('CK001', 'G2001')]).toEqual([7, 7]);
  });

  it('a blue 采购入库 (A15001) takes stock in and refuses a negative quantity', () => {
    const state = new YonyouState(undefined, 10);
    expect(state.save('purinrecord', { ...header({ bustype: 'A15001' }), purInRecords: [line('2')] }).ok).toBe(true);
    expect(state.balance('CK001', 'A1001-BLK')).toBe(12);
    expect(
      state.save('purinrecord', { ...header({ bustype: 'A15001', code: 'IN-2' }), purInRecords: [line('-2')] }),
    ).toEqual({ ok: false, message: '保存失败：第1行数量(qty)必须大于0' });
  });

  it('refuses a red document whose lines mix signs, and one that would take the stock below zero', () => {
    const state = new YonyouState(undefined, 10);
    expect(state.save('purinrecord', { ...header(), purInRecords: [line('-1'), line('1')] })).toEqual({
      ok: false,
      message: '保存失败：红字单据第2行数量(qty)与其他行正负不一致',
    });
    expect(state.save('purinrecord', { ...header(), purInRecords: [line('-11')] })).toMatchObject({
      ok: false,
      message: expect.stringContaining('[CK001/A1001-BLK]现存量不足'),
    });
    expect(state.balance('CK001', 'A1001-BLK')).toBe(10);
  });

  it('refuses unknown supplier, warehouse and product codes, naming them', () => {
    const state = new YonyouState();
    const refusal = (data: Record<string, unknown>) => state.save('purinrecord', data);
    expect(refusal({ ...header({ vendor: 'VEN404' }), purInRecords: [line('-1')] })).toEqual({
      ok: false,
      message: '保存失败：供应商[VEN404]不存在',
    });
    expect(refusal({ ...header(), purInRecords: [line('-1', { warehouse: 'CK404' })] })).toEqual({
      ok: false,
      message: '保存失败：第1行仓库[CK404]不存在',
    });
    expect(refusal({ ...header(), purInRecords: [line('-1', { product: 'X404' })] })).toEqual({
      ok: false,
      message: '保存失败：第1行物料[X404]不存在',
    });
    expect(refusal({ ...header({ bustype: 'TH404' }), purInRecords: [line('-1')] })).toEqual({
      ok: false,
      message: '保存失败：交易类型[TH404]不存在',
    });
  });

  it('an update of an open red document puts its earlier stock back before moving the new quantities', () => {
    const state = new YonyouState(undefined, 10);
    // Positive quantities: the red document's earlier lines went out, so putting them back adds them.
    const first = state.save('purinrecord', { ...header(), purInRecords: [line('4')] });
    if (!first.ok) throw new Error(first.message);
    const id = first.document.id.toString();
    expect(state.save('purinrecord', { ...header({ _status: 'Update', id }), purInRecords: [line('1')] }).ok).toBe(
      true,
    );
    expect(state.balance('CK001', 'A1001-BLK')).toBe(9);
  });
});
