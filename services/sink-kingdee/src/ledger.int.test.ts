import { testMongo } from '@yecai/test-harness';
import { isFerretDb } from '@yecai/store';
import { Ledger, ledgerId, type LedgerEntry } from './ledger';

describe('idempotency ledger on FerretDB (append-only revisions, unique _id as compare-and-set)', () => {
  it('inserts once per bill (unique index), moves by compare-and-set, records calls', async () => {
    const mongo = await testMongo('ledger');
    try {
      const ledger = new Ledger(mongo.db);
      await ledger.ensureIndexes();
      const id = ledgerId('acct', 'SAL_OUTSTOCK', 'B-1');
      const fields = {
        _id: id, acctId: 'acct', formId: 'SAL_OUTSTOCK', billNo: 'B-1', documentType: 'sales_outstock', documentKey: 'k',
        state: 'PENDING' as const, stage: 'NONE' as const, fid: null, version: 'v1', sourceModifiedAt: 1, postedVersion: null,
        canonical: { a: { b: '1.50' } }, problem: null, attempts: 1, level2Retries: 0, nextRetryAt: null, skipped: null,
      };
      const first = await ledger.insert(fields, 'claimed');
      expect(first).not.toBeNull();
      expect(await ledger.insert(fields, 'claimed')).toBeNull();
      const moved = await ledger.transition(first as LedgerEntry, { stage: 'SAVED', fid: 100001 }, 'saved');
      expect(moved).toMatchObject({ stage: 'SAVED', fid: 100001, revision: 2 });
      // A writer holding the old revision loses.
      expect(await ledger.transition(first as LedgerEntry, { state: 'PARKED' }, 'parked')).toBeNull();
      await ledger.recordCalls([{ ledgerId: id, at: new Date(), operation: 'BatchSave', request: { FBillNo: 'B-1', FEntity: [{ FRealQty: '2' }] }, outcome: 'saved', fid: 100001, msgCode: 0 }]);
      expect(await ledger.get(id)).toMatchObject({ state: 'PENDING', stage: 'SAVED', revision: 2 });
      expect((await ledger.history(id)).map((step) => step.event)).toEqual(['claimed', 'saved']);
      expect(await ledger.callsOf(id)).toHaveLength(1);
      expect(await ledger.due(new Date(Date.now() + 10_000), 1, 10)).toHaveLength(1);
      expect(await ledger.countsByFormAndState()).toEqual([{ formId: 'SAL_OUTSTOCK', state: 'PENDING', count: 1 }]);
    } finally {
      await mongo.close();
    }
  });

  it('writes a chunk of changes in one insertMany: lost compare-and-sets come back as null, the rest land', async () => {
    const mongo = await testMongo('ledger');
    try {
      const ledger = new Ledger(mongo.db);
      await ledger.ensureIndexes();
      const entry = (billNo: string) => ({
        _id: ledgerId('acct', 'SAL_OUTSTOCK', billNo), acctId: 'acct', formId: 'SAL_OUTSTOCK', billNo, documentType: 'sales_outstock', documentKey: billNo,
        state: 'PENDING' as const, stage: 'NONE' as const, fid: null, version: 'v1', sourceModifiedAt: 1, postedVersion: null,
        canonical: {}, problem: null, attempts: 1, level2Retries: 0, nextRetryAt: null, skipped: null,
      });
      const step = (event: string, from: LedgerEntry['state'] | null, to: LedgerEntry['state']) => ({ at: new Date(), from, to, event, version: 'v1' });
      const claimed = await ledger.apply(['C-1', 'C-2', 'C-3'].map((billNo) => ({ current: null, entry: entry(billNo), steps: [step('claimed', null, 'PENDING')] })));
      expect(claimed.map((written) => written?.revision)).toEqual([1, 1, 1]);
      // A second claimer of C-2 (another instance) loses; a fresh C-4 in the same write still lands.
      const again = await ledger.apply(['C-2', 'C-4'].map((billNo) => ({ current: null, entry: entry(billNo), steps: [step('claimed', null, 'PENDING')] })));
      expect(again.map((written) => written?.revision ?? null)).toEqual([null, 1]);
      // Outcomes: reconciled → saved → posted of one chunk as one revision; C-3's base is stale (revision 0 ≠ 1).
      const [c1, , c3] = claimed as LedgerEntry[];
      const posted = await ledger.apply([
        { current: c1!, entry: { ...c1!, state: 'POSTED', stage: 'AUDITED', fid: 7 }, steps: [step('reconciled', 'PENDING', 'PENDING'), step('saved', 'PENDING', 'PENDING'), step('posted', 'PENDING', 'POSTED')] },
        { current: { ...c3!, revision: 0 }, entry: { ...c3!, state: 'PARKED' }, steps: [step('parked', 'PENDING', 'PARKED')] },
      ]);
      expect(posted[0]).toMatchObject({ state: 'POSTED', revision: 2, fid: 7 });
      expect(posted[1]).toBeNull();
      expect(ledger.peek(c1!._id)).toMatchObject({ state: 'POSTED', revision: 2 });
      expect((await ledger.history(c1!._id)).map((transition) => `${transition.revision}:${transition.event}`)).toEqual(['1:claimed', '2:reconciled', '2:saved', '2:posted']);
      expect(await ledger.get(c3!._id)).toMatchObject({ state: 'PENDING', revision: 1 });
      // One stored document per Kingdee call, read back per bill.
      await ledger.recordCallBatches([[c1!, c3!].map((bill) => ({ ledgerId: bill._id, at: new Date(), operation: 'Audit', request: { Numbers: ['C-1', 'C-3'] }, outcome: 'ok', msgCode: 0 }))]);
      expect(await ledger.calls.countDocuments({})).toBe(1);
      expect(await ledger.callsOf(c3!._id)).toMatchObject([{ operation: 'Audit', request: { Numbers: ['C-1', 'C-3'] }, outcome: 'ok' }]);
      // Gauges follow the writes without reading, and agree with a recount.
      const sorted = (rows: { formId: string; state: string; count: number }[]) => rows.filter((row) => row.count > 0).sort((a, b) => a.state.localeCompare(b.state));
      expect(sorted(ledger.stateCounts())).toEqual([{ formId: 'SAL_OUTSTOCK', state: 'PENDING', count: 3 }, { formId: 'SAL_OUTSTOCK', state: 'POSTED', count: 1 }]);
      await ledger.loadCounts();
      expect(sorted(ledger.stateCounts())).toEqual(sorted(await ledger.countsByFormAndState()));
    } finally {
      await mongo.close();
    }
  });

  it('a fresh process reads back exactly what was written: canonical from the revision that holds it, dates, skips, per-bill requests', async () => {
    const mongo = await testMongo('ledger');
    try {
      const writer = new Ledger(mongo.db);
      await writer.ensureIndexes();
      const id = ledgerId('acct', 'SAL_OUTSTOCK', 'R-1');
      const canonical = { billNumber: 'R-1', lines: [{ quantity: '2', taxInclusivePrice: '113.000001' }], remark: '聚水潭 R-1' };
      const claimed = await writer.insert(
        { _id: id, acctId: 'acct', formId: 'SAL_OUTSTOCK', billNo: 'R-1', documentType: 'sales_outstock', documentKey: 'k', state: 'PENDING', stage: 'NONE', fid: null, version: 'v1', sourceModifiedAt: 1, postedVersion: null, canonical, problem: null, attempts: 1, level2Retries: 0, nextRetryAt: null, skipped: null },
        'claimed',
      );
      const parked = await writer.transition(claimed!, { state: 'PARKED', problem: { level: 1, code: 'KINGDEE_REJECTED', message: '物料编码不存在', field: 'FMaterialId', msgCode: 0 } }, 'parked');
      const skippedAt = new Date('2026-11-24T01:00:00.000Z');
      await writer.transition(parked!, { state: 'SKIPPED', skipped: { by: 'zhang.san', reason: '测试单据', at: skippedAt } }, 'skipped', { actor: 'zhang.san', detail: '测试单据' });
      await writer.recordCallBatches([
        ['R-1', 'R-2'].map((billNo, index) => ({ ledgerId: ledgerId('acct', 'SAL_OUTSTOCK', billNo), at: new Date(), operation: 'BatchSave', request: { FBillNo: billNo, FEntity: [{ FRealQty: String(index + 2) }] }, outcome: index === 0 ? 'rejected' : 'saved', fid: index === 0 ? null : 9, messages: index === 0 ? ['物料编码不存在'] : [] })),
      ]);

      const reader = new Ledger(mongo.db); // nothing cached: everything comes from storage
      const entry = await reader.get(id);
      expect(entry).toMatchObject({ state: 'SKIPPED', revision: 3, canonical, problem: { code: 'KINGDEE_REJECTED', field: 'FMaterialId' }, skipped: { by: 'zhang.san', reason: '测试单据', at: skippedAt } });
      expect(entry!.skipped!.at).toBeInstanceOf(Date);
      expect(entry!.createdAt).toBeInstanceOf(Date);
      expect((await reader.getMany([id])).get(id)?.canonical).toEqual(canonical);
      expect(await reader.list({ state: 'SKIPPED' }, 10, 0)).toMatchObject([{ _id: id, billNo: 'R-1', documentKey: 'k' }]);
      const history = await reader.history(id);
      expect(history.map((step) => `${step.revision}:${step.from}->${step.to}:${step.event}`)).toEqual(['1:null->PENDING:claimed', '2:PENDING->PARKED:parked', '3:PARKED->SKIPPED:skipped']);
      expect(history[2]).toMatchObject({ actor: 'zhang.san', detail: '测试单据' });
      expect(history[2]!.at).toBeInstanceOf(Date);
      expect(await reader.callsOf(id)).toMatchObject([{ operation: 'BatchSave', request: { FBillNo: 'R-1', FEntity: [{ FRealQty: '2' }] }, outcome: 'rejected', messages: ['物料编码不存在'] }]);
      expect(await reader.callsOf(ledgerId('acct', 'SAL_OUTSTOCK', 'R-2'))).toMatchObject([{ request: { FBillNo: 'R-2' }, outcome: 'saved', fid: 9 }]);
    } finally {
      await mongo.close();
    }
  });

  it('reads a ledger written before revisions were packed (upgrade): entries, dates, history, due retries, and moves them on', async () => {
    const mongo = await testMongo('ledger');
    try {
      // Revisions as the previous release stored them: texts plain, createdAt/nextRetryAt/canonicalRevision as fields.
      const createdAt = new Date('2026-11-20T01:00:00.000Z');
      const retryAt = new Date('2026-11-20T03:00:00.000Z');
      const oldRevision = (billNo: string, revision: number, state: string, extra: Record<string, unknown> = {}) => ({
        _id: `${ledgerId('acct', 'SAL_OUTSTOCK', billNo)}#${revision}`, ledgerId: ledgerId('acct', 'SAL_OUTSTOCK', billNo), revision, state,
        formId: 'SAL_OUTSTOCK', documentType: 'sales_outstock', nextRetryAt: null, problem: null, createdAt, updatedAt: new Date(createdAt.getTime() + revision * 60_000),
        canonicalRevision: 1,
        ...(revision === 1 ? { canonicalJson: JSON.stringify({ billNumber: billNo, lines: [{ quantity: '2.5' }] }) } : {}),
        body: JSON.stringify({
          acctId: 'acct', billNo, documentKey: `k/${billNo}`, stage: 'NONE', fid: null, version: 'v1', sourceModifiedAt: 1, postedVersion: null, attempts: 1, level2Retries: revision - 1, skipped: null,
          step: { at: new Date(createdAt.getTime() + revision * 60_000).toISOString(), from: revision === 1 ? null : 'PENDING', to: state, event: revision === 1 ? 'claimed:kafka' : 'rejected', version: 'v1' },
        }),
        ...extra,
      });
      const bills = ['O-1', 'O-2', 'O-3', 'O-4', 'O-5', 'O-6'];
      await mongo.db.collection('sink_kingdee_ledger').insertMany([
        ...bills.map((billNo) => oldRevision(billNo, 1, 'PENDING')),
        oldRevision('O-1', 2, 'REJECTED', { nextRetryAt: retryAt, problem: { level: 2, code: 'KINGDEE_STOCK', message: '库存不足' } }),
      ] as never[]);

      // The previous release's indexes: on FerretDB no read uses them and every insert pays for them.
      await mongo.db.collection('sink_kingdee_ledger').createIndex({ state: 1, updatedAt: 1 }, { name: 'state_updated' });
      const reader = new Ledger(mongo.db);
      await reader.ensureIndexes();
      const indexNames = (await mongo.db.collection('sink_kingdee_ledger').listIndexes().toArray()).map((index) => index.name as string).sort();
      expect(indexNames).toEqual((await isFerretDb(mongo.db)) ? ['_id_'] : ['_id_', 'flow_state', 'ledger_revision', 'state_updated']);
      const rejected = await reader.get(ledgerId('acct', 'SAL_OUTSTOCK', 'O-1'));
      expect(rejected).toMatchObject({ state: 'REJECTED', revision: 2, level2Retries: 1, canonicalRevision: 1, canonical: { billNumber: 'O-1', lines: [{ quantity: '2.5' }] }, problem: { code: 'KINGDEE_STOCK' } });
      expect(rejected!.createdAt).toEqual(createdAt);
      expect(rejected!.nextRetryAt).toEqual(retryAt);
      expect((await reader.history(rejected!._id)).map((step) => `${step.revision}:${step.event}`)).toEqual(['1:claimed:kafka', '2:rejected']);
      // Many at once (one scan) and the scheduler's sweep read the old layout too.
      const all = await new Ledger(mongo.db).getMany(bills.map((billNo) => ledgerId('acct', 'SAL_OUTSTOCK', billNo)));
      expect([...all.values()].map((entry) => `${entry.billNo}:${entry.state}:${(entry.canonical as { billNumber: string }).billNumber}`).sort()).toEqual(
        bills.map((billNo) => `${billNo}:${billNo === 'O-1' ? 'REJECTED' : 'PENDING'}:${billNo}`),
      );
      const due = await new Ledger(mongo.db).due(new Date('2026-11-20T04:00:00.000Z'), 60_000, 10);
      expect(due.map((entry) => entry.billNo).sort()).toEqual(bills);

      // Moved on by this release: the new revision is packed, the canonical event still comes from old revision 1.
      await reader.transition(rejected!, { state: 'POSTED', stage: 'AUDITED', fid: 7, nextRetryAt: null, problem: null }, 'posted');
      const posted = await new Ledger(mongo.db).get(rejected!._id);
      expect(posted).toMatchObject({ state: 'POSTED', revision: 3, fid: 7, nextRetryAt: null, canonical: { billNumber: 'O-1' } });
      expect(posted!.createdAt).toEqual(createdAt);
      expect((await new Ledger(mongo.db).current({ state: 'POSTED' })).map((entry) => entry.billNo)).toEqual(['O-1']);
    } finally {
      await mongo.close();
    }
  });

  it('a sweep for open entries (another instance, nothing cached) loads only the open ones, not every claimed bill', async () => {
    const mongo = await testMongo('ledger');
    try {
      const writer = new Ledger(mongo.db);
      await writer.ensureIndexes();
      const entry = (billNo: string) => ({
        _id: ledgerId('acct', 'SAL_OUTSTOCK', billNo), acctId: 'acct', formId: 'SAL_OUTSTOCK', billNo, documentType: 'sales_outstock', documentKey: billNo,
        state: 'PENDING' as const, stage: 'NONE' as const, fid: null, version: 'v1', sourceModifiedAt: 1, postedVersion: null,
        canonical: { billNo }, problem: null, attempts: 1, level2Retries: 0, nextRetryAt: null, skipped: null,
      });
      const step = (event: string, from: LedgerEntry['state'] | null, to: LedgerEntry['state']) => ({ at: new Date(), from, to, event, version: 'v1' });
      const billNos = Array.from({ length: 40 }, (_, index) => `H-${index}`);
      const claimed = (await writer.apply(billNos.map((billNo) => ({ current: null, entry: entry(billNo), steps: [step('claimed', null, 'PENDING')] })))) as LedgerEntry[];
      // 36 posted, 3 rejected (level 2, retry due), 1 still in flight: every one has a PENDING revision 1.
      const outcomes = (await writer.apply(claimed.slice(0, 39).map((current, index) => {
        const state = index < 36 ? ('POSTED' as const) : ('REJECTED' as const);
        return { current, entry: { ...current, state, nextRetryAt: state === 'REJECTED' ? new Date(0) : null }, steps: [step(state.toLowerCase(), 'PENDING', state)] };
      }))) as LedgerEntry[];

      const dueIds = (entries: LedgerEntry[]) => entries.map((due) => due.billNo).sort();
      const reader = new Ledger(mongo.db);
      expect(dueIds(await reader.due(new Date(Date.now() + 1_000_000), 1, 100))).toEqual(['H-36', 'H-37', 'H-38', 'H-39']);
      // Only the open entries were loaded (whole, with their canonical events): the posted ones stay unread.
      expect(billNos.filter((billNo) => reader.peek(ledgerId('acct', 'SAL_OUTSTOCK', billNo)) !== undefined).sort()).toEqual(['H-36', 'H-37', 'H-38', 'H-39']);
      expect(reader.peek(ledgerId('acct', 'SAL_OUTSTOCK', 'H-39'))?.canonical).toEqual({ billNo: 'H-39' });
      // A retry that posts moves H-36 out of the next sweep (of a fresh instance).
      await writer.apply([{ current: outcomes[36]!, entry: { ...outcomes[36]!, state: 'POSTED', nextRetryAt: null }, steps: [step('posted', 'REJECTED', 'POSTED')] }]);
      expect(dueIds(await new Ledger(mongo.db).due(new Date(Date.now() + 1_000_000), 1, 100))).toEqual(['H-37', 'H-38', 'H-39']);
      // Many cold entries at once (a replay) come from one scan, canonical events included (posted entries' latest
      // revisions point back to the claim that holds it).
      const cold = await new Ledger(mongo.db).getMany(billNos.map((billNo) => ledgerId('acct', 'SAL_OUTSTOCK', billNo)));
      expect([...cold.values()].map((one) => `${one.billNo}:${one.revision}:${(one.canonical as { billNo: string }).billNo}`).sort()).toEqual(
        billNos.map((billNo, index) => `${billNo}:${index === 39 ? 1 : index === 36 ? 3 : 2}:${billNo}`).sort(),
      );
      expect(await new Ledger(mongo.db).countsByFormAndState()).toEqual(expect.arrayContaining([{ formId: 'SAL_OUTSTOCK', state: 'POSTED', count: 37 }, { formId: 'SAL_OUTSTOCK', state: 'REJECTED', count: 2 }, { formId: 'SAL_OUTSTOCK', state: 'PENDING', count: 1 }]));
    } finally {
      await mongo.close();
    }
  });

  it('stores a 100-bill BatchSave record in a small fraction of its JSON size (call records are most of the ledger)', async () => {
    const mongo = await testMongo('ledger');
    try {
      const ledger = new Ledger(mongo.db);
      const saveModel = (billNo: string) => ({
        FBillNo: billNo, FDate: '2026-11-11', FSaleOrgId: { FNumber: '100' }, FStockOrgId: { FNumber: '100' }, FCustomerID: { FNumber: 'TM-YS01' },
        FEntity: [1, 2, 3].map((line) => ({ FMaterialID: { FNumber: `A100${line}-BLK` }, FRealQty: String(line), FTaxPrice: '113.00', FStockID: { FNumber: 'CK001' }, FEntryNote: `聚水潭 ${billNo}/${line}` })),
      });
      const calledAt = new Date(); // one call: its records share the time (the stored call keeps one)
      const records = Array.from({ length: 100 }, (_, index) => `S-${String(index).padStart(6, '0')}`).map((billNo, index) => ({
        ledgerId: ledgerId('acct', 'SAL_OUTSTOCK', billNo), at: calledAt, operation: 'BatchSave', request: saveModel(billNo), outcome: 'saved', fid: 100000 + index, msgCode: 0,
      }));
      await ledger.recordCallBatches([records]);
      const stored = await mongo.db.collection(ledger.calls.collectionName).findOne({});
      const storedBytes = JSON.stringify(stored).length;
      expect(storedBytes).toBeLessThan(JSON.stringify(records).length / 5);
      expect(await ledger.callsOf(records[57]!.ledgerId)).toEqual([{ ledgerId: records[57]!.ledgerId, at: records[57]!.at, operation: 'BatchSave', request: saveModel('S-000057'), outcome: 'saved', fid: 100057, msgCode: 0 }]);
    } finally {
      await mongo.close();
    }
  });
});
