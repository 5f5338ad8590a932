/**
 * The fee settlement's form map: canonical `fee_settlement` → a YonSuite 凭证 (`addVoucher`, top-level body keyed by
 * businessId): one debit per account / fee type / SKU (VAT on its own account), a refunded fee as a credit, the
 * platform's clearing account for the net; original amounts exact, org amounts at the event's rate to the cent with
 * debits = credits exactly; and the flow settings a voucher cannot do without, refused at start-up.
 */
import { canonical } from '@yecai/sink-kingdee/test/fixtures';
import { FlowConfigSchema, parseSinkConfig } from './config';
import { FORM_OF, yonyouModel } from './form-maps';

const flow = FlowConfigSchema.parse({
  documentType: 'fee_settlement',
  currencyCodes: { US$: 'USD' },
  accbook: 'A001',
  voucherType: '01',
  maker: '13800000000',
  clearingAccount: '1012.05',
});

const fee = (feeType: string, account: string, amount: string, sku: string | null = 'A1001-BLK') => ({
  feeType,
  account,
  expenseItem: null,
  amount,
  sku,
  material: sku,
  orderNumber: null,
});

/** Commission on two orders of one SKU (3.51 + 1.49), a refunded FBA fee, overseas VAT without a SKU. */
function settlement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...canonical('fee_settlement', 'SHF-24000000001'),
    currency: 'US$',
    fees: [
      fee('Order/Commission', '6601.01', '3.51'),
      fee('Order/Commission', '6601.01', '1.49'),
      fee('Refund/FBAFee', '6601.02', '-0.33'),
      fee('Order/MarketplaceVAT', '2221.08', '0.70', null),
    ],
    ...overrides,
  };
}

describe('fee_settlement → YonSuite 凭证', () => {
  it('posts to voucher/addVoucher with a top-level body, keyed by businessId, found by queryVouchers, never audited', () => {
    expect(FORM_OF.fee_settlement).toMatchObject({
      formId: 'voucher',
      base: '/yonbip/fi/ficloud/openapi/voucher',
      save: 'addVoucher',
      topLevelBody: true,
      keyField: 'businessId',
      listPath: 'queryVouchers',
      idField: 'voucherId',
      batchActions: false,
      insertOnly: true,
    });
  });

  it('header and rows field by field: per account / fee type / SKU, VAT apart, the clearing account for the net', () => {
    // At 7.1884: 5.00 → 35.94, 0.33 → 2.37 (credit), 0.70 → 5.03; net original 5.37, org 35.94 − 2.37 + 5.03 = 38.60.
    expect(yonyouModel('fee_settlement', settlement(), flow, 'SHF-24000000001')).toEqual({
      accbookCode: 'A001',
      voucherTypeCode: '01',
      period: '2026-11',
      makerMobile: '13800000000',
      makeTime: '2026-11-20 00:00:00',
      description: '平台结算 24000000001 费用 Amazon.com',
      businessId: 'SHF-24000000001',
      externalSourceDataId: '24000000001',
      externalSourceSystemName: 'yecai',
      bodies: [
        {
          description: 'Order/Commission A1001-BLK',
          accsubjectCode: '6601.01',
          debitOriginal: '5',
          debitOrg: '35.94',
          currencyCode: 'USD',
        },
        {
          description: 'Refund/FBAFee A1001-BLK',
          accsubjectCode: '6601.02',
          creditOriginal: '0.33',
          creditOrg: '2.37',
          currencyCode: 'USD',
        },
        {
          description: 'Order/MarketplaceVAT',
          accsubjectCode: '2221.08',
          debitOriginal: '0.7',
          debitOrg: '5.03',
          currencyCode: 'USD',
        },
        {
          description: '平台结算 24000000001',
          accsubjectCode: '1012.05',
          creditOriginal: '5.37',
          creditOrg: '38.60',
          currencyCode: 'USD',
        },
      ],
    });
  });

  it('a settlement that nets a refund beyond its fees debits the clearing account; an e-mail maker is makerEmail', () => {
    const model = yonyouModel(
      'fee_settlement',
      settlement({ exchangeRate: null, fees: [fee('Refund/Commission', '6601.01', '-2.50')] }),
      { ...flow, maker: 'ap@example.com' },
      'SHF-2',
    );
    expect([model.makerEmail, model.makerMobile]).toEqual(['ap@example.com', undefined]);
    expect(model.bodies).toEqual([
      expect.objectContaining({ accsubjectCode: '6601.01', creditOriginal: '2.5', creditOrg: '2.50' }),
      expect.objectContaining({ accsubjectCode: '1012.05', debitOriginal: '2.5', debitOrg: '2.50' }),
    ]);
  });

  it('refuses a settlement with no fees, fees netting to zero, or a fee without its account, naming the field', () => {
    expect(() => yonyouModel('fee_settlement', settlement({ fees: [] }), flow, 'X')).toThrow(
      expect.objectContaining({ field: 'fees', level: 1 }),
    );
    const zero = settlement({ fees: [fee('A', '6601.01', '1.00'), fee('A', '6601.01', '-1.00')] });
    expect(() => yonyouModel('fee_settlement', zero, flow, 'X')).toThrow(/费用合计为零/);
    const noAccount = settlement({ fees: [fee('A', '', '1.00')] });
    expect(() => yonyouModel('fee_settlement', noAccount, flow, 'X')).toThrow(
      expect.objectContaining({ field: 'fees[0].account' }),
    );
  });

  it('a fee_settlement flow without 账簿, 凭证类型, maker or clearing account fails at start-up naming each', () => {
    expect(() => parseSinkConfig({ yonyou: {}, flows: [{ documentType: 'fee_settlement' }] })).toThrow(
      /flows\.0\.accbook[\s\S]*flows\.0\.voucherType[\s\S]*flows\.0\.maker[\s\S]*flows\.0\.clearingAccount/,
    );
    expect(() =>
      parseSinkConfig({ yonyou: {}, flows: [{ documentType: 'sales_outstock', clearingAccount: '1012.05' }] }),
    ).toThrow(/flows\.0\.clearingAccount.*fee_settlement flows only/);
  });
});
