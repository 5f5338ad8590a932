import { join } from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { formatBeijingTime, getFreePort } from '@yecai/common';
import {
  CURRENCY_RATES,
  LINGXING_TEST_ACCOUNT,
  PRODUCT_COUNT,
  SETTLEMENT_ROWS,
  SHOPS,
  WAREHOUSES,
  currencyDigits,
  productSku,
  renderRecord,
  startLingxingEmulator,
  type LingxingDocumentType,
  type LingxingEmulator,
  type LingxingFaults,
} from '@yecai/emulator-lingxing';
import { loadFixture, startKingdeeEmulator, type Fixture, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import type { EntityName } from '@yecai/master-data';
import {
  launchServices,
  yesterdayInBeijing,
  type PipelineOptions,
  type ServiceName,
  type ServiceProcess,
} from '@yecai/demo';
import { repoRoot } from '@yecai/stack';

/**
 * 领星 → Kingdee on real Kafka / registry / MongoDB: the LingXing and Kingdee emulators in this process,
 * source-lingxing, mapping and the sink as child processes (launchServices, as for JST and WDT).
 *
 * The world: one company (Kingdee org 100) selling on six Amazon marketplaces; every LingXing warehouse is a Kingdee
 * stock `LX<wid>`, every SKU a material of the same number, every shop a customer `AMZ-<sid>` (the platform
 * collects payment) and, for its fees, a supplier `AMZ-<sid>`; the fee types map to 6601 sub-accounts; the month
 * rates are LingXing's currencyMonth table (the tenant's own `my_rate`) for the months the documents fall in.
 */
export const LINGXING_STREAMS = [
  'sales_order',
  'mp_sales_order',
  'sales_outstock',
  'sales_return',
  'first_leg_shipment',
  'purchase_instock',
  'other_instock',
  'other_outstock',
  'transfer',
  'purchase_return',
  'stock_count',
  'settlement',
] as const;
/** Canonical types the sink posts for those streams. */
export const LINGXING_SINK_FLOWS = [
  'sales_order',
  'sales_outstock',
  'sales_return',
  'first_leg_shipment',
  'purchase_instock',
  'other_instock',
  'other_outstock',
  'transfer',
  'purchase_return',
  'stock_count',
  'fee_settlement',
] as const;
/** Multi-platform stores (Walmart, Shopify, TikTok …) and purchase suppliers of the emulator's records. */
export const MP_STORES = [7000, 7001, 7002, 7003, 7004];
export const SUPPLIER_IDS = Array.from({ length: 12 }, (_, i) => 300 + i);
export const supplierOf = (id: number | string) => `LXS${id}`;

const ORG = '100';
const CURRENCY_NUMBERS: Record<string, string> = {
  CNY: 'PRE001',
  USD: 'PRE007',
  CAD: 'PRE008',
  GBP: 'PRE005',
  EUR: 'PRE003',
  JPY: 'PRE004',
};
export const FEE_ACCOUNTS: Record<string, { accountNumber: string; expenseItem: string }> = {
  'Shipment/Commission': { accountNumber: '6601.01', expenseItem: 'FY-COMMISSION' },
  'Shipment/FBAPerUnitFulfillmentFee': { accountNumber: '6601.02', expenseItem: 'FY-FBA' },
  'Refund/RefundCommission': { accountNumber: '6601.01', expenseItem: 'FY-COMMISSION' },
  'ServiceFeeEventList/FBAStorageFee': { accountNumber: '6601.03', expenseItem: 'FY-STORAGE' },
  'ServiceFeeEventList/Subscription': { accountNumber: '6601.04', expenseItem: 'FY-SUBSCRIPTION' },
  'AdvertisingTransaction/TransactionTotalAmount': { accountNumber: '6601.05', expenseItem: 'FY-ADS' },
  // VAT is not an expense: its own tax account (应交税费), so it is its own line on the bill.
  'Shipment/MarketplaceFacilitatorVAT-Principal': { accountNumber: '2221.08', expenseItem: 'FY-VAT' },
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API records, read field by field
export type LxRecord = Record<string, any>;
export const stockOf = (wid: number | string) => `LX${wid}`;
export const customerOf = (sid: number | string) => `AMZ-${sid}`;

const months = (fromMs: number, toMs: number) => [
  ...new Set([fromMs - 4 * 86_400_000, fromMs, toMs].map((ms) => formatBeijingTime(ms).slice(0, 7))),
];

export function lingxingWorld(day: { fromMs: number; toMs: number }): {
  kingdeeFixture: Fixture;
  masterData: Partial<Record<EntityName, Record<string, unknown>[]>>;
} {
  const base = loadFixture();
  const skus = Array.from({ length: PRODUCT_COUNT * 3 }, (_, i) => productSku(Math.floor(i / 3), i % 3));
  const kingdeeFixture = {
    ...base,
    currencies: Object.entries(CURRENCY_NUMBERS).map(([code, number]) => ({
      number,
      code,
      name: CURRENCY_RATES.find((rate) => rate.code === code)!.name,
    })),
    materials: [
      ...base.materials,
      ...skus.map((sku) => ({
        number: sku,
        name: `商品 ${sku}`,
        specification: '',
        baseUnit: 'Pcs',
        batchManaged: false,
        onlineSale: true,
        createOrg: ORG,
        useOrgs: [ORG],
      })),
    ],
    customers: [
      ...base.customers,
      ...[...SHOPS.map((shop) => shop.sid), ...MP_STORES].map((sid) => ({
        number: customerOf(sid),
        name: `店铺 ${sid}`,
        createOrg: ORG,
        useOrgs: [ORG],
      })),
    ],
    suppliers: [
      ...base.suppliers,
      ...SHOPS.map((shop) => ({
        number: customerOf(shop.sid),
        name: `Amazon ${shop.name}`,
        createOrg: ORG,
        useOrgs: [ORG],
      })),
      ...SUPPLIER_IDS.map((id) => ({ number: supplierOf(id), name: `供应商 ${id}`, createOrg: ORG, useOrgs: [ORG] })),
    ],
    warehouses: [
      ...base.warehouses,
      ...WAREHOUSES.map((warehouse) => ({
        number: stockOf(warehouse.wid),
        name: warehouse.name,
        allowNegative: true,
        createOrg: ORG,
        useOrgs: [ORG],
      })),
    ],
    closedThrough: Object.fromEntries(Object.keys(base.closedThrough ?? {}).map((org) => [org, '2000-01-01'])),
  } as Fixture;
  const warehouse = (sourceCode: string, wid: number) => ({
    sourceSystem: 'lingxing',
    sourceCode,
    kingdeeStockNumber: stockOf(wid),
    stockOrg: ORG,
  });
  const masterData = {
    org: base.organisations.map((org) => ({ number: org.number, name: org.name })),
    warehouse: [
      ...WAREHOUSES.map((w) => warehouse(String(w.wid), w.wid)),
      ...SHOPS.map((shop) => warehouse(`fba-${shop.sid}`, 1000 + shop.sid)),
      warehouse('return', 2),
      warehouse('purchase-return', 1),
    ],
    shop: [...SHOPS.map((shop) => shop.sid), ...MP_STORES].map((sid) => ({
      sourceSystem: 'lingxing',
      shopCode: String(sid),
      customerNumber: customerOf(sid),
      deliveryOrg: ORG,
      saleOrg: ORG,
    })),
    sku: skus.map((sku) => ({ sourceSystem: 'lingxing', skuCode: sku, materialNumber: sku, unit: 'Pcs' })),
    supplier: [
      ...SHOPS.map((shop) => ({
        sourceSystem: 'lingxing',
        sourceCode: `platform/${shop.sid}`,
        name: `Amazon ${shop.name}`,
        kingdeeSupplierNumber: customerOf(shop.sid),
      })),
      ...SUPPLIER_IDS.map((id) => ({
        sourceSystem: 'lingxing',
        sourceCode: String(id),
        kingdeeSupplierNumber: supplierOf(id),
      })),
    ],
    feeType: Object.entries(FEE_ACCOUNTS).map(([feeType, account]) => ({
      sourceSystem: 'lingxing',
      feeType,
      ...account,
    })),
    currency: Object.entries(CURRENCY_NUMBERS).map(([code, kingdeeCurrencyNumber]) => ({
      code,
      kingdeeCurrencyNumber,
      amountDigits: currencyDigits(code),
    })),
    currencyRate: months(day.fromMs, day.toMs).flatMap((month) =>
      CURRENCY_RATES.map((rate) => ({ sourceSystem: 'lingxing', month, code: rate.code, rate: rate.my_rate })),
    ),
  };
  return { kingdeeFixture, masterData };
}

export type LingxingPipelineOptions = Pick<
  PipelineOptions,
  'endpoints' | 'workDir' | 'topicPrefix' | 'mongoDb' | 'logLevel'
> & {
  /** Emulator documents per type (settlements are made of `fee_settlement` rows, SETTLEMENT_ROWS each). */
  perType: Partial<Record<LingxingDocumentType, number>>;
  lingxingFaults?: LingxingFaults;
  /** Runs on the seeded emulator before the services start (e.g. an order refunded after shipment). */
  prepare?: (lingxing: LingxingEmulator, day: { fromMs: number; toMs: number }) => void;
};

export class LingxingPipeline {
  private constructor(
    readonly lingxing: LingxingEmulator,
    readonly kingdee: KingdeeEmulator,
    readonly kingdeeFixture: Fixture,
    readonly services: Record<ServiceName, ServiceProcess>,
    readonly mongo: MongoClient,
    readonly db: Db,
    readonly day: { fromMs: number; toMs: number },
  ) {}

  static async start(options: LingxingPipelineOptions): Promise<LingxingPipeline> {
    const day = yesterdayInBeijing();
    const { kingdeeFixture, masterData } = lingxingWorld(day);
    const kingdee = await startKingdeeEmulator({ seed: kingdeeFixture });
    const lingxing = await startLingxingEmulator({
      seed: 18,
      documents: { perType: options.perType, fromMs: day.fromMs, toMs: day.toMs },
      ...(options.lingxingFaults ? { faults: options.lingxingFaults } : {}),
    });
    options.prepare?.(lingxing, day);
    const sourceConfig = {
      service: 'source_lingxing',
      opsPort: await getFreePort(),
      pollIntervalSeconds: 2,
      accounts: [
        {
          name: `e2e${options.topicPrefix ? `-${options.topicPrefix.toLowerCase().replace(/[^a-z0-9_-]/g, '')}` : ''}`,
          baseUrl: lingxing.url,
          appId: LINGXING_TEST_ACCOUNT.appId,
          appSecret: 'env:YECAI_E2E_LINGXING_APP_SECRET',
          startAt: formatBeijingTime(day.fromMs),
          masterDataStartAt: formatBeijingTime(day.fromMs),
          streams: [...LINGXING_STREAMS],
          rateLimits: { perSecond: 1000, perMinute: 60_000 },
          throttleBackoffMs: 50,
        },
      ],
    };
    const { services, mongo, db } = await launchServices(options, kingdee, kingdeeFixture, masterData, {
      name: 'source-lingxing',
      main: join(repoRoot(__dirname), 'services/source-lingxing/src/main.ts'),
      config: sourceConfig,
      env: { YECAI_E2E_LINGXING_APP_SECRET: LINGXING_TEST_ACCOUNT.appSecret },
      sinkFlows: LINGXING_SINK_FLOWS,
    });
    return new LingxingPipeline(lingxing, kingdee, kingdeeFixture, services, mongo, db, day);
  }

  /** The emulator's current version of every document of a type, as its endpoint renders it. */
  records(type: string): LxRecord[] {
    const store = this.lingxing.store;
    return store.versions(type).map((version) => renderRecord(store.seed, store.get(type, version.id)!));
  }

  /** Bills per Kingdee form every flow must post: the documents in their final status (orders shipped, documents done). */
  expectedBills(): Record<string, number> {
    const done = (type: string, status: string | number) =>
      this.records(type).filter((document) => document.status === status);
    const shipped = this.records('sales_order').filter((order) => order.order_status === 'Shipped');
    const counted = (sign: 1 | -1) =>
      done('stock_count', 3).filter((count) =>
        count.item_list.some((line: LxRecord) => Math.sign(line.diff_num) === sign),
      ).length;
    return {
      SAL_SaleOrder: shipped.length + done('mp_sales_order', 6).length,
      SAL_OUTSTOCK: done('sales_outstock', 3).length,
      SAL_RETURNSTOCK: shipped.filter((order) => order.is_return === 1).length + done('sales_return', '已完成').length,
      STK_TransferDirect: done('first_leg_shipment', 2).length + done('transfer', 40).length,
      STK_InStock: done('purchase_instock', 40).length,
      STK_MISCELLANEOUS: done('other_instock', 40).length,
      STK_MisDelivery: done('other_outstock', 40).length,
      PUR_MRB: done('purchase_return', 40).length,
      STK_StockCountGain: counted(1),
      STK_StockCountLoss: counted(-1),
      AP_Payable: this.closedSettlements().filter((rows) => rows.some((row) => row.type !== 'Principal')).length,
    };
  }

  /** Documents a source stream publishes: one per emulator document, one per settlement for `settlement`. */
  documentCount(stream: string): number {
    if (stream === 'settlement') return new Set(this.records('fee_settlement').map((row) => row.settlementId)).size;
    return this.lingxing.store.versions(stream).length;
  }

  /** The Kingdee currency number the world gives a marketplace currency. */
  currencyNumber(code: string): string {
    return CURRENCY_NUMBERS[code]!;
  }

  /** The rows of each Closed settlement (all its rows exist), by settlement id: one 费用应付单 each. */
  closedSettlements(): LxRecord[][] {
    const bySettlement = new Map<string, LxRecord[]>();
    for (const row of this.records('fee_settlement'))
      bySettlement.set(row.settlementId, [...(bySettlement.get(row.settlementId) ?? []), row]);
    return [...bySettlement.values()].filter((rows) => rows.length >= SETTLEMENT_ROWS);
  }

  /** Bills the Kingdee emulator holds per form: bill number → how many bills carry it. */
  billNumbers(): Map<string, Map<string, number>> {
    const byForm = new Map<string, Map<string, number>>();
    for (const [formId, bills] of this.kingdee.state.bills) {
      const numbers = new Map<string, number>();
      for (const bill of bills.values()) numbers.set(bill.billNo, (numbers.get(bill.billNo) ?? 0) + 1);
      byForm.set(formId, numbers);
    }
    return byForm;
  }

  async stop(): Promise<void> {
    for (const name of ['source', 'mapping', 'sink'] as const) await this.services[name].dispose();
    await Promise.allSettled([this.lingxing.close(), this.kingdee.close()]);
    await this.mongo.close();
  }
}
