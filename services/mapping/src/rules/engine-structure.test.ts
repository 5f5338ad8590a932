import { compileRule } from './load-rules';
import { MappingEngine, type MappingOutcome } from './engine';
import { memoryLookup, rawInput } from './test-fixtures';

/**
 * Rule shapes beyond one document → one event with one line level: `each` (one event per element of an array,
 * e.g. goods → one material per spec), nested lines (assembly products → components) and zero dates.
 */
const lookup = memoryLookup({
  sku: {
    'jushuitan/P1': { materialNumber: 'M-P1', unit: 'Pcs' },
    'jushuitan/C1': { materialNumber: 'M-C1', unit: 'Pcs' },
    'jushuitan/C2': { materialNumber: 'M-C2', unit: 'Box' },
  },
  warehouse: { 'jushuitan/W1': { kingdeeStockNumber: 'CK01', stockOrg: '100' } },
});
const engineOf = (yaml: string) => new MappingEngine([compileRule(yaml, 'test.yaml')], { lookup, now: () => 0 });
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
const values = (outcomes: MappingOutcome[]) => outcomes.map((outcome) => (outcome.kind === 'mapped' ? plain(outcome.value) : outcome));

const MATERIAL_RULE = `
flow: test/material
version: 1
title: goods → materials
source: { system: jushuitan, documentType: goods }
target: { documentType: material, kingdeeForm: BD_MATERIAL }
each: { from: spec_list, id: spec_no }
filters:
  - { name: 未删除, description: 删除的规格不同步, keep: deleted = "0" }
fields:
  number: { label: 物料编码, from: spec_no }
  name: { label: 物料名称, expr: '$doc.goods_name & " " & spec_name' }
  baseUnit: { label: 基本单位, expr: '$doc.unit_name' }
  createOrg: { label: 创建组织, value: "100" }
  useOrgs: { label: 使用组织, expr: '["100", "101"]' }
  soldOnline: { label: 是否网销, value: true }
  enabled: { label: 启用, value: true }
`;

describe('each: one canonical event per element', () => {
  const goods = (specs: Record<string, string>[]) => ({ goods_id: '7', goods_no: 'G1', goods_name: '卫衣', unit_name: '件', spec_list: specs });

  it('maps every element with $doc as the document, keyed by document key + element id', async () => {
    const outcomes = await engineOf(MATERIAL_RULE).map(
      rawInput('goods', goods([{ spec_no: 'G1-01', spec_name: '红 S', deleted: '0' }, { spec_no: 'G1-02', spec_name: '黑 M', deleted: '0' }]), { sourceId: '7' }),
    );
    expect(outcomes.map((outcome) => outcome.kind === 'mapped' && outcome.key)).toEqual(['jushuitan/main/goods/7/G1-01', 'jushuitan/main/goods/7/G1-02']);
    expect(values(outcomes).map((event) => [event.number, event.name, event.baseUnit, event.useOrgs, event.source.sourceId])).toEqual([
      ['G1-01', '卫衣 红 S', '件', ['100', '101'], '7'],
      ['G1-02', '卫衣 黑 M', '件', ['100', '101'], '7'],
    ]);
  });

  it('skips filtered elements; a document with every element filtered is one filtered outcome', async () => {
    const engine = engineOf(MATERIAL_RULE);
    const some = await engine.map(rawInput('goods', goods([{ spec_no: 'A', spec_name: 'x', deleted: '1' }, { spec_no: 'B', spec_name: 'y', deleted: '0' }])));
    expect(values(some).map((event) => event.number)).toEqual(['B']);
    const none = await engine.map(rawInput('goods', goods([{ spec_no: 'A', spec_name: 'x', deleted: '1' }])));
    expect(none).toEqual([{ kind: 'filtered', flow: 'test/material', filter: '未删除' }]);
  });

  it('parks the whole document when an element has no id or no elements exist', async () => {
    const engine = engineOf(MATERIAL_RULE);
    const noId = await engine.map(rawInput('goods', goods([{ spec_no: 'A', spec_name: 'x', deleted: '0' }, { spec_name: 'y', deleted: '0' }])));
    expect(noId).toEqual([expect.objectContaining({ kind: 'parked', code: 'REQUIRED_VALUE_MISSING', field: 'spec_list[1].spec_no' })]);
    const empty = await engine.map(rawInput('goods', goods([])));
    expect(empty).toEqual([expect.objectContaining({ kind: 'parked', field: 'spec_list' })]);
  });
});

