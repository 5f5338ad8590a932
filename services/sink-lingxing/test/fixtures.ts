/**
 * The 领星 sink under test: the 领星 emulator, a config against it, and canonical oms_goods events as mapping emits
 * them from an audited, 是否网销 Kingdee material.
 */
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator, type LingxingEmulator, type LingxingEmulatorOptions } from '@yecai/emulator-lingxing';
import type { SinkConfigInput } from '../src/config';

process.env.SINK_TEST_LINGXING_SECRET = LINGXING_TEST_ACCOUNT.appSecret;

export function startEmulator(options: LingxingEmulatorOptions = {}): Promise<LingxingEmulator> {
  return startLingxingEmulator({ port: 0, ...options });
}

export function sinkConfigFor(emulator: { url: string }, overrides: Partial<Omit<SinkConfigInput, 'lingxing'>> = {}): SinkConfigInput {
  return {
    lingxing: {
      name: 'main',
      baseUrl: emulator.url,
      appId: LINGXING_TEST_ACCOUNT.appId,
      appSecret: 'env:SINK_TEST_LINGXING_SECRET',
      requestTimeoutMs: 3000,
      throttleBackoffMs: 50,
    },
    flows: [{ documentType: 'oms_goods' }],
    groupId: `sink-lingxing-test-${Math.random().toString(16).slice(2, 10)}`,
    batchSize: 5,
    level2RetryDelaysMs: [60_000],
    probeIntervalMs: 500,
    schedulerIntervalMs: 300,
    ...overrides,
  };
}

export { sampleOmsGoods as omsGoods } from '@yecai/contracts/src/test-fixtures';

/** Products per sku starting with `prefix` (领星 upserts by sku: exactly once = one product each). */
export function productCounts(emulator: LingxingEmulator, prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of emulator.products.list()) if (row.sku.startsWith(prefix)) counts.set(row.sku, (counts.get(row.sku) ?? 0) + 1);
  return counts;
}
