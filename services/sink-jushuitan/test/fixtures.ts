/**
 * The 聚水潭 sink under test: the JST emulator, a config against it, and canonical oms_goods events as mapping emits
 * them from an audited, 是否网销 Kingdee material.
 */
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

export { sampleOmsGoods as omsGoods } from '@yecai/contracts/src/test-fixtures';

/** Goods rows per sku starting with `prefix` (JST upserts by sku_id: exactly once = one row each). */
export function goodsCounts(emulator: JstEmulator, prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of emulator.goods.list()) if (row.sku_id.startsWith(prefix)) counts.set(row.sku_id, (counts.get(row.sku_id) ?? 0) + 1);
  return counts;
}
