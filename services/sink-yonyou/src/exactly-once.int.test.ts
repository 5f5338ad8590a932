/**
 * The posting kit's shared exactly-once suite against the YonSuite emulator (the same assertions as the in-memory
 * target and Kingdee) — for sales out-stock, transfers (no MDD), sales returns (no audit), purchase returns (red
 * 采购入库) and receivables (EFI 应收单, Insert only) — then YonSuite's own faults: 202 still-processing answers and a
 * 3100xx throttling storm.
 */
import { describeExactlyOnceSuite } from '@yecai/sink-kit/src/testing/exactly-once-suite';
import { uniqueTopicPrefix } from '@yecai/test-harness';
import type { YonyouEmulator } from '@yecai/emulator-yonyou';
import {
  canonical,
  documentCounts,
  RECEIPT_FLOW,
  seedReceivable,
  VOUCHER_FLOW,
  sinkConfigFor,
  startEmulator,
  startSink,
} from '../test/fixtures';
import { parseSinkConfig } from './config';
import { SinkService } from './service';

/**
 * The shared suite for one YonSuite document type: its flow (reverse_and_repost, so a newer version of an audited
 * document is un-audited and updated), the emulator's document kind to count, and an event YonSuite refuses (level 1).
 */
function describeYonyouSuite(
  name: string,
  documentType:
    'sales_outstock' | 'transfer' | 'sales_return' | 'purchase_return' | 'receivable' | 'receipt' | 'fee_settlement',
  flow: Record<string, unknown>,
  kind: string,
  badEvent: (key: string, emulator: YonyouEmulator) => Record<string, unknown>,
  immutable = false,
  /** A document of `key`, version `version`, built against the running emulator (e.g. after seeding its sources). */
  event: (key: string, version: number, emulator: YonyouEmulator) => Record<string, unknown> = (key, version) =>
    canonical(documentType, key, { version }),
): void {
  describeExactlyOnceSuite(name, async () => {
    const emulator = await startEmulator();
    return {
      documentType,
      event: (key, version = 1) => event(key, version, emulator),
      badEvent: (key) => badEvent(key, emulator),
      service: ({ kafka, serde, db, metricsRegistry, groupId }) =>
        new SinkService({
          config: parseSinkConfig(
            sinkConfigFor(emulator, {
              groupId,
              flows: [{ documentType, onModified: 'reverse_and_repost', ...flow }],
            }),
            'test sink config',
          ),
          kafka,
          serde,
          db,
          metricsRegistry,
        }),
      written: async (prefix) => documentCounts(emulator, kind, prefix),
      immutable,
      loseAnswers: (count) => emulator.setFaults({ lostAnswerNext: count }),
      setDown: (down) => emulator.setFaults({ down }),
      close: () => emulator.close(),
    };
  });
}

// A customer YonSuite does not know: the save is refused (999 客户[…]不存在), level 1 naming cust.
describeYonyouSuite('YonSuite (emulator)', 'sales_outstock', { currencyCodes: { RMB: 'CNY' } }, 'salesout', (key) =>
  canonical('sales_outstock', key, { customer: 'NO-SUCH-CUSTOMER' }),
);

// Transfers (调出单 storeout/save) are not MDD-idempotent: only the ledger and the code lookup keep them exactly once.
describeYonyouSuite('YonSuite transfer, no MDD key (emulator)', 'transfer', { bustype: 'A33001' }, 'storeout', (key) =>
  canonical('transfer', key, { lines: [{ material: 'NO-SUCH-MATERIAL' }] }),
);

// Sales returns (销售退货单 sd/vouchersalereturn/singleSave): sales-domain fields, saved but not audited — a newer
// version updates the open document in place (_status Update), no 弃审 first.
describeYonyouSuite(
  'YonSuite sales return, saved only (emulator)',
  'sales_return',
  { bustype: 'XSTH01', currencyCodes: { RMB: 'CNY' } },
  'salereturn',
  (key) => canonical('sales_return', key, { customer: 'NO-SUCH-CUSTOMER' }),
);

