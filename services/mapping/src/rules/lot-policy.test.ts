import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMappingConfig } from '../config';
import { MappingEngine, type MappingOutcome } from './engine';
import { RULES_DIR, compileRule, loadLotPolicies, loadRules } from './load-rules';
import { SECTION2_MASTER_DATA, memoryLookup, rawInput } from './test-fixtures';

/**
 * The lot (批号) policy every stock flow of a source applies (rules/<source>/lot-policy.yaml), onNoValue, the
 * Kingdee batch-management check and the same-code fallback.
 */
const rules = loadRules();
type Data = typeof SECTION2_MASTER_DATA;
const withData = (extra: Partial<Record<string, Record<string, Record<string, unknown>>>>): Data => {
  const data = structuredClone(SECTION2_MASTER_DATA);
  for (const [entity, records] of Object.entries(extra)) data[entity] = { ...data[entity], ...records };
  return data;
};
const mapOne = async (documentType: string, payload: Record<string, unknown>, data: Data = SECTION2_MASTER_DATA, options: Partial<ConstructorParameters<typeof MappingEngine>[1]> = {}) => {
  const outcomes = await new MappingEngine(rules, { lookup: memoryLookup(data), ...options }).map(rawInput(documentType, payload));
  return outcomes.filter((outcome) => outcome.kind !== 'filtered');
};
const lines = (outcomes: MappingOutcome[]) => {
  expect(outcomes).toHaveLength(1);
  const outcome = outcomes[0]!;
  if (outcome.kind !== 'mapped') throw new Error(`expected mapped, got ${JSON.stringify(outcome)}`);
  return (outcome.value as Record<string, unknown>).lines as Record<string, unknown>[];
};

// JST documents as the API returns them (source-apis.md §2.9–2.10): transfers and stock-takes carry no i_id.
const otherOut = (batchNo: string) => ({
  io_id: 70000001, type: '其它出库', status: 'Confirmed', io_date: '2024-01-02 10:00:00', wms_co_id: 100001, remark: '赠品',
  items: [{ ioi_id: 1, sku_id: 'A001-RED-M', i_id: 'A001', qty: 2, cost_price: 10, cost_amount: 20, batch_no: batchNo }],
});
const purchaseOut = (batchNo?: string) => ({
  io_id: 60000001, po_id: 500001, status: 'Confirmed', io_date: '2024-01-02 10:00:00', wms_co_id: 100001, supplier_id: 3001,
  items: [{ ioi_id: 1, sku_id: 'A001-RED-M', i_id: 'A001', qty: 10, cost_price: 10, cost_amount: 100, ...(batchNo === undefined ? {} : { batch_no: batchNo }) }],
});
const transferIn = (batchNo?: string) => ({
  io_id: 80000001, link_io_id: 80000000, type: '调拨入', status: 'Confirmed', io_date: '2024-01-02 10:00:00', wms_co_id: 100002, link_wms_co_id: 100001,
  items: [{ ioi_id: 1, sku_id: 'A001-RED-M', qty: 5, r_qty: 5, ...(batchNo === undefined ? {} : { batch_no: batchNo }) }],
});
const stockCount = (batchNo?: string) => ({
  io_id: 90000001, status: 'Confirmed', io_date: '2024-01-02 10:00:00', wms_co_id: 100001,
  items: [
    { ioi_id: 1, sku_id: 'A001-RED-M', qty: -3, r_qty: 7, ...(batchNo === undefined ? {} : { batch_no: batchNo }) },
    { ioi_id: 2, sku_id: 'G002-BLK', qty: 2, r_qty: 9 },
  ],
});

