import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup, rawInput } from './test-fixtures';

/**
 * The 赛狐 finance rules on payloads in the emulator's record shapes (source-apis §5): shipped Amazon orders →
 * receivables in the order currency with the month rate; settlement detail rows → receipts naming the receivable
 * they settle, red receivables for refunds, and fee payables classified through the fee-type table.
 */
const MASTER_DATA = {
  shop: { 'saihu/8': { customerNumber: 'AMZ-US', deliveryOrg: '100', saleOrg: '200' } },
  sku: {
    'saihu/SKU-001-BLK': { materialNumber: 'M-001-BLK', unit: 'Pcs' },
    'saihu/SKU-008-WHT': { materialNumber: 'M-008-WHT', unit: 'Pcs' },
    'saihu/MSKU-001-BLK': { materialNumber: 'M-001-BLK', unit: 'Pcs' },
  },
  supplier: { 'saihu/platform/8': { kingdeeSupplierNumber: 'AMAZON-US' } },
  feeType: {
    'saihu/Order/Commission': { accountNumber: '6601.01', expenseItem: 'FY-COMM' },
    'saihu/Order/MarketplaceFacilitatorVAT-Principal': { accountNumber: '2221.08', expenseItem: 'FY-VAT' },
    'saihu/ServiceFee/Subscription': { accountNumber: '6601.05', expenseItem: 'FY-SUB' },
  },
  currency: { USD: { kingdeeCurrencyNumber: 'PRE007' } },
  currencyRate: { 'saihu/2026-11/USD': { rate: '7.1884' }, 'saihu/2026-12/USD': { rate: '7.2011' } },
};

const NOW = Date.parse('2026-12-20T00:00:00Z');
const engine = new MappingEngine(loadRules(), {
  lookup: memoryLookup(MASTER_DATA as unknown as Parameters<typeof memoryLookup>[0]),
  now: () => NOW,
});

function map(documentType: string, sourceId: string, payload: Record<string, unknown>): Promise<MappingOutcome[]> {
  return engine.map(
    rawInput(documentType, payload, {
      sourceSystem: 'saihu',
      sourceId: sourceId,
      sourceModifiedAt: NOW - 3_600_000,
      rawTopic: `yecai.raw.saihu.${documentType}`,
      rawOffset: 1,
    }),
  );
}

