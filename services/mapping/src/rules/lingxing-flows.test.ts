import { createHash } from 'node:crypto';
import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup } from './test-fixtures';

/**
 * The 领星 rules beyond the WMS out-stock, on payloads in the shapes of source-apis §4 (and the emulator): Amazon and
 * multi-platform orders with the month rate of their currency, refunds after shipment, FBA first-leg shipments with
 * the freight allocated to lines exactly, settlement fee rows, and the stock documents.
 */
const MASTER_DATA = {
  warehouse: {
    'lingxing/1': { kingdeeStockNumber: 'CK-SZ01', stockOrg: '100' },
    'lingxing/2': { kingdeeStockNumber: 'CK-DG02', stockOrg: '100' },
    'lingxing/11': { kingdeeStockNumber: 'CK-US11', stockOrg: '300' },
    'lingxing/1101': { kingdeeStockNumber: 'FBA-US', stockOrg: '100' },
    'lingxing/fba-101': { kingdeeStockNumber: 'FBA-US', stockOrg: '100' },
    'lingxing/return': { kingdeeStockNumber: 'CK-DG02', stockOrg: '100' },
    'lingxing/purchase-return': { kingdeeStockNumber: 'CK-SZ01', stockOrg: '100' },
  },
  shop: {
    'lingxing/101': { customerNumber: 'AMZ-US', deliveryOrg: '100', saleOrg: '200' },
    'lingxing/7001': { customerNumber: 'SHOPIFY-01', deliveryOrg: '100' },
  },
  sku: {
    'lingxing/SKU-001-BK': { materialNumber: 'M-001-BK', unit: 'Pcs' },
    'lingxing/SKU-002-WH': { materialNumber: 'M-002-WH', unit: 'Pcs' },
    'lingxing/SKU-003-RD': { materialNumber: 'M-003-RD', unit: 'Pcs' },
  },
  supplier: {
    'lingxing/305': { kingdeeSupplierNumber: 'VEN-305' },
    'lingxing/platform/101': { kingdeeSupplierNumber: 'AMAZON-US' },
  },
  feeType: {
    'lingxing/Shipment/Commission': { accountNumber: '6601.01', expenseItem: 'FY-COMM' },
    'lingxing/ServiceFeeEventList/FBAStorageFee': { accountNumber: '6601.03', expenseItem: 'FY-STORAGE' },
  },
  currency: {
    USD: { kingdeeCurrencyNumber: 'PRE007' },
    CNY: { kingdeeCurrencyNumber: 'PRE001' },
    JPY: { kingdeeCurrencyNumber: 'PRE004', amountDigits: 0 },
  },
  currencyRate: {
    'lingxing/2026-11/USD': { rate: '7.1884' },
    'lingxing/2026-11/CNY': { rate: '1.0000' },
    'lingxing/2026-11/JPY': { rate: '0.0483' },
  },
};

const NOW = Date.parse('2026-12-01T00:00:00Z');
const engine = () =>
  new MappingEngine(loadRules(), {
    lookup: memoryLookup(MASTER_DATA as unknown as Parameters<typeof memoryLookup>[0]),
    now: () => NOW,
  });

async function map(
  documentType: string,
  sourceId: string,
  payload: Record<string, unknown>,
): Promise<MappingOutcome[]> {
  const text = JSON.stringify(payload);
  return engine().map({
    sourceSystem: 'lingxing',
    account: 'main',
    documentType,
    sourceId,
    sourceModifiedAt: NOW - 3_600_000,
    contentHash: createHash('sha256').update(text).digest('hex'),
    payload: text,
    rawTopic: `yecai.raw.lingxing.${documentType}`,
    rawPartition: 0,
    rawOffset: 1,
  });
}

type Line = Record<string, unknown>;

