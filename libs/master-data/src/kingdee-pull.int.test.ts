import { startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient } from '@yecai/kingdee';
import { testMongo } from '@yecai/test-harness';
import { formatKingdeePullReport, pullFromKingdee, type KingdeePullReport } from './kingdee-pull';
import { MasterDataStore } from './store';

// Credentials of the emulator's default fixture (test/emulators/kingdee/fixtures/default.json).
process.env.KD_PULL_TEST_SECRET = '8b2677b7426a4ce7b3de6413d8924bbe';

const form = (report: KingdeePullReport, formId: string) => report.forms.find((candidate) => candidate.formId === formId)!;

describe('pullFromKingdee (Kingdee emulator → master data on FerretDB)', () => {
  let emulator: KingdeeEmulator;
  let client: KingdeeClient;
  let mongo: Awaited<ReturnType<typeof testMongo>>;
  let store: MasterDataStore;

  beforeAll(async () => {
    emulator = await startKingdeeEmulator({ port: 0 });
    client = KingdeeClient.fromConfig({
      name: 'pull-test',
      serverUrl: emulator.url,
      acctId: '6571a2b3c4d5e6',
      userName: 'yecai-integration',
      auth: { mode: 'signature', appId: '300123_Q2kDWNdw1LBa4D0NTa6ADbQqTZbJUCTB', appSecret: 'env:KD_PULL_TEST_SECRET' },
      retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
      limits: { callsPerSecond: 1000, maxConcurrent: 4 },
    });
    mongo = await testMongo('kingdee_pull');
    store = new MasterDataStore(mongo.db);
    await store.ensureIndexes();
  });
  afterAll(async () => {
    await mongo.close();
    await emulator.close();
  });

  it('loads the seeded base data, then reports exactly what changed in Kingdee on the next pull', async () => {
    // A mapping the implementation team keeps, naming a material Kingdee does not have (a typo in a real project).
    await store.upsert('sku', [{ sourceSystem: 'jushuitan', skuCode: 'A1001-BLK', materialNumber: 'A1001-BLK', unit: 'Pcs' }]);
    await store.upsert('sku', [{ sourceSystem: 'jushuitan', skuCode: 'Z9', materialNumber: 'NO-SUCH-MATERIAL', unit: 'Pcs' }]);

    // Page size 2 makes every form take several ExecuteBillQuery pages.
    const first = await pullFromKingdee(client, store, 2);
    expect(form(first, 'ORG_Organizations').added.sort()).toEqual(['100', '101']);
    // Materials allocated to two orgs come back as two rows and are one record.
    expect(form(first, 'BD_MATERIAL').added.sort()).toEqual(['kingdee/A1001-BLK', 'kingdee/A1002-WHT', 'kingdee/A3001-SET', 'kingdee/G2001', 'kingdee/G2002']);
    expect(form(first, 'BD_Customer').added.sort()).toEqual(['kingdee/DY-YS01', 'kingdee/JD-YS01', 'kingdee/TM-YS01']);
    expect(form(first, 'BD_Supplier').added.sort()).toEqual(['kingdee/VEN001', 'kingdee/VEN002']);
    expect(form(first, 'BD_STOCK').added.sort()).toEqual(['kingdee/CK001', 'kingdee/CK002', 'kingdee/CK101', 'kingdee/CK900']);
    expect(await store.get('sku', 'kingdee/A1001-BLK')).toMatchObject({ materialNumber: 'A1001-BLK', unit: 'Pcs', batchRule: 'flow' });
    expect(await store.get('warehouse', 'kingdee/CK001')).toMatchObject({ kingdeeStockNumber: 'CK001', stockOrg: '100', name: expect.any(String) });
    expect(await store.get('shop', 'kingdee/TM-YS01')).toMatchObject({ customerNumber: 'TM-YS01', deliveryOrg: '100' });
    expect(await store.get('org', '101')).toMatchObject({ name: '广州云杉供应链有限公司' });
    expect(first.unknownInKingdee).toEqual([{ entity: 'sku', key: 'jushuitan/Z9', field: 'materialNumber', number: 'NO-SUCH-MATERIAL' }]);

    // In Kingdee: a warehouse is renamed, a supplier is added (saved, submitted, audited), a customer is forbidden.
    const [ck002] = await client.executeBillQuery({ formId: 'BD_STOCK', fieldKeys: ['FStockId'], filter: "FNumber = 'CK002'" });
    await client.save('BD_STOCK', { FStockId: Number(String(ck002!.FStockId)), FCreateOrgId: { FNumber: '100' }, FNumber: 'CK002', FName: '华东二号仓（新）' });
    await client.save('BD_Supplier', { FCreateOrgId: { FNumber: '100' }, FUseOrgId: { FNumber: '100' }, FNumber: 'VEN003', FName: '宁波新供应商' });
    await client.submit('BD_Supplier', { numbers: ['VEN003'] });
    await client.audit('BD_Supplier', { numbers: ['VEN003'] });
    await client.executeOperation('BD_Customer', 'Forbid', { numbers: ['DY-YS01'] });

    const second = await pullFromKingdee(client, store);
    expect(form(second, 'BD_STOCK')).toMatchObject({ added: [], changed: ['kingdee/CK002'], unchanged: 3 });
    expect(await store.get('warehouse', 'kingdee/CK002')).toMatchObject({ name: '华东二号仓（新）' });
    expect(form(second, 'BD_Supplier')).toMatchObject({ added: ['kingdee/VEN003'], changed: [], unchanged: 2 });
    // Forbidden in Kingdee: reported, not deleted (documents mapped with it would otherwise park).
    expect(form(second, 'BD_Customer')).toMatchObject({ added: [], changed: [], unchanged: 2, goneFromKingdee: ['kingdee/DY-YS01'] });
    expect(await store.get('shop', 'kingdee/DY-YS01')).not.toBeNull();
    expect(form(second, 'BD_MATERIAL')).toMatchObject({ added: [], changed: [], unchanged: 5 });

    const lines = formatKingdeePullReport(second);
    expect(lines).toContain('  ~ kingdee/CK002');
    expect(lines).toContain('  + kingdee/VEN003');
    expect(lines.some((line) => line.includes('jushuitan/Z9') && line.includes('NO-SUCH-MATERIAL'))).toBe(true);
  });
});
