/**
 * The 旺店通 sink under test: the WDT emulator (its default world), a config against it, and canonical
 * oms_purchase_instock / oms_purchase_return / oms_other_instock / oms_other_outstock / oms_transfer / oms_stock_count
 * events as mapping emits them from an audited Kingdee 采购入库单 / 采购退料单 / 其他入库单 / 其他出库单 / 直接调拨单 / 盘盈单.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_QYB_ACCOUNT, defaultWorld, startWangdiantongEmulator, type WdtEmulator, type WdtEmulatorOptions } from '@yecai/emulator-wangdiantong';
import type { SinkConfigInput } from '../src/config';

process.env.SINK_TEST_WDT_SECRET = DEFAULT_QYB_ACCOUNT.appsecret;

export const WORLD = defaultWorld();
export const SPEC = WORLD.goods[0]!.specs[0]!.spec_no;
export const WAREHOUSE = 'HZ01';
/** A transfer's destination (another stock organisation in the default world). */
export const TO_WAREHOUSE = 'SH01';

export function startEmulator(options: WdtEmulatorOptions = {}): Promise<WdtEmulator> {
  return startWangdiantongEmulator({ port: 0, world: WORLD, rateLimits: { perMinute: 100_000, concurrent: 20 }, ...options });
}

export function sinkConfigFor(emulator: { url: string }, overrides: Partial<Omit<SinkConfigInput, 'wangdiantong'>> = {}): SinkConfigInput {
  return {
    wangdiantong: {
      sid: DEFAULT_QYB_ACCOUNT.sid,
      appKey: DEFAULT_QYB_ACCOUNT.appkey,
      appSecret: 'env:SINK_TEST_WDT_SECRET',
      baseUrl: `${emulator.url}/openapi2`,
      requestTimeoutMs: 3000,
    },
    flows: [{ documentType: 'oms_purchase_instock' }],
    groupId: `sink-wdt-test-${Math.random().toString(16).slice(2, 10)}`,
    batchSize: 5,
    level2RetryDelaysMs: [60_000],
    probeIntervalMs: 500,
    schedulerIntervalMs: 300,
    ...overrides,
  };
}

type StockBillOptions = { version?: number; sku?: string; quantity?: string; warehouse?: string };

/** An oms_purchase_instock event for Kingdee bill `billNumber` (version: a later edit of the same bill). */
export function omsPurchaseInstock(billNumber: string, options: StockBillOptions = {}): Record<string, unknown> {
  return omsStockBill({ source: 'purchase_instock', form: 'STK_InStock', remark: '金蝶采购入库' }, billNumber, options);
}

/** An oms_purchase_return event for Kingdee 采购退料单 `billNumber`, as kingdee/purchase_return emits it. */
export function omsPurchaseReturn(billNumber: string, options: StockBillOptions = {}): Record<string, unknown> {
  return omsStockBill({ source: 'purchase_return', form: 'PUR_MRB', remark: '金蝶采购退料' }, billNumber, options);
}

/** An oms_other_instock event for Kingdee 其他入库单 `billNumber`, as kingdee/other_instock emits it (no supplier). */
export function omsOtherInstock(billNumber: string, options: StockBillOptions = {}): Record<string, unknown> {
  return omsStockBill({ source: 'other_instock', form: 'STK_MISCELLANEOUS', remark: '金蝶其他入库', purchase: false }, billNumber, options);
}

/** An oms_other_outstock event for Kingdee 其他出库单 `billNumber`, as kingdee/other_outstock emits it. */
export function omsOtherOutstock(billNumber: string, options: StockBillOptions = {}): Record<string, unknown> {
  return omsStockBill({ source: 'other_outstock', form: 'STK_MisDelivery', remark: '金蝶其他出库', purchase: false }, billNumber, options);
}

/** An oms_transfer event for Kingdee 直接调拨单 `billNumber`, as kingdee/transfer emits it: HZ01 (or `warehouse`) → SH01. */
export function omsTransfer(billNumber: string, options: StockBillOptions & { toWarehouse?: string } = {}): Record<string, unknown> {
  const { warehouse, ...bill } = omsStockBill({ source: 'transfer', form: 'STK_TransferDirect', remark: '金蝶调拨', purchase: false }, billNumber, options);
  return { ...bill, fromWarehouse: warehouse, toWarehouse: options.toWarehouse ?? TO_WAREHOUSE, lines: (bill.lines as object[]).map((line) => ({ ...line, price: null })) };
}

/** An oms_stock_count event for Kingdee 盘盈单 `billNumber`, as kingdee/stock_count_gain emits it: HZ01 counted at `counted`. */
export function omsStockCount(billNumber: string, options: StockBillOptions & { counted?: string } = {}): Record<string, unknown> {
  const bill = omsStockBill({ source: 'stock_count_gain', form: 'STK_StockCountGain', remark: '金蝶盘盈', purchase: false }, billNumber, options);
  const lines = (bill.lines as object[]).map((line) => ({ ...line, price: null, countedQuantity: options.counted ?? '12.5', bookQuantity: '10' }));
  return { ...bill, direction: 'GAIN', lines };
}

function omsStockBill(kind: { source: string; form: string; remark: string; purchase?: false }, billNumber: string, options: StockBillOptions): Record<string, unknown> {
  const version = options.version ?? 1;
  return {
    source: {
      sourceSystem: 'kingdee',
      account: 'main',
      documentType: kind.source,
      sourceId: `FID-${billNumber}`,
      sourceModifiedAt: 1_765_000_000_000 + version * 1000,
      contentHash: createHash('sha256').update(`${billNumber}/v${version}`).digest('hex'),
      rawTopic: `raw.kingdee.${kind.source}`,
      rawPartition: 0,
      rawOffset: version,
    },
    mapping: { flow: `kingdee/${kind.source}`, ruleVersion: 'test-1', mappedAt: 1_765_000_000_000 },
    billNumber,
    date: '2026-12-07',
    originForm: kind.form,
    originId: `FID-${billNumber}`,
    originBillNumber: billNumber,
    warehouse: options.warehouse ?? WAREHOUSE,
    ...(kind.purchase === false ? {} : { provider: 'GYS001', purchaseOrderNumber: null }),
    remark: `${kind.remark} ${billNumber}`,
    lines: [{ lineId: '1', material: `M-${options.sku ?? SPEC}`, sku: options.sku ?? SPEC, quantity: options.quantity ?? '1', price: '12.5', batch: null }],
  };
}

/** Pushed stock bills of one WDT kind per outer number starting with `prefix`. */
export function documentCounts(emulator: WdtEmulator, prefix: string, type: 'purchase_in' | 'purchase_return' | 'other_in' | 'other_out' | 'transfer' | 'stock_pd' = 'purchase_in'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ref of emulator.store.versions(type))
    if (ref.outerNo?.startsWith(prefix)) counts.set(ref.outerNo, (counts.get(ref.outerNo) ?? 0) + 1);
  return counts;
}

export { sampleOmsGoods as omsGoods } from '@yecai/contracts/src/test-fixtures';

/** WDT spec rows per spec number starting with `prefix` (goods_push upserts by spec_no: exactly once = one row each). */
export function specCounts(emulator: WdtEmulator, prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const goods of emulator.store.listGoods())
    for (const spec of goods.specs) if (spec.spec_no.startsWith(prefix)) counts.set(spec.spec_no, (counts.get(spec.spec_no) ?? 0) + 1);
  return counts;
}
