/**
 * What only 领星 has, over real Kafka (harness), the emulator in-process and the real service wiring: settlement rows
 * whose `uniqueKey` LingXing re-issues on every read (published once each, by the composite key, however often the
 * overlap is re-read), settlement rows that arrive days after they were settled, and master data (products, monthly
 * currency rates) read from masterDataStartAt; settlements (结算汇总) published with all their rows once Closed. Exactly-once, checkpoints, storms, backfill and kill -9 are the kit's
 * conformance suite (conformance.int.test.ts).
 */
import { formatBeijingTime } from '@yecai/common';
import { readRawDocuments } from '@yecai/connector-kit/src/conformance/raw';
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator, type LingxingEmulator } from '@yecai/emulator-lingxing';
import type { KafkaClient } from '@yecai/kafka';
import { testEndpoints, testKafka, uniqueTopicPrefix } from '@yecai/test-harness';
import { lingxing } from './source';
import { monthsBetween } from './transport';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('领星 source over real Kafka', () => {
  let emulator: LingxingEmulator;
  let kafka: KafkaClient;

  beforeEach(() => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('lingxing');
    kafka = testKafka();
  });
  afterEach(async () => {
    await emulator?.close();
    await kafka.disconnect();
  });

  it('settlement rows once each despite uniqueKey churn, late settlement rows once, master data from masterDataStartAt', async () => {
    const now = Date.now();
    emulator = await startLingxingEmulator({
      seed: 11,
      documents: { perType: { fee_settlement: 300 }, fromMs: now - 2 * DAY, toMs: now - 2 * MINUTE },
    });
    emulator.store.seedDocuments({ perType: { material: 50 }, fromMs: now - 40 * DAY, toMs: now - 30 * DAY });
    process.env.LINGXING_TEST_APP_SECRET = LINGXING_TEST_ACCOUNT.appSecret;
    const startAt = now - 3 * DAY;
    const masterDataStartAt = now - 60 * DAY;
    const config = lingxing.validateConfig(
      {
        opsPort: 0,
        pollIntervalSeconds: 1,
        retry: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 },
        accounts: [
          {
            name: 'fees',
            baseUrl: emulator.url,
            appId: LINGXING_TEST_ACCOUNT.appId,
            appSecret: 'env:LINGXING_TEST_APP_SECRET',
            startAt: formatBeijingTime(startAt),
            masterDataStartAt: formatBeijingTime(masterDataStartAt),
            streams: ['fee_settlement', 'settlement', 'material', 'currency_rate'],
            rateLimits: { perSecond: 1000, perMinute: 60_000 },
            throttleBackoffMs: 50,
            requestTimeoutMs: 3000,
          },
        ],
      },
      'test config',
    );
    const registry = testEndpoints().schemaRegistryUrl;
    const raw = (type: string) => readRawDocuments(kafka, registry, 'lingxing', type);
    const cycle = async () => {
      const service = lingxing.createService(config);
      try {
        await service.runtime.runOnce();
      } finally {
        await service.close();
      }
    };

    await cycle();
    const fees = await raw('fee_settlement');
    expect(fees).toHaveLength(300);
    expect(new Set(fees.map((d) => d.sourceId)).size).toBe(300);
    expect(fees.some((d) => 'uniqueKey' in JSON.parse(d.payload))).toBe(false);
    // 300 rows make 15 settlements of 20, all Closed: each published once with every row of it (by settlementId).
    const settlements = (await raw('settlement')).map((d) => JSON.parse(d.payload));
    expect(settlements).toHaveLength(15);
    for (const settlement of settlements) {
      expect(settlement.processingStatus).toBe('Closed');
      expect(settlement.rows).toHaveLength(20);
      expect(new Set(settlement.rows.map((row: { settlementId: string }) => row.settlementId))).toEqual(
        new Set([settlement.settlementId]),
      );
      const cents = settlement.rows.reduce(
        (sum: number, row: { currencyAmount: string }) => sum + Math.round(Number(row.currencyAmount) * 100),
        0,
      );
      expect(cents).toBe(Math.round(Number(settlement.originalTotalCurrencyAmount) * 100));
    }

    // Rows settled six days ago that LingXing only now shows (gmtModified now); the next cycle re-reads its overlap,
    // where every service-fee row comes back with a new uniqueKey.
    emulator.store.addLateSettlementRows(5, Date.now() - 90_000, 6);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await cycle();
    const after = await raw('fee_settlement');
    expect(after).toHaveLength(305);
    expect(new Set(after.map((d) => d.sourceId)).size).toBe(305);
    const late = after.filter((d) => !fees.some((f) => f.sourceId === d.sourceId)).map((d) => JSON.parse(d.payload));
    expect(late).toHaveLength(5);
    for (const row of late)
      expect(
        Date.parse(`${row.gmtModified.replace(' ', 'T')}+08:00`) -
          Date.parse(`${row.postedDateLocale.replace(' ', 'T')}+08:00`),
      ).toBe(6 * DAY);

    // The late rows open a new settlement (published without rows until it closes); the Closed ones, re-read in the
    // overlap with re-issued uniqueKeys, are not published again.
    const settlementsAfter = (await raw('settlement')).map((d) => JSON.parse(d.payload));
    expect(settlementsAfter).toHaveLength(16);
    expect(settlementsAfter.filter((s) => s.processingStatus === 'Open')).toEqual([
      expect.not.objectContaining({ rows: expect.anything() }),
    ]);

    // Products last edited 30–40 days ago and the monthly rates, read from masterDataStartAt (not startAt).
    const products = await raw('material');
    expect(products.map((d) => d.sourceId).sort()).toEqual(
      emulator.store
        .versions('material')
        .map((v) => v.id)
        .sort(),
    );
    expect(JSON.parse(products[0]!.payload)).toEqual(
      expect.objectContaining({ update_time: expect.any(Number), update_time_beijing: expect.any(String) }),
    );
    const rates = await raw('currency_rate');
    // Each month's table is stamped on its 1st (00:05): the months whose stamp lies in [masterDataStartAt, now − lag].
    const stamped = monthsBetween(masterDataStartAt, now).filter(
      (month) => Date.parse(`${month}-01T00:05:00+08:00`) >= masterDataStartAt,
    );
    expect(new Set(rates.map((d) => JSON.parse(d.payload).date.slice(0, 7)))).toEqual(new Set(stamped));
    expect(rates.map((d) => d.sourceId)).toContain(`${stamped[0]}-01/USD`);
  }, 180_000);
});
