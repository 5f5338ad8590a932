import type { WorkItem } from './adapter';
import { holdsSent, lookupUpserted } from './upsert';

/** Only what lookupUpserted reads of a work item: its id, key, what was sent and the ledger stage. */
function item(key: string, stage: 'NONE' | 'SAVED', model: Record<string, unknown>): WorkItem {
  return { id: `main|product|${key}`, draft: { formId: 'product', billNo: key, model }, entry: { stage } } as unknown as WorkItem;
}

describe('lookupUpserted: a write in doubt on a target that upserts by key', () => {
  it('a never-written document counts only when the row holds what was sent; a written one whatever it holds; reads in chunks', async () => {
    const rows = new Map<string, Record<string, unknown>>([
      ['A', { sku: 'A', name: 'new' }],
      ['B', { sku: 'B', name: 'older, not ours' }],
      ['C', { sku: 'C', name: 'changed by a person' }],
    ]);
    const reads: string[][] = [];
    const found = await lookupUpserted(
      [item('A', 'NONE', { name: 'new' }), item('B', 'NONE', { name: 'new' }), item('C', 'SAVED', { name: 'v2' }), item('D', 'NONE', { name: 'x' })],
      { keysPerRead: 3, compared: ['name'], read: async (keys) => (reads.push(keys), new Map(keys.flatMap((key) => (rows.has(key) ? [[key, rows.get(key)!]] : [])))) },
    );
    expect([...found.keys()]).toEqual(['main|product|A', 'main|product|C']);
    expect(found.get('main|product|A')).toEqual({ fid: 'A', stage: 'SAVED' });
    expect(reads).toEqual([['A', 'B', 'C'], ['D']]);
  });

  it('holdsSent compares only the fields sent, as text', () => {
    expect(holdsSent({ status: 1, unit: 'Pcs' }, { status: '1' }, ['status', 'unit'])).toBe(true);
    expect(holdsSent({ status: 0 }, { status: 1 }, ['status'])).toBe(false);
  });
});
