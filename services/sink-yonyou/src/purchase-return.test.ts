/**
 * The purchase return's form map: a red 采购入库 (purinrecord) with the flow's 退货 交易类型, field by field, exact
 * decimals, and the quantity sign the flow configures (unconfirmed for real tenants: docs/yonyou.md §6 item 7).
 */
import { canonical } from '@yecai/sink-kingdee/test/fixtures';
import { FlowConfigSchema, parseSinkConfig } from './config';
import { FORM_OF, yonyouModel } from './form-maps';

const flowOf = (settings: Record<string, unknown> = {}) =>
  FlowConfigSchema.parse({
    documentType: 'purchase_return',
    currencyCodes: { RMB: 'CNY' },
    bustype: 'CGTH01',
    ...settings,
  });

/** A two-line return: 1.5 of A1001-BLK at 33.335 tax-inclusive, 0.000001 of G2001 without a lot at 0.01. */
function returnEvent(): Record<string, unknown> {
  const event = canonical('purchase_return', 'PR-1', {
    lines: [
      { qty: '1.5', price: '33.335' },
      { material: 'G2001', qty: '0.000001', price: '0.01', batch: null, warehouse: 'CK002' },
    ],
  });
  const lines = event.lines as Record<string, unknown>[];
  lines[0]!.price = '29.5';
  lines[1]!.note = '破损退回';
  return event;
}

describe('purchase_return → red 采购入库', () => {
  it('writes the same 采购入库 as purchase_instock, with the tenant 交易类型 the flow names', () => {
    expect(FORM_OF.purchase_return).toMatchObject({
      formId: 'purinrecord',
      base: '/yonbip/scm/purinrecord',
      lines: 'purInRecords',
      save: 'single/save',
      mdd: true,
    });
    expect(FORM_OF.purchase_return.defaultBustype).toBeUndefined();
  });

  it('maps every field, quantities negative by default, prices and quantities as their exact text', () => {
    const model = yonyouModel('purchase_return', returnEvent(), flowOf(), 'TH-PR-1');
    expect(model).toEqual({
      code: 'TH-PR-1',
      vouchdate: '2026-11-20',
      bustype: 'CGTH01',
      memo: '聚水潭 PR-1',
      out_sys_id: 'PR-1',
      out_sys_code: 'TH-PR-1',
      out_sys_type: 'jushuitan',
      _status: 'Insert',
      org: '100',
      purchaseOrg: '100',
      accountOrg: '100',
      inInvoiceOrg: '100',
      vendor: 'VEN001',
      invoiceVendor: 'VEN001',
      currency: 'CNY',
      natCurrency: 'CNY',
      purInRecords: [
        {
          _status: 'Insert',
          product: 'A1001-BLK',
          qty: '-1.5',
          stockUnit: 'Pcs',
          warehouse: 'CK001',
          batchno: '0',
          out_sys_rowno: 'L1',
          priceUOM: 'Pcs',
          oriTaxUnitPrice: '33.335',
          oriUnitPrice: '29.5',
          taxRate: '13',
        },
        {
          _status: 'Insert',
          product: 'G2001',
          qty: '-0.000001',
          stockUnit: 'Pcs',
          warehouse: 'CK002',
          memo: '破损退回',
          out_sys_rowno: 'L2',
          priceUOM: 'Pcs',
          oriTaxUnitPrice: '0.01',
          taxRate: '13',
        },
      ],
    });
  });

  it('returnQuantities: positive sends the quantities as they are; negative (explicit) as the default', () => {
    const quantities = (settings: Record<string, unknown>) =>
      (
        yonyouModel('purchase_return', returnEvent(), flowOf(settings), 'TH-PR-1').purInRecords as { qty: string }[]
      ).map((line) => line.qty);
    expect(quantities({ returnQuantities: 'positive' })).toEqual(['1.5', '0.000001']);
    expect(quantities({ returnQuantities: 'negative' })).toEqual(['-1.5', '-0.000001']);
  });

  it('a return line whose quantity is not positive is refused naming the line, whatever the sign option', () => {
    for (const qty of ['0', '-2']) {
      const event = canonical('purchase_return', 'PR-BAD', { lines: [{}, { qty }] });
      for (const returnQuantities of ['negative', 'positive'])
        expect(() => yonyouModel('purchase_return', event, flowOf({ returnQuantities }), 'TH-PR-BAD')).toThrow(
          expect.objectContaining({ field: 'lines[1].quantity', level: 1 }),
        );
    }
  });

  it('a purchase-return flow is refused at start-up without its 交易类型; the sign option belongs to it alone', () => {
    expect(() =>
      parseSinkConfig({
        yonyou: {},
        flows: [{ documentType: 'purchase_return', billNumberPattern: 'TH-{billNumber}' }],
      }),
    ).toThrow(/flows\.0\.bustype/);
    expect(() =>
      parseSinkConfig({ yonyou: {}, flows: [{ documentType: 'purchase_instock', returnQuantities: 'positive' }] }),
    ).toThrow(/flows\.0\.returnQuantities/);
  });

  it('with purchase_instock, the return needs codes of its own: both write 采购入库, one numbering', () => {
    const flows = [{ documentType: 'purchase_instock' }, { documentType: 'purchase_return', bustype: 'CGTH01' }];
    expect(() => parseSinkConfig({ yonyou: {}, flows })).toThrow(/flows\.1\.billNumberPattern/);
    const config = parseSinkConfig({
      yonyou: {},
      flows: [flows[0]!, { ...flows[1]!, billNumberPattern: 'TH-{billNumber}' }],
    });
    expect(config.flows.map((flow) => flow.billNumberPattern)).toEqual(['{billNumber}', 'TH-{billNumber}']);
  });
});
