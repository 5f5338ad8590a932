import { createHash } from 'node:crypto';
import { WDT_PROTOCOL, WdtStore, defaultWorld, generateDocuments, renderQjbDocument, renderQyb, type WdtDocumentType } from '@yecai/emulator-wangdiantong';
import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome, type RawInput } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup } from './test-fixtures';

/**
 * The 旺店通 (WDT) rules on payloads in the record shapes of source-apis.md §3.7: 企业版 sends every scalar as text
 * ("2.0000", "110", "0000-00-00 00:00:00"), 旗舰版 sends numbers as numbers. Values must come out exactly (decimals
 * as their text, never through floats), batches unchanged, zero dates as no date.
 */
const MASTER_DATA = {
  warehouse: {
    'wangdiantong/HZ01': { kingdeeStockNumber: 'CK-HZ01', stockOrg: '100' },
    'wangdiantong/GZ01': { kingdeeStockNumber: 'CK-GZ01', stockOrg: '100' },
    'wangdiantong/SH01': { kingdeeStockNumber: 'CK-SH01', stockOrg: '101' },
  },
  shop: {
    'wangdiantong/tm-001': { customerNumber: 'TM-001', deliveryOrg: '100', saleOrg: '100' },
    'wangdiantong/jd-001': { customerNumber: 'JD-001', deliveryOrg: '100' },
  },
  sku: {
    'wangdiantong/G100101S': { materialNumber: 'G100101S', unit: 'Pcs', batchRule: 'flow' },
    'wangdiantong/G100202M': { materialNumber: 'G100202M', unit: 'Pcs', batchRule: 'flow' },
    'wangdiantong/G100303L': { materialNumber: 'M-G100303L', unit: 'Box', batchRule: 'fixed', fixedBatch: '0' },
    'wangdiantong/G100401S': { materialNumber: 'G100401S', unit: 'Pcs', batchRule: 'none' },
  },
  supplier: { 'wangdiantong/GYS001': { kingdeeSupplierNumber: 'VEN-GYS001' } },
  currency: { RMB: { kingdeeCurrencyNumber: 'PRE001' } },
};

const NOW = Date.parse('2024-03-02T00:00:00Z');
const engine = (data: typeof MASTER_DATA = MASTER_DATA) =>
  new MappingEngine(loadRules(), { lookup: memoryLookup(data as unknown as Parameters<typeof memoryLookup>[0]), now: () => NOW });

function raw(documentType: string, payload: Record<string, unknown>, idField: string): RawInput {
  const text = JSON.stringify(payload);
  return {
    sourceSystem: 'wangdiantong',
    account: 'wdt-main',
    documentType,
    sourceId: String(payload[idField]),
    sourceModifiedAt: Date.parse('2024-03-01T10:00:00+08:00'),
    contentHash: createHash('sha256').update(text).digest('hex'),
    payload: text,
    rawTopic: `yecai.raw.wangdiantong.${documentType}`,
    rawPartition: 1,
    rawOffset: 42,
  };
}

const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
function mappedOnly(outcomes: MappingOutcome[]): Record<string, any> {
  expect(outcomes).toHaveLength(1);
  const [outcome] = outcomes;
  if (outcome!.kind !== 'mapped') throw new Error(`expected mapped, got ${JSON.stringify(outcome)}`);
  expect(loadCanonicalSchema(outcome!.targetDocumentType).type.isValid(outcome!.value)).toBe(true);
  return plain(outcome!.value);
}

/** 企业版 stockout_order_query_trade record (§3.2 real fixture shape, every scalar a string). */
function salesOut(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    stockout_id: '9315809', order_no: 'CK202403010001', stockout_no: 'CK202403010001', src_order_no: 'JY202403010598',
    src_tids: '578109048318626222,578109048318626223', shop_no: 'tm-001', shop_name: '天猫旗舰店', warehouse_no: 'HZ01',
    status: '110', consign_time: '2024-03-01 17:57:39', modified: '2024-03-01 17:57:39', created: '2024-03-01 09:00:00',
    logistics_no: 'SF1234567890123', logistics_name: '顺丰速运', currency: '', receivable: '358.8000', remark: '',
    details_list: [
      {
        rec_id: '39062917', spec_no: 'G100101S', goods_no: 'G1001', goods_name: '连衣裙', goods_count: '2.0000', sell_price: '119.9000',
        share_amount: '239.8000', gift_type: '0', batch_no: 'B2024-0301', expire_date: '2025-03-01 00:00:00',
      },
      {
        rec_id: '39062918', spec_no: 'G100303L', goods_no: 'G1003', goods_name: '卫衣', goods_count: '1.0000', sell_price: '119.0000',
        share_amount: '119.0000', gift_type: '0', batch_no: 'B77', expire_date: '0000-00-00 00:00:00',
      },
      {
        rec_id: '39062919', spec_no: 'G100401S', goods_no: 'G1004', goods_name: '面霜小样', goods_count: '1.0000', sell_price: '0.0000',
        share_amount: '0.0000', gift_type: '1', batch_no: 'X1', expire_date: '0000-00-00 00:00:00',
      },
    ],
    ...overrides,
  };
}

