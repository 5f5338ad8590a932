/**
 * The receipt's form map: canonical `receipt` (a payout writing off receivables) → EFI 收款单 (`collection/save`),
 * field by field, exact decimals, one row per written-off receivable naming it by its extVouchCode (linked to its id
 * by the adapter before the save); and the flow settings a receipt cannot do without, refused at start-up.
 */
import { canonical } from '@yecai/sink-kingdee/test/fixtures';
import { FlowConfigSchema, parseSinkConfig } from './config';
import { FORM_OF, yonyouModel } from './form-maps';
import { RECEIVABLE_KEY, RECEIVABLE_SRC_BILL_TYPE } from './receipt-map';

const flow = FlowConfigSchema.parse({
  documentType: 'receipt',
  bustype: 'ar_colsale',
  currencyCodes: { US$: 'USD' },
  settleMode: 'system_0001',
  enterpriseBankAccount: '6222000000000001',
});

/** A payout settling two receivables and a refund (red receivable): 39.98 + 0.10 − 19.99 = 20.09, exactly. */
function payout(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...canonical('receipt', 'SK-24000000001', {
      lines: [
        { material: 'AR-113-1', price: '39.98' },
        { material: 'AR-113-2', price: '0.1' },
        { material: 'AR-113-1-R', price: '-19.99' },
      ],
    }),
    currency: 'US$',
    ...overrides,
  };
}

describe('receipt → EFI 收款单', () => {
  it('posts to EFI collection/save (MDD), keyed by extVouchCode, audited (written off) at the EFI audit path, Insert only', () => {
    expect(FORM_OF.receipt).toMatchObject({
      formId: 'collection',
      base: '/yonbip/EFI/collection',
      save: 'save',
      lines: 'bodyItem',
      mdd: true,
      keyField: 'extVouchCode',
      statusPaths: { audit: 'audit', unaudit: 'unaudit' },
      insertOnly: true,
      linksReceivables: true,
    });
  });

  it('header and rows field by field: marketplace customer, currency code and rate of the event, settle mode and bank account of the flow', () => {
    const event = payout();
    (event.writeOffs as Record<string, unknown>[])[0]!.orderNumber = '113-1';
    expect(yonyouModel('receipt', event, flow, 'SK-24000000001')).toEqual({
      extSystemCode: 'yecai',
      extVouchCode: 'SK-24000000001',
      billDate: '2026-11-20 00:00:00',
      financeOrgCode: '100',
      orgCode: '100',
      bustypeCode: 'ar_colsale',
      objectType: '1',
      customerCode: 'TM-YS01',
      oriCurrencyCode: 'USD',
      exchangeRate: '7.2011',
      exchangeRateDate: '2026-11-20 00:00:00',
      settleModeCode: 'system_0001',
      enterpriseBankAccountNo: '6222000000000001',
      remarks: '聚水潭 SK-24000000001',
      oriTaxIncludedAmount: '20.09',
      _status: 'Insert',
      bodyItem: [
        {
          _status: 'Insert',
          [RECEIVABLE_KEY]: 'AR-113-1',
          srcBillType: RECEIVABLE_SRC_BILL_TYPE,
          oriTaxIncludedAmount: '39.98',
          orderNo: '113-1',
        },
        { _status: 'Insert', [RECEIVABLE_KEY]: 'AR-113-2', srcBillType: '4', oriTaxIncludedAmount: '0.10' },
        { _status: 'Insert', [RECEIVABLE_KEY]: 'AR-113-1-R', srcBillType: '4', oriTaxIncludedAmount: '-19.99' },
      ],
    });
  });

  it('refuses a receipt it cannot write off, naming the field', () => {
    expect(() => yonyouModel('receipt', payout({ writeOffs: [] }), flow, 'X')).toThrow(
      expect.objectContaining({ field: 'writeOffs', level: 1 }),
    );
    expect(() => yonyouModel('receipt', payout({ contactType: 'SUPPLIER' }), flow, 'X')).toThrow(
      /contactType: 用友收款单只对客户核销应收单/,
    );
    const fine = payout();
    (fine.writeOffs as Record<string, unknown>[])[1]!.amount = '0.105';
    expect(() => yonyouModel('receipt', fine, flow, 'X')).toThrow(
      expect.objectContaining({
        field: 'writeOffs[1].amount',
        message: expect.stringMatching(/最多两位小数（0.105）/),
      }),
    );
    const unnamed = payout();
    (unnamed.writeOffs as Record<string, unknown>[])[2]!.receivableBillNumber = '';
    expect(() => yonyouModel('receipt', unnamed, flow, 'X')).toThrow(
      expect.objectContaining({ field: 'writeOffs[2].receivableBillNumber' }),
    );
  });

  it('a receipt flow without settle mode or bank account, or one the receivables cannot be found from, fails at start-up naming it', () => {
    const receipt = { documentType: 'receipt', bustype: 'ar_colsale' };
    expect(() => parseSinkConfig({ yonyou: {}, flows: [receipt] })).toThrow(
      /flows\.0\.settleMode.*结算方式[\s\S]*flows\.0\.enterpriseBankAccount.*企业银行账号/,
    );
    expect(() =>
      parseSinkConfig({ yonyou: {}, flows: [{ documentType: 'sales_outstock', settleMode: 'system_0001' }] }),
    ).toThrow(/flows\.0\.settleMode.*receipt flows only/);
    const complete = { ...receipt, settleMode: 'system_0001', enterpriseBankAccount: '6222000000000001' };
    expect(() =>
      parseSinkConfig({
        yonyou: {},
        flows: [{ documentType: 'receivable', bustype: 'ar_colsale', billNumberPattern: 'AR-{billNumber}' }, complete],
      }),
    ).toThrow(/flows\.1\.documentType.*"AR-\{billNumber\}"/);
    expect(
      parseSinkConfig({ yonyou: {}, flows: [{ documentType: 'receivable', bustype: 'ar_colsale' }, complete] }).flows,
    ).toHaveLength(2);
  });
});
