import { createHash } from 'node:crypto';
import { Decimal } from '@yecai/common';

/** A sales out-stock as mapping hands it to the serde: decimals as Decimal, timestamps as epoch millis. */
export function sampleSalesOutstock() {
  return {
    source: {
      sourceSystem: 'jushuitan',
      account: 'main',
      documentType: 'sales_outstock',
      sourceId: '20240001',
      sourceModifiedAt: Date.parse('2024-01-01T02:05:00Z'),
      contentHash: 'ab'.repeat(32),
      rawTopic: 'yecai.raw.jushuitan.sales_outstock',
      rawPartition: 3,
      rawOffset: 42,
    },
    mapping: { flow: 'jushuitan/sales_outstock', ruleVersion: '1+abc', mappedAt: Date.now() },
    billNumber: '20240001',
    date: '2024-01-01',
    saleOrg: '100',
    deliveryOrg: '101',
    owner: '100',
    settleOrg: null,
    customer: 'C001',
    currency: 'RMB',
    currencyNumber: 'PRE001',
    exchangeRate: null,
    logisticsNumber: 'SF1',
    onlineOrderNumber: 'T1',
    remark: '聚水潭T1',
    lines: [
      {
        lineId: '1',
        sku: 'A001-RED-M',
        material: 'M001',
        unit: 'Pcs',
        quantity: new Decimal('2'),
        warehouse: 'CK01',
        batch: '0',
        produceDate: null,
        expiryDate: null,
        note: null,
        taxInclusivePrice: new Decimal('59.5'),
        price: null,
        amount: new Decimal('119.00'),
        taxRate: null,
        isGift: false,
      },
    ],
  };
}

/**
 * An oms_goods event for Kingdee material `sku` as kingdee/material emits it, for the OMS writers' tests (version: a
 * later edit of the same material, renamed).
 */
export function sampleOmsGoods(sku: string, options: { version?: number; name?: string; styleCode?: string } = {}): Record<string, unknown> {
  const version = options.version ?? 1;
  return {
    source: {
      sourceSystem: 'kingdee',
      account: 'main',
      documentType: 'material',
      sourceId: `MAT-${sku}`,
      sourceModifiedAt: 1_765_000_000_000 + version * 1000,
      contentHash: createHash('sha256').update(`${sku}/v${version}`).digest('hex'),
      rawTopic: 'raw.kingdee.material',
      rawPartition: 0,
      rawOffset: version,
    },
    mapping: { flow: 'kingdee/material', ruleVersion: 'test-1', mappedAt: 1_765_000_000_000 },
    sku,
    styleCode: options.styleCode ?? sku,
    name: options.name ?? `商品 ${sku} v${version}`,
    specification: '红色;M',
    barcode: null,
    unit: 'Pcs',
    batch: '0',
    enabled: true,
    originForm: 'BD_MATERIAL',
    originId: `MAT-${sku}`,
  };
}