describe('WDT sales out-stock → Kingdee 销售出库单 (F3)', () => {
  it('carries exactly the values of the rule: orgs from shop and warehouse, text decimals exact, batches unchanged', async () => {
    const event = mappedOnly(await engine().map(raw('sales_outstock', salesOut(), 'stockout_id')));
    expect({ ...event, lines: undefined, mapping: undefined }).toEqual({
      source: {
        sourceSystem: 'wangdiantong', account: 'wdt-main', documentType: 'sales_outstock', sourceId: '9315809',
        sourceModifiedAt: Date.parse('2024-03-01T10:00:00+08:00'), contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        rawTopic: 'yecai.raw.wangdiantong.sales_outstock', rawPartition: 1, rawOffset: 42,
      },
      billNumber: 'CK202403010001',
      date: '2024-03-01',
      saleOrg: '100',
      deliveryOrg: '100',
      owner: '100',
      settleOrg: null,
      customer: 'TM-001',
      currency: 'RMB',
      currencyNumber: 'PRE001',
      exchangeRate: null,
      logisticsNumber: 'SF1234567890123',
      onlineOrderNumber: '578109048318626222,578109048318626223', // merged trade: both platform orders
      remark: '旺店通578109048318626222,578109048318626223',
    });
    expect(event.mapping).toEqual({ flow: 'wangdiantong/sales_outstock', ruleVersion: expect.stringMatching(/^1\+[0-9a-f]{8}$/), mappedAt: NOW });
    expect(event.lines).toEqual([
      {
        lineId: '39062917', sku: 'G100101S', material: 'G100101S', unit: 'Pcs', quantity: '2', warehouse: 'CK-HZ01',
        batch: 'B2024-0301', produceDate: null, expiryDate: '2025-03-01', note: null,
        taxInclusivePrice: '119.9', price: null, amount: null, taxRate: null, isGift: false,
      },
      {
        // batch rule "fixed" in the SKU master data wins over the document's batch
        lineId: '39062918', sku: 'G100303L', material: 'M-G100303L', unit: 'Box', quantity: '1', warehouse: 'CK-HZ01',
        batch: '0', produceDate: null, expiryDate: null, note: null,
        taxInclusivePrice: '119', price: null, amount: null, taxRate: null, isGift: false,
      },
      {
        // batch rule "none": no batch in Kingdee; gift_type 1 is a gift; the zero date is no date
        lineId: '39062919', sku: 'G100401S', material: 'G100401S', unit: 'Pcs', quantity: '1', warehouse: 'CK-HZ01',
        batch: null, produceDate: null, expiryDate: null, note: null,
        taxInclusivePrice: '0', price: null, amount: null, taxRate: null, isGift: true,
      },
    ]);
  });

  it('keeps decimals exact (never through floats) and parks a price with more places than Kingdee keeps instead of rounding', async () => {
    const doc = salesOut();
    (doc.details_list as any[])[0].sell_price = '0.1000';
    (doc.details_list as any[])[0].goods_count = '3.0000';
    const event = mappedOnly(await engine().map(raw('sales_outstock', doc, 'stockout_id')));
    expect([event.lines[0].taxInclusivePrice, event.lines[0].quantity]).toEqual(['0.1', '3']);
    (doc.details_list as any[])[0].sell_price = '0.1234567';
    const [parked] = await engine().map(raw('sales_outstock', doc, 'stockout_id'));
    expect(parked).toMatchObject({ kind: 'parked', code: 'INVALID_VALUE', field: 'lines[0].taxInclusivePrice' });
  });

  it('旗舰版: numbers as numbers, sale org from the warehouse when the shop has none', async () => {
    const doc = salesOut({ status: 110, shop_no: 'jd-001', warehouse_no: 'SH01', created: 1709254800000 });
    for (const line of doc.details_list as any[]) {
      line.goods_count = Number(line.goods_count);
      line.sell_price = Number(line.sell_price);
      line.share_amount = Number(line.share_amount);
      line.gift_type = Number(line.gift_type);
    }
    const event = mappedOnly(await engine().map(raw('sales_outstock', doc, 'stockout_id')));
    expect([event.saleOrg, event.deliveryOrg, event.owner, event.customer]).toEqual(['101', '101', '101', 'JD-001']);
    expect(event.lines.map((line: any) => [line.quantity, line.taxInclusivePrice, line.warehouse, line.isGift])).toEqual([
      ['2', '119.9', 'CK-SH01', false],
      ['1', '119', 'CK-SH01', false],
      ['1', '0', 'CK-SH01', true],
    ]);
  });

  it.each([['95'], ['100'], ['55'], ['5']])('status %s is not 已完成: filtered, not parked', async (status) => {
    expect(await engine().map(raw('sales_outstock', salesOut({ status }), 'stockout_id'))).toEqual([
      { kind: 'filtered', flow: 'wangdiantong/sales_outstock', filter: '已完成' },
    ]);
  });

  it('parks a document whose warehouse and spec have no mapping, naming both', async () => {
    const doc = salesOut({ warehouse_no: 'CD01' });
    (doc.details_list as any[])[1].spec_no = 'G999999';
    const [parked] = await engine().map(raw('sales_outstock', doc, 'stockout_id'));
    expect(parked).toMatchObject({
      kind: 'parked', code: 'MISSING_MASTER_DATA', level: 1,
      reasonZh: '仓库 CD01 没有金蝶仓库映射；商品 G999999 没有金蝶商品映射 (warehouse CD01 has no Kingdee warehouse mapping; SKU G999999 has no Kingdee SKU mapping)',
      missing: [
        { entity: 'warehouse', key: 'wangdiantong/CD01' },
        { entity: 'sku', key: 'wangdiantong/G999999' },
      ],
    });
  });
});

