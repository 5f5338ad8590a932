/**
 * 下推 as a flow step (config `pushDown`) against a real broker, FerretDB and the Kingdee emulator: every audited
 * 销售出库单 gets exactly one audited 应收单 made by Kingdee's conversion rule and linked to it (采购入库单 → 应付单
 * alike) — also when Push answers are lost and when the same events arrive again.
 */
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { canonical, startEmulator } from '../test/fixtures';
import { billsIn, downstreamOf, startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '../test/sink-under-test';

const FLOWS = [
  { documentType: 'sales_outstock' as const, pushDown: { ruleId: 'AR_OutStockToReceivableMap' } },
  { documentType: 'purchase_instock' as const, pushDown: { ruleId: 'AP_InStockToPayableMap' } },
];

describe('Kingdee sink 下推 Push (real Kafka + FerretDB + emulator)', () => {
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

  it('each audited out-stock and in-stock gets exactly one audited downstream bill, linked; a redelivery pushes nothing again', async () => {
    sink = await startSinkUnderTest(emulator, { flows: FLOWS });
    const outs = Array.from({ length: 4 }, (_, i) => canonical('sales_outstock', `PD-OUT-${i}`));
    const ins = Array.from({ length: 2 }, (_, i) => canonical('purchase_instock', `PD-IN-${i}`));
    await sink.produce('sales_outstock', outs);
    await sink.produce('purchase_instock', ins);
    await sink.waitForStates({ POSTED: 6 }, '6 documents POSTED with their downstream bills');

    const outNumbers = billsIn(emulator, 'SAL_OUTSTOCK', 'PD-OUT-').map((bill) => bill.billNo).sort();
    expect(outNumbers).toHaveLength(4);
    const receivables = downstreamOf(emulator, 'AR_receivable');
    for (const number of outNumbers) expect({ number, receivables: receivables.get(number) }).toEqual({ number, receivables: ['C'] });
    const payables = downstreamOf(emulator, 'AP_Payable');
    for (const bill of billsIn(emulator, 'STK_InStock', 'PD-IN-')) expect({ number: bill.billNo, payables: payables.get(bill.billNo) }).toEqual({ number: bill.billNo, payables: ['C'] });
    // The source lines are linked (反写): the whole quantity is on the receivable.
    const outBill = billsIn(emulator, 'SAL_OUTSTOCK', 'PD-OUT-0')[0]!;
    expect(outBill.entries.map((row) => String(row.fields.FARJOINQTY))).toEqual(outBill.entries.map((row) => String(row.fields.FRealQty)));
    const entries = await sink.entries({ documentType: 'sales_outstock' });
    expect(entries.every((entry) => entry.downstream?.formId === 'AR_receivable' && entry.downstream.stage === 'AUDITED')).toBe(true);

    await sink.produce('sales_outstock', outs);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect([...downstreamOf(emulator, 'AR_receivable').values()].every((statuses) => statuses.length === 1)).toBe(true);
    expect(emulator.state.billsOf('AR_receivable').size).toBe(4);
  });

  it('Push answers lost after Kingdee made the bill: adopted by query, never pushed twice', async () => {
    sink = await startSinkUnderTest(emulator, { flows: FLOWS.slice(0, 1), kingdee: { timeoutMs: 3_000 } });
    emulator.setFaults({ lostAnswerNext: 3, lostAnswerOps: ['push'], lostAnswerHangMs: 3_500 });
    await sink.produce('sales_outstock', Array.from({ length: 6 }, (_, i) => canonical('sales_outstock', `PD-LOST-${i}`)));
    await sink.waitForStates({ POSTED: 6 }, '6 POSTED despite lost Push answers', 90_000);
    const receivables = downstreamOf(emulator, 'AR_receivable');
    const outNumbers = billsIn(emulator, 'SAL_OUTSTOCK', 'PD-LOST-').map((bill) => bill.billNo);
    expect(outNumbers).toHaveLength(6);
    for (const number of outNumbers) expect({ number, receivables: receivables.get(number) }).toEqual({ number, receivables: ['C'] });
    expect(emulator.state.billsOf('AR_receivable').size).toBe(6);
    const events = await sink.events();
    expect(events.filter((event) => event.endsWith(':pushed_down') || event.endsWith(':downstream_found')).length).toBeGreaterThanOrEqual(6);
  }, 180_000);
});
