/**
 * The 聚水潭 sink under test: the JST emulator, a config against it, and canonical oms_goods events as mapping emits
 * them from an audited, 是否网销 Kingdee material.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_ACCOUNT, startJushuitanEmulator, type JstEmulator, type JstEmulatorOptions } from '@yecai/emulator-jushuitan';
import type { SinkConfigInput } from '../src/config';

process.env.SINK_TEST_JST_SECRET = DEFAULT_ACCOUNT.appSecret;
process.env.SINK_TEST_JST_TOKEN = DEFAULT_ACCOUNT.accessToken;

export function startEmulator(options: JstEmulatorOptions = {}): Promise<JstEmulator> {
  return startJushuitanEmulator({ port: 0, rateLimits: { perSecond: 10_000, perMinute: 100_000 }, ...options });
}

export function sinkConfigFor(emulator: { url: string }, overrides: Partial<Omit<SinkConfigInput, 'jushuitan'>> = {}): SinkConfigInput {
  return {
    jushuitan: {
      name: 'main',
      baseUrl: emulator.url,
      appKey: DEFAULT_ACCOUNT.appKey,
      appSecret: 'env:SINK_TEST_JST_SECRET',
      accessToken: 'env:SINK_TEST_JST_TOKEN',
      requestTimeoutMs: 3000,
    },
    flows: [{ documentType: 'oms_goods' }],
    groupId: `sink-jst-test-${Math.random().toString(16).slice(2, 10)}`,
    batchSize: 5,
    level2RetryDelaysMs: [60_000],
    probeIntervalMs: 500,
    schedulerIntervalMs: 300,
    ...overrides,
  };
}

/** An oms_goods event for Kingdee material `sku` (version: a later edit of the same material, renamed). */
export function omsGoods(sku: string, options: { version?: number; styleCode?: string; name?: string } = {}): Record<string, unknown> {
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

/** Goods rows per sku starting with `prefix` (JST upserts by sku_id: exactly once = one row each). */
export function goodsCounts(emulator: JstEmulator, prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of emulator.goods.list()) if (row.sku_id.startsWith(prefix)) counts.set(row.sku_id, (counts.get(row.sku_id) ?? 0) + 1);
  return counts;
}
