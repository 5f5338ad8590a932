import { CachedMasterDataLookup } from './lookup-cache';
import type { MasterDataStore } from './store';

/** An in-memory stand-in exposing only what the cache calls (get, changeMarker). */
function fakeStore() {
  const records = new Map<string, Record<string, unknown>>();
  let version = 0;
  const store = {
    reads: 0,
    put(key: string, value: Record<string, unknown>) {
      records.set(key, value);
      version += 1;
    },
    get: async (_entity: string, key: string) => {
      store.reads += 1;
      return records.get(key) ?? null;
    },
    changeMarker: async () => String(version),
  };
  return store;
}

describe('CachedMasterDataLookup', () => {
  it('serves repeats from memory, and sees a newly added mapping within the staleness bound', async () => {
    let now = 0;
    const store = fakeStore();
    const cache = new CachedMasterDataLookup(store as unknown as MasterDataStore, { maxStalenessMs: 1000, now: () => now });
    expect(await cache.get('warehouse', 'jushuitan/WH-09')).toBeNull();
    expect(await cache.get('warehouse', 'jushuitan/WH-09')).toBeNull();
    expect(store.reads).toBe(1);
    store.put('jushuitan/WH-09', { kingdeeStockNumber: 'CK09' });
    now = 500;
    expect(await cache.get('warehouse', 'jushuitan/WH-09')).toBeNull(); // still within the bound
    now = 1000;
    expect(await cache.get('warehouse', 'jushuitan/WH-09')).toEqual({ kingdeeStockNumber: 'CK09' });
  });

  it('invalidate() makes the next lookup read the store at once', async () => {
    const store = fakeStore();
    const cache = new CachedMasterDataLookup(store as unknown as MasterDataStore, { maxStalenessMs: 60_000 });
    await cache.get('sku', 'jushuitan/A1');
    store.put('jushuitan/A1', { materialNumber: 'M1' });
    cache.invalidate();
    expect(await cache.get('sku', 'jushuitan/A1')).toEqual({ materialNumber: 'M1' });
  });

  it('getCached answers only what get would answer without a read: cached records and misses within the bound', async () => {
    let now = 0;
    const store = fakeStore();
    store.put('jushuitan/A1', { materialNumber: 'M1' });
    const cache = new CachedMasterDataLookup(store as unknown as MasterDataStore, { maxStalenessMs: 1000, now: () => now });
    expect(cache.getCached('sku', 'jushuitan/A1')).toBeUndefined(); // nothing read yet
    await cache.get('sku', 'jushuitan/A1');
    await cache.get('sku', 'jushuitan/B2');
    expect(cache.getCached('sku', 'jushuitan/A1')).toEqual({ materialNumber: 'M1' });
    expect(cache.getCached('sku', 'jushuitan/B2')).toBeNull(); // a cached miss is an answer too
    expect(cache.getCached('warehouse', 'jushuitan/A1')).toBeUndefined(); // another entity
    expect(store.reads).toBe(2);
    now = 1000; // the staleness bound is due: only get (which re-checks the store) may answer
    expect(cache.getCached('sku', 'jushuitan/A1')).toBeUndefined();
    await cache.get('sku', 'jushuitan/A1');
    expect(cache.getCached('sku', 'jushuitan/A1')).toEqual({ materialNumber: 'M1' });
    cache.invalidate();
    expect(cache.getCached('sku', 'jushuitan/A1')).toBeUndefined();
  });
});