/** The one mapped event of `flow` (valid against its canonical schema), as plain JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the event is read field by field below
function mapped(outcomes: MappingOutcome[], flow: string): Record<string, any> {
  const outcome = outcomes.find((candidate) => candidate.flow === flow);
  if (outcome?.kind !== 'mapped') throw new Error(`expected ${flow} mapped, got ${JSON.stringify(outcomes)}`);
  expect(loadCanonicalSchema(outcome.targetDocumentType).type.isValid(outcome.value)).toBe(true);
  return JSON.parse(JSON.stringify(outcome.value));
}
const kinds = (outcomes: MappingOutcome[]) =>
  Object.fromEntries(outcomes.map((outcome) => [outcome.flow, outcome.kind]));

const order = (overrides: Record<string, unknown> = {}) => ({
  amazonOrderId: '112-1000004-0031676',
  shopId: '8',
  marketplaceId: 'ATVPDKIKX0DER',
  orderStatus: 'Shipped',
  fulfillmentChannel: 'AFN',
  orderTotalCurrency: 'USD',
  orderTotalAmount: '46.97',
  purchaseDate: '2026-11-03 09:12:00',
  lastUpdateDate: '2026-11-04 10:00:00',
  orderItemVoList: [
    {
      orderItemId: '40',
      commoditySku: 'SKU-001-BLK',
      quantityOrdered: '3',
      itemPriceAmount: '39.92',
      itemPriceCurrency: 'USD',
    },
    {
      orderItemId: '41',
      commoditySku: 'SKU-008-WHT',
      quantityOrdered: '1',
      itemPriceAmount: '7.05',
      itemPriceCurrency: 'USD',
    },
  ],
  ...overrides,
});

const row = (overrides: Record<string, unknown> = {}) => ({
  id: '1788000000512000077',
  settlementId: '12000000007',
  shopId: '8',
  marketplaceId: 'ATVPDKIKX0DER',
  orderId: '112-1000004-0031676',
  sellerSku: 'MSKU-001-BLK',
  currency: 'USD',
  transactionType: 'Order',
  amountType: 'ItemPrice',
  amount: '46.97',
  postedDateTimeStr: '2026-12-02 08:00:00',
  updateTimeStr: '2026-12-02 09:00:00',
  isDel: '0',
  ...overrides,
});

describe('赛狐亚马逊订单 → receivable (AR_receivable)', () => {
  it('a shipped USD order: receivable numbered by the order, customer = marketplace, USD with the November rate, one line per SKU', async () => {
    const event = mapped(await map('sales_order', '112-1000004-0031676', order()), 'saihu/sales_order');
    expect([event.billNumber, event.date, event.settleOrg, event.customer, event.platformOrderNumber]).toEqual([
      '112-1000004-0031676',
      '2026-11-03',
      '200',
      'AMZ-US',
      '112-1000004-0031676',
    ]);
    expect([event.currency, event.currencyNumber, event.exchangeRate, event.reversesBillNumber]).toEqual([
      'USD',
      'PRE007',
      '7.1884',
      null,
    ]);
    expect(
      event.lines.map((line: Record<string, unknown>) => [
        line.lineId,
        line.material,
        line.quantity,
        line.taxInclusivePrice,
        line.amount,
        line.taxRate,
      ]),
    ).toEqual([
      ['40', 'M-001-BLK', '3', '13.306667', '39.92', '0'],
      ['41', 'M-008-WHT', '1', '7.05', '7.05', '0'],
    ]);
  });

  it('parks an order of a month without a rate (never CNY), filters orders not shipped', async () => {
    const [parked] = await map('sales_order', 'x', order({ purchaseDate: '2026-10-31 23:59:00' }));
    expect(parked).toMatchObject({ kind: 'parked' });
    expect(JSON.stringify(parked)).toContain('月汇率');
    expect(kinds(await map('sales_order', 'x', order({ orderStatus: 'Canceled' })))).toEqual({
      'saihu/sales_order': 'filtered',
    });
  });
});

describe('赛狐结算明细 → red receivable', () => {
  it('an order payout row or a fee row is not a per-row flow any more (the settlement posts them): only the refund flow reads rows', async () => {
    expect(kinds(await map('settlement_detail', '1788000000512000077', row()))).toEqual({
      'saihu/settlement_refund': 'filtered',
    });
  });

  it('a partial refund row: a red receivable reversing only the refunded part (netted against the order by 红蓝对冲, no receipt)', async () => {
    const outcomes = await map(
      'settlement_detail',
      'r1',
      row({ id: 'r1', transactionType: 'Refund', amount: '-13.31' }),
    );
    expect(kinds(outcomes)).toEqual({ 'saihu/settlement_refund': 'mapped' });
    const red = mapped(outcomes, 'saihu/settlement_refund');
    expect(red.billNumber).toMatch(/^112-1000004-0031676-R-[0-9a-f]{8}$/);
    expect([red.reversesBillNumber, red.customer, red.exchangeRate]).toEqual([
      '112-1000004-0031676',
      'AMZ-US',
      '7.2011',
    ]);
    expect(
      red.lines.map((line: Record<string, unknown>) => [
        line.material,
        line.quantity,
        line.taxInclusivePrice,
        line.amount,
      ]),
    ).toEqual([['M-001-BLK', '-1', '13.31', '-13.31']]);
  });

  it('a soft-deleted refund row (isDel 1) is filtered', async () => {
    expect(
      kinds(
        await map('settlement_detail', 'd1', row({ id: 'd1', isDel: '1', transactionType: 'Refund', amount: '-1.00' })),
      ),
    ).toEqual({ 'saihu/settlement_refund': 'filtered' });
  });
});

/** A paid-out settlement as the source publishes it: the summary with all its (non-deleted) detail rows. */
const settlement = (rows: Record<string, unknown>[], overrides: Record<string, unknown> = {}) => ({
  settlementId: '12000000007',
  shopId: '8',
  marketplaceId: 'ATVPDKIKX0DER',
  currency: 'USD',
  settlementStartTime: '2026-11-18 00:00:00',
  settlementEndTime: '2026-12-02 00:00:00',
  transferTime: '2026-12-04 10:00:00',
  totalAmount: '60.00',
  updateTimeStr: '2026-12-04 10:00:00',
  rows: rows.map((overrides, index) => row({ id: `17880000005120001${String(index).padStart(2, '0')}`, ...overrides })),
  ...overrides,
});
const ORDER_B = '113-2000001-0000002';

