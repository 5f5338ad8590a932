/**
 * The 实际收货 stream (`aftersale_received`, /open/aftersale/received/query), which F4 sales returns are posted
 * from: generated receipts and a real project's samples inserted exactly reach raw.jushuitan.aftersale_received
 * once each, payload unchanged, keyed by the 退仓单号 io_id that becomes the Kingdee bill number.
 */
import { formatBeijingTime } from '@yecai/common';
import { startJushuitanEmulator, type JstEmulator } from '@yecai/emulator-jushuitan';
import { testEndpoints, testKafka, uniqueTopicPrefix } from '@yecai/test-harness';
import type { KafkaClient } from '@yecai/kafka';
import { createJstService } from './service';
import { exactlyOnceReport, readRawDocuments, testConfig } from './test-support';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('JST source: 实际收货 (aftersale_received) over real Kafka', () => {
  let emulator: JstEmulator;
  let kafka: KafkaClient;

  beforeEach(() => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('jst-received');
    kafka = testKafka();
  });
  afterEach(async () => {
    await emulator?.close();
    await kafka.disconnect();
  });

  it('publishes every receipt once, a replayed sample byte for byte, with io_id as the source id', async () => {
    const now = Date.now();
    emulator = await startJushuitanEmulator({
      seed: 11,
      rateLimits: { perSecond: 1000, perMinute: 100_000 },
      documents: { perType: { aftersale_received: 180, aftersale: 180 }, fromMs: now - 2 * DAY, toMs: now - 2 * MINUTE },
    });
    const sample = {
      io_id: 7300123,
      o_id: 1882001,
      so_id: '4011223344556677889',
      as_id: 5512009,
      shop_id: 16004421,
      shop_name: '样例旗舰店',
      io_date: formatBeijingTime(now - DAY - 10 * MINUTE),
      modified: formatBeijingTime(now - DAY),
      status: 'Confirmed',
      wh_id: 2,
      wms_co_id: 10422,
      remark: '客户拒收，包装完好',
      items: [{ ioi_id: 99001, sku_id: 'REAL-SKU-01', i_id: 'A900', qty: 2, sale_price: 128.5, sale_amount: 257, batch_id: '0' }],
    };
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
