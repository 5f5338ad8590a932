/**
 * What only 赛狐 has, over real Kafka (harness), the emulator in-process at the platform's real limit (1 request/s per
 * endpoint) and the service wiring with its DEFAULT budget: every stream, each endpoint within its own budget,
 * master data from masterDataStartAt, settlement detail in the configured marketplace currency, a soft delete
 * published as a new version carrying isDel "1", a late settlement row, payloads as the API sent them. Exactly-once,
 * checkpoints, storms, backfill and kill -9 are the kit's conformance suite (conformance.int.test.ts).
 */
import { formatBeijingTime } from '@yecai/common';
import {
  SAIHU_CODES,
  SAIHU_DOCUMENT_TYPES,
  SAIHU_TEST_ACCOUNT,
  startSaihuEmulator,
  type SaihuEmulator,
} from '@yecai/emulator-saihu';
import { testEndpoints, testKafka, uniqueTopicPrefix } from '@yecai/test-harness';
import type { KafkaClient } from '@yecai/kafka';
import { exactlyOnceReport, readRawDocuments } from '@yecai/connector-kit/src/conformance/raw';
import { saihu } from './source';
import { SAIHU_STREAM_DECLARATIONS } from './streams';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MASTER = new Set(['shop', 'warehouse', 'product']);
/** Stream → emulator document type (the same name except settlements, read from the 结算汇总 list). */
const STREAMS = SAIHU_STREAM_DECLARATIONS.map((stream) => stream.name);
const emulatorType = (stream: string) => (stream === 'settlement' ? 'settlement_summary' : stream);
/** Settlements (each read with all its rows, in real life a few a month per shop). */
const SETTLEMENTS = 4;

