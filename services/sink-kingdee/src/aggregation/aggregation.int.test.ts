/**
 * Aggregated (汇总) posting against a real broker, FerretDB and the Kingdee emulator: groups become summary bills
 * (listed or summed entries, split at maxEntries), a late document becomes a supplementary bill with only itself,
 * and the admin history of a source document names its bill and entry row. Each scenario ends by querying the
 * emulator.
 */
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { waitFor } from '@yecai/test-harness';
import { canonical, startEmulator } from '../../test/fixtures';
import { TOKENS, billsIn, startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '../../test/sink-under-test';
import { Ledger } from '../ledger';
import type { AggregationConfig } from '@yecai/sink-kit';

const DOC_KEY = (sourceId: string) => `jushuitan/demo/sales_outstock/${sourceId}`;

describe('aggregated posting (real Kafka + FerretDB + Kingdee emulator)', () => {
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

  const start = (aggregation: Partial<AggregationConfig>) =>
    startSinkUnderTest(emulator, {
      // The schedule is far away: these scenarios close groups by the operator action.
      flows: [{ documentType: 'sales_outstock', aggregation: { groupBy: ['customer', 'lines.warehouse', 'date'], close: { afterDays: 36_500, at: '02:00' }, checkIntervalMs: 500, ...aggregation } }],
    });
  const api = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    fetch(`${sink!.baseUrl}/admin${path}`, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${init.token ?? TOKENS.viewer}` },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = async (response: Response): Promise<any> => response.json();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const closeNow = async (): Promise<any> => {
    const response = await api('/aggregation/sales_outstock/close', { method: 'POST', token: TOKENS.operator, body: {} });
    expect(response.status).toBe(200);
    return response.json();
  };
  const members = () => sink!.service.aggregation.store.members.countDocuments({});
  const waitMembers = (count: number) => waitFor(async () => (await members()) === count, `${count} aggregation members recorded`, 60_000);
  const quantities = (bill: { entries: { fields: Record<string, unknown> }[] }) => bill.entries.map((entry) => String(entry.fields.FRealQty));
  const notes = (bill: { entries: { fields: Record<string, unknown> }[] }) => bill.entries.map((entry) => String(entry.fields.FEntrynote));

  it('two groups → summary bills with listed entries, split at maxEntries; each source document in exactly one entry; admin history names bill and entry', async () => {
    sink = await start({ entries: 'list', maxEntries: 3, billNumberPattern: 'T1-{customer}-{keyHash}-{seq}' });
    const stockBefore = emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0');
    const tmall = Array.from({ length: 5 }, (_, i) => `AGT-${i + 1}`);
    const jd = ['AGJ-1', 'AGJ-2'];
    await sink.produce('sales_outstock', [
      ...tmall.map((id) => canonical('sales_outstock', id, { lines: [{ qty: '1' }] })),
      ...jd.map((id) => canonical('sales_outstock', id, { customer: 'JD-YS01', lines: [{ qty: '1' }] })),
    ]);
    await waitMembers(7);
    // Nothing reaches Kingdee before the group closes.
    expect(billsIn(emulator, 'SAL_OUTSTOCK', 'T1-')).toHaveLength(0);
    const { groups } = await json(await api('/aggregation/groups?flow=sales_outstock'));
    expect(groups.map((group: { openMembers: number }) => group.openMembers).sort()).toEqual([2, 5]);

    const closed = await closeNow();
    expect(closed.bills).toHaveLength(3);
    await sink.waitForStates({ POSTED: 3 }, 'three summary bills posted');

    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'T1-').sort((a, b) => a.billNo.localeCompare(b.billNo));
    expect(bills.map((bill) => bill.billNo.replace(/-[0-9A-F]{12}-/, '-#-'))).toEqual(['T1-JD-YS01-#-001', 'T1-TM-YS01-#-001', 'T1-TM-YS01-#-002']);
    expect(bills.every((bill) => bill.status === 'C')).toBe(true);
    expect(bills.map((bill) => bill.entries.length)).toEqual([2, 3, 2]);
    expect(bills.flatMap(notes).sort()).toEqual([...jd, ...tmall].sort());
    expect(emulator.state.stockOf('100', 'A1001-BLK', 'CK001', '0').toFixed()).toBe(stockBefore.minus(7).toFixed());

    // The admin document history of a member: its bill number and entry row, and the bill's state.
    const response = await api(`/documents/${encodeURIComponent(DOC_KEY('AGT-4'))}`);
    expect(response.status).toBe(200);
    const history = await json(response);
    const [slice] = history.aggregated.slices;
    const carrying = bills.find((bill) => bill.billNo === slice.bill.billNo)!;
    expect(slice.bill.state).toBe('POSTED');
    expect(slice.bill.entries).toHaveLength(1);
    expect(carrying.entries[slice.bill.entries[0] - 1]!.fields.FEntrynote).toBe('AGT-4');
    expect(slice.bill.fid).toBe(carrying.id);
    // …and the summary bill's own history lists its members.
    const billHistory = await json(await api(`/documents/${encodeURIComponent(slice.bill.ledgerId)}`));
    expect(billHistory.canonical.aggregate.members.map((member: { billNumber: string }) => member.billNumber)).toContain('AGT-4');
    expect((await api('/aggregation/sales_outstock/close', { method: 'POST', body: {} })).status).toBe(403);
    expect((await api('/aggregation/sales_outstock/close', { method: 'POST', token: TOKENS.operator, body: { keyHash: 'nope' } })).status).toBe(400);
  }, 180_000);

  it('a document arriving after its group was posted goes into a supplementary bill with only itself; redeliveries and new versions never make a second copy', async () => {
    sink = await start({ entries: 'sum', billNumberPattern: 'T3-{keyHash}-{seq}' });
    await sink.produce('sales_outstock', ['AGS-1', 'AGS-2', 'AGS-3'].map((id) => canonical('sales_outstock', id, { lines: [{ qty: '2' }] })));
    await waitMembers(3);
    expect((await closeNow()).bills).toHaveLength(1);
    await sink.waitForStates({ POSTED: 1 }, 'first summary bill posted');
    const [first] = billsIn(emulator, 'SAL_OUTSTOCK', 'T3-');
    expect(quantities(first!)).toEqual(['6']);

    // Late: a redelivery of a member (recorded already: skipped in the same insert), a new document of the same
    // group, and a changed version of a member.
    await sink.produce('sales_outstock', [
      canonical('sales_outstock', 'AGS-1', { lines: [{ qty: '2' }] }),
      canonical('sales_outstock', 'AGS-LATE', { lines: [{ qty: '1' }] }),
      canonical('sales_outstock', 'AGS-2', { version: 2, lines: [{ qty: '9' }] }),
    ]);
    await waitMembers(4);
    await waitFor(async () => (await sink!.service.aggregation.store.ignored.countDocuments({})) === 1, 'changed member version recorded as ignored', 60_000);
    const second = await closeNow();
    expect(second.bills).toMatchObject([{ kind: 'supplementary', members: 1 }]);
    await sink.waitForStates({ POSTED: 2 }, 'supplementary bill posted');
    expect((await closeNow()).bills).toHaveLength(0);

    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'T3-').sort((a, b) => a.billNo.localeCompare(b.billNo));
    expect(bills.map((bill) => bill.billNo.slice(-4))).toEqual(['-001', '-002']);
    expect(bills.map(quantities)).toEqual([['6'], ['1']]);
    const late = await json(await api(`/aggregation/documents/${encodeURIComponent(DOC_KEY('AGS-LATE'))}`));
    expect(late.slices[0].bill).toMatchObject({ billNo: bills[1]!.billNo, kind: 'supplementary', entries: [1], state: 'POSTED' });
    const changed = await json(await api(`/aggregation/documents/${encodeURIComponent(DOC_KEY('AGS-2'))}`));
    expect(changed.slices[0].bill.billNo).toBe(bills[0]!.billNo);
    expect(changed.ignoredVersions).toHaveLength(1);
  }, 180_000);

  it('groups close on their schedule by themselves (business date long past the T+0 00:00 close)', async () => {
    // maxMembers 2: at most two documents per summary bill, so three documents make at least two bills.
    sink = await start({ entries: 'list', maxMembers: 2, billNumberPattern: 'T6-{keyHash}-{seq}', close: { afterDays: 0, at: '00:00' } });
    const ids = ['AGC-1', 'AGC-2', 'AGC-3'];
    await sink.produce('sales_outstock', ids.map((id) => canonical('sales_outstock', id, { lines: [{ qty: '1' }] })));
    await waitFor(
      async () => {
        const records = await sink!.service.aggregation.store.bills.find({}).toArray();
        const entries = await sink!.entries();
        return records.reduce((sum, record) => sum + record.memberCount, 0) === ids.length && entries.length === records.length && entries.every((entry) => entry.state === 'POSTED');
      },
      'scheduled closes posted every member',
      90_000,
    );
    // However the arrivals and ticks interleaved: every document in exactly one entry of one bill.
    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'T6-');
    expect(bills.flatMap(notes).sort()).toEqual(ids);
    expect(bills.length).toBeGreaterThanOrEqual(2);
    expect(bills.every((bill) => bill.entries.length <= 2)).toBe(true);
  }, 180_000);

  it('a document that already has a bill of its own stays on it instead of joining a summary', async () => {
    sink = await start({ billNumberPattern: 'T7-{keyHash}-{seq}' });
    const own = canonical('sales_outstock', 'AGO-1');
    const source = own.source as { contentHash: string; sourceModifiedAt: number };
    // Posted one by one before aggregation was switched on (by another process: this sink has never seen it).
    await new Ledger(sink.db).insert(
      { _id: `6571a2b3c4d5e6|SAL_OUTSTOCK|AGO-1`, acctId: '6571a2b3c4d5e6', formId: 'SAL_OUTSTOCK', billNo: 'AGO-1', documentType: 'sales_outstock', documentKey: DOC_KEY('AGO-1'), state: 'POSTED', stage: 'AUDITED', fid: 1, version: source.contentHash, sourceModifiedAt: source.sourceModifiedAt, postedVersion: source.contentHash, canonical: own, problem: null, attempts: 1, level2Retries: 0, nextRetryAt: null, skipped: null },
      'posted_before_aggregation',
    );
    await sink.produce('sales_outstock', [own, canonical('sales_outstock', 'AGO-2')]);
    await waitMembers(1);
    expect((await sink.service.aggregation.trace(DOC_KEY('AGO-1')))).toBeNull();
    await closeNow();
    await sink.waitForStates({ POSTED: 2 }, 'summary of the other document posted');
    expect(billsIn(emulator, 'SAL_OUTSTOCK', 'T7-').flatMap(quantities)).toEqual(['2']);
  }, 180_000);

  it('a document whose key field is missing is parked with the field named, not guessed into a group', async () => {
    sink = await start({ billNumberPattern: 'T5-{keyHash}-{seq}' });
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AGX-1', { lines: [{ warehouse: null }] }), canonical('sales_outstock', 'AGX-2')]);
    await sink.waitForStates({ PARKED: 1 }, 'keyless document parked');
    await waitMembers(1);
    const [parked] = await sink.entries({ state: 'PARKED' });
    expect(parked!.problem).toMatchObject({ code: 'AGGREGATION_KEY_INVALID', field: 'lines.0.warehouse' });
    await closeNow();
    await sink.waitForStates({ POSTED: 1, PARKED: 1 }, 'summary of the good document posted');
    expect(billsIn(emulator, 'SAL_OUTSTOCK', 'T5-').map(notes)).toHaveLength(1);
  }, 180_000);
});