describe('WDT refund in-stock → Kingdee 销售退货单 (F4)', () => {
  const refundIn = (overrides: Record<string, unknown> = {}) => ({
    stockin_id: '552001', order_no: 'RK202403020001', refund_no: 'TK202403010077', src_order_no: 'TK202403010077', trade_no_list: 'JY202402280011', tid_list: '578109048318620011',
    status: '80', shop_no: 'tm-001', warehouse_no: 'GZ01', check_time: '0000-00-00 00:00:00', modified: '2024-03-02 11:20:05',
    details_list: [
      { rec_id: '7001', spec_no: 'G100101S', num: '2.0000', stockin_num: '1.0000', refund_price: '119.9000', refund_amount: '119.9000', total_cost: '50.3580', batch_no: 'B2024-0301', expire_date: '2025-03-01 00:00:00' },
      { rec_id: '7002', spec_no: 'G100202M', num: '1.0000', stockin_num: '0.0000', refund_price: '59.0000', refund_amount: '0.0000', total_cost: '0.0000', batch_no: '', expire_date: '0000-00-00 00:00:00' },
    ],
    ...overrides,
  });

  it('posts only lines actually received (实入数量 > 0); date falls back to modified when check_time is the zero date', async () => {
    const event = mappedOnly(await engine().map(raw('sales_return', refundIn(), 'stockin_id')));
    expect({ ...event, lines: undefined, mapping: undefined, source: undefined }).toEqual({
      billNumber: 'RK202403020001', date: '2024-03-02', saleOrg: '100', stockOrg: '100', settleOrg: '100', owner: '100',
      customer: 'TM-001', currency: 'RMB', currencyNumber: 'PRE001', exchangeRate: null, returnReason: null,
      onlineOrderNumber: '578109048318620011', remark: '旺店通退货 TK202403010077',
    });
    expect(event.lines).toEqual([
      {
        lineId: '7001', sku: 'G100101S', material: 'G100101S', unit: 'Pcs', quantity: '1', warehouse: 'CK-GZ01',
        batch: 'B2024-0301', produceDate: null, expiryDate: '2025-03-01', note: null,
        taxInclusivePrice: '119.9', price: null, amount: null, taxRate: null, isGift: false,
      },
    ]);
  });

  it('a received check time is the date, as text (企业版) or as a ms epoch read in Beijing time (旗舰版)', async () => {
    const text = mappedOnly(await engine().map(raw('sales_return', refundIn({ check_time: '2024-03-01 23:59:59' }), 'stockin_id')));
    expect(text.date).toBe('2024-03-01');
    const epoch = mappedOnly(await engine().map(raw('sales_return', refundIn({ status: 80, check_time: Date.parse('2024-03-01T23:59:59+08:00') }), 'stockin_id')));
    expect(epoch.date).toBe('2024-03-01'); // 15:59:59 UTC: the Beijing day, not the UTC one
  });

  it('a return with nothing received is filtered; one not yet 已完成 too', async () => {
    const nothing = refundIn();
    (nothing.details_list as any[])[0].stockin_num = '0.0000';
    expect(await engine().map(raw('sales_return', nothing, 'stockin_id'))).toEqual([{ kind: 'filtered', flow: 'wangdiantong/sales_return', filter: '实入数量大于0' }]);
    expect(await engine().map(raw('sales_return', refundIn({ status: '30' }), 'stockin_id'))).toEqual([{ kind: 'filtered', flow: 'wangdiantong/sales_return', filter: '已完成' }]);
  });
});