describe('赛狐 source over real Kafka', () => {
  let emulator: SaihuEmulator;
  let kafka: KafkaClient;

  beforeEach(() => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('saihu');
    process.env.SAIHU_TEST_CLIENT_SECRET = SAIHU_TEST_ACCOUNT.clientSecret;
    kafka = testKafka();
  });
  afterEach(async () => {
    await emulator?.close();
    await kafka.disconnect();
  });

  const syncOnce = async (startAt: number, masterDataStartAt: number) => {
    const service = saihu.createService(
      saihu.validateConfig(
        {
          opsPort: 0,
          retry: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 },
          accounts: [
            {
              name: 'acme-us',
              baseUrl: emulator.url,
              clientId: SAIHU_TEST_ACCOUNT.clientId,
              clientSecret: 'env:SAIHU_TEST_CLIENT_SECRET',
              startAt: formatBeijingTime(startAt),
              masterDataStartAt: formatBeijingTime(masterDataStartAt),
              settlementCurrency: 'USD',
            },
          ],
        },
        'test config',
      ),
    );
    try {
      await service.runtime.runOnce();
    } finally {
      await service.close();
    }
  };
  const published = (stream: string) => {
    const documentType = SAIHU_STREAM_DECLARATIONS.find((declaration) => declaration.name === stream)!.documentType;
    return readRawDocuments(kafka, testEndpoints().schemaRegistryUrl, 'saihu', documentType);
  };

  it('syncs every stream once at 1 request/s per endpoint with the default budget, soft deletes and late settlement rows as new versions', async () => {
    const now = Date.now();
    emulator = await startSaihuEmulator({
      seed: 19,
      rateLimits: { perSecondPerEndpoint: 1 },
      documents: {
        perType: Object.fromEntries(
          SAIHU_DOCUMENT_TYPES.map((type) => [
            type,
            MASTER.has(type) ? 12 : type === 'settlement_summary' ? SETTLEMENTS : 150,
          ]),
        ),
        fromMs: now - 5 * HOUR,
        toMs: now - 2 * MINUTE,
      },
    });
    // Master data edited long before the documents: products 20 days ago (shops and warehouses have no filter).
    for (const version of emulator.store.versions('product'))
      emulator.store.modifyDocument('product', version.id, now - 20 * DAY);
    const startedAt = Date.now();
    await syncOnce(now - 6 * HOUR, now - 30 * DAY);
    const seconds = (Date.now() - startedAt) / 1000;
    const calls = emulator.stats.ok ?? 0;

    // After the first sync: a settlement row soft-deleted, and a late row posted days ago that appears only now.
    const deleted = emulator.store.versions('settlement_detail')[3]!;
    emulator.store.softDelete('settlement_detail', deleted.id, Date.now() - 90_000);
    const late = emulator.store.add('settlement_detail', Date.now() - 90_000);
    await syncOnce(now - 6 * HOUR, now - 30 * DAY);

    // Each endpoint keeps its own 1/s budget. The emulator runs in this process, so when a service starts (every
    // lane's first answer committed at once) it may handle a lane's first call late and see the next one within the
    // second: at most one 40019 per endpoint and start (two starts here), absorbed by the backoff. Without the budget
    // about every other call of every lane would be refused.
    const throttled = emulator.stats[String(SAIHU_CODES.throttled)] ?? 0;
    expect(throttled).toBeLessThanOrEqual(2 * STREAMS.length);
    expect(throttled).toBeLessThan(calls / 4);
    for (const stream of STREAMS) {
      const documents = await published(stream);
      expect({ stream, ...exactlyOnceReport(emulator.store.versions(emulatorType(stream)), documents) }).toEqual({
        stream,
        duplicates: [],
        missing: [],
      });
    }
    // Every endpoint ran side by side: well under the one second per call a single shared budget would take.
    expect(seconds).toBeLessThan(calls / 2);

    const details = (await published('settlement_detail')).map(
      (document) => JSON.parse(document.payload) as Record<string, unknown>,
    );
    // The deleted row: its live version, then the deletion version (isDel "1", newer updateTimeStr) — downstream reverses.
    expect(details.filter((row) => row.id === deleted.id).map((row) => row.isDel)).toEqual(['0', '1']);
    expect(details.find((row) => row.id === late.id)).toMatchObject({
      isDel: '0',
      updateTimeStr: formatBeijingTime(late.modifiedMs),
    });
    expect(details.every((row) => row.currency === 'USD' && /^-?\d+\.\d\d$/.test(String(row.amount)))).toBe(true);

    // Settlements: each paid-out one carries every live row of it, in its own currency, sorted by row id; the
    // deletion gave the deleted row's settlement a new version without the row.
    const settlements = (await published('settlement')).map(
      (document) =>
        JSON.parse(document.payload) as { settlementId: string; currency: string; rows: Record<string, unknown>[] },
    );
    const rowsOf = new Map<string, string[]>();
    for (const row of details.filter((row) => row.isDel === '0'))
      rowsOf.set(String(row.settlementId), [...(rowsOf.get(String(row.settlementId)) ?? []), String(row.id)]);
    const latest = new Map(settlements.map((settlement) => [settlement.settlementId, settlement]));
    expect(latest.size).toBe(SETTLEMENTS);
    for (const settlement of latest.values()) {
      const ids = settlement.rows.map((row) => String(row.id));
      expect(ids).toEqual([...ids].sort());
      expect(ids.sort()).toEqual((rowsOf.get(settlement.settlementId) ?? []).filter((id) => id !== deleted.id).sort());
      expect(settlement.rows.every((row) => row.currency === settlement.currency && row.isDel === '0')).toBe(true);
    }

    // Payloads as the API sent them: numbers as strings, ids beyond 2^53 exact.
    const order = JSON.parse((await published('sales_order'))[0]!.payload) as {
      orderTotalAmount: unknown;
      orderItemVoList: { quantityOrdered: unknown }[];
    };
    expect(order.orderTotalAmount).toEqual(expect.stringMatching(/^\d+(\.\d\d)?$/));
    expect(order.orderItemVoList[0]!.quantityOrdered).toEqual(expect.stringMatching(/^\d+$/));
    const inventory = (await published('warehouse_inventory')).map((document) => document.sourceId);
    expect(inventory.sort()).toEqual(
      emulator.store
        .versions('warehouse_inventory')
        .map((version) => version.id)
        .sort(),
    );
    expect(BigInt(inventory[0]!)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
  }, 240_000);
});
