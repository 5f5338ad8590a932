import { testMongo } from '@yecai/test-harness';
import { importMasterData } from './import';
import { reverseKey } from './entities';
import { MasterDataStore } from './store';

describe('MasterDataStore (MongoDB wire, FerretDB in tests)', () => {
  let mongo: Awaited<ReturnType<typeof testMongo>>;
  let store: MasterDataStore;
  beforeAll(async () => {
    mongo = await testMongo('masterdata');
    store = new MasterDataStore(mongo.db);
    await store.ensureIndexes();
  });
  afterAll(() => mongo.close());

  it('keeps one record per natural key: the unique index refuses a second one', async () => {
    await store.upsert('warehouse', [{ sourceSystem: 'jushuitan', sourceCode: '100001', kingdeeStockNumber: 'CK01', stockOrg: '100' }]);
    await expect(
      store.collection('warehouse').insertOne({ _id: 'other-id', sourceSystem: 'jushuitan', sourceCode: '100001', kingdeeStockNumber: 'CK99', stockOrg: '100', updatedAt: new Date() }),
    ).rejects.toMatchObject({ code: 11000 });
    expect(await store.get('warehouse', 'jushuitan/100001')).toMatchObject({ kingdeeStockNumber: 'CK01' });
  });

  it('imports a CSV all-or-nothing, and partially on request, reporting bad rows by number', async () => {
    const csv = 'sourceSystem,skuCode,materialNumber,unit,batchRule\njushuitan,A001,M-A001,Pcs,flow\njushuitan,B002,,Pcs,flow\njushuitan,C003,M-C003,Box,fixed\n';
    const refused = await importMasterData(store, 'sku', csv, 'csv');
    expect(refused).toMatchObject({ written: false, rows: 3, valid: 1 });
    expect(refused.errors.map((error) => [error.row, error.field])).toEqual([[2, 'materialNumber'], [3, 'fixedBatch']]);
    expect(await store.get('sku', 'jushuitan/A001')).toBeNull();
    const partial = await importMasterData(store, 'sku', csv, 'csv', { partial: true });
    expect(partial).toMatchObject({ written: true, inserted: 1 });
    expect(await store.get('sku', 'jushuitan/A001')).toMatchObject({ materialNumber: 'M-A001', batchRule: 'flow' });
    expect(await importMasterData(store, 'sku', csv, 'csv', { partial: true })).toMatchObject({ unchanged: 1 });
  });

  it('answers a reverse key with the one record of that system holding the Kingdee code; none or two → null', async () => {
    await store.upsert('warehouse', [
      { sourceSystem: 'wangdiantong', sourceCode: 'HZ01', kingdeeStockNumber: 'CK-HZ', stockOrg: '100' },
      { sourceSystem: 'jushuitan', sourceCode: '9001', kingdeeStockNumber: 'CK-HZ', stockOrg: '100' },
      { sourceSystem: 'wangdiantong', sourceCode: 'SH01', kingdeeStockNumber: 'CK-SH', stockOrg: '101' },
      { sourceSystem: 'wangdiantong', sourceCode: 'SH02', kingdeeStockNumber: 'CK-SH', stockOrg: '101' },
    ]);
    expect(await store.get('warehouse', reverseKey('wangdiantong', 'kingdeeStockNumber', 'CK-HZ'))).toMatchObject({ sourceCode: 'HZ01' });
    expect(await store.get('warehouse', reverseKey('wangdiantong', 'kingdeeStockNumber', 'CK-SH'))).toBeNull();
    expect(await store.get('warehouse', reverseKey('wangdiantong', 'kingdeeStockNumber', 'CK-NONE'))).toBeNull();
  });

  it('moves the change marker when master data changes (what caches watch)', async () => {
    const before = await store.changeMarker();
    await store.upsert('currency', [{ code: 'RMB', kingdeeCurrencyNumber: 'PRE001' }]);
    expect(await store.changeMarker()).not.toBe(before);
  });
});