describe('WDT purchase in/return, other in/out (F5–F8)', () => {
  it('purchase in-stock: orgs from the warehouse, supplier mapped, tax price and cost exact', async () => {
    const doc = {
      stockin_id: '88001', order_no: 'RK202403010500', purchase_no: 'CG202402270003', provider_no: 'GYS001', provider_name: '义乌市恒达服饰有限公司',
      warehouse_no: 'SH01', status: '80', check_time: '2024-03-01 15:00:00', modified: '2024-03-01 15:00:02', remark: '春季补货',
      details_list: [{ rec_id: '1', spec_no: 'G100202M', num: '50.0000', cost_price: '42.5000', tax_price: '48.0250', tax: '5.5250', total_cost: '2401.2500', batch_no: 'P240301', expire_date: '0000-00-00 00:00:00' }],
    };
    const event = mappedOnly(await engine().map(raw('purchase_instock', doc, 'stockin_id')));
    expect([event.billNumber, event.date, event.stockOrg, event.purchaseOrg, event.settleOrg, event.owner, event.supplier, event.purchaseOrderNumber, event.remark]).toEqual([
      'RK202403010500', '2024-03-01', '101', '101', '101', '101', 'VEN-GYS001', 'CG202402270003', '旺店通采购入库 RK202403010500 春季补货',
    ]);
    expect(event.lines.map((line: any) => [line.quantity, line.taxInclusivePrice, line.price, line.amount, line.batch, line.warehouse])).toEqual([
      ['50', '48.025', '42.5', null, 'P240301', 'CK-SH01'],
    ]);
  });

  it('purchase in-stock without a remark field at all is mapped (the loop guard only drops yecai’s own 金蝶采购入库 pushes)', async () => {
    const doc = {
      stockin_id: '88002', order_no: 'RK202403010501', provider_no: 'GYS001', warehouse_no: 'SH01', status: '80', check_time: '2024-03-01 15:00:00', modified: '2024-03-01 15:00:02',
      details_list: [{ rec_id: '1', spec_no: 'G100202M', num: '5.0000', cost_price: '42.5000', tax_price: '48.0250', tax: '5.5250', total_cost: '240.1250', batch_no: '', expire_date: '0000-00-00 00:00:00' }],
    };
    expect(mappedOnly(await engine().map(raw('purchase_instock', doc, 'stockin_id'))).billNumber).toBe('RK202403010501');
    const pushed = await engine().map(raw('purchase_instock', { ...doc, remark: '金蝶采购入库 CGRK00042' }, 'stockin_id'));
    expect(pushed.map((outcome) => outcome.kind)).toEqual(['filtered']);
  });

  it('purchase return: unknown supplier parks naming it', async () => {
    const doc = {
      stockout_id: '99001', order_no: 'CK202403010900', src_order_no: 'CT202403010001', provider_no: 'GYS404', warehouse_no: 'HZ01',
      consign_time: '2024-03-01 16:00:00', status: '110', modified: '2024-03-01 16:00:00',
      details_list: [{ rec_id: '1', spec_no: 'G100101S', goods_count: '3.0000', sell_price: '40.0000', total_amount: '120.0000', batch_no: 'B1', expire_date: '0000-00-00 00:00:00' }],
    };
    const [parked] = await engine().map(raw('purchase_return', doc, 'stockout_id'));
    expect(parked).toMatchObject({ kind: 'parked', code: 'MISSING_MASTER_DATA', missing: [{ entity: 'supplier', key: 'wangdiantong/GYS404' }] });
    const event = mappedOnly(await engine().map(raw('purchase_return', { ...doc, provider_no: 'GYS001' }, 'stockout_id')));
    expect([event.supplier, event.date, event.remark, event.lines[0].quantity, event.lines[0].taxInclusivePrice, event.lines[0].batch]).toEqual([
      'VEN-GYS001', '2024-03-01', '旺店通采购退货 CT202403010001', '3', '40', 'B1',
    ]);
  });

  it('other in-stock reads 旗舰版 detail_list as well as 企业版 details_list', async () => {
    const lines = [{ rec_id: '1', spec_no: 'G100101S', num: '5.0000', cost_price: '12.0000', total_cost: '60.0000', batch_no: 'ZP01', expire_date: null }];
    const base = { stockin_id: '66001', order_no: 'RK202403010066', warehouse_no: 'HZ01', status: '80', reason: '赠品入库', remark: '', check_time: '2024-03-01 12:00:00', modified: '2024-03-01 12:00:00' };
    const qyb = mappedOnly(await engine().map(raw('other_instock', { ...base, details_list: lines }, 'stockin_id')));
    const qjb = mappedOnly(await engine().map(raw('other_instock', { ...base, status: 80, detail_list: lines }, 'stockin_id')));
    expect(qjb.lines).toEqual(qyb.lines);
    expect([qyb.stockOrg, qyb.stockDirection, qyb.remark, qyb.lines[0].quantity, qyb.lines[0].price, qyb.lines[0].batch]).toEqual([
      '100', 'GENERAL', '旺店通其他入库 赠品入库', '5', '12', 'ZP01',
    ]);
  });

  it('other out-stock: department fixed, lines from goods_count', async () => {
    const doc = {
      stockout_id: '67001', order_no: 'CK202403010067', warehouse_no: 'GZ01', status: '110', reason: '报废出库', remark: '破损',
      consign_time: '2024-03-01 13:00:00', modified: '2024-03-01 13:00:00',
      details_list: [{ rec_id: '1', spec_no: 'G100202M', goods_count: '2.0000', cost_price: '20.0000', total_cost: '40.0000', batch_no: '', expire_date: '0000-00-00 00:00:00' }],
    };
    const event = mappedOnly(await engine().map(raw('other_outstock', doc, 'stockout_id')));
    expect([event.stockOrg, event.owner, event.department, event.remark, event.lines[0].quantity, event.lines[0].batch, event.lines[0].warehouse]).toEqual([
      '100', '100', 'BM000001', '旺店通其他出库 报废出库 破损', '2', null, 'CK-GZ01',
    ]);
  });
});

