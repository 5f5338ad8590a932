/**
 * Aggregated posting survives SIGKILL: the sink runs as a real child process (ServiceProcess) and is killed while
 * documents are being recorded as members, while a group is being frozen and posted (slow emulated Kingdee
 * calls), and while the restart finishes bills frozen before the crash; late documents arrive in between. The
 * emulator must end with every summary bill exactly once and every source document in exactly one entry.
 */
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { AvroSerde } from '@yecai/kafka';
import { testEndpoints, testKafka, testMongo, waitFor } from '@yecai/test-harness';
import { canonical, startEmulator } from '../../test/fixtures';
import { TOKENS, billsIn, producerFor, sinkChildProcess, sinkConfigFor, useUniqueTopicPrefix } from '../../test/sink-under-test';
import { Ledger } from '../ledger';
import { AggregationStore } from '@yecai/sink-kit';

describe('aggregated posting with SIGKILL mid-membership, mid-close and mid-post (child process, real Kafka + FerretDB + emulator)', () => {
  let emulator: KingdeeEmulator;
  afterAll(() => emulator?.close());

  it('each summary bill exactly once, every member exactly once, late documents in supplementary bills', async () => {
    useUniqueTopicPrefix();
    emulator = await startEmulator();
    // Slow Kingdee calls (each bill needs three): a kill after a claim was seen lands inside the write even when a
    // loaded machine answers the test's ledger polls late.
    emulator.setFaults({ latencyMs: { min: 1500, max: 2500 } });
    const mongo = await testMongo('aggcrash');
    const ledger = new Ledger(mongo.db);
    const store = new AggregationStore(mongo.db);
    const kafka = testKafka();
    const aggregation = { groupBy: ['customer', 'lines.warehouse', 'date'], entries: 'list', maxEntries: 4, billNumberPattern: 'KA-{customer}-{keyHash}-{seq}', close: { afterDays: 36_500, at: '02:00' }, checkIntervalMs: 1_000 };
    const config = sinkConfigFor(emulator, { batchSize: 5, staleInFlightMs: 3_000, sessionTimeoutMs: 6_000, flows: [{ documentType: 'sales_outstock', aggregation } as never] });
    const { sink, port } = await sinkChildProcess(config, mongo.db, 'sink-agg-crash');
    const closeNow = () =>
      fetch(`http://127.0.0.1:${port}/admin/aggregation/sales_outstock/close`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.operator}` },
        body: '{}',
      }).catch(() => undefined); // the kill may cut the answer off
    const members = () => store.members.countDocuments({});
    const pendingSince = (since: Date) => async () => (await ledger.revisions.countDocuments({ state: 'PENDING', updatedAt: { $gt: since } })) > 0;
    const killSoon = async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      await sink.kill();
    };
    const stockBefore = emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0');
    const produce = await producerFor(kafka, new AvroSerde(testEndpoints().schemaRegistryUrl));
    const wave1 = [...Array.from({ length: 10 }, (_, i) => [`KAT-${i + 1}`, 'TM-YS01'] as const), ...Array.from({ length: 6 }, (_, i) => [`KAJ-${i + 1}`, 'JD-YS01'] as const)];
    const late = ['KAT-L1', 'KAT-L2', 'KAT-L3'];
    const all = [...wave1.map(([id]) => id), ...late];
    let kills = 0;
    try {
      // 1. Killed while recording members.
      sink.start();
      await sink.waitReady(90_000);
      await produce('sales_outstock', wave1.map(([id, customer]) => canonical('sales_outstock', id, { customer, lines: [{ qty: '1' }] })));
      await waitFor(async () => (await members()) >= 1, 'first members recorded', 60_000).catch(() => undefined);
      await sink.kill();
      kills++;

      // 2. Killed while the groups are frozen and their summary bills written to Kingdee.
      sink.start();
      await sink.waitReady(90_000);
      await waitFor(async () => (await members()) === wave1.length, 'all first-wave members recorded', 90_000);
      let since = new Date();
      void closeNow();
      await waitFor(pendingSince(since), 'a summary bill being written', 60_000).catch(() => undefined);
      await killSoon();
      kills++;

      // 3. The restart finishes bills frozen before the crash; late documents arrive; killed mid-post again.
      since = new Date();
      sink.start();
      await sink.waitReady(90_000);
      await produce('sales_outstock', late.map((id) => canonical('sales_outstock', id, { lines: [{ qty: '1' }] })));
      await waitFor(pendingSince(since), 'unfinished summary bills resumed', 60_000).catch(() => undefined);
      await killSoon();
      kills++;

      // 4. Close the late documents (a supplementary bill) and kill mid-post once more.
      sink.start();
      await sink.waitReady(90_000);
      await waitFor(async () => (await members()) === all.length, 'late members recorded', 90_000);
      since = new Date();
      void closeNow();
      await waitFor(pendingSince(since), 'supplementary bill being written', 60_000).catch(() => undefined);
      await killSoon();
      kills++;

      // 5. Final run: close whatever is still open and let everything settle.
      sink.start();
      await sink.waitReady(90_000);
      await closeNow();
      await waitFor(
        async () => {
          const bills = await store.bills.find({}).toArray();
          const frozen = bills.reduce((sum, bill) => sum + bill.memberCount, 0);
          const entries = await ledger.current();
          return frozen === all.length && entries.length === bills.length && entries.every((entry) => entry.state === 'POSTED');
        },
        'every member frozen and every summary bill POSTED',
        180_000,
      );
    } finally {
      await sink.dispose();
      await kafka.disconnect();
    }

    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'KA-');
    const records = await store.bills.find({}).toArray();
    // Each summary bill exactly once in Kingdee, audited, and the ledger agrees.
    expect(new Set(bills.map((bill) => bill.billNo)).size).toBe(bills.length);
    expect(bills.map((bill) => bill.billNo).sort()).toEqual(records.map((record) => record.billNo).sort());
    expect(bills.every((bill) => bill.status === 'C')).toBe(true);
    // Every source document in exactly one entry of one bill.
    const notes = bills.flatMap((bill) => bill.entries.map((entry) => String(entry.fields.FEntrynote)));
    expect(notes.sort()).toEqual([...all].sort());
    expect(bills.every((bill) => bill.entries.length <= 4)).toBe(true);
    expect(emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0').toFixed()).toBe(stockBefore.minus(all.length).toFixed());
    // The late documents are in bills closed after the first ones (supplementary), never in a copy of an earlier bill.
    const lateBills = records.filter((record) => record.memberIds.some((id) => late.some((sourceId) => id.endsWith(`/${sourceId}`))));
    expect(lateBills.length).toBeGreaterThanOrEqual(1);
    const entries = await ledger.current();
    const histories = await Promise.all(entries.map((entry) => ledger.history(entry._id)));
    const resolvedByQuery = histories.filter((steps) => steps.some((step) => step.event === 'reconciled' || step.event === 'adopted_existing')).length;
    process.stdout.write(`[aggregation crash test] ${kills} SIGKILLs; ${bills.length} summary bills (${records.filter((r) => r.kind === 'supplementary').length} supplementary); ${resolvedByQuery} resolved by ExecuteBillQuery after a kill\n`);
    expect(kills).toBe(4);
    expect(resolvedByQuery).toBeGreaterThanOrEqual(1);
    await mongo.close();
  }, 900_000);
});