describe('JST lot policy: every stock flow takes the same 批号 (flows.md F17)', () => {
  it.each([
    ['other_inout', 'other out-stock', otherOut('')],
    ['purchase_out', 'purchase return', purchaseOut()],
    ['allocate', 'transfer (no i_id: style from the SKU code)', transferIn('')],
    ['stock_count', 'stock-take loss (no i_id)', stockCount()],
  ])('%s (%s): an A item without a batch number takes lot "0", the lot its stock sits in', async (type, _what, document) => {
    const [line] = lines(await mapOne(type, document));
    expect(line!.batch).toBe('0');
    if ('destBatch' in line!) expect(line!.destBatch).toBe('0');
  });

  it.each([
    ['other_inout', otherOut('B20240101')],
    ['purchase_out', purchaseOut('B20240101')],
    ['allocate', transferIn('B20240101')],
    ['stock_count', stockCount('B20240101')],
  ])('%s: a batch number the source carries is kept unchanged', async (type, document) => {
    const [line] = lines(await mapOne(type, document));
    expect(line!.batch).toBe('B20240101');
    if ('destBatch' in line!) expect(line!.destBatch).toBe('B20240101');
  });

  it('a G item has no lot; the SKU master data overrides the policy (fixed → its batch, none → no lot)', async () => {
    expect(lines(await mapOne('stock_count', stockCount())).map((line) => line.batch)).toEqual(['0', null]);
    const data = withData({
      sku: {
        'jushuitan/A001-RED-M': { materialNumber: 'M-A001-RED-M', unit: 'Pcs', batchRule: 'none' },
        'jushuitan/G002-BLK': { materialNumber: 'M-G002-BLK', unit: 'Pcs', batchRule: 'fixed', fixedBatch: 'LOT-7' },
      },
    });
    expect(lines(await mapOne('stock_count', stockCount('B1'), data)).map((line) => line.batch)).toEqual([null, 'LOT-7']);
  });

  it('a material Kingdee batch-manages (pulled kingdee/<material>) whose line ends with no lot parks at mapping, naming material, SKU and line', async () => {
    // X003's style has neither A nor G: the policy says "no lot" (onNoValue: empty) — but Kingdee manages its lots.
    const document = { ...otherOut(''), items: [otherOut('').items[0], { ioi_id: 2, sku_id: 'X003', i_id: 'X003', qty: 1, cost_price: 1, cost_amount: 1, batch_no: '' }] };
    expect(lines(await mapOne('other_inout', document)).map((line) => line.batch)).toEqual(['0', null]);
    const data = withData({ sku: { 'kingdee/M-X003': { sourceSystem: 'kingdee', skuCode: 'M-X003', materialNumber: 'M-X003', unit: 'Box', batchRule: 'flow' } } });
    const [parked] = await mapOne('other_inout', document, data);
    expect(parked).toMatchObject({ kind: 'parked', code: 'LOT_REQUIRED', level: 1, field: 'lines[1].batch' });
    expect(parked!.kind === 'parked' && parked!.reasonZh).toBe(
      '规则 jushuitan/other_outstock 字段 lines[1].batch（批号）：物料 M-X003（商品 X003）在金蝶启用了批号管理，但这一行没有批号；请在源单据补批号，或在商品主数据设置批号规则 fixed，然后重推 (rule jushuitan/other_outstock: field lines[1].batch (批号): material M-X003 (SKU X003) is batch-managed in Kingdee but the line has no lot; add the lot in the source or set the SKU\'s batchRule to fixed, then re-push)',
    );
    // Not batch-managed in Kingdee: no lot is what Kingdee expects.
    const plain = withData({ sku: { 'kingdee/M-X003': { sourceSystem: 'kingdee', skuCode: 'M-X003', materialNumber: 'M-X003', unit: 'Box', batchRule: 'none' } } });
    expect(lines(await mapOne('other_inout', document, plain)).map((line) => line.batch)).toEqual(['0', null]);
  });
});