const ASSEMBLY_RULE = `
flow: test/assembly
version: 1
title: assembly
source: { system: jushuitan, documentType: assembly }
target: { documentType: assembly, kingdeeForm: STK_AssembledApp }
lookups:
  warehouse: { entity: warehouse, key: warehouse_no }
fields:
  billNumber: { label: 单据编号, from: no }
  date: { label: 日期, from: check_time }
  stockOrg: { label: 库存组织, expr: $warehouse.stockOrg }
  affairType: { label: 事务类型, value: ASSEMBLY }
lines:
  target: products
  from: goods_list
  lookups:
    sku: { entity: sku, key: spec_no }
  fields:
    lineId: { label: 行号, from: rec_id }
    sku: { label: 商品, from: spec_no }
    material: { label: 物料, expr: $sku.materialNumber }
    unit: { label: 单位, expr: $sku.unit }
    quantity: { label: 数量, from: num }
    warehouse: { label: 仓库, expr: $warehouse.kingdeeStockNumber }
    expiryDate: { label: 有效期至, from: expire_date }
  lines:
    target: components
    from: $doc.details_list
    filters:
      - { name: 数量大于0, description: 只同步数量 > 0 的子件, keep: '$number(num) > 0' }
    lookups:
      sku: { entity: sku, key: spec_no }
    fields:
      lineId: { label: 行号, from: rec_id }
      sku: { label: 商品, from: spec_no }
      material: { label: 物料, expr: $sku.materialNumber }
      unit: { label: 单位, expr: $sku.unit }
      quantity: { label: 数量, from: num }
      batch: { label: 批号, from: batch_no }
`;

describe('nested lines (products → components)', () => {
  const assembly = (details: Record<string, string>[]) => ({
    no: 'ZZ1', check_time: '2024-03-01 10:00:00', warehouse_no: 'W1',
    goods_list: [{ rec_id: '15', spec_no: 'P1', num: '2.0000', expire_date: '0000-00-00 00:00:00' }],
    details_list: details,
  });

  it('maps components under each product, reading them from the document with $doc', async () => {
    const [event] = values(
      await engineOf(ASSEMBLY_RULE).map(
        rawInput('assembly', assembly([{ rec_id: '11', spec_no: 'C1', num: '4.0000', batch_no: 'B1' }, { rec_id: '12', spec_no: 'C2', num: '0.0000', batch_no: '' }, { rec_id: '13', spec_no: 'C2', num: '1.5000', batch_no: '' }])),
      ),
    );
    expect(event.products).toEqual([
      {
        lineId: '15', sku: 'P1', material: 'M-P1', unit: 'Pcs', quantity: '2', warehouse: 'CK01',
        batch: null, produceDate: null, expiryDate: null, note: null, // the zero date is no date
        components: [
          { lineId: '11', sku: 'C1', material: 'M-C1', unit: 'Pcs', quantity: '4', batch: 'B1', warehouse: null, produceDate: null, expiryDate: null, note: null, costProportion: null },
          { lineId: '13', sku: 'C2', material: 'M-C2', unit: 'Box', quantity: '1.5', batch: null, warehouse: null, produceDate: null, expiryDate: null, note: null, costProportion: null },
        ],
      },
    ]);
  });

  it('parks listing a missing component SKU', async () => {
    const outcomes = await engineOf(ASSEMBLY_RULE).map(rawInput('assembly', assembly([{ rec_id: '11', spec_no: 'C9', num: '1.0000', batch_no: '' }])));
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'parked', code: 'MISSING_MASTER_DATA', missing: [{ entity: 'sku', key: 'jushuitan/C9' }] })]);
  });

  it('a required date given as the zero date parks as missing, not as an invalid date', async () => {
    const outcomes = await engineOf(ASSEMBLY_RULE).map(rawInput('assembly', { ...assembly([{ rec_id: '11', spec_no: 'C1', num: '1.0000', batch_no: '' }]), check_time: '0000-00-00 00:00:00' }));
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'parked', code: 'REQUIRED_VALUE_MISSING', field: 'date' })]);
  });
});