/** The one mapped event of `flow` (valid against its canonical schema), as plain JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the event is read field by field below
function mapped(outcomes: MappingOutcome[], flow: string): Record<string, any> {
  const outcome = outcomes.find((candidate) => candidate.flow === flow);
  if (outcome?.kind !== 'mapped') throw new Error(`expected ${flow} mapped, got ${JSON.stringify(outcomes)}`);
  expect(loadCanonicalSchema(outcome.targetDocumentType).type.isValid(outcome.value)).toBe(true);
  return JSON.parse(JSON.stringify(outcome.value));
}

const sum = (parts: string[]) => parts.reduce((acc, part) => acc + Math.round(Number(part) * 100), 0);

function amazonOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sid: 101,
    amazon_order_id: '113-1000007-0055433',
    sales_channel: 'Amazon.com',
    order_status: 'Shipped',
    fulfillment_channel: 'AFN',
    is_return: 0,
    order_total_amount: '46.97',
    order_total_currency_code: 'USD',
    refund_amount: '0.00',
    purchase_date_local: '2026-11-03 09:12:00',
    gmt_modified: '2026-11-03 10:00:00',
    item_list: [
      { local_sku: 'SKU-001-BK', quantity_ordered: 3, item_price_amount: '39.92' },
      { local_sku: 'SKU-002-WH', quantity_ordered: 1, item_price_amount: '7.05' },
    ],
    ...overrides,
  };
}

describe('领星亚马逊订单 → sales_order (SAL_SaleOrder)', () => {
  it('a USD order carries USD, Kingdee PRE007 and the November rate 7.1884; prices are exact decimals; customer = the marketplace', async () => {
    const event = mapped(await map('sales_order', '113-1000007-0055433', amazonOrder()), 'lingxing/sales_order');
    expect([event.billNumber, event.date, event.saleOrg, event.customer, event.marketplace, event.status]).toEqual([
      '113-1000007-0055433',
      '2026-11-03',
      '200',
      'AMZ-US',
      'Amazon.com',
      'SHIPPED',
    ]);
    expect([event.currency, event.currencyNumber, event.exchangeRate]).toEqual(['USD', 'PRE007', '7.1884']);
    // 39.92 / 3 = 13.306666… → 13.306667 (6 places, half up); the line total stays the API's text.
    expect(event.lines.map((l: Line) => [l.material, l.quantity, l.taxInclusivePrice, l.amount])).toEqual([
      ['M-001-BK', '3', '13.306667', '39.92'],
      ['M-002-WH', '1', '7.05', '7.05'],
    ]);
  });

  it('parks an order whose month has no rate (never a silent CNY), and filters orders not shipped', async () => {
    const [parked] = await map('sales_order', 'x', amazonOrder({ purchase_date_local: '2026-10-31 23:59:00' }));
    expect(parked).toMatchObject({ kind: 'parked' });
    expect(JSON.stringify(parked)).toContain('月汇率');
    for (const order_status of ['Pending', 'Unshipped'])
      expect(await map('sales_order', 'x', amazonOrder({ order_status }))).toEqual([
        expect.objectContaining({ kind: 'filtered' }),
        expect.objectContaining({ kind: 'filtered' }),
      ]);
  });
});

describe('领星亚马逊订单发货后退款 → sales_return', () => {
  it('a full refund after shipment becomes a return into the shop’s FBA warehouse with the order’s lines, currency and rate', async () => {
    const outcomes = await map(
      'sales_order',
      '113-1000007-0055433',
      amazonOrder({ is_return: 1, refund_amount: '46.97', gmt_modified: '2026-11-20 08:00:00' }),
    );
    expect(mapped(outcomes, 'lingxing/sales_order').billNumber).toBe('113-1000007-0055433');
    const ret = mapped(outcomes, 'lingxing/sales_order_refund');
    expect([
      ret.billNumber,
      ret.date,
      ret.customer,
      ret.stockOrg,
      ret.currency,
      ret.exchangeRate,
      ret.onlineOrderNumber,
    ]).toEqual(['113-1000007-0055433-R', '2026-11-20', 'AMZ-US', '100', 'USD', '7.1884', '113-1000007-0055433']);
    expect(ret.lines.map((l: Line) => [l.material, l.quantity, l.taxInclusivePrice, l.warehouse])).toEqual([
      ['M-001-BK', '3', '13.306667', 'FBA-US'],
      ['M-002-WH', '1', '7.05', 'FBA-US'],
    ]);
  });

  it('a partial refund parks naming 退货数量 (the order list carries no refund lines); no refund → nothing', async () => {
    const outcomes = await map('sales_order', 'x', amazonOrder({ is_return: 1, refund_amount: '7.05' }));
    const refund = outcomes.find((outcome) => outcome.flow === 'lingxing/sales_order_refund');
    expect(refund).toMatchObject({ kind: 'parked' });
    expect(JSON.stringify(refund)).toContain('退货数量');
    expect(
      (await map('sales_order', 'x', amazonOrder())).find((outcome) => outcome.flow === 'lingxing/sales_order_refund'),
    ).toMatchObject({ kind: 'filtered' });
  });
});

describe('领星多平台订单 / 退货', () => {
  it('mp order: Beijing date from unix seconds, line amount = price × quantity exactly, month rate', async () => {
    const event = mapped(
      await map('mp_sales_order', 'MP00000001', {
        global_order_no: 'MP00000001',
        platform_code: '10011',
        store_id: '7001',
        status: 6,
        order_currency: 'USD',
        order_amount: '61.14',
        global_purchase_time: Math.floor(Date.parse('2026-11-29T16:30:00Z') / 1000), // 11-30 00:30 in Beijing
        update_time: '2026-12-01 02:00:00',
        item_info: [{ id: 11, local_sku: 'SKU-003-RD', quantity: 3, unit_price: '20.38' }],
      }),
      'lingxing/mp_sales_order',
    );
    expect([event.date, event.customer, event.saleOrg, event.currency, event.exchangeRate]).toEqual([
      '2026-11-30',
      'SHOPIFY-01',
      '100',
      'USD',
      '7.1884',
    ]);
    expect(event.lines.map((l: Line) => [l.lineId, l.quantity, l.taxInclusivePrice, l.amount])).toEqual([
      ['11', '3', '20.38', '61.14'],
    ]);
  });

  it('mp return: completed returns into the default return warehouse, unit price = refund ÷ quantity; others filtered', async () => {
    const payload = {
      return_sn: 'RT00000009',
      platform_code: '10011',
      store_id: 7001,
      status: '已完成',
      currency: 'USD',
      refund_amount: '40.76',
      update_time: '2026-11-21 10:00:00',
      items: [{ sku: 'SKU-003-RD', quantity: 2, refund_amount: '40.76' }],
    };
    const event = mapped(await map('sales_return', 'RT00000009', payload), 'lingxing/sales_return');
    expect([event.billNumber, event.date, event.customer, event.stockOrg, event.exchangeRate]).toEqual([
      'RT00000009',
      '2026-11-21',
      'SHOPIFY-01',
      '100',
      '7.1884',
    ]);
    expect(event.lines.map((l: Line) => [l.material, l.quantity, l.taxInclusivePrice, l.warehouse])).toEqual([
      ['M-003-RD', '2', '20.38', 'CK-DG02'],
    ]);
    expect(await map('sales_return', 'x', { ...payload, status: '待收货' })).toEqual([
      expect.objectContaining({ kind: 'filtered' }),
    ]);
  });
});

describe('领星 FBA 发货单（头程）→ first_leg_shipment (STK_TransferDirect)', () => {
  const shipment = (overrides: Record<string, unknown> = {}) => ({
    shipment_sn: 'SP00000003',
    status: 2,
    sid: 101,
    wid: 1,
    to_wid: 1101,
    shipment_id: 'FBA017000003',
    logistics_fee: '100.00',
    logistics_fee_currency: 'CNY',
    create_time: '2026-11-02 09:00:00',
    update_time: '2026-11-02 18:00:00',
    relate_list: [
      { sku: 'SKU-001-BK', quantity_shipped: 1, purchase_order_sn: 'PO00000003' },
      { sku: 'SKU-002-WH', quantity_shipped: 1, purchase_order_sn: 'PO00000003' },
      { sku: 'SKU-003-RD', quantity_shipped: 1, purchase_order_sn: 'PO00000004' },
    ],
    ...overrides,
  });

  it('moves the goods into the FBA warehouse; the freight is allocated by quantity and the parts sum exactly to it', async () => {
    const event = mapped(await map('first_leg_shipment', 'SP00000003', shipment()), 'lingxing/first_leg_shipment');
    expect([
      event.billNumber,
      event.date,
      event.stockOrg,
      event.destStockOrg,
      event.sourceWarehouse,
      event.destWarehouse,
    ]).toEqual(['SP00000003', '2026-11-02', '100', '100', 'CK-SZ01', 'FBA-US']);
    expect([
      event.currency,
      event.currencyNumber,
      event.exchangeRate,
      event.purchaseOrderNumbers,
      event.trackingNumbers,
      event.fees,
    ]).toEqual(['CNY', 'PRE001', '1', ['PO00000003', 'PO00000004'], ['FBA017000003'], []]);
    // 100.00 over 1:1:1 — 33.34 + 33.33 + 33.33, not 3 × 33.33 = 99.99.
    expect(event.lines.map((l: Line) => [l.material, l.quantity, l.firstLegCost, l.note])).toEqual([
      ['M-001-BK', '1', '33.34', '采购单 PO00000003'],
      ['M-002-WH', '1', '33.33', '采购单 PO00000003'],
      ['M-003-RD', '1', '33.33', '采购单 PO00000004'],
    ]);
  });

  it('allocates by quantity with no rounding leak for any freight; not yet shipped is filtered', async () => {
    for (const fee of ['0.01', '7.77', '1234.57', '99999.99']) {
      const lines = [
        { sku: 'SKU-001-BK', quantity_shipped: 7, purchase_order_sn: 'PO1' },
        { sku: 'SKU-002-WH', quantity_shipped: 3, purchase_order_sn: 'PO1' },
        { sku: 'SKU-003-RD', quantity_shipped: 11, purchase_order_sn: 'PO2' },
      ];
      const event = mapped(
        await map('first_leg_shipment', 'SP1', shipment({ logistics_fee: fee, relate_list: lines })),
        'lingxing/first_leg_shipment',
      );
      expect(sum(event.lines.map((l: Line) => l.firstLegCost))).toBe(Math.round(Number(fee) * 100));
    }
    expect(await map('first_leg_shipment', 'SP1', shipment({ status: 1 }))).toEqual([
      expect.objectContaining({ kind: 'filtered' }),
    ]);
  });
});

describe('领星结算 → fee_settlement (AP_Payable), fees allocated to SKU', () => {
  const row = (overrides: Record<string, unknown> = {}) => ({
    sid: 101,
    settlementId: '24000000000',
    amazonOrderId: '113-1000007-0055433',
    sellerSku: 'MSKU-001-BK',
    localSku: 'SKU-001-BK',
    eventType: 'Shipment',
    type: 'Commission',
    postedDateLocale: '2026-11-05 12:00:00',
    currencyCode: 'USD',
    currencyAmount: '-5.99',
    gmtModified: '2026-11-06 08:00:00',
    ...overrides,
  });
  const shopFee = (type: string, currencyAmount: string) =>
    row({ eventType: 'ServiceFeeEventList', type, amazonOrderId: '', sellerSku: '', localSku: '', currencyAmount });
  const principal = (localSku: string, currencyAmount: string) => row({ type: 'Principal', localSku, currencyAmount });
  const settlement = (rows: Record<string, unknown>[], overrides: Record<string, unknown> = {}) => ({
    settlementId: '24000000000',
    sid: 101,
    currencyCode: 'USD',
    processingStatus: 'Closed',
    financialEventGroupStart: '2026-11-01 00:00:00',
    financialEventGroupEnd: '2026-11-14 23:59:59',
    originalTotalCurrencyAmount: '0',
    gmtModified: '2026-11-15 08:00:00',
    rows,
    ...overrides,
  });
  const cents = (fees: Line[], type: string) =>
    sum(fees.filter((fee) => fee.feeType === type).map((fee) => String(fee.amount)));

  it("one payable per closed settlement; SKU fees direct; a shop-level fee allocated by the SKUs' sales, summing exactly", async () => {
    const event = mapped(
      await map(
        'settlement',
        '24000000000',
        settlement([
          principal('SKU-001-BK', '10.00'),
          principal('SKU-001-BK', '29.92'),
          principal('SKU-002-WH', '20.00'),
          principal('SKU-003-RD', '-5.00'), // a refunded principal: no positive sales, no share of shop fees
          row(),
          shopFee('FBAStorageFee', '-100.01'),
          shopFee('FBAStorageFee', '-0.03'),
        ]),
      ),
      'lingxing/settlement',
    );
    expect([
      event.billNumber,
      event.date,
      event.settleOrg,
      event.supplier,
      event.currencyNumber,
      event.exchangeRate,
    ]).toEqual(['LXS-24000000000', '2026-11-14', '200', 'AMAZON-US', 'PRE007', '7.1884']);
    expect(event.fees).toEqual([
      {
        feeType: 'Shipment/Commission',
        account: '6601.01',
        expenseItem: 'FY-COMM',
        amount: '5.99',
        sku: 'SKU-001-BK',
        material: 'M-001-BK',
        orderNumber: '113-1000007-0055433',
        allocation: 'direct',
        allocationWeight: null,
      },
      // 100.01 × 39.92 / 59.92 = 66.626… and × 20 / 59.92 = 33.380…: largest remainder gives 66.63 + 33.38.
      expect.objectContaining({
        feeType: 'ServiceFeeEventList/FBAStorageFee',
        amount: '66.63',
        sku: 'SKU-001-BK',
        material: 'M-001-BK',
        allocation: 'sales_amount',
        allocationWeight: '39.92',
        orderNumber: null,
      }),
      expect.objectContaining({
        feeType: 'ServiceFeeEventList/FBAStorageFee',
        amount: '33.38',
        sku: 'SKU-002-WH',
        material: 'M-002-WH',
        allocation: 'sales_amount',
        allocationWeight: '20',
      }),
      // 0.03 by the same weights: 0.01998… → 0.02 and 0.01001… → 0.01.
      expect.objectContaining({ feeType: 'ServiceFeeEventList/FBAStorageFee', amount: '0.02', sku: 'SKU-001-BK' }),
      expect.objectContaining({ feeType: 'ServiceFeeEventList/FBAStorageFee', amount: '0.01', sku: 'SKU-002-WH' }),
    ]);
    expect(cents(event.fees, 'ServiceFeeEventList/FBAStorageFee')).toBe(10_004);
  });

  it("allocates in whole yen for JPY (the currency's amount digits), the parts summing to the fee", async () => {
    const event = mapped(
      await map(
        'settlement',
        '24000000001',
        settlement(
          [
            principal('SKU-001-BK', '1000'),
            principal('SKU-002-WH', '2000'),
            principal('SKU-003-RD', '4000'),
            shopFee('FBAStorageFee', '-1000'),
          ].map((r) => ({ ...r, currencyCode: 'JPY' })),
          { settlementId: '24000000001', currencyCode: 'JPY' },
        ),
      ),
      'lingxing/settlement',
    );
    const parts = event.fees.map((fee: Line) => String(fee.amount));
    expect(parts).toEqual(['143', '286', '571']);
    expect(parts.every((part: string) => /^\d+$/.test(part))).toBe(true);
  });

  it('a settlement without sales keeps its shop fees unallocated; an open settlement waits; an unknown fee type parks', async () => {
    const noSales = mapped(
      await map('settlement', 'k', settlement([shopFee('FBAStorageFee', '-120.40')])),
      'lingxing/settlement',
    );
    expect(noSales.fees).toEqual([
      expect.objectContaining({
        amount: '120.4',
        sku: null,
        material: null,
        allocation: 'unallocated',
        allocationWeight: null,
      }),
    ]);
    expect(await map('settlement', 'k', settlement([row()], { processingStatus: 'Open' }))).toEqual([
      expect.objectContaining({ kind: 'filtered' }),
    ]);
    const [unknown] = await map('settlement', 'k', settlement([row({ type: 'ShippingChargeback' })]));
    expect(unknown).toMatchObject({ kind: 'parked' });
    expect(JSON.stringify(unknown)).toContain('Shipment/ShippingChargeback');
  });
});

describe('领星库存单据', () => {
  const items = [
    {
      sku: 'SKU-001-BK',
      product_total: 4,
      product_good_num: 4,
      product_bad_num: 0,
      price: '31.96',
      single_stock_cost: '23.97',
      good_num: 4,
      bad_num: 0,
      return_good_num: 4,
    },
    {
      sku: 'SKU-002-WH',
      product_total: 0,
      product_good_num: 0,
      product_bad_num: 0,
      price: '28.20',
      single_stock_cost: '21.15',
      good_num: 0,
      bad_num: 0,
      return_good_num: 0,
    },
  ];
  const stockDoc = (overrides: Record<string, unknown> = {}) => ({
    order_sn: 'RK-PI00000001',
    status: 40,
    wid: 1,
    supplier_id: 305,
    currency: 'CNY',
    purchase_currency: 'CNY',
    create_time: '2026-11-01 08:00:00',
    opt_time: '2026-11-01 10:00:00',
    increment_time: '2026-11-01 10:00:00',
    last_time: '2026-11-01 10:00:00',
    purchase_order_sn: 'PO00000001',
    remark: '',
    item_list: items,
    ...overrides,
  });

  it('purchase in-stock: supplier, CNY at rate 1, purchase price, zero lines dropped; unfinished filtered', async () => {
    const event = mapped(await map('purchase_instock', 'RK-PI00000001', stockDoc()), 'lingxing/purchase_instock');
    expect([
      event.date,
      event.stockOrg,
      event.supplier,
      event.currency,
      event.currencyNumber,
      event.exchangeRate,
      event.purchaseOrderNumber,
    ]).toEqual(['2026-11-01', '100', 'VEN-305', 'CNY', 'PRE001', '1', 'PO00000001']);
    expect(event.lines.map((l: Line) => [l.material, l.quantity, l.taxInclusivePrice, l.warehouse])).toEqual([
      ['M-001-BK', '4', '31.96', 'CK-SZ01'],
    ]);
    expect(await map('purchase_instock', 'x', stockDoc({ status: 20 }))).toEqual([
      expect.objectContaining({ kind: 'filtered' }),
    ]);
  });

  it('other in-stock (cost price) and other out-stock (department), from the warehouse’s org', async () => {
    const inbound = mapped(
      await map('other_instock', 'RK-OI1', stockDoc({ order_sn: 'RK-OI1' })),
      'lingxing/other_instock',
    );
    expect([
      inbound.stockOrg,
      inbound.owner,
      inbound.stockDirection,
      inbound.lines.map((l: Line) => [l.material, l.quantity, l.price]),
    ]).toEqual(['100', '100', 'GENERAL', [['M-001-BK', '4', '23.97']]]);
    const outbound = mapped(
      await map('other_outstock', 'CK-OO1', stockDoc({ order_sn: 'CK-OO1', wid: 11 })),
      'lingxing/other_outstock',
    );
    expect([
      outbound.stockOrg,
      outbound.department,
      outbound.lines.map((l: Line) => [l.material, l.quantity, l.warehouse]),
    ]).toEqual(['300', 'BM000001', [['M-001-BK', '4', 'CK-US11']]]);
  });

  it('transfer: cross-org when the warehouses’ orgs differ; purchase return from the configured warehouse; stock-take splits gain and loss', async () => {
    const transfer = mapped(
      await map(
        'transfer',
        'DB1',
        stockDoc({ order_sn: 'DB1', wid: 1, to_wid: 11, outbound_order_sn: 'CK-DB1', inbound_order_sn: 'RK-DB1' }),
      ),
      'lingxing/transfer',
    );
    expect([
      transfer.outStockOrg,
      transfer.inStockOrg,
      transfer.crossOrg,
      transfer.lines.map((l: Line) => [l.quantity, l.sourceWarehouse, l.destWarehouse]),
    ]).toEqual(['100', '300', true, [['4', 'CK-SZ01', 'CK-US11']]]);
    const ret = mapped(await map('purchase_return', 'PR1', stockDoc({ order_sn: 'PR1' })), 'lingxing/purchase_return');
    expect([
      ret.supplier,
      ret.stockOrg,
      ret.exchangeRate,
      ret.lines.map((l: Line) => [l.quantity, l.taxInclusivePrice, l.warehouse]),
    ]).toEqual(['VEN-305', '100', '1', [['4', '31.96', 'CK-SZ01']]]);
    const count = mapped(
      await map('stock_count', 'PD1', {
        order_sn: 'PD1',
        wid: 1,
        status: 3,
        check_type: 1,
        check_time: '2026-11-30 18:00:00',
        update_time: '2026-11-30 18:00:00',
        item_list: [
          { sku: 'SKU-001-BK', book_num: 30, check_num: 32, diff_num: 2 },
          { sku: 'SKU-002-WH', book_num: 10, check_num: 10, diff_num: 0 },
          { sku: 'SKU-003-RD', book_num: 20, check_num: 19, diff_num: -1 },
        ],
      }),
      'lingxing/stock_count',
    );
    expect(count.lines.map((l: Line) => [l.material, l.direction, l.quantity, l.countedQuantity])).toEqual([
      ['M-001-BK', 'GAIN', '2', '32'],
      ['M-003-RD', 'LOSS', '1', '19'],
    ]);
  });
});
