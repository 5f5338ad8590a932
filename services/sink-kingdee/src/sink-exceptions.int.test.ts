/**
 * Level-1 and level-2 exceptions, operator actions through the admin API, and modified-document policies,
 * against a real broker, FerretDB and the Kingdee emulator. Each scenario ends by checking the emulator.
 */
import { Decimal } from '@yecai/common';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient } from '@yecai/kingdee';
import { canonical, kingdeeConfig, startEmulator } from '../test/fixtures';
import { TOKENS, billsIn, startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '../test/sink-under-test';
import { ledgerId } from '@yecai/sink-kit';

const ACCT = '6571a2b3c4d5e6';

describe('Kingdee sink exceptions and operator actions (real Kafka + FerretDB + emulator)', () => {
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

  const api = (path: string, init: { method?: string; token?: string | null; body?: unknown } = {}) =>
    fetch(`${sink!.baseUrl}/admin${path}`, {
      method: init.method ?? 'GET',
      headers: {
        'content-type': 'application/json',
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? TOKENS.viewer}` }),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = async (response: Response): Promise<any> => response.json();
  const id = (billNo: string, formId = 'SAL_OUTSTOCK') => encodeURIComponent(ledgerId(ACCT, formId, billNo));

  it('one BatchSave with level-1 and level-2 failures: good bills post once, bad ones park or wait; re-push, skip and scheduled retry finish the job', async () => {
    // A short ladder so the test sees the scheduled retry; production uses minutes to hours.
    sink = await startSinkUnderTest(emulator, { level2RetryDelaysMs: Array.from({ length: 100 }, () => 1_000) }, { partitions: 1 });
    const whiteBefore = emulator.state.stockOf('100', 'A1002-WHT', 'CK001', '0');
    await sink.produce('sales_outstock', [
      canonical('sales_outstock', 'MIX-OK1'),
      canonical('sales_outstock', 'MIX-NOMAT', { lines: [{ material: 'NEW-MAT-1' }] }),
      canonical('sales_outstock', 'MIX-OK2'),
      canonical('sales_outstock', 'MIX-SHORT', { lines: [{ material: 'A1002-WHT', qty: '400' }] }),
      canonical('sales_outstock', 'MIX-CLOSED', { date: '2024-12-01' }),
      canonical('sales_outstock', 'MIX-OK3'),
    ]);
    await sink.waitForStates({ POSTED: 3, PARKED: 1, REJECTED: 2 }, '3 posted, 1 parked, 2 rejected');

    const byBill = new Map((await sink.entries()).map((entry) => [entry.billNo, entry]));
    expect(byBill.get('MIX-NOMAT')).toMatchObject({ state: 'PARKED', stage: 'NONE', problem: { level: 1 } });
    expect(byBill.get('MIX-NOMAT')!.problem!.message).toMatch(/物料编码/);
    expect(byBill.get('MIX-SHORT')).toMatchObject({ state: 'REJECTED', stage: 'SUBMITTED', problem: { level: 2 } });
    expect(byBill.get('MIX-SHORT')!.problem!.message).toMatch(/库存不足/);
    expect(byBill.get('MIX-SHORT')!.nextRetryAt).not.toBeNull();
    expect(byBill.get('MIX-CLOSED')).toMatchObject({ state: 'REJECTED', stage: 'NONE', problem: { level: 2 } });
    expect(byBill.get('MIX-CLOSED')!.problem!.message).toMatch(/关账/);
    // The bills that succeeded inside the failing BatchSave were sent exactly once.
    for (const billNo of ['MIX-OK1', 'MIX-OK2', 'MIX-OK3']) {
      const history = await json(await api(`/documents/${id(billNo)}`));
      expect(history.kingdeeCalls.filter((call: { operation: string }) => call.operation === 'BatchSave')).toHaveLength(1);
      expect(history.canonical.source.sourceId).toBe(billNo);
      expect(history.transitions.map((step: { to: string }) => step.to)).toContain('POSTED');
    }

    // Admin API: authentication, roles, validation naming the field.
    expect((await api('/documents', { token: null })).status).toBe(401);
    expect((await api(`/documents/${id('MIX-NOMAT')}/repush`, { method: 'POST', body: {} })).status).toBe(403);
    const badState = await api('/documents?state=DONE');
    expect(badState.status).toBe(400);
    expect((await json(badState)).field).toBe('state');
    const noReason = await api(`/documents/${id('MIX-CLOSED')}/skip`, { method: 'POST', token: TOKENS.operator, body: {} });
    expect(noReason.status).toBe(400);
    expect((await json(noReason)).field).toBe('reason');
    const parkedList = await json(await api('/documents?state=PARKED&flow=sales_outstock'));
    expect(parkedList.documents.map((entry: { billNo: string }) => entry.billNo)).toEqual(['MIX-NOMAT']);

    // Level 1: a person adds the missing material in Kingdee, then re-pushes.
    const client = KingdeeClient.fromConfig(kingdeeConfig(emulator));
    await client.save('BD_MATERIAL', { FCreateOrgId: { FNumber: '100' }, FUseOrgId: { FNumber: '100' }, FNumber: 'NEW-MAT-1', FName: '新品耳机', SubHeadEntity: { FBaseUnitId: { FNumber: 'Pcs' } } });
    await client.submit('BD_MATERIAL', { numbers: ['NEW-MAT-1'] });
    await client.audit('BD_MATERIAL', { numbers: ['NEW-MAT-1'] });
    emulator.state.addStock('100', 'NEW-MAT-1', 'CK001', '0', new Decimal(10));
    const repushed = await api(`/documents/${id('MIX-NOMAT')}/repush`, { method: 'POST', token: TOKENS.operator, body: {} });
    expect(repushed.status).toBe(200);
    expect((await json(repushed)).document).toMatchObject({ state: 'POSTED', stage: 'AUDITED' });

    // Level 2 (closed period): an operator skips it, saying why.
    const skipped = await api(`/documents/${id('MIX-CLOSED')}`.replace(/$/, '/skip'), { method: 'POST', token: TOKENS.operator, body: { reason: '2024年已结账，财务手工处理' } });
    expect(skipped.status).toBe(200);
    expect((await json(skipped)).document).toMatchObject({ state: 'SKIPPED', skipped: { by: 'bob', reason: '2024年已结账，财务手工处理' } });

    // Level 2 (库存不足): stock arrives, the scheduled retry audits the already-saved bill.
    emulator.state.addStock('100', 'A1002-WHT', 'CK001', '0', new Decimal(200));
    await sink.waitForStates({ POSTED: 5, SKIPPED: 1 }, 'retry after stock arrived', 30_000);

    // The emulator: each posted document is one audited bill; the skipped and never-saved one is absent.
    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'MIX-');
    expect(bills.map((bill) => bill.billNo).sort()).toEqual(['MIX-NOMAT', 'MIX-OK1', 'MIX-OK2', 'MIX-OK3', 'MIX-SHORT']);
    expect(bills.every((bill) => bill.status === 'C')).toBe(true);
    expect(emulator.state.stockOf('100', 'A1002-WHT', 'CK001', '0').toFixed()).toBe(whiteBefore.plus(200).minus(400).toFixed());
    expect(emulator.state.stockOf('100', 'NEW-MAT-1', 'CK001', '0').toFixed()).toBe('8');

    const metrics = await (await fetch(`${sink.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/yecai_sink_documents_total\{[^}]*form="SAL_OUTSTOCK",outcome="parked",level="1"[^}]*\} 1/);
    expect(metrics).toMatch(/yecai_sink_documents_total\{[^}]*form="SAL_OUTSTOCK",outcome="skipped",level="2"[^}]*\} 1/);
    expect(metrics).toMatch(/yecai_sink_ledger_entries\{[^}]*form="SAL_OUTSTOCK",state="POSTED"[^}]*\} 5/);
    expect(metrics).not.toMatch(/MIX-/);
  });

  it('modified source documents follow the flow policy: update, ignore, or reverse and re-post — never a second bill', async () => {
    sink = await startSinkUnderTest(emulator, {
      flows: [
        { documentType: 'sales_outstock', submit: false, audit: false, onModified: 'update_if_not_audited' },
        { documentType: 'sales_return', onModified: 'ignore' },
        { documentType: 'purchase_instock', onModified: 'reverse_and_repost' },
      ],
    });
    const stockBefore = emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0');
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'MOD-SO', { lines: [{ qty: '2' }] })]);
    await sink.produce('sales_return', [canonical('sales_return', 'MOD-SR', { lines: [{ qty: '1' }] })]);
    await sink.produce('purchase_instock', [canonical('purchase_instock', 'MOD-PI', { lines: [{ qty: '2' }] })]);
    await sink.waitForStates({ POSTED: 3 }, 'first versions posted');
    const fids = new Map((await sink.entries()).map((entry) => [entry.billNo, entry.fid]));

    await sink.produce('sales_outstock', [canonical('sales_outstock', 'MOD-SO', { version: 2, lines: [{ qty: '5' }] })]);
    await sink.produce('sales_return', [canonical('sales_return', 'MOD-SR', { version: 2, lines: [{ qty: '9' }] })]);
    await sink.produce('purchase_instock', [canonical('purchase_instock', 'MOD-PI', { version: 2, lines: [{ qty: '7' }] })]);
    // A stale replay of version 1 after version 2 changes nothing.
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'MOD-SO', { version: 1, lines: [{ qty: '2' }] })]);

    const { waitFor } = await import('@yecai/test-harness');
    await waitFor(async () => {
      const entries = await sink!.entries();
      const events = await sink!.events();
      return (
        events.includes('MOD-SO:updated') &&
        events.includes('MOD-SR:modified_ignored') &&
        events.includes('MOD-PI:unaudited') &&
        events.includes('MOD-SO:stale_version_ignored') &&
        entries.every((entry) => entry.state === 'POSTED')
      );
    }, 'policies applied', 60_000);

    const so = billsIn(emulator, 'SAL_OUTSTOCK', 'MOD-');
    expect(so).toHaveLength(1);
    expect(so[0]!.id).toBe(fids.get('MOD-SO'));
    expect((so[0]!.entries[0]!.fields.FRealQty as Decimal).toFixed()).toBe('5');
    const sr = billsIn(emulator, 'SAL_RETURNSTOCK', 'MOD-');
    expect(sr).toHaveLength(1);
    expect((sr[0]!.entries[0]!.fields.FRealQty as Decimal).toFixed()).toBe('1');
    const pi = billsIn(emulator, 'STK_InStock', 'MOD-');
    expect(pi).toHaveLength(1);
    expect(pi[0]!.status).toBe('C');
    expect((pi[0]!.entries[0]!.fields.FRealQty as Decimal).toFixed()).toBe('7');
    // Stock: +1 return (ignored v2), +7 purchase (v1's +2 reversed by UnAudit), sales out never audited.
    expect(emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0').toFixed()).toBe(stockBefore.plus(1).plus(7).toFixed());
  });
});
