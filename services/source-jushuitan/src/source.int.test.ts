/**
 * What only 聚水潭 has, over real Kafka (harness), the JST emulator and the real service wiring. Exactly-once,
 * checkpoints, overlap, late updates, same-second ties, storms, backfill, lost commits and kill -9 are the kit's
 * conformance suite (conformance.int.test.ts).
 */
import { formatBeijingTime } from '@yecai/common';
import { sampleReceipt, startJushuitanEmulator, type JstEmulator } from '@yecai/emulator-jushuitan';
import { testEndpoints, testKafka, uniqueTopicPrefix } from '@yecai/test-harness';
import type { KafkaClient } from '@yecai/kafka';
import { createJstService } from './source';
import { exactlyOnceReport, readRawDocuments, testConfig } from './test-support';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('JST source over real Kafka', () => {
  let emulator: JstEmulator;
  let kafka: KafkaClient;

  beforeEach(() => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('jst');
    kafka = testKafka();
  });
  afterEach(async () => {
    await emulator?.close();
    await kafka.disconnect();
  });

  // 实际收货 (aftersale_received): F4 sales returns are posted from these, keyed by the 退仓单号 io_id.
  it('实际收货: publishes every receipt once, a replayed sample byte for byte, with io_id as the source id', async () => {
    const now = Date.now();
    emulator = await startJushuitanEmulator({
      seed: 11,
      rateLimits: { perSecond: 1000, perMinute: 100_000 },
      documents: { perType: { aftersale_received: 180, aftersale: 180 }, fromMs: now - 2 * DAY, toMs: now - 2 * MINUTE },
    });
    const { ts: _noRowversion, ...sample } = sampleReceipt({
      io_date: formatBeijingTime(now - DAY - 10 * MINUTE),
      modified: formatBeijingTime(now - DAY),
    });
    emulator.store.insertExact('aftersale_received', sample);
    const service = createJstService(
      testConfig(emulator, { startAt: formatBeijingTime(now - 3 * DAY), streams: ['aftersale_received'] }),
    );
    try {
      await service.runtime.runOnce();
      await service.runtime.runOnce(); // the overlap re-read publishes nothing again
    } finally {
      await service.close();
    }
    const received = await readRawDocuments(kafka, testEndpoints().schemaRegistryUrl, 'aftersale_received');
    expect(exactlyOnceReport(emulator, 'aftersale_received', received)).toEqual({ duplicates: [], missing: [] });
    expect(received).toHaveLength(181);
    const replayed = received.find((document) => document.sourceId === '7300123')!;
    expect(replayed.payload).toBe(JSON.stringify(sample));
    expect(replayed.documentType).toBe('aftersale_received');
    for (const document of received) {
      const payload = JSON.parse(document.payload) as { io_id: number; as_id: number; io_date: string };
      expect(document.sourceId).toBe(String(payload.io_id));
      expect(payload.as_id).toBeGreaterThan(0); // the 售后单 it receives, for tracing
      expect(payload.io_date <= formatBeijingTime(Number(document.sourceModifiedAt))).toBe(true);
    }
    // The 售后单 stream was not asked for: nothing of it is published by this source.
    expect(await readRawDocuments(kafka, testEndpoints().schemaRegistryUrl, 'aftersale')).toEqual([]);
  });
});
