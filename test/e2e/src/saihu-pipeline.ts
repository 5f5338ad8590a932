import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { formatBeijingTime, getFreePort } from '@yecai/common';
import { RATES_TO_CNY, SAIHU_SHOPS, SAIHU_TEST_ACCOUNT, startSaihuEmulator, type SaihuEmulator, type SaihuFaults } from '@yecai/emulator-saihu';
import { loadFixture, startKingdeeEmulator, type Fixture, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import type { EntityName } from '@yecai/master-data';
import { launchServices, yesterdayInBeijing, type PipelineOptions, type ServiceName, type ServiceProcess } from '@yecai/demo';
import { repoRoot } from '@yecai/stack';

/**
 * 赛狐 → Kingdee finance flows on real Kafka / registry / MongoDB: the Saihu and Kingdee emulators in this process,
 * source-saihu, mapping and the sink as child processes (launchServices, as for 领星).
 *
 * The world: one company (Kingdee org 100) selling on the six Amazon marketplaces of the emulator; every shop is a
 * customer `AMZ-<shopId>` (the platform collects payment) and, for its fees, a supplier `AMZ-<shopId>`; every local
 * SKU and its seller SKU (`M<sku>`) a material of the local SKU's number; the fee types are the shipped example table
 * (services/mapping/rules/saihu/fee-types.csv); month rates for the months the documents fall in, a different one
 * per month. The inventory streams become inventory snapshots (F17) that no sink posts.
 */
export const SAIHU_STREAMS = ['sales_order', 'settlement', 'settlement_detail', 'warehouse_inventory', 'fba_inventory'] as const;
export const SAIHU_SINK_FLOWS = ['receivable', 'receipt', 'fee_settlement'] as const;

const ORG = '100';
const CURRENCY_NUMBERS: Record<string, string> = { CNY: 'PRE001', USD: 'PRE007', CAD: 'PRE008', GBP: 'PRE005', EUR: 'PRE003', JPY: 'PRE004' };
export const customerOf = (shopId: string) => `AMZ-${shopId}`;
const SKUS = Array.from({ length: 60 }, (_, n) => `SKU-${String(n).padStart(3, '0')}-${['BLK', 'WHT', 'RED'][n % 3]}`);

/** Month yyyy-MM of a Beijing time, and the month before. */
export const monthOf = (ms: number) => formatBeijingTime(ms).slice(0, 7);
export function previousMonth(month: string): string {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return mon === 1 ? `${year - 1}-12` : `${year}-${String(mon - 1).padStart(2, '0')}`;
}

/** The month rate of a currency: the emulator's CNY table, moved by the month so two months never share a rate. */
export function monthRate(month: string, code: string): string {
  const base = Number(RATES_TO_CNY[code]!) / 10_000;
  const shift = (Number(month.slice(5, 7)) % 5) * 0.0125;
  return (base * (1 + shift)).toFixed(code === 'JPY' ? 6 : 4);
}

/** The shipped example fee-type table (what `yecai master-data import feeType` loads). */
export function saihuFeeTypes(): { sourceSystem: string; feeType: string; accountNumber: string; expenseItem: string }[] {
  const [header, ...rows] = readFileSync(join(repoRoot(__dirname), 'services/mapping/rules/saihu/fee-types.csv'), 'utf8').trim().split('\n');
  const keys = header!.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((value, i) => [keys[i], value])) as never);
}

export function saihuWorld(months: string[]): { kingdeeFixture: Fixture; masterData: Partial<Record<EntityName, Record<string, unknown>[]>> } {
  const base = loadFixture();
  const kingdeeFixture = {
    ...base,
    currencies: Object.entries(CURRENCY_NUMBERS).map(([code, number]) => ({ number, code, name: code })),
    materials: [...base.materials, ...SKUS.map((sku) => ({ number: sku, name: `商品 ${sku}`, specification: '', baseUnit: 'Pcs', batchManaged: false, onlineSale: true, createOrg: ORG, useOrgs: [ORG] }))],
    customers: [...base.customers, ...SAIHU_SHOPS.map((shop) => ({ number: customerOf(shop.id), name: `Amazon ${shop.name}`, createOrg: ORG, useOrgs: [ORG] }))],
    suppliers: [...base.suppliers, ...SAIHU_SHOPS.map((shop) => ({ number: customerOf(shop.id), name: `Amazon ${shop.name}`, createOrg: ORG, useOrgs: [ORG] }))],
    closedThrough: Object.fromEntries(Object.keys(base.closedThrough ?? {}).map((org) => [org, '2000-01-01'])),
  } as Fixture;
  const masterData = {
    org: base.organisations.map((org) => ({ number: org.number, name: org.name })),
    shop: SAIHU_SHOPS.map((shop) => ({ sourceSystem: 'saihu', shopCode: shop.id, customerNumber: customerOf(shop.id), deliveryOrg: ORG, saleOrg: ORG })),
    sku: SKUS.flatMap((sku) => [sku, `M${sku}`].map((code) => ({ sourceSystem: 'saihu', skuCode: code, materialNumber: sku, unit: 'Pcs' }))),
    supplier: SAIHU_SHOPS.map((shop) => ({ sourceSystem: 'saihu', sourceCode: `platform/${shop.id}`, name: `Amazon ${shop.name}`, kingdeeSupplierNumber: customerOf(shop.id) })),
    feeType: saihuFeeTypes(),
    currency: Object.entries(CURRENCY_NUMBERS).map(([code, kingdeeCurrencyNumber]) => ({ code, kingdeeCurrencyNumber })),
    currencyRate: months.flatMap((month) => Object.keys(CURRENCY_NUMBERS).map((code) => ({ sourceSystem: 'saihu', month, code, rate: monthRate(month, code) }))),
  };
  return { kingdeeFixture, masterData };
}

