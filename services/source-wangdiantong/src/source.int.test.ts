/**
 * Proof that the WDT source, in both editions, neither loses nor repeats a document version and that its
 * checkpoint never runs ahead of what was published: real Kafka + schema registry (harness), the WDT emulator
 * in-process, the real service wiring.
 */
import { formatBeijingTime } from '@yecai/common';
import {
  defaultWorld,
  generateDocuments,
  startWangdiantongEmulator,
  type WdtEmulator,
  type WdtEmulatorOptions,
} from '@yecai/emulator-wangdiantong';
import { testEndpoints, testKafka, uniqueTopicPrefix } from '@yecai/test-harness';
import type { KafkaClient } from '@yecai/kafka';
import type { WdtEdition } from './config';
import { createWdtService } from './service';
import {
  committedCheckpoints,
  exactlyOnceReport,
  publishedVersions,
  readRawDocuments,
  testConfig,
} from './test-support';

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

// Account names are unique across this package's integration files (transactional ids are
// <prefix><service>.<account>.<stream>; kept apart by prefix too, but unique names cost nothing).
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
    '%s (%s): publishes each version once with its checkpoint, re-reads the overlap without duplicates, picks up a late update and a same-second burst across pages, and reads master data from masterDataStartAt',
    async (edition) => {
      const now = Date.now();
      emulator = await emulatorWithOldMasterData(
        {
          seed: edition === 'qyb' ? 3 : 4,
          rateLimits: { perMinute: 100_000, concurrent: 20 },
          documents: { perType: { sales_out: 1500, transfer: 400 }, fromMs: now - 2 * DAY, toMs: now - 2 * MINUTE },
        },
        30 * DAY,
      );
      // 437 documents in one second: five pages of the same modified time.
      generateDocuments(emulator.store, 77, {
        perType: { sales_out: 437 },
        fromMs: now - DAY,
        toMs: now - DAY,
        sameSecondRatio: 1,
      });
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
      let lateId: number;
      let lastCycleAt: number;
      try {
        await service.runtime.runOnce();
        await service.runtime.runOnce(); // overlap re-read: must publish nothing
        const late = emulator.store.versions('transfer').find((v) => v.status !== 90)!;
        lateId = late.id;
        emulator.store.modifyDocument('transfer', late.id, Date.now() - 90_000, { status: 90 });
        lastCycleAt = Date.now();
        await service.runtime.runOnce();
        const metrics = await service.metrics.metrics();
        const lag = /yecai_source_cursor_lag_seconds\{[^}]*stream="sales_outstock"[^}]*\} ([\d.]+)/.exec(metrics);
        expect(Number(lag?.[1])).toBeGreaterThanOrEqual(60); // the settle lag
        // …and no more than the settle lag plus however long the last cycle took on this machine.
        expect(Number(lag?.[1])).toBeLessThanOrEqual((Date.now() - lastCycleAt) / 1000 + 61);
        const expectedSales = publishedVersions(emulator, 'sales_outstock', edition).length;
        expect(metrics).toMatch(
          new RegExp(
            `yecai_source_documents_total\\{[^}]*stream="sales_outstock",origin="LIVE"[^}]*\\} ${expectedSales}\n`,
          ),
        );
        expect(metrics).not.toMatch(/wdt_secret|wdt_qjb_secret|wdt_salt/);
      } finally {
        await service.close();
      }
      const registry = testEndpoints().schemaRegistryUrl;
      const sales = await readRawDocuments(kafka, registry, 'sales_outstock');
      const expectedSales = publishedVersions(emulator, 'sales_outstock', edition);
      expect(exactlyOnceReport(expectedSales, sales)).toEqual({ duplicates: [], missing: [] });
      expect(sales).toHaveLength(expectedSales.length);
      // 企业版 returns every status (mapping keeps 110); 旗舰版 is asked for 110 only.
      expect(expectedSales.length).toBe(
        edition === 'qyb' ? 1937 : emulator.store.versions('sales_out').filter((v) => v.status === 110).length,
      );
      expect(
        sales.every((d) => d.origin === 'LIVE' && d.account === `live-${edition}` && d.sourceSystem === 'wangdiantong'),
      ).toBe(true);
      const transfers = await readRawDocuments(kafka, registry, 'transfer');
      expect(exactlyOnceReport(emulator.store.versions('transfer'), transfers)).toEqual({
        duplicates: [],
        missing: [],
      });
      expect(transfers).toHaveLength(401); // 400 + the late update's new version
      const lateVersions = transfers.filter((d) => d.sourceId === String(lateId));
      expect(lateVersions.map((d) => JSON.parse(d.payload).status).map(String)).toContain('90');
      expect(lateVersions).toHaveLength(2);

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
      expect(warehouses.map((d) => JSON.parse(d.payload).warehouse_no).sort()).toEqual(
        world.warehouses.map((w) => w.warehouse_no).sort(),
      );
      expect(goods.map((d) => JSON.parse(d.payload).goods_no).sort()).toEqual(
        world.goods.map((g) => g.goods_no).sort(),
      );
      expect(JSON.parse(goods[0]!.payload).spec_list.length).toBeGreaterThan(0);

      const checkpoints = await committedCheckpoints(kafka);
      // The last cycle read up to its start − settle lag (second resolution), and no further.
      const upTo = Math.floor((lastCycleAt - MINUTE) / 1000) * 1000;
      const live = checkpoints.get(`live-${edition}/sales_outstock`)!;
      expect(Number(live.cursor)).toBeGreaterThanOrEqual(upTo);
      expect(Number(live.cursor)).toBeLessThanOrEqual(Date.now() - MINUTE);
      // The dedup set holds only the re-read zone (cursor − 5 min onwards), not the history.
      expect(Object.keys(live.seen).length).toBeLessThan(50);
      expect(Number(checkpoints.get(`live-${edition}/customer`)!.cursor)).toBeGreaterThanOrEqual(upTo);
    },
    180_000,
  );

  it('旗舰版: rides out throttling (call-rate and concurrency texts), 5xx bursts and timeouts with nothing lost or repeated', async () => {
    const now = Date.now();
    emulator = await startWangdiantongEmulator({
      seed: 5,
      rateLimits: { perMinute: 100_000, concurrent: 1 },
      documents: { perType: { sales_out: 1200, stock_pd: 400 }, fromMs: now - DAY, toMs: now - 2 * MINUTE },
      faults: { throttleBurst: 30, serverErrorBurst: 6, serverErrorRate: 0.05, timeoutBurst: 2, timeoutMs: 5000 },
    });
    const service = createWdtService(
      testConfig(emulator, [
        {
          name: 'storm',
          edition: 'qjb',
          startAt: formatBeijingTime(now - 2 * DAY),
          streams: ['sales_outstock', 'stock_count'],
        },
      ]),
    );
    try {
      await service.runtime.runOnce();
      const metrics = await service.metrics.metrics();
      expect(metrics).toMatch(/yecai_source_throttled_total\{[^}]*code="WDT_THROTTLED_MINUTE"[^}]*\} \d+/);
      expect(metrics).toMatch(/yecai_source_throttled_total\{[^}]*code="WDT_THROTTLED_CONCURRENCY"[^}]*\} \d+/);
      expect(metrics).toMatch(/yecai_source_api_calls_total\{[^}]*outcome="WDT_HTTP_502"[^}]*\} \d+/);
      expect(metrics).toMatch(/yecai_source_api_calls_total\{[^}]*outcome="WDT_TIMEOUT"[^}]*\} \d+/);
      expect(metrics).not.toMatch(/wdt_qjb_secret|wdt_salt/);
    } finally {
      await service.close();
    }
    const registry = testEndpoints().schemaRegistryUrl;
    const sales = await readRawDocuments(kafka, registry, 'sales_outstock');
    const expectedSales = publishedVersions(emulator, 'sales_outstock', 'qjb');
    expect(exactlyOnceReport(expectedSales, sales)).toEqual({ duplicates: [], missing: [] });
    expect(sales.every((d) => JSON.parse(d.payload).status === 110)).toBe(true);
    const counts = await readRawDocuments(kafka, registry, 'stock_count');
    expect(exactlyOnceReport(emulator.store.versions('stock_pd'), counts)).toEqual({ duplicates: [], missing: [] });
    expect(sales.length + counts.length).toBe(expectedSales.length + 400);
    expect(emulator.stats.throttled).toBeGreaterThan(0);
  }, 180_000);

  it('企业版: backfills an old range as BACKFILL under its own checkpoint while the live stream runs, without moving the live cursor', async () => {
    const now = Date.now();
    emulator = await startWangdiantongEmulator({
      seed: 9,
      rateLimits: { perMinute: 100_000, concurrent: 20 },
      documents: { perType: { other_in: 2000 }, fromMs: now - 10 * DAY, toMs: now - 2 * MINUTE },
    });
    const config = testConfig(emulator, [
      { name: 'history', edition: 'qyb', startAt: formatBeijingTime(now - 2 * DAY), streams: ['other_instock'] },
    ]);
    const live = createWdtService(config);
    const backfill = createWdtService(config);
    const range = {
      fromMs: Math.floor((now - 9 * DAY) / 1000) * 1000,
      toMs: Math.floor((now - 6 * DAY) / 1000) * 1000,
    };
    try {
      await live.runtime.start();
      const result = await backfill.runtime.backfill({ ...range, streams: ['other_instock'] });
      expect(result.get('history/other_instock')!.published).toBeGreaterThan(0);
      // The same backfill again is already complete: nothing is re-pulled.
      expect((await backfill.runtime.backfill({ ...range, streams: ['other_instock'] })).size).toBe(0);
    } finally {
      await backfill.close();
      await live.close();
    }
    const all = await readRawDocuments(kafka, testEndpoints().schemaRegistryUrl, 'other_instock');
    const versions = emulator.store.versions('other_in');
    const backfilled = all.filter((d) => d.origin === 'BACKFILL');
    const inRange = versions.filter((v) => v.modifiedMs >= range.fromMs && v.modifiedMs <= range.toMs);
    expect(exactlyOnceReport(inRange, backfilled)).toEqual({ duplicates: [], missing: [] });
    expect(backfilled).toHaveLength(inRange.length);
    const liveDocs = all.filter((d) => d.origin === 'LIVE');
    const liveExpected = versions.filter((v) => v.modifiedMs >= Math.floor((now - 2 * DAY) / 1000) * 1000 - 5 * MINUTE);
    expect(exactlyOnceReport(liveExpected, liveDocs)).toEqual({ duplicates: [], missing: [] });
    const checkpoints = await committedCheckpoints(kafka);
    expect(checkpoints.get('history/other_instock/backfill')).toMatchObject({
      mode: 'backfill',
      completed: true,
      cursor: String(range.toMs),
    });
    expect(Number(checkpoints.get('history/other_instock')!.cursor)).toBeGreaterThan(now - 2 * MINUTE);
  }, 180_000);
});
