import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KingdeeEmulator } from '@yecai/emulator-kingdee';
import { MappingEngine, RULES_DIR, compileRule, loadLotPolicies, loadRules, type RawInput } from '@yecai/mapping';
import { CachedMasterDataLookup, MasterDataStore, pullFromKingdee } from '@yecai/master-data';
import { testMongo } from '@yecai/test-harness';
// The Kingdee client tests' emulator and client for the default fixture's credentials.
import { clientFor, startEmulator } from '../../../libs/kingdee/test/helpers';

/**
 * Records `pullFromKingdee` stores as `kingdee/<number>` are read by the rules: a lookup with scope kingdee, the lot
 * policy's batch-management check, and the same-code fallback (off by default) — through the real store and cache.
 */
describe('pulled Kingdee master data in the mapping rules (Kingdee emulator → FerretDB → engine)', () => {
  let emulator: KingdeeEmulator;
  let mongo: Awaited<ReturnType<typeof testMongo>>;
  let store: MasterDataStore;

  beforeAll(async () => {
    emulator = await startEmulator();
    const client = clientFor(emulator);
    mongo = await testMongo('kingdee_records');
    store = new MasterDataStore(mongo.db);
    await store.ensureIndexes();
    // The one mapping people keep: JST SKU A1001-BLK is the Kingdee material of the same number (batch-managed there).
    await store.upsert('sku', [{ sourceSystem: 'jushuitan', skuCode: 'A1001-BLK', materialNumber: 'A1001-BLK', unit: 'Pcs' }]);
    await pullFromKingdee(client, store);
  });
  afterAll(async () => {
    await mongo.close();
    await emulator.close();
  });

  // JST 其它出库 from warehouse CK001, which has no jushuitan/… mapping; the style X1001 has neither A nor G.
  const document = (batchNo: string) => ({
    io_id: 70000009, type: '其它出库', status: 'Confirmed', io_date: '2024-01-02 10:00:00', wms_co_id: 'CK001', remark: '',
    items: [{ ioi_id: 1, sku_id: 'A1001-BLK', i_id: 'X1001', qty: 2, cost_price: 10, cost_amount: 20, batch_no: batchNo }],
  });
  const raw = (payload: unknown): RawInput => ({
    sourceSystem: 'jushuitan', account: 'main', documentType: 'other_inout', sourceId: '70000009', sourceModifiedAt: 0, contentHash: 'h',
    payload: JSON.stringify(payload), rawTopic: 'yecai.raw.jushuitan.other_inout', rawPartition: 0, rawOffset: 1,
  });

  // Other in/out documents are read by the other in-stock rule too, which filters this 其它出库 out.
  const mapOutStock = async (engine: MappingEngine, payload: unknown) => (await engine.map(raw(payload))).filter((outcome) => outcome.kind !== 'filtered');

  it('same-code fallback off (the default): the unmapped warehouse parks; on: the pulled Kingdee warehouse maps it, reported', async () => {
    const off = new MappingEngine(loadRules(), { lookup: new CachedMasterDataLookup(store) });
    expect(await mapOutStock(off, document('L1'))).toMatchObject([{ kind: 'parked', code: 'MISSING_MASTER_DATA', missing: [{ entity: 'warehouse', key: 'jushuitan/CK001' }] }]);

    const uses: unknown[] = [];
    const on = new MappingEngine(loadRules(), { lookup: new CachedMasterDataLookup(store), sameCodeFallback: ['warehouse'], onSameCode: (use) => uses.push(use) });
    const [mapped] = await mapOutStock(on, document('L1'));
    expect(mapped).toMatchObject({ kind: 'mapped', value: { stockOrg: '100', lines: [{ warehouse: 'CK001', material: 'A1001-BLK', batch: 'L1' }] } });
    expect(uses).toEqual([{ entity: 'warehouse', code: 'CK001', flow: 'jushuitan/other_outstock', key: 'jushuitan/main/other_inout/70000009' }]);
  });

  it('a material Kingdee batch-manages whose line has no lot parks at mapping (LOT_REQUIRED), naming material and line', async () => {
    const engine = new MappingEngine(loadRules(), { lookup: new CachedMasterDataLookup(store), sameCodeFallback: ['warehouse'] });
    const [parked] = await mapOutStock(engine, document(''));
    expect(parked).toMatchObject({ kind: 'parked', code: 'LOT_REQUIRED', level: 1, field: 'lines[0].batch' });
    expect(parked!.kind === 'parked' && parked!.reasonEn).toContain('material A1001-BLK (SKU A1001-BLK) is batch-managed in Kingdee but the line has no lot');
  });

  it('a rule lookup with scope kingdee reads the pulled record', async () => {
    const text = readFileSync(join(RULES_DIR, 'jushuitan', 'other_outstock.yaml'), 'utf8')
      .replace('    sku: { entity: sku, key: sku_id, label: 商品编码 → 物料、单位 }', '    sku: { entity: sku, key: sku_id, label: 商品编码 → 物料、单位 }\n    kingdeeMaterial: { entity: sku, scope: kingdee, key: sku_id, label: 金蝶物料 }')
      .replace('    unit: { label: 单位, expr: $sku.unit }', '    unit: { label: 单位, expr: $kingdeeMaterial.unit }\n    note: { label: 备注, expr: \'"金蝶物料 " & $kingdeeMaterial.materialNumber\' }');
    const engine = new MappingEngine([compileRule(text, 'test/other_outstock.yaml', loadLotPolicies())], { lookup: new CachedMasterDataLookup(store), sameCodeFallback: ['warehouse'] });
    const [mapped] = await mapOutStock(engine, document('L1'));
    expect(mapped).toMatchObject({ kind: 'mapped', value: { lines: [{ unit: 'Pcs', note: '金蝶物料 A1001-BLK' }] } });
  });
});
