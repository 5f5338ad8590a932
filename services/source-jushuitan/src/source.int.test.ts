/**
 * Proof that the JST source neither loses nor repeats a document version and that its checkpoint never runs
 * ahead of what was published: real Kafka + schema registry (harness), the JST emulator, the real service wiring.
 */
import { formatBeijingTime } from '@yecai/common';
import { sampleReceipt, startJushuitanEmulator, type JstEmulator } from '@yecai/emulator-jushuitan';
import { testEndpoints, testKafka, uniqueTopicPrefix } from '@yecai/test-harness';
import { TransactionalProducer, type KafkaClient } from '@yecai/kafka';
import { createJstService } from './service';
import { committedCheckpoints, exactlyOnceReport, readRawDocuments, testConfig } from './test-support';

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

  it('a commit whose answer is lost (it did commit) is not published again: the lane is reopened from Kafka', async () => {
    const now = Date.now();
    emulator = await startJushuitanEmulator({
      seed: 5,
      rateLimits: { perSecond: 1000, perMinute: 100_000 },
      documents: { perType: { aftersale: 300 }, fromMs: now - 2 * DAY, toMs: now - 2 * MINUTE },
    });
    const service = createJstService(testConfig(emulator, { startAt: formatBeijingTime(now - 3 * DAY), streams: ['aftersale'] }));
    // The broker applies the third transaction, then the answer is lost (as when it restarts mid-commit).
    const original = TransactionalProducer.prototype.inTransaction;
    let transactions = 0;
    const spy = jest.spyOn(TransactionalProducer.prototype, 'inTransaction').mockImplementation(async function (this: TransactionalProducer, work) {
      const result = await original.call(this, work);
      if (++transactions === 3) throw new Error('answer lost after commit (test fault)');
      return result;
    });
    // Done when, after the fault, a cycle has committed a cursor past the last document (2 minutes ago).
    let caughtUpAfterFault = false;
    service.runtime.events.on((event) => {
      if (event.type === 'committed' && transactions > 3 && (event.cursorMs ?? 0) >= now - MINUTE) caughtUpAfterFault = true;
    });
    try {
      await service.runtime.start();
      const deadline = Date.now() + 60_000;
      while (!caughtUpAfterFault && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      spy.mockRestore();
      await service.close();
    }
    expect(caughtUpAfterFault).toBe(true);
    const returns = await readRawDocuments(kafka, testEndpoints().schemaRegistryUrl, 'aftersale');
    expect(exactlyOnceReport(emulator, 'aftersale', returns)).toEqual({ duplicates: [], missing: [] });
  });

  it('publishes each version once with its checkpoint, re-reads the overlap without duplicates, and picks up late updates and same-second bursts', async () => {
    const now = Date.now();
    emulator = await startJushuitanEmulator({
      seed: 3,
      rateLimits: { perSecond: 1000, perMinute: 100_000 },
      documents: { perType: { sales_outstock: 1500, aftersale: 500 }, fromMs: now - 2 * DAY, toMs: now - 2 * MINUTE },
    });
    // 437 documents in one second: nine pages of the same modified time.
    emulator.store.addDocuments('sales_outstock', 437, now - DAY);
    const service = createJstService(
      testConfig(emulator, { startAt: formatBeijingTime(now - 3 * DAY), streams: ['sales_outstock', 'aftersale'] }),
    );
    try {
      await service.runtime.runOnce();
      await service.runtime.runOnce(); // overlap re-read: must publish nothing
      const late = emulator.store.versions('aftersale')[0]!;
      emulator.store.modifyDocument('aftersale', late.id, Date.now() - 90_000, { status: 'Cancelled' });
      await service.runtime.runOnce();
      const metrics = await service.metrics.metrics();
      const lag = /yecai_source_cursor_lag_seconds\{[^}]*stream="sales_outstock"[^}]*\} ([\d.]+)/.exec(metrics);
      expect(Number(lag?.[1])).toBeGreaterThanOrEqual(60); // the settle lag
      expect(Number(lag?.[1])).toBeLessThan(120);
      expect(metrics).toMatch(/yecai_source_documents_total\{[^}]*stream="sales_outstock",origin="LIVE"[^}]*\} 1937/);
    } finally {
      await service.close();
    }
    const registry = testEndpoints().schemaRegistryUrl;
    const sales = await readRawDocuments(kafka, registry, 'sales_outstock');
    expect(exactlyOnceReport(emulator, 'sales_outstock', sales)).toEqual({ duplicates: [], missing: [] });
    expect(sales).toHaveLength(1937);
    const returns = await readRawDocuments(kafka, registry, 'aftersale');
    expect(exactlyOnceReport(emulator, 'aftersale', returns)).toEqual({ duplicates: [], missing: [] });
    expect(returns).toHaveLength(501); // 500 + the late update's new version
    expect(returns.every((d) => d.origin === 'LIVE' && d.account === 'acme' && d.sourceSystem === 'jushuitan')).toBe(
      true,
    );

    const checkpoints = await committedCheckpoints(kafka);
    const live = checkpoints.get('acme/sales_outstock')!;
    expect(Date.now() - MINUTE - Number(live.cursor)).toBeLessThan(60_000);
    // The dedup set holds only the re-read zone (cursor − 5 min onwards), not the history.
    expect(Object.keys(live.seen).length).toBeLessThan(50);
  });

  it('rides out throttling storms, 5xx bursts, timeouts and token expiry with nothing lost or repeated', async () => {
    const now = Date.now();
    emulator = await startJushuitanEmulator({
      seed: 5,
      rateLimits: { perSecond: 20, perMinute: 100_000 },
      documents: { perType: { purchase_in: 1200, stock_count: 600 }, fromMs: now - DAY, toMs: now - 2 * MINUTE },
      faults: {
        throttleBurst: 40,
        serverErrorBurst: 6,
        serverErrorRate: 0.05,
        timeoutBurst: 2,
        timeoutMs: 5000,
        expireTokenAfterRequests: 20,
      },
    });
    const service = createJstService(
      testConfig(emulator, { startAt: formatBeijingTime(now - 2 * DAY), streams: ['purchase_in', 'stock_count'] }),
    );
    try {
      await service.runtime.runOnce();
      const metrics = await service.metrics.metrics();
      expect(metrics).toMatch(/yecai_source_throttled_total\{[^}]*code="JST_THROTTLED_SECOND"[^}]*\} \d+/);
      expect(metrics).toMatch(/yecai_source_api_calls_total\{[^}]*outcome="JST_HTTP_502"[^}]*\} \d+/);
      expect(metrics).not.toMatch(/sk_test|at_test/);
    } finally {
      await service.close();
    }
    const registry = testEndpoints().schemaRegistryUrl;
    const confirmed = emulator.store.versions('purchase_in').filter((v) => v.status === 'Confirmed').length;
    const purchases = await readRawDocuments(kafka, registry, 'purchase_in');
    expect(purchases).toHaveLength(confirmed); // the API returns only 已入库 unless asked
    const counts = await readRawDocuments(kafka, registry, 'stock_count');
    expect(exactlyOnceReport(emulator, 'stock_count', counts)).toEqual({ duplicates: [], missing: [] });
    expect(emulator.stats['199']).toBeGreaterThan(0);
    expect(emulator.stats['100']).toBeGreaterThan(0);
  });

  it('backfills an old range as BACKFILL under its own checkpoint while the live stream runs, without moving the live cursor', async () => {
    const now = Date.now();
    emulator = await startJushuitanEmulator({
      seed: 9,
      rateLimits: { perSecond: 1000, perMinute: 100_000 },
      documents: { perType: { other_inout: 2000 }, fromMs: now - 10 * DAY, toMs: now - 2 * MINUTE },
    });
    const config = testConfig(emulator, { startAt: formatBeijingTime(now - 2 * DAY), streams: ['other_inout'] });
    const live = createJstService(config);
    const backfill = createJstService(config);
    const range = {
      fromMs: Math.floor((now - 9 * DAY) / 1000) * 1000,
      toMs: Math.floor((now - 6 * DAY) / 1000) * 1000,
    };
    try {
      await live.runtime.start();
      const result = await backfill.runtime.backfill({ ...range, streams: ['other_inout'] });
      expect(result.get('acme/other_inout')!.published).toBeGreaterThan(0);
      // The same backfill again is already complete: nothing is re-pulled.
      expect((await backfill.runtime.backfill({ ...range, streams: ['other_inout'] })).size).toBe(0);
    } finally {
      await backfill.close();
      await live.close();
    }
    const all = await readRawDocuments(kafka, testEndpoints().schemaRegistryUrl, 'other_inout');
    const versions = emulator.store.versions('other_inout');
    const backfilled = all.filter((d) => d.origin === 'BACKFILL');
    const inRange = versions.filter((v) => v.modifiedMs >= range.fromMs && v.modifiedMs <= range.toMs);
    expect(
      exactlyOnceReport({ store: { versions: () => inRange } } as unknown as JstEmulator, 'other_inout', backfilled),
    ).toEqual({ duplicates: [], missing: [] });
    expect(backfilled).toHaveLength(inRange.length);
    const liveDocs = all.filter((d) => d.origin === 'LIVE');
    const liveExpected = versions.filter((v) => v.modifiedMs >= Math.floor((now - 2 * DAY) / 1000) * 1000 - 5 * MINUTE);
    expect(
      exactlyOnceReport({ store: { versions: () => liveExpected } } as unknown as JstEmulator, 'other_inout', liveDocs),
    ).toEqual({ duplicates: [], missing: [] });
    const checkpoints = await committedCheckpoints(kafka);
    expect(checkpoints.get('acme/other_inout/backfill')).toMatchObject({
      mode: 'backfill',
      completed: true,
      cursor: String(range.toMs),
    });
    expect(Number(checkpoints.get('acme/other_inout')!.cursor)).toBeGreaterThan(now - 2 * MINUTE);
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