describe('WDT transfer → Kingdee 直接调拨单 (F9): orgs from the out and in warehouses', () => {
  const transfer = (from: string, to: string, overrides: Record<string, unknown> = {}) => ({
    transfer_id: '3001', transfer_no: 'DB202403010001', from_warehouse_no: from, to_warehouse_no: to, status: '90',
    check_time: '2024-03-01 18:00:00', modified: '2024-03-01 18:00:01',
    details_list: [
      { rec_id: '30011', spec_no: 'G100101S', num: '10.0000', out_num: '10.0000', in_num: '10.0000', batch_no: 'B2024-0301', expire_date: '2025-03-01 00:00:00' },
      { rec_id: '30012', spec_no: 'G100202M', num: '4.0000', out_num: '4.0000', in_num: '0.0000', batch_no: '', expire_date: '0000-00-00 00:00:00' },
    ],
    ...overrides,
  });

  it('different orgs: a cross-org transfer, each side with its own org and owner, the batch the same on both sides', async () => {
    const event = mappedOnly(await engine().map(raw('transfer', transfer('HZ01', 'SH01'), 'transfer_id')));
    expect([event.billNumber, event.date, event.outStockOrg, event.inStockOrg, event.crossOrg, event.outOwner, event.inOwner, event.remark]).toEqual([
      'DB202403010001', '2024-03-01', '100', '101', true, '100', '101', '旺店通调拨 DB202403010001：HZ01 → SH01',
    ]);
    expect(event.lines).toEqual([
      { lineId: '30011', sku: 'G100101S', material: 'G100101S', unit: 'Pcs', quantity: '10', sourceWarehouse: 'CK-HZ01', destWarehouse: 'CK-SH01', batch: 'B2024-0301', destBatch: 'B2024-0301' },
      // in_num 0 (not yet received line data): the transfer quantity num is used
      { lineId: '30012', sku: 'G100202M', material: 'G100202M', unit: 'Pcs', quantity: '4', sourceWarehouse: 'CK-HZ01', destWarehouse: 'CK-SH01', batch: null, destBatch: null },
    ]);
  });

  it('same org: a normal (inner-org) transfer', async () => {
    const event = mappedOnly(await engine().map(raw('transfer', transfer('HZ01', 'GZ01'), 'transfer_id')));
    expect([event.outStockOrg, event.inStockOrg, event.crossOrg]).toEqual(['100', '100', false]);
  });

  it('an unfinished transfer is filtered; an unmapped in-warehouse parks', async () => {
    expect(await engine().map(raw('transfer', transfer('HZ01', 'SH01', { status: '50' }), 'transfer_id'))).toEqual([{ kind: 'filtered', flow: 'wangdiantong/transfer', filter: '已完成' }]);
    const [parked] = await engine().map(raw('transfer', transfer('HZ01', 'CD01'), 'transfer_id'));
    expect(parked).toMatchObject({ kind: 'parked', code: 'MISSING_MASTER_DATA', missing: [{ entity: 'warehouse', key: 'wangdiantong/CD01' }] });
  });
});

describe('WDT stock-take → 盘盈单 / 盘亏单 (F10)', () => {
  it('gains and losses by the sign of the difference, quantity is the text without its minus sign', async () => {
    const doc = {
      pd_id: '4001', pd_no: 'PD202403010001', warehouse_no: 'SH01', status: '30', check_time: '2024-03-01 20:00:00', modified: '2024-03-01 20:00:00',
      details_list: [
        { rec_id: '1', spec_no: 'G100101S', stock_num: '100.0000', pd_num: '102.5000', diff_num: '2.5000', batch_no: 'B1', expire_date: '0000-00-00 00:00:00' },
        { rec_id: '2', spec_no: 'G100202M', stock_num: '100.0000', pd_num: '99.9999', diff_num: '-0.0001', batch_no: '', expire_date: '0000-00-00 00:00:00' },
        { rec_id: '3', spec_no: 'G100401S', stock_num: '5.0000', pd_num: '5.0000', diff_num: '0.0000', batch_no: '', expire_date: '0000-00-00 00:00:00' },
      ],
    };
    const event = mappedOnly(await engine().map(raw('stock_count', doc, 'pd_id')));
    expect([event.billNumber, event.stockOrg, event.owner, event.remark]).toEqual(['PD202403010001', '101', '101', '旺店通盘点 PD202403010001']);
    expect(event.lines.map((line: any) => [line.lineId, line.direction, line.quantity, line.countedQuantity, line.batch, line.warehouse])).toEqual([
      ['1', 'GAIN', '2.5', '102.5', 'B1', 'CK-SH01'],
      ['2', 'LOSS', '0.0001', '99.9999', null, 'CK-SH01'],
    ]);
  });

  it('maps a large stock-take (400 SKUs none of which is cached, quantities only JSONata evaluates) in a few passes', async () => {
    const skus = Object.fromEntries(Array.from({ length: 400 }, (_, index) => [`wangdiantong/S${index}`, { materialNumber: `M${index}`, unit: 'Pcs', batchRule: 'flow' }]));
    const lines = Array.from({ length: 400 }, (_, index) => ({
      rec_id: String(index + 1), spec_no: `S${index}`, stock_num: '10.0000', pd_num: '12.0000',
      diff_num: index % 2 === 0 ? `${index + 1}.5000` : `-${index + 1}.2500`, batch_no: 'B1', expire_date: '',
    }));
    const doc = { pd_id: '4009', pd_no: 'PD9', warehouse_no: 'SH01', status: '30', check_time: '2024-03-01 20:00:00', modified: '2024-03-01 20:00:00', details_list: lines };
    const mapping = engine({ ...MASTER_DATA, sku: { ...MASTER_DATA.sku, ...skus } });
    const event = mappedOnly(await mapping.map(raw('stock_count', doc, 'pd_id')));
    expect(event.lines).toHaveLength(400);
    expect(event.lines.slice(0, 3).map((line: any) => [line.material, line.direction, line.quantity])).toEqual([['M0', 'GAIN', '1.5'], ['M1', 'LOSS', '2.25'], ['M2', 'GAIN', '3.5']]);
    expect(event.lines[399].material).toBe('M399');
    // Every line's record and quantity are asked for in the same pass: the document is mapped again a few times, not once per line.
    expect(mapping.runs.replayed).toBeLessThan(10);
  });

  it('keeps the finished status of each edition (企业版 "30", 旗舰版 40 per its doc, or 30 as the emulator sends) and filters the others', async () => {
    const doc = {
      pd_id: '4002', pd_no: 'PD202403010002', warehouse_no: 'SH01', status: '30', check_time: '2024-03-01 20:00:00', modified: '2024-03-01 20:00:00',
      details_list: [{ rec_id: '1', spec_no: 'G100101S', stock_num: '1.0000', pd_num: '2.0000', diff_num: '1.0000', batch_no: '', expire_date: '' }],
    };
    const kindOf = async (status: unknown) => (await engine().map(raw('stock_count', { ...doc, status }, 'pd_id')))[0]!.kind;
    expect(await kindOf('30')).toBe('mapped');
    expect(await kindOf(40)).toBe('mapped');
    expect(await kindOf(30)).toBe('mapped');
    for (const unfinished of ['10', '20', 20, 31, 33, 35]) expect([unfinished, await kindOf(unfinished)]).toEqual([unfinished, 'filtered']);
  });
});

