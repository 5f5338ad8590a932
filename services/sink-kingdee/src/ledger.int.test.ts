import { testMongo } from '@yecai/test-harness';
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
});
