/**
 * Canonical events as the mapping service emits them (libs/contracts/src/definitions.ts), built on the default
 * Kingdee emulator fixture (org 100, customer TM-YS01, materials A1001-BLK/G2001, warehouse CK001, PRE001).
 */
import { createHash } from 'node:crypto';
import { startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import type { SupportedDocumentType } from '../src/convert';

export const FIXTURE = {
  acctId: '6571a2b3c4d5e6',
  userName: 'yecai-integration',
  appId: '300123_Q2kDWNdw1LBa4D0NTa6ADbQqTZbJUCTB',
  appSecret: '8b2677b7426a4ce7b3de6413d8924bbe',
};
process.env.SINK_TEST_KD_SECRET = FIXTURE.appSecret;

export function startEmulator(): Promise<KingdeeEmulator> {
  return startKingdeeEmulator({ port: 0 });
}

/** Kingdee connection config for the emulator; small retry budget so tests see level 3 quickly. */
export function kingdeeConfig(emulator: { url: string }, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'test-kingdee',
    serverUrl: emulator.url,
    acctId: FIXTURE.acctId,
    userName: FIXTURE.userName,
    auth: { mode: 'signature', appId: FIXTURE.appId, appSecret: 'env:SINK_TEST_KD_SECRET' },
    retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 100 },
    timeoutMs: 3000,
    limits: { callsPerSecond: 500, maxConcurrent: 4 },
    ...overrides,
  };
}

export interface LineSpec {
  material?: string;
  qty?: string;
  warehouse?: string | null;
  batch?: string | null;
  price?: string;
}

let sequence = 0;

function source(documentType: string, sourceId: string, version: number) {
  return {
    sourceSystem: 'jushuitan',
    account: 'demo',
    documentType,
    sourceId,
    sourceModifiedAt: 1_763_600_000_000 + version * 1000,
    contentHash: createHash('sha256').update(`${documentType}/${sourceId}/v${version}`).digest('hex'),
    rawTopic: `raw.jushuitan.${documentType}`,
    rawPartition: 0,
    rawOffset: sequence++,
  };
}

const mapping = { flow: 'jushuitan/test', ruleVersion: 'test-1', mappedAt: 1_763_600_000_000 };

function stockLine(line: LineSpec, index: number, extra: Record<string, unknown> = {}) {
  return {
    lineId: `L${index + 1}`,
    sku: line.material ?? 'A1001-BLK',
    material: line.material ?? 'A1001-BLK',
    unit: 'Pcs',
    quantity: line.qty ?? '2',
    warehouse: line.warehouse === undefined ? 'CK001' : line.warehouse,
    batch: line.batch === undefined ? '0' : line.batch,
    produceDate: null,
    expiryDate: null,
    note: null,
    ...extra,
  };
}

const priced = (line: LineSpec) => ({ taxInclusivePrice: line.price ?? '113.00', price: null, amount: null, taxRate: '13', isGift: false });

