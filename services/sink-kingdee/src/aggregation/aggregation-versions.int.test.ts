/**
 * Versions of aggregated documents against a real broker, FerretDB and the Kingdee emulator: a newer version that
 * arrives before its group is frozen replaces the older one (quantities, and its group when a key field changed);
 * one that arrives after the freeze is recorded and visible, never posted; a document parked because it could not
 * be grouped leaves the parked list when a valid version joins a group. Each scenario ends by querying the
 * emulator's bills.
 */
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { Decimal } from '@yecai/common';
import { waitFor } from '@yecai/test-harness';
import { canonical, startEmulator } from '../../test/fixtures';
import { TOKENS, billsIn, startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '../../test/sink-under-test';
import { Ledger } from '../ledger';
import type { AggregationConfig } from '@yecai/sink-kit';

const DOC_KEY = (sourceId: string) => `jushuitan/demo/sales_outstock/${sourceId}`;
type Bill = { billNo: string; entries: { fields: Record<string, unknown> }[] };

describe('aggregated posting: versions of a source document (real Kafka + FerretDB + Kingdee emulator)', () => {
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
      flows: [{ documentType: 'sales_outstock', aggregation: { groupBy: ['customer', 'lines.warehouse', 'date'], entries: 'list', close: { afterDays: 36_500, at: '02:00' }, checkIntervalMs: 500, ...aggregation } }],
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
  const store = () => sink!.service.aggregation.store;
  const waitCount = (what: string, count: () => Promise<number>, expected: number) => waitFor(async () => (await count()) === expected, what, 60_000);
  /** Every entry of the bills as "note qty warehouse" (list mode: the note is the source bill number). */
  const rows = (bills: Bill[]) => bills.flatMap((bill) => bill.entries.map((entry) => `${String(entry.fields.FEntrynote)} ${String(entry.fields.FRealQty)} ${JSON.stringify(entry.fields.FStockID)}`)).sort();
  const notesOf = (bill: Bill) => bill.entries.map((entry) => String(entry.fields.FEntrynote)).sort();
  const warehouseOf = (bill: Bill) => JSON.stringify(bill.entries[0]!.fields.FStockID);

  it('(a) v1 then v2 with another quantity before the close → one summary bill carrying v2, no trace of v1 in it', async () => {
    sink = await start({ billNumberPattern: 'VA-{keyHash}-{seq}' });
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVA-1', { lines: [{ qty: '1' }] }), canonical('sales_outstock', 'AVA-2', { lines: [{ qty: '2' }] })]);
    await waitCount('two members', () => store().members.countDocuments({}), 2);
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVA-1', { version: 2, lines: [{ qty: '7' }] })]);
    await waitCount('v1 retired by v2', () => store().retired.countDocuments({}), 1);
    await waitCount('v2 recorded', () => store().members.countDocuments({}), 3);
    const { groups } = await json(await api('/aggregation/groups?flow=sales_outstock'));
    expect(groups).toMatchObject([{ openMembers: 2 }]);

    const closed = await closeNow();
    expect(closed.bills).toMatchObject([{ kind: 'first', members: 2 }]);
    await sink.waitForStates({ POSTED: 1 }, 'summary bill posted');
    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'VA-') as Bill[];
    expect(bills).toHaveLength(1);
    expect(bills[0]!.entries.map((entry) => [String(entry.fields.FEntrynote), String(entry.fields.FRealQty)]).sort()).toEqual([['AVA-1', '7'], ['AVA-2', '2']]);

    const trace = await json(await api(`/aggregation/documents/${encodeURIComponent(DOC_KEY('AVA-1'))}`));
    expect(trace.slices.map((slice: { revision: number; status: string }) => [slice.revision, slice.status])).toEqual([[1, 'superseded'], [2, 'frozen']]);
    expect(trace.slices[0].bill).toBeNull();
    expect(trace.slices[1].bill).toMatchObject({ billNo: bills[0]!.billNo, state: 'POSTED' });
    expect(trace.revisions.map((revision: { kind: string }) => revision.kind)).toEqual(['version', 'version', 'frozen']);
    // A redelivery of the old version changes nothing.
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVA-1', { lines: [{ qty: '1' }] })]);
    expect((await closeNow()).bills).toHaveLength(0);
    expect(rows(billsIn(emulator, 'SAL_OUTSTOCK', 'VA-') as Bill[])).toHaveLength(2);
  }, 180_000);

  it('(b) v2 moves the document to another warehouse → the old group\'s bill does not carry it, the new group\'s does, once', async () => {
    sink = await start({ billNumberPattern: 'VB-{warehouse}-{keyHash}-{seq}' });
    emulator.state.addStock('100', 'A1001-BLK', 'CK002', '0', new Decimal(10));
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVB-1', { lines: [{ qty: '3' }] }), canonical('sales_outstock', 'AVB-2', { lines: [{ qty: '1' }] })]);
    await waitCount('two members', () => store().members.countDocuments({}), 2);
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVB-1', { version: 2, lines: [{ qty: '4', warehouse: 'CK002' }] })]);
    await waitCount('v2 recorded in the other group', () => store().members.countDocuments({}), 3);
    const { groups } = await json(await api('/aggregation/groups?flow=sales_outstock'));
    expect(groups.map((group: { key: { warehouse: string }; openMembers: number }) => `${group.key.warehouse}:${group.openMembers}`).sort()).toEqual(['CK001:1', 'CK002:1']);

    expect((await closeNow()).bills).toHaveLength(2);
    await sink.waitForStates({ POSTED: 2 }, 'both summary bills posted');
    const bills = (billsIn(emulator, 'SAL_OUTSTOCK', 'VB-') as Bill[]).sort((a, b) => a.billNo.localeCompare(b.billNo));
    expect(bills.map((bill) => bill.billNo.slice(0, 9))).toEqual(['VB-CK001-', 'VB-CK002-']);
    expect(bills.map(notesOf)).toEqual([['AVB-2'], ['AVB-1']]);
    expect(bills.map((bill) => bill.entries.map((entry) => String(entry.fields.FRealQty)))).toEqual([['1'], ['4']]);
    expect(warehouseOf(bills[0]!)).toContain('CK001');
    expect(warehouseOf(bills[1]!)).toContain('CK002');
    expect(rows(bills).filter((row) => row.startsWith('AVB-1 '))).toHaveLength(1);
  }, 180_000);

  it('(c) v2 after the group was posted → no second copy; recorded as ignored and shown in the admin history', async () => {
    sink = await start({ billNumberPattern: 'VC-{keyHash}-{seq}' });
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVC-1', { lines: [{ qty: '2' }] })]);
    await waitCount('member', () => store().members.countDocuments({}), 1);
    await closeNow();
    await sink.waitForStates({ POSTED: 1 }, 'summary bill posted');
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVC-1', { version: 2, lines: [{ qty: '5', warehouse: 'CK002' }] })]);
    await waitCount('v2 recorded as ignored', () => store().ignored.countDocuments({}), 1);
    expect((await closeNow()).bills).toHaveLength(0);

    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'VC-') as Bill[];
    expect(rows(bills)).toHaveLength(1);
    expect(bills[0]!.entries.map((entry) => String(entry.fields.FRealQty))).toEqual(['2']);
    const history = await json(await api(`/documents/${encodeURIComponent(DOC_KEY('AVC-1'))}`));
    expect(history.aggregated.ignoredVersions).toMatchObject([{ reason: 'after_freeze' }]);
    expect(history.aggregated.slices).toMatchObject([{ revision: 1, status: 'frozen', bill: { billNo: bills[0]!.billNo, state: 'POSTED' } }]);
    const metrics = await (await fetch(`${sink.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/yecai_sink_aggregation_members_total\{flow="sales_outstock",outcome="version_ignored"[^}]*\} 1/);
  }, 180_000);

  it('(d) parked AGGREGATION_KEY_INVALID v1, valid v2 → leaves the parked list as AGGREGATED, history names the group, the bill carries v2', async () => {
    sink = await start({ billNumberPattern: 'VD-{keyHash}-{seq}' });
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVD-1', { lines: [{ warehouse: null, qty: '1' }] })]);
    await sink.waitForStates({ PARKED: 1 }, 'keyless v1 parked');
    const parkedList = async () => (await json(await api('/documents?state=PARKED'))).documents as { _id: string }[];
    const [parked] = await parkedList();
    expect(parked).toBeDefined();

    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVD-1', { version: 2, lines: [{ qty: '6' }] })]);
    await sink.waitForStates({ AGGREGATED: 1 }, 'parked entry superseded by the valid version');
    expect(await parkedList()).toHaveLength(0);
    expect(await store().members.countDocuments({})).toBe(1);

    await closeNow();
    await sink.waitForStates({ POSTED: 1, AGGREGATED: 1 }, 'summary bill posted');
    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'VD-') as Bill[];
    expect(bills.map((bill) => bill.entries.map((entry) => [String(entry.fields.FEntrynote), String(entry.fields.FRealQty)]))).toEqual([[['AVD-1', '6']]]);

    // The parked entry's history: parked, then superseded (not skipped: no person decided), naming the group; and
    // its document view shows the bill that carries the document now.
    const history = await json(await api(`/documents/${encodeURIComponent(parked!._id)}`));
    expect(history.document.state).toBe('AGGREGATED');
    expect(history.document.skipped).toBeNull();
    const steps = history.transitions.map((step: { event: string; to: string }) => `${step.event}→${step.to}`);
    expect(steps).toEqual(['aggregation_invalid→PARKED', 'superseded→AGGREGATED']);
    expect(history.transitions[1].detail).toContain('warehouse=CK001');
    expect(history.aggregated.slices).toMatchObject([{ revision: 2, status: 'frozen', bill: { billNo: bills[0]!.billNo, state: 'POSTED' } }]);
    // Re-push and skip are for open problems only.
    expect((await api(`/documents/${encodeURIComponent(parked!._id)}/skip`, { method: 'POST', token: TOKENS.operator, body: { reason: '已由新版本取代 superseded already' } })).status).toBe(409);
  }, 180_000);

  it('(d2) a document parked before revision chains existed (ledger entry only) is superseded too when a valid version arrives', async () => {
    sink = await start({ billNumberPattern: 'VG-{keyHash}-{seq}' });
    const invalid = canonical('sales_outstock', 'AVG-1', { lines: [{ warehouse: null }] });
    const source = invalid.source as { contentHash: string; sourceModifiedAt: number };
    const id = `6571a2b3c4d5e6|SAL_OUTSTOCK|AGG-INVALID:${DOC_KEY('AVG-1')}`;
    await new Ledger(sink.db).insert(
      { _id: id, acctId: '6571a2b3c4d5e6', formId: 'SAL_OUTSTOCK', billNo: `AGG-INVALID:${DOC_KEY('AVG-1')}`, documentType: 'sales_outstock', documentKey: DOC_KEY('AVG-1'), state: 'PARKED', stage: 'NONE', fid: null, version: source.contentHash, sourceModifiedAt: source.sourceModifiedAt, postedVersion: null, canonical: invalid, problem: { level: 1, code: 'AGGREGATION_KEY_INVALID', message: 'lines.0.warehouse', field: 'lines.0.warehouse' }, attempts: 0, level2Retries: 0, nextRetryAt: null, skipped: null },
      'aggregation_invalid',
    );
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVG-1', { version: 2, lines: [{ qty: '3' }] })]);
    await sink.waitForStates({ AGGREGATED: 1 }, 'old parked entry superseded');
    await closeNow();
    await sink.waitForStates({ POSTED: 1, AGGREGATED: 1 }, 'summary bill posted');
    expect((billsIn(emulator, 'SAL_OUTSTOCK', 'VG-') as Bill[]).map((bill) => bill.entries.map((entry) => `${String(entry.fields.FEntrynote)} ${String(entry.fields.FRealQty)}`))).toEqual([['AVG-1 3']]);
  }, 180_000);

  // The two interleavings of the race "newer version recorded" vs "group frozen", forced by pausing the close at
  // the point in question (the store is real; only the order of events is chosen).
  it('(e1) a newer version recorded after the bill was inserted but before its seal → the bill leaves the old version out; the new one goes into the next bill', async () => {
    sink = await start({ billNumberPattern: 'VE-{keyHash}-{seq}' });
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVE-1', { lines: [{ qty: '1' }] }), canonical('sales_outstock', 'AVE-2', { lines: [{ qty: '1' }] })]);
    await waitCount('two members', () => store().members.countDocuments({}), 2);
    const aggregationStore = store();
    const insertBill = aggregationStore.insertBill.bind(aggregationStore);
    let paused = false;
    aggregationStore.insertBill = async (record) => {
      const inserted = await insertBill(record);
      if (inserted && !paused) {
        paused = true;
        await sink!.produce('sales_outstock', [canonical('sales_outstock', 'AVE-1', { version: 2, lines: [{ qty: '5' }] })]);
        await waitCount('v2 recorded between the bill insert and its seal', () => aggregationStore.members.countDocuments({}), 3);
      }
      return inserted;
    };
    const first = await closeNow();
    expect(first.bills).toMatchObject([{ kind: 'first', members: 1 }]);
    await sink.waitForStates({ POSTED: 1 }, 'first bill posted');
    expect((await aggregationStore.sealed.find({}).toArray())[0]!.excluded).toMatchObject([{ documentKey: DOC_KEY('AVE-1'), byRevision: 2 }]);
    const second = await closeNow();
    expect(second.bills).toMatchObject([{ kind: 'supplementary', members: 1 }]);
    await sink.waitForStates({ POSTED: 2 }, 'supplementary bill posted');
    const bills = (billsIn(emulator, 'SAL_OUTSTOCK', 'VE-') as Bill[]).sort((a, b) => a.billNo.localeCompare(b.billNo));
    expect(bills.map((bill) => bill.entries.map((entry) => `${String(entry.fields.FEntrynote)} ${String(entry.fields.FRealQty)}`))).toEqual([['AVE-2 1'], ['AVE-1 5']]);
    const trace = await json(await api(`/aggregation/documents/${encodeURIComponent(DOC_KEY('AVE-1'))}`));
    expect(trace.slices.map((slice: { revision: number; status: string; bill: { billNo: string } | null }) => [slice.revision, slice.status, slice.bill?.billNo ?? null])).toEqual([
      [1, 'superseded', null],
      [2, 'frozen', bills[1]!.billNo],
    ]);
  }, 180_000);

  it('(e2) the close stops after the freeze slots, before the seal (as a crash would) and v2 arrives → v2 is ignored, the next tick seals and posts v1 once', async () => {
    sink = await start({ billNumberPattern: 'VF-{keyHash}-{seq}' });
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVF-1', { lines: [{ qty: '1' }] })]);
    await waitCount('member', () => store().members.countDocuments({}), 1);
    const aggregationStore = store();
    const insertSeal = aggregationStore.insertSeal.bind(aggregationStore);
    let failed = false;
    aggregationStore.insertSeal = async (seal) => {
      if (!failed) {
        failed = true;
        throw new Error('simulated crash between the freeze slots and the seal');
      }
      return insertSeal(seal);
    };
    const response = await api('/aggregation/sales_outstock/close', { method: 'POST', token: TOKENS.operator, body: {} });
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(await aggregationStore.bills.countDocuments({})).toBe(1);
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVF-1', { version: 2, lines: [{ qty: '9' }] })]);
    await waitCount('v2 recorded as ignored (the document is frozen)', () => aggregationStore.ignored.countDocuments({}), 1);
    // The schedule's tick finds the bill without a seal, seals it and posts it.
    await sink.waitForStates({ POSTED: 1 }, 'bill sealed and posted by the tick');
    expect((await closeNow()).bills).toHaveLength(0);
    const bills = billsIn(emulator, 'SAL_OUTSTOCK', 'VF-') as Bill[];
    expect(rows(bills).map((row) => row.split(' ').slice(0, 2).join(' '))).toEqual(['AVF-1 1']);
    expect((await aggregationStore.ignored.findOne({}))!.reason).toBe('after_freeze');
  }, 180_000);

  it('(e3) killed after a newer version took its chain slot, before its slices were recorded → a close leaves the old version out; the replay records the new one, which the next bill carries', async () => {
    sink = await start({ billNumberPattern: 'VH-{keyHash}-{seq}' });
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVH-1', { lines: [{ qty: '1' }] }), canonical('sales_outstock', 'AVH-2', { lines: [{ qty: '1' }] })]);
    await waitCount('two members', () => store().members.countDocuments({}), 2);
    // What a process killed right after the slot insert leaves behind (its batch was not acknowledged).
    const v2 = canonical('sales_outstock', 'AVH-1', { version: 2, lines: [{ qty: '4' }] });
    const source = v2.source as { contentHash: string; sourceModifiedAt: number };
    const [v1] = await store().membersOf(DOC_KEY('AVH-1'));
    await store().documents.insertOne({ _id: `sales_outstock|${DOC_KEY('AVH-1')}#2`, flow: 'sales_outstock', documentKey: DOC_KEY('AVH-1'), revision: 2, version: source.contentHash, sourceModifiedAt: source.sourceModifiedAt, keyHashes: v1!.keyHash, at: new Date() });
    expect((await closeNow()).bills).toMatchObject([{ members: 1 }]);
    await sink.waitForStates({ POSTED: 1 }, 'bill without the replaced version posted');
    // The replay of the unacknowledged batch.
    await sink.produce('sales_outstock', [v2]);
    await waitCount('v2 recorded by the replay', () => store().members.countDocuments({}), 3);
    expect((await closeNow()).bills).toMatchObject([{ kind: 'supplementary', members: 1 }]);
    await sink.waitForStates({ POSTED: 2 }, 'supplementary bill posted');
    const bills = (billsIn(emulator, 'SAL_OUTSTOCK', 'VH-') as Bill[]).sort((a, b) => a.billNo.localeCompare(b.billNo));
    expect(bills.map((bill) => bill.entries.map((entry) => `${String(entry.fields.FEntrynote)} ${String(entry.fields.FRealQty)}`))).toEqual([['AVH-2 1'], ['AVH-1 4']]);
  }, 180_000);

  it('(f) a document in two groups (two warehouses) whose v2 keeps one warehouse → the other group\'s slice is retired; each bill carries what v2 says', async () => {
    sink = await start({ billNumberPattern: 'VI-{warehouse}-{keyHash}-{seq}' });
    emulator.state.addStock('100', 'A1001-BLK', 'CK002', '0', new Decimal(10));
    await sink.produce('sales_outstock', [
      canonical('sales_outstock', 'AVI-1', { lines: [{ qty: '1' }, { qty: '2', warehouse: 'CK002' }] }),
      canonical('sales_outstock', 'AVI-2', { lines: [{ qty: '1', warehouse: 'CK002' }] }),
    ]);
    await waitCount('three slices', () => store().members.countDocuments({}), 3);
    await sink.produce('sales_outstock', [canonical('sales_outstock', 'AVI-1', { version: 2, lines: [{ qty: '5' }] })]);
    await waitCount('both v1 slices retired', () => store().retired.countDocuments({}), 2);
    expect((await closeNow()).bills).toHaveLength(2);
    await sink.waitForStates({ POSTED: 2 }, 'both bills posted');
    const bills = (billsIn(emulator, 'SAL_OUTSTOCK', 'VI-') as Bill[]).sort((a, b) => a.billNo.localeCompare(b.billNo));
    expect(bills.map((bill) => bill.entries.map((entry) => `${String(entry.fields.FEntrynote)} ${String(entry.fields.FRealQty)}`))).toEqual([['AVI-1 5'], ['AVI-2 1']]);
  }, 180_000);
});