describe('WDT lot policy: the WDT batch unchanged, no batch = no lot, the SKU override, the Kingdee check', () => {
  const wdtData = (): Data => ({
    ...structuredClone(SECTION2_MASTER_DATA),
    warehouse: { 'wangdiantong/WH01': { kingdeeStockNumber: 'CK01', stockOrg: '100' }, 'wangdiantong/WH02': { kingdeeStockNumber: 'CK02', stockOrg: '200' } },
    sku: {
      'wangdiantong/S1': { materialNumber: 'M-S1', unit: 'Pcs', batchRule: 'flow' },
      'wangdiantong/S2': { materialNumber: 'M-S2', unit: 'Pcs', batchRule: 'fixed', fixedBatch: '0' },
    },
  });
  const transfer = (batch: string) => ({
    transfer_no: 'TF001', status: '90', check_time: '2024-03-01 10:00:00', from_warehouse_no: 'WH01', to_warehouse_no: 'WH02',
    details_list: [
      { rec_id: '1', spec_no: 'S1', num: '2.0000', in_num: '2.0000', batch_no: batch },
      { rec_id: '2', spec_no: 'S2', num: '1.0000', in_num: '1.0000', batch_no: batch },
    ],
  });
  const wdtMap = (document: Record<string, unknown>, data: Data) =>
    new MappingEngine(rules, { lookup: memoryLookup(data) }).map(rawInput('transfer', document, { sourceSystem: 'wangdiantong' }));

  it('transfer: out and in lots are the source batch, none without one; fixed wins', async () => {
    expect(lines(await wdtMap(transfer('P240301'), wdtData())).map((line) => [line.batch, line.destBatch])).toEqual([['P240301', 'P240301'], ['0', '0']]);
    expect(lines(await wdtMap(transfer(''), wdtData())).map((line) => [line.batch, line.destBatch])).toEqual([[null, null], ['0', '0']]);
  });

  it('a batch-managed material (Kingdee) without a batch parks instead of failing in Kingdee', async () => {
    const data = wdtData();
    data.sku!['kingdee/M-S1'] = { sourceSystem: 'kingdee', skuCode: 'M-S1', materialNumber: 'M-S1', unit: 'Pcs', batchRule: 'flow' };
    const [parked] = await wdtMap(transfer(''), data);
    expect(parked).toMatchObject({ kind: 'parked', code: 'LOT_REQUIRED', level: 1, field: 'lines[0].batch', flow: 'wangdiantong/transfer' });
  });
});

const OTHER_OUT_RULE = readFileSync(join(RULES_DIR, 'jushuitan', 'other_outstock.yaml'), 'utf8');

describe('onNoValue', () => {
  it('park: a field whose rule yields no value parks the document, naming the field', async () => {
    const text = OTHER_OUT_RULE.replace("department: { label: 领料部门, value: BM000001,", "department: { label: 领料部门, from: dept_no, onNoValue: park,");
    const engine = new MappingEngine([compileRule(text, 'test/other_outstock.yaml', loadLotPolicies())], { lookup: memoryLookup() });
    const [parked] = await engine.map(rawInput('other_inout', otherOut('')));
    expect(parked).toMatchObject({ kind: 'parked', code: 'REQUIRED_VALUE_MISSING', level: 1, field: 'department' });
    expect(parked!.kind === 'parked' && parked!.reasonZh).toBe(
      '规则 jushuitan/other_outstock 字段 department（领料部门）没有取到值，规则规定无值时挂起 (rule jushuitan/other_outstock: field department (领料部门) gave no value, and the rule parks when there is none (onNoValue: park))',
    );
    const [mapped] = await engine.map(rawInput('other_inout', { ...otherOut(''), dept_no: 'BM02' }));
    expect(mapped!.kind === 'mapped' && mapped!.targetDocumentType === 'other_outstock' && mapped!.value.department).toBe('BM02');
  });

  it('the rule file schema rejects an invalid onNoValue, naming the field', () => {
    const text = OTHER_OUT_RULE.replace("department: { label: 领料部门, value: BM000001,", "department: { label: 领料部门, from: dept_no, onNoValue: skip,");
    expect(() => compileRule(text, 'test/other_outstock.yaml')).toThrow('test/other_outstock.yaml: invalid — fields.department.onNoValue: must be empty or park');
    const required = OTHER_OUT_RULE.replace('stockOrg: { label: 库存组织, sourceLabel: 仓库, expr: $warehouse.stockOrg }', 'stockOrg: { label: 库存组织, expr: $warehouse.stockOrg, onNoValue: empty }');
    expect(() => compileRule(required, 'test/other_outstock.yaml')).toThrow('test/other_outstock.yaml.fields.stockOrg.onNoValue: "empty" on a required canonical field (use park)');
  });
});