export type SaihuPipelineOptions = Pick<PipelineOptions, 'endpoints' | 'workDir' | 'topicPrefix' | 'mongoDb' | 'logLevel'> & {
  perType: Partial<Record<(typeof SAIHU_STREAMS)[number], number>>;
  /** Runs on the seeded emulators before the services start (e.g. a Kingdee period closed from the first poll). */
  prepare?: (saihu: SaihuEmulator, day: { fromMs: number; toMs: number }, kingdee: KingdeeEmulator) => void;
  saihuFaults?: SaihuFaults;
};

export class SaihuPipeline {
  private constructor(
    readonly saihu: SaihuEmulator,
    readonly kingdee: KingdeeEmulator,
    readonly kingdeeFixture: Fixture,
    readonly services: Record<ServiceName, ServiceProcess>,
    readonly mongo: MongoClient,
    readonly db: Db,
    readonly day: { fromMs: number; toMs: number },
  ) {}

  static async start(options: SaihuPipelineOptions): Promise<SaihuPipeline> {
    const day = yesterdayInBeijing();
    const month = monthOf(day.toMs);
    const months = [...new Set([previousMonth(month), monthOf(day.fromMs - 4 * 86_400_000), month, monthOf(Date.now())])];
    const { kingdeeFixture, masterData } = saihuWorld(months);
    const kingdee = await startKingdeeEmulator({ seed: kingdeeFixture });
    const saihu = await startSaihuEmulator({
      seed: 19,
      documents: { perType: options.perType, fromMs: day.fromMs, toMs: day.toMs },
      rateLimits: { perSecondPerEndpoint: 1000 },
      ...(options.saihuFaults ? { faults: options.saihuFaults } : {}),
    });
    options.prepare?.(saihu, day, kingdee);
    const sourceConfig = {
      service: 'source_saihu',
      opsPort: await getFreePort(),
      pollIntervalSeconds: 2,
      accounts: [
        {
          name: `e2e${options.topicPrefix ? `-${options.topicPrefix.toLowerCase().replace(/[^a-z0-9_-]/g, '')}` : ''}`,
          baseUrl: saihu.url,
          clientId: SAIHU_TEST_ACCOUNT.clientId,
          clientSecret: 'env:YECAI_E2E_SAIHU_CLIENT_SECRET',
          startAt: formatBeijingTime(day.fromMs),
          masterDataStartAt: formatBeijingTime(day.fromMs),
          streams: [...SAIHU_STREAMS],
          settlementCurrency: 'USD',
          settlementShopIds: ['8'],
          rateLimits: { perSecond: 1000, perMinute: 60_000 },
          throttleBackoffMs: 50,
        },
      ],
    };
    const { services, mongo, db } = await launchServices(options, kingdee, kingdeeFixture, masterData, {
      name: 'source-saihu',
      main: join(repoRoot(__dirname), 'services/source-saihu/src/main.ts'),
      config: sourceConfig,
      env: { YECAI_E2E_SAIHU_CLIENT_SECRET: SAIHU_TEST_ACCOUNT.clientSecret },
      sinkFlows: SAIHU_SINK_FLOWS,
    });
    return new SaihuPipeline(saihu, kingdee, kingdeeFixture, services, mongo, db, day);
  }

  /** The emulator's current version of every document of a type, as its endpoint renders it. */
  records(type: string, currency?: string): Record<string, unknown>[] {
    return this.saihu.store.query(type as never, null, { withDeleted: true, ...(currency ? { currency } : {}) });
  }

  /** Kingdee bills by form and bill number, with how many bills carry each number (more than 1 = doubled). */
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
    await Promise.allSettled([this.saihu.close(), this.kingdee.close()]);
    await this.mongo.close();
  }
}