describe('WDT assembly / disassembly → 组装拆卸单 (F11)', () => {
  const assembly = (overrides: Record<string, unknown> = {}) => ({
    assembly_id: '5001', assembly_no: 'ZZ202403010001', type: '1', type_name: '组装', warehouse_no: 'HZ01', status: '90',
    check_time: '2024-03-01 21:00:00', modified: '2024-03-01 21:00:00',
    goods_list: [{ rec_id: '50016', spec_no: 'G100303L', num: '2.0000', batch_no: 'TZ01', expire_date: '0000-00-00 00:00:00' }],
    details_list: [
      { rec_id: '50011', spec_no: 'G100101S', num: '2.0000', batch_no: 'B2024-0301', expire_date: '2025-03-01 00:00:00' },
      { rec_id: '50012', spec_no: 'G100202M', num: '4.0000', batch_no: '', expire_date: '0000-00-00 00:00:00' },
    ],
    ...overrides,
  });

  it('the finished product with its components, in the document warehouse and org', async () => {
    const event = mappedOnly(await engine().map(raw('assembly', assembly(), 'assembly_id')));
    expect([event.billNumber, event.date, event.stockOrg, event.affairType, event.remark]).toEqual(['ZZ202403010001', '2024-03-01', '100', 'ASSEMBLY', '旺店通组装 ZZ202403010001']);
    expect(event.products).toEqual([
      {
        lineId: '50016', sku: 'G100303L', material: 'M-G100303L', unit: 'Box', quantity: '2', warehouse: 'CK-HZ01', batch: '0', produceDate: null, expiryDate: null, note: null,
        components: [
          { lineId: '50011', sku: 'G100101S', material: 'G100101S', unit: 'Pcs', quantity: '2', warehouse: 'CK-HZ01', batch: 'B2024-0301', produceDate: null, expiryDate: '2025-03-01', note: null, costProportion: null },
          { lineId: '50012', sku: 'G100202M', material: 'G100202M', unit: 'Pcs', quantity: '4', warehouse: 'CK-HZ01', batch: null, produceDate: null, expiryDate: null, note: null, costProportion: null },
        ],
      },
    ]);
  });

  it('type 2 is a disassembly', async () => {
    const event = mappedOnly(await engine().map(raw('assembly', assembly({ type: 2, type_name: '拆卸' }), 'assembly_id')));
    expect([event.affairType, event.remark]).toEqual(['DISASSEMBLY', '旺店通拆卸 ZZ202403010001']);
  });

  it('several finished products park (components cannot be assigned), saying so', async () => {
    const doc = assembly();
    (doc.goods_list as any[]).push({ rec_id: '50017', spec_no: 'G100401S', num: '1.0000', batch_no: '', expire_date: '0000-00-00 00:00:00' });
    const [parked] = await engine().map(raw('assembly', doc, 'assembly_id'));
    expect(parked).toMatchObject({ kind: 'parked', code: 'EXPRESSION_FAILED', level: 1 });
    expect((parked as any).reasonZh).toContain('组装拆卸单有 2 个成品');
  });
});