/** A canonical event of `documentType` for source document `sourceId`, version `version` (newer = larger). */
export function canonical(documentType: SupportedDocumentType, sourceId: string, options: { version?: number; lines?: LineSpec[]; customer?: string; date?: string } = {}): Record<string, unknown> {
  const version = options.version ?? 1;
  const lines = options.lines ?? [{}];
  const head = { source: source(documentType, sourceId, version), mapping, billNumber: sourceId, date: options.date ?? '2026-11-20', remark: `聚水潭 ${sourceId}` };
  const money = { currency: 'RMB', currencyNumber: 'PRE001', exchangeRate: null };
  switch (documentType) {
    case 'sales_outstock':
      return { ...head, saleOrg: '100', deliveryOrg: '100', owner: '100', settleOrg: null, customer: options.customer ?? 'TM-YS01', ...money, logisticsNumber: 'SF100', onlineOrderNumber: `TB-${sourceId}`, lines: lines.map((line, i) => stockLine(line, i, priced(line))) };
    case 'sales_return':
      return { ...head, saleOrg: '100', stockOrg: '100', settleOrg: '100', owner: '100', customer: options.customer ?? 'TM-YS01', ...money, returnReason: null, onlineOrderNumber: null, lines: lines.map((line, i) => stockLine(line, i, priced(line))) };
    case 'purchase_instock':
      return { ...head, stockOrg: '100', purchaseOrg: '100', settleOrg: '100', owner: '100', supplier: 'VEN001', ...money, purchaseOrderNumber: null, lines: lines.map((line, i) => stockLine(line, i, priced(line))) };
    case 'purchase_return':
      return { ...head, stockOrg: '100', purchaseOrg: '100', settleOrg: '100', owner: '100', supplier: 'VEN001', ...money, purchaseOrderNumber: null, lines: lines.map((line, i) => stockLine(line, i, priced(line))) };
    case 'other_instock':
      return { ...head, stockOrg: '100', owner: '100', supplier: null, department: null, stockDirection: 'GENERAL', lines: lines.map((line, i) => stockLine(line, i, { price: null, amount: null })) };
    case 'other_outstock':
      return { ...head, stockOrg: '100', owner: '100', customer: options.customer ?? 'TM-YS01', department: null, lines: lines.map((line, i) => stockLine(line, i)) };
    case 'transfer':
      return {
        ...head,
        outStockOrg: '100',
        inStockOrg: '100',
        crossOrg: false,
        outOwner: '100',
        inOwner: '100',
        lines: lines.map((line, i) => ({ lineId: `L${i + 1}`, sku: line.material ?? 'A1001-BLK', material: line.material ?? 'A1001-BLK', unit: 'Pcs', quantity: line.qty ?? '2', sourceWarehouse: 'CK001', destWarehouse: 'CK002', batch: line.batch === undefined ? '0' : line.batch, destBatch: null })),
      };
    case 'stock_count':
      return {
        ...head,
        stockOrg: '100',
        owner: '100',
        lines: [stockLine(lines[0] ?? {}, 0, { direction: 'GAIN', countedQuantity: null }), stockLine({ material: 'G2001', batch: null }, 1, { direction: 'LOSS', countedQuantity: null })],
      };
    case 'assembly':
      return {
        ...head,
        stockOrg: '100',
        affairType: 'ASSEMBLY',
        products: [{ ...stockLine({ material: 'A3001-SET', qty: '1' }, 0, { components: [stockLine({ material: 'A1001-BLK', qty: '1' }, 0, { costProportion: null }), stockLine({ material: 'G2001', qty: '1', batch: null }, 1, { costProportion: null })] }) }],
      };    case 'sales_order':
      return {
        ...head,
        saleOrg: '100',
        customer: options.customer ?? 'TM-YS01',
        marketplace: 'Amazon.com',
        platformOrderNumber: `113-${sourceId}`,
        status: 'SHIPPED',
        currency: 'USD',
        currencyNumber: 'PRE007',
        exchangeRate: '7.1884',
        lines: lines.map((line, i) => ({ lineId: `L${i + 1}`, sku: line.material ?? 'A1001-BLK', material: line.material ?? 'A1001-BLK', unit: 'Pcs', quantity: line.qty ?? '2', taxInclusivePrice: line.price ?? '19.99', amount: '39.98', taxRate: null, taxAmount: null })),
      };
    case 'first_leg_shipment':
      return {
        ...head,
        stockOrg: '100',
        destStockOrg: null,
        sourceWarehouse: 'CK001',
        destWarehouse: 'CK002',
        carrier: null,
        purchaseOrderNumbers: ['PO001'],
        trackingNumbers: [],
        status: '2',
        currency: 'CNY',
        currencyNumber: 'PRE001',
        exchangeRate: null,
        lines: lines.map((line, i) => stockLine(line, i, { firstLegCost: '33.33' })),
        fees: [{ feeType: 'logistics_fee', expenseItem: 'FYXM01', amount: '33.33' }],
      };
    case 'fee_settlement':
      return {
        ...head,
        settlementId: '24000000001',
        periodStart: options.date ?? '2026-11-20',
        periodEnd: options.date ?? '2026-11-20',
        depositDate: null,
        settleOrg: '100',
        customer: options.customer ?? 'TM-YS01',
        supplier: 'VEN001',
        marketplace: 'Amazon.com',
        currency: 'USD',
        currencyNumber: 'PRE007',
        exchangeRate: '7.1884',
        totalAmount: '-3.51',
        fees: [{ feeType: 'Shipment/Commission', account: '6601.01', expenseItem: 'FYXM01', amount: '3.51', sku: 'A1001-BLK', material: 'A1001-BLK', orderNumber: '113-1'}],
      };
    case 'receivable':
      return {
        ...head,
        dueDate: null,
        settleOrg: '100',
        saleOrg: '100',
        customer: options.customer ?? 'TM-YS01',
        currency: 'USD',
        currencyNumber: 'PRE007',
        exchangeRate: '7.1884',
        sourceForm: null,
        sourceBillNumber: null,
        marketplace: 'Amazon.com',
        platformOrderNumber: `113-${sourceId}`,
        reversesBillNumber: null,
        lines: lines.map((line, i) => ({ lineId: `L${i + 1}`, material: line.material ?? 'A1001-BLK', unit: 'Pcs', quantity: line.qty ?? '2', taxInclusivePrice: line.price ?? '19.99', taxRate: '0', amount: '39.98', taxAmount: '0' })),
      };
    case 'receipt':
      return {
        ...head,
        settleOrg: '100',
        payOrg: '100',
        contactType: 'CUSTOMER',
        contact: options.customer ?? 'TM-YS01',
        currency: 'USD',
        currencyNumber: 'PRE007',
        exchangeRate: '7.2011',
        amount: '39.98',
        settleType: 'JSFS04_SYS',
        bankAccount: null,
        settlementId: '24000000001',
        writeOffs: (options.lines ?? [{}]).map((line, i) => ({ receivableBillNumber: line.material ?? 'JST-C-receivable', orderNumber: null, amount: line.price ?? (i === 0 ? '39.98' : '0') })),
      };
  }
}
