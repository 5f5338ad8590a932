/**
 * What only 旺店通 has, in both editions, over real Kafka (harness), the WDT emulator in-process and the real service
 * wiring: master data read from masterDataStartAt, payloads as the API sent them (zero dates as null, 企业版
 * string scalars), 旗舰版 sales asked for 已完成 only. Exactly-once, checkpoints, overlap, late updates,
 * same-second ties, storms, backfill, lost commits and kill -9 are the kit's conformance suite
 * (conformance.int.test.ts).
 */
import { formatBeijingTime } from '@yecai/common';
import { defaultWorld, startWangdiantongEmulator, type WdtEmulator, type WdtEmulatorOptions } from '@yecai/emulator-wangdiantong';
import { testEndpoints, testKafka, uniqueTopicPrefix } from '@yecai/test-harness';
import type { KafkaClient } from '@yecai/kafka';
import { committedCheckpoints } from '@yecai/connector-kit/src/conformance/raw';
import type { WdtEdition } from './config';
import { createWdtService } from './source';
import { exactlyOnceReport, publishedVersions, readRawDocuments, testConfig } from './test-support';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The emulator with its master data last edited `ageMs` ago (its clock is shifted back while the world is seeded). */
async function emulatorWithOldMasterData(options: WdtEmulatorOptions, ageMs: number): Promise<WdtEmulator> {
  let offset = -ageMs;
  const emulator = await startWangdiantongEmulator({
    ...options,
    world: defaultWorld(),
    now: () => Date.now() + offset,
  });
  offset = 0;
  return emulator;
}

describe('WDT source over real Kafka', () => {
  let emulator: WdtEmulator;
  let kafka: KafkaClient;

  beforeEach(() => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('wdt');
    kafka = testKafka();
  });
  afterEach(async () => {
    await emulator?.close();
    await kafka.disconnect();
  });

  it.each<[WdtEdition, string]>([
    ['qyb', '企业版'],
    ['qjb', '旗舰版'],
  ])(
    '%s (%s): reads master data from masterDataStartAt and publishes payloads as the API sent them (zero dates as null)',
    async (edition) => {
      const now = Date.now();
      emulator = await emulatorWithOldMasterData(
        {
          seed: edition === 'qyb' ? 3 : 4,
          rateLimits: { perMinute: 100_000, concurrent: 20 },
          documents: { perType: { sales_out: 300, transfer: 200 }, fromMs: now - 2 * DAY, toMs: now - 2 * MINUTE },
        },
        30 * DAY,
      );
      const service = createWdtService(
        testConfig(emulator, [
          {
            name: `live-${edition}`,
            edition,
            startAt: formatBeijingTime(now - 3 * DAY),
            masterDataStartAt: formatBeijingTime(now - 60 * DAY),
            streams: ['sales_outstock', 'transfer', 'customer', 'warehouse', 'material'],
          },
        ]),
      );
      const cycleAt = Date.now();
      try {
        await service.runtime.runOnce();
      } finally {
        await service.close();
      }
      const registry = testEndpoints().schemaRegistryUrl;
      const sales = await readRawDocuments(kafka, registry, 'sales_outstock');
      const expectedSales = publishedVersions(emulator, 'sales_outstock', edition);
      expect(exactlyOnceReport(expectedSales, sales)).toEqual({ duplicates: [], missing: [] });
      // 企业版 returns every status (mapping keeps 110); 旗舰版 is asked for 110 only.
      if (edition === 'qjb') expect(sales.every((d) => JSON.parse(d.payload).status === 110)).toBe(true);
      else expect(expectedSales).toHaveLength(300);
      const transfers = await readRawDocuments(kafka, registry, 'transfer');
      expect(transfers).toHaveLength(200);

      // Payloads are what the API sent, with zero dates as null and numbers kept exactly.
      const payloads = [...sales, ...transfers].map((d) => d.payload);
      expect(payloads.some((p) => p.includes('0000-00-00'))).toBe(false);
      expect(transfers.some((d) => JSON.parse(d.payload).check_time === null)).toBe(true);
      if (edition === 'qyb') {
        // 企业版 sends every scalar as a string: quantities keep their 4 decimals.
        expect(JSON.parse(sales[0]!.payload).details_list[0].goods_count).toMatch(/^\d+\.\d{4}$/);
      } else {
        expect(typeof JSON.parse(sales[0]!.payload).stockout_id).toBe('number');
      }

      // Master data edited 30 days ago, before the documents' start, is read from masterDataStartAt.
      const shops = await readRawDocuments(kafka, registry, 'customer');
      const warehouses = await readRawDocuments(kafka, registry, 'warehouse');
      const goods = await readRawDocuments(kafka, registry, 'material');
      const world = defaultWorld();
      expect(shops.map((d) => JSON.parse(d.payload).shop_no).sort()).toEqual(world.shops.map((s) => s.shop_no).sort());
      expect(warehouses.map((d) => JSON.parse(d.payload).warehouse_no).sort()).toEqual(world.warehouses.map((w) => w.warehouse_no).sort());
      expect(goods.map((d) => JSON.parse(d.payload).goods_no).sort()).toEqual(world.goods.map((g) => g.goods_no).sort());
      expect(JSON.parse(goods[0]!.payload).spec_list.length).toBeGreaterThan(0);
      const checkpoints = await committedCheckpoints(kafka, 'source_wangdiantong');
      expect(Number(checkpoints.get(`live-${edition}/customer`)!.cursor)).toBeGreaterThanOrEqual(Math.floor((cycleAt - MINUTE) / 1000) * 1000);
    },
    180_000,
  );
});
