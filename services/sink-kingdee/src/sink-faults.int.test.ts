/**
 * Level-3 faults against a real broker, FerretDB and the Kingdee emulator: every scenario ends by asking the
 * emulator whether every document was posted exactly once (one bill each, audited once: stock moved once).
 */
import { Decimal } from '@yecai/common';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { waitFor } from '@yecai/test-harness';
import { canonical, startEmulator } from '../test/fixtures';
import { billsIn, startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '../test/sink-under-test';

const STOCK = { org: '100', material: 'A1001-BLK', warehouse: 'CK001', lot: '0' };

describe('Kingdee sink under level-3 faults (real Kafka + FerretDB + emulator)', () => {
  let emulator: KingdeeEmulator;
  let sink: SinkUnderTest | undefined;
  beforeEach(async () => {
    useUniqueTopicPrefix();
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await sink?.stop();
    sink = undefined;
    await emulator.close();
  });

  const stockNow = () => emulator.state.stockOf(STOCK.org, STOCK.material, STOCK.warehouse, STOCK.lot);

  /** Every source document is one audited bill in Kingdee, and the stock moved exactly once per document. */
  async function expectPostedExactlyOnce(prefix: string, count: number, stockBefore: Decimal) {
    await sink!.waitForStates({ POSTED: count }, `${count} documents POSTED`, 90_000);
    const bills = billsIn(emulator, 'SAL_OUTSTOCK', prefix);
    expect(bills.map((bill) => bill.billNo).sort()).toEqual(Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`).sort());
    expect(bills.every((bill) => bill.status === 'C')).toBe(true);
    expect(stockNow().toFixed()).toBe(stockBefore.minus(2 * count).toFixed());
    const ledger = await sink!.entries();
    expect(ledger.every((entry) => entry.state === 'POSTED' && entry.stage === 'AUDITED' && entry.fid !== null)).toBe(true);
    expect(new Set(ledger.map((entry) => entry.fid)).size).toBe(count);
  }

  const documents = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => canonical('sales_outstock', `${prefix}${String(i).padStart(3, '0')}`));

  it('write answers lost after Kingdee committed (timeouts, resets): resolved by query, never saved twice', async () => {
    sink = await startSinkUnderTest(emulator);
    const before = stockNow();
    // Three writes are applied and their answers never arrive (hang past the 3 s client timeout).
    emulator.setFaults({ lostAnswerNext: 3, lostAnswerHangMs: 3_500 });
    await sink.produce('sales_outstock', documents('TO-', 20));
    await expectPostedExactlyOnce('TO-', 20, before);
    const history = (await sink.events()).map((event) => event.split(':').pop());
    expect(history).toContain('write_in_doubt');
    expect(history).toContain('reconciled');
  });

  it('bursts of HTTP 5xx pause the partition and it resumes by itself', async () => {
    sink = await startSinkUnderTest(emulator);
    const before = stockNow();
    emulator.setFaults({ http5xxNext: 8, http5xxStatus: 502 });
    await sink.produce('sales_outstock', documents('HX-', 20));
    await expectPostedExactlyOnce('HX-', 20, before);
  });

  it('MsgCode 14 throttling: retried, paused, resumed, every bill once', async () => {
    // Backoff longer than Kingdee's 1-second window, as in production (the test default is 20–100 ms).
    sink = await startSinkUnderTest(emulator, { batchSize: 5, kingdee: { retry: { maxAttempts: 3, initialDelayMs: 400, maxDelayMs: 1_200 } } });
    const before = stockNow();
    emulator.setFaults({ throttlePerSecond: 3 });
    await sink.produce('sales_outstock', documents('TH-', 12));
    await expectPostedExactlyOnce('TH-', 12, before);
    const metrics = await (await fetch(`${sink.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/yecai_sink_kingdee_call_seconds_count\{[^}]*operation="BatchSave"/);
  }, 240_000);

  it('a 10-second outage: not ready while down, resumes from the break point, nothing lost or doubled', async () => {
    sink = await startSinkUnderTest(emulator);
    const before = stockNow();
    await sink.produce('sales_outstock', documents('OUT-', 5));
    await sink.waitForStates({ POSTED: 5 }, 'first 5 posted before the outage');
    const until = new Date(Date.now() + 10_000);
    emulator.setFaults({ outages: [{ from: new Date(Date.now() - 1000).toISOString(), to: until.toISOString() }] });
    await sink.produce('sales_outstock', documents('OUT-', 15).slice(5));
    await waitFor(async () => (await fetch(`${sink!.baseUrl}/readyz`)).status === 503, 'readyz reports not ready during the outage', 15_000);
    expect(Date.now()).toBeLessThan(until.getTime());
    expect(billsIn(emulator, 'SAL_OUTSTOCK', 'OUT-')).toHaveLength(5);
    await expectPostedExactlyOnce('OUT-', 15, before);
    expect((await fetch(`${sink.baseUrl}/readyz`)).status).toBe(200);
  });
});