describe('WDT master data → Kingdee (F2, 多组织自动分配)', () => {
  const goods = {
    goods_id: '1001', goods_no: 'G1001', goods_name: '连衣裙', unit_name: '件', deleted: '0', modified: '2024-03-01 08:00:00',
    spec_list: [
      { spec_id: '1', spec_no: 'G100101S', spec_name: '红色 S', barcode: '6900000000011', unit_name: '件', deleted: '0' },
      { spec_id: '2', spec_no: 'G100303L', spec_name: '白色 L', barcode: '', unit_name: '件', deleted: '0', is_batch: '1' },
      { spec_id: '3', spec_no: 'G100109X', spec_name: '绿色 XL', barcode: '6900000000099', unit_name: '箱', deleted: '1' },
    ],
  };

  it('goods: one material per spec, allocated to every configured use-org', async () => {
    const outcomes = await engine().map(raw('material', goods, 'goods_id'));
    expect(outcomes.map((outcome) => outcome.kind === 'mapped' && outcome.key)).toEqual([
      'wangdiantong/wdt-main/material/1001/G100101S',
      'wangdiantong/wdt-main/material/1001/G100303L',
      'wangdiantong/wdt-main/material/1001/G100109X',
    ]);
    const events = outcomes.map((outcome) => {
      if (outcome.kind !== 'mapped') throw new Error(JSON.stringify(outcome));
      expect(loadCanonicalSchema('material').type.isValid(outcome.value)).toBe(true);
      return plain(outcome.value);
    });
    expect(events.map(({ source, mapping, ...rest }) => rest)).toEqual([
      { number: 'G100101S', name: '连衣裙', specification: '红色 S', barcode: '6900000000011', baseUnit: 'Pcs', createOrg: '100', useOrgs: ['100', '101'], batchManaged: false, defaultBatch: null, soldOnline: true, enabled: true },
      // an existing SKU mapping decides number and unit
      { number: 'M-G100303L', name: '连衣裙', specification: '白色 L', barcode: null, baseUnit: 'Box', createOrg: '100', useOrgs: ['100', '101'], batchManaged: true, defaultBatch: null, soldOnline: true, enabled: true },
      { number: 'G100109X', name: '连衣裙', specification: '绿色 XL', barcode: '6900000000099', baseUnit: 'Box', createOrg: '100', useOrgs: ['100', '101'], batchManaged: false, defaultBatch: null, soldOnline: true, enabled: false },
    ]);
  });

  it('loop guard: goods yecai pushed from Kingdee (remark 金蝶物料 …) are filtered, goods with another remark are mapped', async () => {
    const pushed = await engine().map(raw('material', { ...goods, remark: '金蝶物料 G100101S' }, 'goods_id'));
    expect(pushed.map((outcome) => outcome.kind)).toEqual(['filtered']); // the goods as a whole, no material
    const other = await engine().map(raw('material', { ...goods, remark: '春季新品' }, 'goods_id'));
    expect(other.map((outcome) => outcome.kind)).toEqual(['mapped', 'mapped', 'mapped']);
  });

  it('goods with a unit no rule knows park the whole goods, naming the field', async () => {
    const odd = { ...goods, spec_list: [{ ...goods.spec_list[2]!, deleted: '0', unit_name: '双' }] }; // no SKU mapping, no unit rule
    const [parked] = await engine().map(raw('material', odd, 'goods_id'));
    expect(parked).toMatchObject({ kind: 'parked', code: 'REQUIRED_VALUE_MISSING', field: 'baseUnit' });
  });

  it('shops become customers allocated to every configured use-org', async () => {
    const shop = { shop_id: '11', shop_no: 'dy-001', shop_name: '抖音小店', platform_id: '69', is_disabled: '0', modified: '2024-03-01 08:00:00' };
    const event = mappedOnly(await engine().map(raw('customer', shop, 'shop_id')));
    expect(({ ...event, source: undefined, mapping: undefined })).toEqual({
      number: 'dy-001', name: '抖音小店', createOrg: '100', useOrgs: ['100', '101'], tradingCurrencyNumber: 'PRE001', group: null, enabled: true,
    });
    const mappedShop = mappedOnly(await engine().map(raw('customer', { ...shop, shop_no: 'tm-001', is_disabled: '1' }, 'shop_id')));
    expect([mappedShop.number, mappedShop.enabled]).toEqual(['TM-001', false]);
    // 旗舰版 sends is_disabled as a boolean
    expect(mappedOnly(await engine().map(raw('customer', { ...shop, is_disabled: true }, 'shop_id'))).enabled).toBe(false);
    expect(mappedOnly(await engine().map(raw('customer', { ...shop, is_disabled: false }, 'shop_id'))).enabled).toBe(true);
  });

  it('warehouses take number and org from the warehouse map; an unmapped one parks', async () => {
    const warehouse = { warehouse_id: '3', warehouse_no: 'SH01', name: '上海仓', type: '1', is_disabled: '0', modified: '2024-03-01 08:00:00' };
    const event = mappedOnly(await engine().map(raw('warehouse', warehouse, 'warehouse_id')));
    expect({ ...event, source: undefined, mapping: undefined }).toEqual({
      number: 'CK-SH01', name: '上海仓', createOrg: '101', useOrgs: ['101'], allowNegativeStock: false, enabled: true,
    });
    // 企业版 "1" and 旗舰版 true both disable; 旗舰版 false stays enabled
    for (const [isDisabled, enabled] of [['1', false], [true, false], [false, true]] as const) {
      expect([isDisabled, mappedOnly(await engine().map(raw('warehouse', { ...warehouse, is_disabled: isDisabled }, 'warehouse_id'))).enabled]).toEqual([isDisabled, enabled]);
    }
    const [parked] = await engine().map(raw('warehouse', { ...warehouse, warehouse_no: 'CD01' }, 'warehouse_id'));
    expect(parked).toMatchObject({ kind: 'parked', code: 'MISSING_MASTER_DATA', reasonZh: '仓库 CD01 没有金蝶仓库映射 (warehouse CD01 has no Kingdee warehouse mapping)' });
  });
});