describe('赛狐结算 (one payout) → one receipt writing off every order + one fee payable with shop fees allocated by sales', () => {
  const payout = settlement([
    { amount: '30.00' },
    { orderId: ORDER_B, sellerSku: 'MSKU-002-RED', amount: '10.00' },
    { orderId: ORDER_B, sellerSku: 'MSKU-002-RED', amount: '5.00' },
    { amountType: 'Commission', amount: '-4.50' },
    { amountType: 'MarketplaceFacilitatorVAT-Principal', amount: '-2.10' },
    { transactionType: 'ServiceFee', amountType: 'Subscription', orderId: '', sellerSku: '', amount: '-39.99' },
    { transactionType: 'Refund', amount: '-3.00' },
  ]);

  it('one receipt SK-<settlement> at the payout month rate; a write-off per order with the sum of its rows; refunds and fees not in it', async () => {
    const receipt = mapped(await map('settlement', '12000000007', payout), 'saihu/settlement_receipt');
    expect([
      receipt.billNumber,
      receipt.contact,
      receipt.currencyNumber,
      receipt.exchangeRate,
      receipt.amount,
      receipt.date,
    ]).toEqual(['SK-12000000007', 'AMZ-US', 'PRE007', '7.2011', '45', '2026-12-04']);
    expect(receipt.writeOffs).toEqual([
      { receivableBillNumber: '112-1000004-0031676', orderNumber: '112-1000004-0031676', amount: '30' },
      { receivableBillNumber: ORDER_B, orderNumber: ORDER_B, amount: '15' },
    ]);
  });

  it('one fee payable: SKU fees direct, the subscription split 30:15 over the SKUs (parts sum exactly), VAT on its own line never allocated', async () => {
    const fee = mapped(await map('settlement', '12000000007', payout), 'saihu/settlement_fee');
    expect([fee.billNumber, fee.supplier, fee.exchangeRate, fee.date]).toEqual([
      'SHF-12000000007',
      'AMAZON-US',
      '7.2011',
      '2026-12-02',
    ]);
    expect(
      fee.fees.map((line: Record<string, unknown>) => [
        line.feeType,
        line.sku,
        line.amount,
        line.allocation,
        line.allocationWeight,
      ]),
    ).toEqual([
      ['Order/Commission', 'MSKU-001-BLK', '4.5', 'direct', null],
      ['ServiceFee/Subscription', 'MSKU-001-BLK', '26.66', 'sales_amount', '30'],
      ['ServiceFee/Subscription', 'MSKU-002-RED', '13.33', 'sales_amount', '15'],
      ['Order/MarketplaceFacilitatorVAT-Principal', 'MSKU-001-BLK', '2.1', 'direct', null],
    ]);
  });

  it('waits for the payout (no transferTime): nothing posted; a settlement of fees only has no receipt and keeps its shop fee whole', async () => {
    expect(kinds(await map('settlement', 's1', settlement([{ amount: '1.00' }], { transferTime: '' })))).toEqual({
      'saihu/settlement_receipt': 'filtered',
      'saihu/settlement_fee': 'filtered',
    });
    const outcomes = await map(
      'settlement',
      's2',
      settlement([{ amountType: 'Commission', sellerSku: '', orderId: '', amount: '-1.00' }]),
    );
    expect(kinds(outcomes)).toEqual({ 'saihu/settlement_receipt': 'filtered', 'saihu/settlement_fee': 'mapped' });
    expect(
      mapped(outcomes, 'saihu/settlement_fee').fees.map((line: Record<string, unknown>) => [line.sku, line.allocation]),
    ).toEqual([[null, 'unallocated']]);
  });

  it('an unconfigured fee type parks the whole settlement naming the type (never guessed)', async () => {
    const outcomes = await map(
      'settlement',
      's3',
      settlement([{ amount: '5.00' }, { transactionType: 'Adjustment', amountType: 'Mystery', amount: '-1.00' }]),
    );
    const fee = outcomes.find((outcome) => outcome.flow === 'saihu/settlement_fee');
    expect(fee).toMatchObject({ kind: 'parked' });
    expect(JSON.stringify(fee)).toContain('Adjustment/Mystery');
  });
});
