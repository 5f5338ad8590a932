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
