/**
 * The ledger's list filters the console pages its queue with (sink /admin/documents): by problem code (a field of the
 * stored revision) and by the source document's key (inside the packed revision, matched on the current entries).
 */
import { testMongo } from '@yecai/test-harness';
import { Ledger } from './ledger';
import type { LedgerEntry } from './model';

type NewEntry = Omit<LedgerEntry, 'revision' | 'createdAt' | 'updatedAt'>;

function entry(billNo: string, key: string, state: LedgerEntry['state'], problem: LedgerEntry['problem']): NewEntry {
  return {
    _id: `acct|SAL_OUTSTOCK|${billNo}`,
    acctId: 'acct',
    formId: 'SAL_OUTSTOCK',
    billNo,
    documentType: 'sales_outstock',
    documentKey: key,
    state,
    stage: 'NONE',
    fid: null,
    version: 'v1',
    sourceModifiedAt: Date.parse('2026-11-20T02:00:00Z'),
    postedVersion: null,
    canonical: {} as LedgerEntry['canonical'],
    problem,
    attempts: 1,
    level2Retries: 0,
    nextRetryAt: null,
    skipped: null,
  };
}

it('lists entries by problem code and by source document key, and counts the same', async () => {
  const mongo = await testMongo('ledger-query');
  try {
    const ledger = new Ledger(mongo.db, 'sink_query');
    await ledger.insert(
      entry('1', 'jushuitan/demo/sales_outstock/1', 'PARKED', {
        level: 1,
        code: 'MATERIAL_MISSING',
        message: '物料不存在',
      }),
      'test',
    );
    await ledger.insert(
      entry('2', 'jushuitan/demo/sales_outstock/2', 'PARKED', { level: 1, code: 'LOT_REQUIRED', message: '批号必填' }),
      'test',
    );
    await ledger.insert(entry('3', 'jushuitan/demo/sales_outstock/2', 'POSTED', null), 'test');
    const bills = (entries: { billNo: string }[]) => entries.map((found) => found.billNo).sort();
    expect(bills(await ledger.list({ problemCode: 'LOT_REQUIRED' }, 50, 0))).toEqual(['2']);
    expect(bills(await ledger.list({ documentKey: 'jushuitan/demo/sales_outstock/2' }, 50, 0))).toEqual(['2', '3']);
    expect(
      bills(await ledger.list({ documentKey: 'jushuitan/demo/sales_outstock/2', state: 'POSTED' }, 50, 0)),
    ).toEqual(['3']);
    expect(await ledger.count({ documentKey: 'jushuitan/demo/sales_outstock/1' })).toBe(1);
    expect(await ledger.list({ documentKey: 'jushuitan/demo/sales_outstock/9' }, 50, 0)).toEqual([]);
    // The query box (?q=): text in the key, bill number, problem code or message, ignoring case, taken literally.
    expect(bills(await ledger.list({ q: 'lot_req' }, 50, 0))).toEqual(['2']);
    expect(bills(await ledger.list({ q: '物料' }, 50, 0))).toEqual(['1']);
    expect(bills(await ledger.list({ q: 'SALES_OUTSTOCK/2', state: 'PARKED' }, 50, 0))).toEqual(['2']);
    expect(await ledger.list({ q: 'sales_outstock/.' }, 50, 0)).toEqual([]);
    expect(await ledger.count({ q: 'sales_outstock' })).toBe(3);
  } finally {
    await mongo.close();
  }
});
