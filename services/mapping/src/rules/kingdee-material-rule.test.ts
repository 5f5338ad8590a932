import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { targetSystems } from './rule-schema';
import { memoryLookup, rawInput } from './test-fixtures';

/**
 * The reverse rule kingdee/material: an audited, 是否网销 Kingdee material (BD_MATERIAL as source-kingdee publishes it:
 * header keys, references by `.FNumber`) → oms_goods for 聚水潭, with the Jushuitan project's field rules: the smallest
 * unit (基本单位), batch fixed "0", 商品编码 = 物料编码.
 */
const engine = () => new MappingEngine(loadRules(), { lookup: memoryLookup({} as never), now: () => Date.parse('2026-12-07T00:00:00Z') });

function material(overrides: Record<string, unknown> = {}) {
  return {
    FMATERIALID: 300042,
    FNumber: 'M-TEE-RED-M',
    FName: '纯棉T恤 红色 M',
    FDocumentStatus: 'C',
    FForbidStatus: 'A',
    FModifyDate: '2026-12-07 10:00:00',
    'FUseOrgId.FNumber': '100',
    FSpecification: '红色;M',
    F_YC_IsOnline: true,
    FBarCode: '6901234567892',
    FErpClsID: '1',
    'FBaseUnitId.FNumber': 'Pcs',
    'FStoreUnitID.FNumber': 'Box',
    FIsBatchManage: true,
    ...overrides,
  };
}

async function mapOne(payload: unknown): Promise<MappingOutcome> {
  const outcomes = await engine().map(rawInput('material', payload, { sourceSystem: 'kingdee', sourceId: '300042', rawTopic: 'yecai.raw.kingdee.material' }));
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe('rule kingdee/material (Kingdee material → 聚水潭 goods)', () => {
  it('maps an audited online material to oms_goods: sku = material number, the base (smallest) unit, batch "0"', async () => {
    const outcome = await mapOne(material());
    if (outcome.kind !== 'mapped') throw new Error(JSON.stringify(outcome));
    expect(outcome.targetDocumentType).toBe('oms_goods');
    expect(loadCanonicalSchema('oms_goods').type.isValid(outcome.value)).toBe(true);
    expect(JSON.parse(JSON.stringify(outcome.value))).toMatchObject({
      sku: 'M-TEE-RED-M',
      styleCode: 'M-TEE-RED-M',
      name: '纯棉T恤 红色 M',
      specification: '红色;M',
      barcode: '6901234567892',
      // 基本单位, not the stock unit (Box): the smallest unit.
      unit: 'Pcs',
      batch: '0',
      enabled: true,
      originForm: 'BD_MATERIAL',
      originId: '300042',
    });
  });

  it('leaves barcode and spec empty when the material has none, and marks a forbidden material disabled', async () => {
    const outcome = await mapOne(material({ FBarCode: '', FSpecification: null, FForbidStatus: 'B' }));
    if (outcome.kind !== 'mapped') throw new Error(JSON.stringify(outcome));
    expect(JSON.parse(JSON.stringify(outcome.value))).toMatchObject({ barcode: null, specification: null, enabled: false });
  });

  it('never uploads an unaudited material or one not sold online (a replayed raw document included)', async () => {
    expect((await mapOne(material({ FDocumentStatus: 'B' }))).kind).toBe('filtered');
    expect((await mapOne(material({ F_YC_IsOnline: false }))).kind).toBe('filtered');
    expect((await mapOne(material({ F_YC_IsOnline: 0 }))).kind).toBe('filtered');
  });

  it('parks a material without a base unit, naming the field', async () => {
    const outcome = await mapOne(material({ 'FBaseUnitId.FNumber': null }));
    expect(outcome.kind).toBe('parked');
    expect(JSON.stringify(outcome)).toContain('unit');
  });

  it('loop guard: no rule brings 聚水潭 goods or 领星 products into Kingdee materials while kingdee/material sends materials there', () => {
    // Materials carry no "written by yecai" marker: a material created from JST would be read back and uploaded onto
    // its own sku_id, and a JST → Kingdee material rule would read that upload back again. One direction per
    // deployment, enforced here until materials get a marker (docs/reverse-flows.md).
    const rules = loadRules();
    // The same holds for 领星 products (sink-lingxing writes them by sku; no lingxing → material rule ships).
    for (const oms of ['jushuitan', 'lingxing']) {
      const toOms = rules.some(({ rule }) => rule.source.system === 'kingdee' && targetSystems(rule.target).includes(oms) && rule.target.documentType === 'oms_goods');
      const fromOms = rules.filter(({ rule }) => rule.source.system === oms && rule.target.documentType === 'material').map(({ rule }) => rule.flow);
      expect({ oms, toOms, fromOms }).toEqual({ oms, toOms: true, fromOms: [] });
    }
  });
});