describe('Kingdee records in rules: scope kingdee, and the same-code fallback (off by default)', () => {
  const pulled = {
    warehouse: { 'kingdee/100004': { sourceSystem: 'kingdee', sourceCode: '100004', kingdeeStockNumber: '100004', stockOrg: '100', name: '天津保税仓' } },
    sku: { 'kingdee/M-A001-RED-M': { sourceSystem: 'kingdee', skuCode: 'M-A001-RED-M', materialNumber: 'M-A001-RED-M', unit: 'PCS-KD', batchRule: 'flow' } },
  };

  it('a lookup with scope kingdee reads the pulled record', async () => {
    const text = OTHER_OUT_RULE.replace(
      '    sku: { entity: sku, key: sku_id, label: 商品编码 → 物料、单位 }',
      '    sku: { entity: sku, key: sku_id, label: 商品编码 → 物料、单位 }\n    kingdeeMaterial: { entity: sku, scope: kingdee, key: "\'M-\' & sku_id", label: 金蝶物料 }',
    ).replace('    unit: { label: 单位, expr: $sku.unit }', '    unit: { label: 单位, expr: $kingdeeMaterial.unit }');
    const engine = new MappingEngine([compileRule(text, 'test/other_outstock.yaml', loadLotPolicies())], { lookup: memoryLookup(withData(pulled)) });
    expect(lines(await engine.map(rawInput('other_inout', otherOut('')))).map((line) => line.unit)).toEqual(['PCS-KD']);
  });

  it('off: an unmapped warehouse parks; on: the Kingdee warehouse of the same code is used and reported per document', async () => {
    const document = { ...otherOut(''), wms_co_id: 100004 };
    const [parked] = await mapOne('other_inout', document, withData(pulled));
    expect(parked).toMatchObject({ kind: 'parked', code: 'MISSING_MASTER_DATA', missing: [{ entity: 'warehouse', key: 'jushuitan/100004' }] });

    const uses: unknown[] = [];
    const outcomes = await mapOne('other_inout', document, withData(pulled), { sameCodeFallback: ['warehouse'], onSameCode: (use) => uses.push(use) });
    expect(lines(outcomes)[0]).toMatchObject({ warehouse: '100004', batch: '0' });
    expect(outcomes[0]).toMatchObject({ value: { stockOrg: '100' }, sameCode: [{ entity: 'warehouse', code: '100004' }] });
    expect(uses).toEqual([{ entity: 'warehouse', code: '100004', flow: 'jushuitan/other_outstock', key: 'jushuitan/main/other_inout/70000001' }]);
    // Nothing of that code in Kingdee either: still parked, naming the source mapping to add.
    const [stillParked] = await mapOne('other_inout', { ...document, wms_co_id: 100009 }, withData(pulled), { sameCodeFallback: ['warehouse'] });
    expect(stillParked).toMatchObject({ kind: 'parked', missing: [{ entity: 'warehouse', key: 'jushuitan/100009' }] });
  });
});

describe('MAPPING_SAME_CODE_FALLBACK (mapping service environment)', () => {
  const env = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081', MONGODB_URI: 'mongodb://127.0.0.1:27017' };
  it('is off by default, lists entities kept per source system, and names itself when wrong', () => {
    expect(loadMappingConfig(env).MAPPING_SAME_CODE_FALLBACK).toEqual([]);
    expect(loadMappingConfig({ ...env, MAPPING_SAME_CODE_FALLBACK: 'warehouse, supplier' }).MAPPING_SAME_CODE_FALLBACK).toEqual(['warehouse', 'supplier']);
    expect(() => loadMappingConfig({ ...env, MAPPING_SAME_CODE_FALLBACK: 'warehouse,org' })).toThrow('MAPPING_SAME_CODE_FALLBACK: must list entities kept per source system');
  });
});