// Purchase returns (red 采购入库 purinrecord/single/save with the tenant's 退货 type, negative quantities): MDD + code,
// audited, reversed with 弃审 — the stock goes out and comes back with each version.
describeYonyouSuite(
  'YonSuite purchase return, red 采购入库 (emulator)',
  'purchase_return',
  { bustype: 'CGTH01', currencyCodes: { RMB: 'CNY' } },
  'purinrecord',
  (key) => canonical('purchase_return', key, { lines: [{ material: 'NO-SUCH-MATERIAL' }] }),
);

// Receivables (EFI 应收单 receivable/save): MDD, found again by extSystemCode + extVouchCode, audited at EFI audit.
// Insert only: a newer version of the audited receivable is parked (MODIFIED_AFTER_AUDIT), never posted twice.
describeYonyouSuite(
  'YonSuite receivable, EFI 应收单 (emulator)',
  'receivable',
  { bustype: 'ar_colsale', onModified: 'update_if_not_audited' },
  'receivable',
  (key) => canonical('receivable', key, { customer: 'NO-SUCH-CUSTOMER' }),
  true,
);

/**
 * Receipts (EFI 收款单 collection/save) over receivables posted first (one audited EFI 应收单 per receipt, AR-<key>,
 * 39.98 USD): each receipt links its receivable by id and writes it off in full when audited. Insert only, like the
 * 应收单. The bad one names a customer YonSuite does not know (999 客户[…]不存在, level 1).
 */
const receiptOf = (emulator: YonyouEmulator, key: string, version: number, customer?: string) => {
  if (!emulator.state.documentsOf('receivable').some((one) => one.header.extVouchCode === `AR-${key}`))
    seedReceivable(emulator, `AR-${key}`);
  return canonical('receipt', key, { version, customer, lines: [{ material: `AR-${key}`, price: '39.98' }] });
};
describeYonyouSuite(
  'YonSuite receipt, EFI 收款单 written off against receivables (emulator)',
  'receipt',
  { ...RECEIPT_FLOW, onModified: 'update_if_not_audited' },
  'collection',
  (key, emulator) => receiptOf(emulator, key, 1, 'NO-SUCH-CUSTOMER'),
  true,
  (key, version, emulator) => receiptOf(emulator, key, version),
);

// Fee settlements (凭证 addVoucher): a top-level body without MDD key, found again by businessId (queryVouchers); no
// audit, no update (a newer version parks). The bad one debits an account YonSuite lacks (404 科目[…]不存在, level 1).
describeYonyouSuite(
  'YonSuite fee settlement, 凭证 keyed by businessId (emulator)',
  'fee_settlement',
  { ...VOUCHER_FLOW, onModified: 'update_if_not_audited' },
  'voucher',
  (key) => {
    const event = canonical('fee_settlement', key);
    (event.fees as Record<string, unknown>[])[0]!.account = '9999';
    return event;
  },
  true,
);

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
  it('a changed receivable that was only saved is parked, not updated: EFI receivable/save is Insert only', async () => {
    process.env.YECAI_TOPIC_PREFIX = uniqueTopicPrefix('yonyou');
    const emulator = await startEmulator();
    const sink = await startSink(emulator, {
      flows: [{ documentType: 'receivable', bustype: 'ar_colsale', audit: false }],
    });
    try {
      await sink.produce('receivable', [canonical('receivable', 'AR-V-000')]);
      await sink.waitForStates({ POSTED: 1 }, 'the receivable POSTED (saved, not audited)');
      await sink.produce('receivable', [canonical('receivable', 'AR-V-000', { version: 2 })]);
      const [entry] = await sink.waitForStates({ PARKED: 1 }, 'version 2 PARKED');
      expect([entry!.problem?.level, entry!.problem?.code]).toEqual([2, 'MODIFIED_AFTER_AUDIT']);
      expect(entry!.problem?.message).toMatch(/只能新增不能修改.*删除该单后重推/);
      // One document, still open, never re-saved.
      expect(documentCounts(emulator, 'receivable', 'AR-V-')).toEqual(new Map([['AR-V-000', 1]]));
      expect(emulator.state.documentsOf('receivable').map((document) => document.status)).toEqual([0]);
    } finally {
      await sink.stop();
      await emulator.close();
    }
  });
});
