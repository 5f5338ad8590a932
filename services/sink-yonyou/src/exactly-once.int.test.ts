/**
 * The posting kit's shared exactly-once suite against the YonSuite emulator (the same assertions as the in-memory
 * target and Kingdee) — for sales out-stock, transfers (no MDD) and sales returns (no audit) — then YonSuite's own faults: 202 still-processing answers and a 3100xx throttling storm.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { uniqueTopicPrefix } from '@yecai/test-harness';
import { canonical, documentCounts, sinkConfigFor, startEmulator, startSink } from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

describeExactlyOnceSuite('YonSuite (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'sales_outstock',
    event: (key, version = 1) => canonical('sales_outstock', key, { version }),
    // A customer YonSuite does not know: the save is refused (999 客户[…]不存在), level 1 naming cust.
    badEvent: (key) => canonical('sales_outstock', key, { customer: 'NO-SUCH-CUSTOMER' }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({
        config: parseSinkConfig(
          sinkConfigFor(emulator, {
            groupId,
            flows: [
              { documentType: 'sales_outstock', currencyCodes: { RMB: 'CNY' }, onModified: 'reverse_and_repost' },
            ],
          }),
          'test sink config',
        ),
        kafka,
        serde,
        db,
        metricsRegistry,
      }),
    written: async (prefix) => documentCounts(emulator, 'salesout', prefix),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});

// Transfers (调出单 storeout/save) are not MDD-idempotent: only the ledger and the code lookup keep them exactly once.
describeExactlyOnceSuite('YonSuite transfer, no MDD key (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'transfer',
    event: (key, version = 1) => canonical('transfer', key, { version }),
    badEvent: (key) => canonical('transfer', key, { lines: [{ material: 'NO-SUCH-MATERIAL' }] }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({
        config: parseSinkConfig(
          sinkConfigFor(emulator, {
            groupId,
            flows: [{ documentType: 'transfer', bustype: 'A33001', onModified: 'reverse_and_repost' }],
          }),
          'test sink config',
        ),
        kafka,
        serde,
        db,
        metricsRegistry,
      }),
    written: async (prefix) => documentCounts(emulator, 'storeout', prefix),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});

// Sales returns (销售退货单 sd/vouchersalereturn/singleSave): sales-domain fields, saved but not audited — a newer
// version updates the open document in place (_status Update), no 弃审 first.
describeExactlyOnceSuite('YonSuite sales return, saved only (emulator)', async () => {
  const emulator = await startEmulator();
  return {
    documentType: 'sales_return',
    event: (key, version = 1) => canonical('sales_return', key, { version }),
    badEvent: (key) => canonical('sales_return', key, { customer: 'NO-SUCH-CUSTOMER' }),
    service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
      new SinkService({
        config: parseSinkConfig(
          sinkConfigFor(emulator, {
            groupId,
            flows: [
              {
                documentType: 'sales_return',
                bustype: 'XSTH01',
                currencyCodes: { RMB: 'CNY' },
                onModified: 'reverse_and_repost',
              },
            ],
          }),
          'test sink config',
        ),
        kafka,
        serde,
        db,
        metricsRegistry,
      }),
    written: async (prefix) => documentCounts(emulator, 'salereturn', prefix),
    loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
    setDown: (down) => emulator.setFaults({ down }),
    close: () => emulator.close(),
  };
});

describe("YonSuite sink under YonSuite's own faults (real Kafka + MongoDB-wire + schema registry)", () => {
  const keys = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);

  it('202 still processing and a 310046 throttling storm: every document posted and audited once', async () => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('yonyou');
    const emulator = await startEmulator();
    const sink = await startSink(emulator);
    try {
      emulator.setFaults({ processingNext: 3, processingMs: 400, throttleBurst: 8 });
      await sink.produce(
        'sales_outstock',
        keys('ST-', 10).map((key) => canonical('sales_outstock', key)),
      );
      await sink.waitForStates({ POSTED: 10 }, '10 documents POSTED through 202s and throttling');
      const counts = documentCounts(emulator, 'salesout', 'ST-');
      expect([...counts.keys()].sort()).toEqual(keys('ST-', 10));
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
      expect(emulator.state.documentsOf('salesout').every((document) => document.status === 1)).toBe(true);
      expect(emulator.stats.counts['310046']).toBe(8);
      expect(emulator.stats.counts['202']).toBeGreaterThanOrEqual(3);
    } finally {
      await sink.stop();
      await emulator.close();
    }
  });

  it('a save still answering 202 after the client gave up goes IN_DOUBT and ends as the one document the gateway made', async () => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('yonyou');
    const emulator = await startEmulator();
    const sink = await startSink(emulator);
    try {
      // 3 client attempts ~300 ms apart cannot outlast 4 s of processing.
      emulator.setFaults({ processingNext: 1, processingMs: 4000 });
      await sink.produce('sales_outstock', [canonical('sales_outstock', 'SLOW-000')]);
      const entries = await sink.waitForStates({ POSTED: 1 }, 'the slow document POSTED');
      expect(documentCounts(emulator, 'salesout', 'SLOW-')).toEqual(new Map([['SLOW-000', 1]]));
      const events = (await sink.service.ledger.history(entries[0]!._id)).map((step) => step.event);
      expect(events).toContain('write_in_doubt');
    } finally {
      await sink.stop();
      await emulator.close();
    }
  });
});
