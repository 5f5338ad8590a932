import { createHash } from 'node:crypto';
import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome, type RawInput } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup } from './test-fixtures';

/**
 * The 领星 rules on payloads in the record shape of source-apis §4.8 (WMS 销售出库单 wmsOrderList): prices in the
 * order's currency, never assumed CNY; the customer is the marketplace shop (the platform collects payment).
 */
const MASTER_DATA = {
  warehouse: { 'lingxing/1': { kingdeeStockNumber: 'CK-SZ01', stockOrg: '100' } },
  shop: {
    'lingxing/101': { customerNumber: 'AMZ-US', saleOrg: '200' },
    'lingxing/106': { customerNumber: 'AMZ-JP' },
  },
  sku: {
    'lingxing/SKU-001-BK': { materialNumber: 'M-001-BK', unit: 'Pcs' },
    'lingxing/SKU-002-WH': { materialNumber: 'M-002-WH', unit: 'Pcs' },
  },
  currency: { USD: { kingdeeCurrencyNumber: 'PRE007' }, JPY: { kingdeeCurrencyNumber: 'PRE004' } },
  currencyRate: { 'lingxing/2026-11/USD': { rate: '7.1884' }, 'lingxing/2026-11/JPY': { rate: '0.0489' } },
};

const NOW = Date.parse('2026-12-01T00:00:00Z');
const engine = () =>
  new MappingEngine(loadRules(), {
    lookup: memoryLookup(MASTER_DATA as unknown as Parameters<typeof memoryLookup>[0]),
    now: () => NOW,
  });

function raw(payload: Record<string, unknown>): RawInput {
  const text = JSON.stringify(payload);
  return {
    sourceSystem: 'lingxing',
    account: 'main',
    documentType: 'sales_outstock',
    sourceId: String(payload.wo_number),
    sourceModifiedAt: Date.parse('2026-11-03T10:05:00+08:00'),
    contentHash: createHash('sha256').update(text).digest('hex'),
    payload: text,
    rawTopic: 'yecai.raw.lingxing.sales_outstock',
    rawPartition: 0,
    rawOffset: 7,
  };
}

function outStock(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    wo_id: 500123,
    wo_number: 'WO26110300001',
    order_number: '103261103000001',
    platform_order_no: ['113-1234567-1234567', '113-1234567-7654321'],
    sid: 101,
    wid: 1,
    status: 3,
    logistics_status: 1,
    tracking_no: '1Z999AA10123456784',
    delivered_at: '2026-11-03 09:58:00',
    stock_delivered_at: '2026-11-03 10:00:00',
    update_at: '2026-11-03 10:05:00',
    is_return: 0,
    order_currency_code: 'USD',
    logistics_freight: '35.20',
    logistics_freight_currency_code: 'CNY',
    product_info: [
      {
        wod_id: 5001230,
        product_id: 10001,
        sku: 'SKU-001-BK',
        seller_sku: 'MSKU-001-BK',
        count: 2,
        unit_price: '19.99',
        currency_code: 'USD',
        stock_cost: '35.20',
      },
      {
        wod_id: 5001231,
        product_id: 10002,
        sku: 'SKU-002-WH',
        seller_sku: 'MSKU-002-WH',
        count: 1,
        unit_price: '7.05',
        currency_code: 'USD',
        stock_cost: '12.00',
      },
    ],
    ...overrides,
  };
}

function mappedOnly(outcomes: MappingOutcome[]): Record<string, any> {
  expect(outcomes).toHaveLength(1);
  const [outcome] = outcomes;
  if (outcome!.kind !== 'mapped') throw new Error(`expected mapped, got ${JSON.stringify(outcome)}`);
  expect(loadCanonicalSchema(outcome!.targetDocumentType).type.isValid(outcome!.value)).toBe(true);
  return JSON.parse(JSON.stringify(outcome!.value));
}

describe('领星 WMS 销售出库单 → sales_outstock', () => {
  it('carries the order currency and prices exactly; customer = the marketplace shop; orgs from shop and warehouse', async () => {
    const event = mappedOnly(await engine().map(raw(outStock())));
    expect({ ...event, source: undefined, mapping: undefined, lines: undefined }).toEqual({
      billNumber: 'WO26110300001',
      date: '2026-11-03',
      saleOrg: '200',
      deliveryOrg: '100',
      owner: '100',
      settleOrg: null,
      customer: 'AMZ-US',
      currency: 'USD',
      currencyNumber: 'PRE007',
      exchangeRate: '7.1884',
      logisticsNumber: '1Z999AA10123456784',
      onlineOrderNumber: '113-1234567-1234567,113-1234567-7654321',
      remark: '领星 103261103000001',
      source: undefined,
      mapping: undefined,
      lines: undefined,
    });
    expect(event.mapping).toEqual({
      flow: 'lingxing/sales_outstock',
      ruleVersion: expect.stringMatching(/^2\+[0-9a-f]{8}$/),
      mappedAt: NOW,
    });
    expect(
      event.lines.map((l: any) => [
        l.lineId,
        l.sku,
        l.material,
        l.unit,
        l.quantity,
        l.taxInclusivePrice,
        l.warehouse,
        l.isGift,
      ]),
    ).toEqual([
      ['5001230', 'SKU-001-BK', 'M-001-BK', 'Pcs', '2', '19.99', 'CK-SZ01', false],
      ['5001231', 'SKU-002-WH', 'M-002-WH', 'Pcs', '1', '7.05', 'CK-SZ01', false],
    ]);
  });

  it('JPY: whole-yen prices, sale org from the warehouse when the shop has none', async () => {
    const jp = outStock({
      sid: 106,
      order_currency_code: 'JPY',
      product_info: [{ ...(outStock().product_info as any[])[0], unit_price: '2980' }],
    });
    const event = mappedOnly(await engine().map(raw(jp)));
    expect([
      event.customer,
      event.saleOrg,
      event.currency,
      event.currencyNumber,
      event.lines[0].taxInclusivePrice,
      event.exchangeRate,
    ]).toEqual(['AMZ-JP', '100', 'JPY', 'PRE004', '2980', '0.0489']);
  });

  it('filters out-stocks not yet shipped (status 1 物流下单, 2 发货中) and parks an unknown currency', async () => {
    for (const status of [1, 2])
      expect(await engine().map(raw(outStock({ status })))).toEqual([expect.objectContaining({ kind: 'filtered' })]);
    const [parked] = await engine().map(raw(outStock({ order_currency_code: 'GBP' })));
    expect(parked).toMatchObject({ kind: 'parked' });
  });
});