describe('WDT rules on emulator-rendered records (both editions, real field names)', () => {
  const TYPES: [WdtDocumentType, string, string][] = [
    ['sales_out', 'sales_outstock', 'wangdiantong/sales_outstock'],
    ['refund_in', 'sales_return', 'wangdiantong/sales_return'],
    ['purchase_in', 'purchase_instock', 'wangdiantong/purchase_instock'],
    ['purchase_return', 'purchase_return', 'wangdiantong/purchase_return'],
    ['other_in', 'other_instock', 'wangdiantong/other_instock'],
    ['other_out', 'other_outstock', 'wangdiantong/other_outstock'],
    ['transfer', 'transfer', 'wangdiantong/transfer'],
    ['stock_pd', 'stock_count', 'wangdiantong/stock_count'],
    ['assembly', 'assembly', 'wangdiantong/assembly'],
  ];
  const store = new WdtStore(() => Date.parse('2024-03-02T00:00:00+08:00'));
  generateDocuments(store, 11, { perType: Object.fromEntries(TYPES.map(([type]) => [type, 60])), fromMs: Date.parse('2024-03-01T00:00:00+08:00'), toMs: Date.parse('2024-03-01T23:59:59+08:00') });
  const world = defaultWorld();
  const data: Record<string, Record<string, Record<string, unknown>>> = { warehouse: {}, shop: {}, sku: {}, supplier: {}, currency: { RMB: { kingdeeCurrencyNumber: 'PRE001' } } };
  for (const warehouse of world.warehouses) data.warehouse![`wangdiantong/${warehouse.warehouse_no}`] = { kingdeeStockNumber: warehouse.warehouse_no, stockOrg: warehouse.org };
  for (const shop of world.shops) data.shop![`wangdiantong/${shop.shop_no}`] = { customerNumber: shop.shop_no, deliveryOrg: '100' };
  for (const goods of world.goods) for (const spec of goods.specs) data.sku![`wangdiantong/${spec.spec_no}`] = { materialNumber: spec.spec_no, unit: 'Pcs', batchRule: 'flow' };
  for (const provider of world.providers) data.supplier![`wangdiantong/${provider.provider_no}`] = { kingdeeSupplierNumber: provider.provider_no };
  const emulatorEngine = new MappingEngine(loadRules(), { lookup: memoryLookup(data), now: () => NOW });

  it.each(TYPES)('%s → %s: every finished document maps in both editions to the same event, others are filtered', async (type, documentType, flow) => {
    const idField = WDT_PROTOCOL[type].idField;
    let mappedCount = 0;
    for (const version of store.versions(type)) {
      const document = store.get(type, version.id)!;
      const qyb = renderQyb(store.fields(document)) as Record<string, unknown>;
      const qjb = renderQjbDocument(store, document);
      const [fromQyb] = await emulatorEngine.map(raw(documentType, qyb, idField));
      const [fromQjb] = await emulatorEngine.map(raw(documentType, qjb, idField));
      if (document.status !== WDT_PROTOCOL[type].doneStatus) {
        expect(fromQyb).toEqual({ kind: 'filtered', flow, filter: '已完成' });
        continue;
      }
      if (fromQyb!.kind !== 'mapped' || fromQjb!.kind !== 'mapped') throw new Error(JSON.stringify({ fromQyb, fromQjb }));
      expect(loadCanonicalSchema(documentType).type.isValid(fromQyb!.value)).toBe(true);
      const comparable = (value: Record<string, unknown>) => plain({ ...value, source: undefined, mapping: undefined });
      expect(comparable(fromQjb!.value)).toEqual(comparable(fromQyb!.value));
      // batches carried unchanged: every source batch appears as is
      const sourceBatches = ((qyb.details_list as Record<string, unknown>[]) ?? []).map((line) => line.batch_no || null);
      const event = fromQyb!.value as Record<string, unknown>;
      const lines = (event.lines ?? event.products) as Record<string, unknown>[];
      if (type !== 'assembly' && type !== 'stock_pd' && type !== 'refund_in') expect(lines.map((line) => line.batch)).toEqual(sourceBatches);
      mappedCount += 1;
    }
    expect(mappedCount).toBeGreaterThan(20);
  }, 60_000);

  it('transfers between warehouses of different orgs are cross-org, within one org are not', async () => {
    const orgOf = new Map<string | undefined, string | undefined>(world.warehouses.map((warehouse) => [warehouse.warehouse_no, warehouse.org]));
    const seen = new Set<boolean>();
    for (const version of store.versions('transfer')) {
      const document = store.get('transfer', version.id)!;
      if (document.status !== 90) continue;
      const record = renderQyb(store.fields(document)) as Record<string, string>;
      const [outcome] = await emulatorEngine.map(raw('transfer', record, 'transfer_id'));
      const event = plain((outcome as Extract<MappingOutcome, { kind: 'mapped' }>).value);
      const cross = orgOf.get(record.from_warehouse_no) !== orgOf.get(record.to_warehouse_no);
      expect([event.crossOrg, event.outStockOrg, event.inStockOrg]).toEqual([cross, orgOf.get(record.from_warehouse_no), orgOf.get(record.to_warehouse_no)]);
      seen.add(cross);
    }
    expect([...seen].sort()).toEqual([false, true]);
  }, 60_000);
});
