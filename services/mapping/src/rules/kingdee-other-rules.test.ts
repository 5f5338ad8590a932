import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup, rawInput } from './test-fixtures';

/**
 * The reverse rules kingdee/other_instock and kingdee/other_outstock: an audited Kingdee 其他入库单 (STK_MISCELLANEOUS)
 * or 其他出库单 (STK_MisDelivery), as source-kingdee publishes it, → oms_other_instock / oms_other_outstock for 旺店通,
 * and the loop guards on both sides.
 */
const MASTER_DATA = {
  warehouse: {
    'wangdiantong/HZ01': { kingdeeStockNumber: 'CK-HZ01', stockOrg: '100' },
    'wangdiantong/GZ01': { kingdeeStockNumber: 'CK-GZ01', stockOrg: '100' },
  },
  sku: {
    'wangdiantong/G100101S': { materialNumber: 'M-G100101S', unit: 'Pcs' },
    'wangdiantong/G100202M': { materialNumber: 'M-G100202M', unit: 'Pcs' },
  },
};

const engine = () => new MappingEngine(loadRules(), { lookup: memoryLookup(MASTER_DATA as never), now: () => Date.parse('2026-12-07T00:00:00Z') });

/** Each form's own keys, as formQueryShape reads them (STK_MISCELLANEOUS upper-case, STK_MisDelivery mixed). */
const FORMS = [
  { documentType: 'other_instock', target: 'oms_other_instock', form: 'STK_MISCELLANEOUS', billNo: 'QTRK00031', word: '其他入库', stock: 'FSTOCKID.FNumber', material: 'FMATERIALID.FNumber', lot: 'FLOT' },
  { documentType: 'other_outstock', target: 'oms_other_outstock', form: 'STK_MisDelivery', billNo: 'QTCK00032', word: '其他出库', stock: 'FStockId.FNumber', material: 'FMaterialId.FNumber', lot: 'FLot' },
] as const;
type Form = (typeof FORMS)[number];

function line(form: Form, id: number, material: string, qty: unknown, stock = 'CK-HZ01', lot = '') {
  return { FEntity_FEntryID: id, [form.material]: material, FQty: qty, FPRICE: '3.250000', [form.stock]: stock, [form.lot]: lot };
}

function bill(form: Form, overrides: Record<string, unknown> = {}, entries?: Array<Record<string, unknown>>) {
  return {
    FID: 300777,
    FBillNo: form.billNo,
    FDocumentStatus: 'C',
    FCancelStatus: 'A',
    FModifyDate: '2026-12-07 12:00:00',
    FDate: '2026-12-07T00:00:00',
    FNote: '样品',
    FStockDirect: 'GENERAL',
    entries: entries ?? [line(form, 9001, 'M-G100101S', '2.5'), line(form, 9002, 'M-G100202M', '0.000001', 'CK-HZ01', 'L7'), line(form, 9003, 'M-G100202M', 0)],
    ...overrides,
  };
}

async function mapOne(form: Form, payload: unknown): Promise<MappingOutcome> {
  const outcomes = await engine().map(rawInput(form.documentType, payload, { sourceSystem: 'kingdee', sourceId: '300777', rawTopic: `yecai.raw.kingdee.${form.documentType}` }));
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe.each(FORMS)('rule kingdee/$documentType (Kingdee $form → 旺店通 $word)', (form) => {
  it('maps an audited bill: WDT warehouse and 商家编码 by reverse lookup, the Kingdee origin, exact quantities, zero lines dropped', async () => {
    const outcome = await mapOne(form, bill(form));
    if (outcome.kind !== 'mapped') throw new Error(JSON.stringify(outcome));
    expect(outcome.targetDocumentType).toBe(form.target);
    expect(loadCanonicalSchema(form.target).type.isValid(outcome.value)).toBe(true);
    const value = outcome.value as { lines: Array<Record<string, unknown> & { quantity: { toFixed(places: number): string } }> } & Record<string, unknown>;
    expect(value).toMatchObject({
      billNumber: form.billNo,
      date: '2026-12-07',
      originForm: form.form,
      originId: '300777',
      originBillNumber: form.billNo,
      warehouse: 'HZ01',
      remark: `金蝶${form.word} ${form.billNo} 样品`,
    });
    expect(value.lines.map((one) => [one.lineId, one.material, one.sku, one.batch, one.quantity.toFixed(6)])).toEqual([
      ['9001', 'M-G100101S', 'G100101S', null, '2.500000'],
      ['9002', 'M-G100202M', 'G100202M', 'L7', '0.000001'],
    ]);
  });

  it('never pushes a bill yecai wrote from 旺店通 or 领星 (remark marker), an unaudited one, or one in the 退库 direction — each filtered by name', async () => {
    const filtered = async (overrides: Record<string, unknown>) => {
      const outcome = await mapOne(form, bill(form, overrides));
      return outcome.kind === 'filtered' ? outcome.filter : `not filtered: ${outcome.kind}`;
    };
    expect(await filtered({ FNote: `旺店通${form.word} 赠品 说明` })).toBe('不是业财从电商写入的');
    expect(await filtered({ FNote: `领星${form.word} LX-001` })).toBe('不是业财从电商写入的');
    expect(await filtered({ FDocumentStatus: 'B' })).toBe('已审核');
    expect(await filtered({ FStockDirect: 'RETURN' })).toBe('普通方向');
    // A person's remark that merely mentions 旺店通 is not the marker; a bill without a remark is pushed.
    expect((await mapOne(form, bill(form, { FNote: `补录旺店通${form.word}` }))).kind).toBe('mapped');
    expect((await mapOne(form, bill(form, { FNote: null }))).kind).toBe('mapped');
  });

  it('parks, naming the Kingdee code, a stock or material without a WDT mapping, and a bill whose lines sit in two stocks', async () => {
    const unmapped = await mapOne(form, bill(form, {}, [line(form, 1, 'M-NONE', 1, 'CK-NONE')]));
    expect(unmapped.kind).toBe('parked');
    expect(JSON.stringify(unmapped)).toContain('金蝶仓库 CK-NONE');
    expect(JSON.stringify(unmapped)).toContain('金蝶商品 M-NONE');
    const split = await mapOne(form, bill(form, {}, [line(form, 1, 'M-G100101S', 1, 'CK-HZ01'), line(form, 2, 'M-G100202M', 1, 'CK-GZ01')]));
    expect(split.kind).toBe('parked');
    expect(JSON.stringify(split)).toContain('warehouse');
  });
});

describe('loop guard on the WDT side (rules wangdiantong/other_instock, wangdiantong/other_outstock)', () => {
  it.each([
    ['other_instock', '金蝶其他入库 QTRK00031', { stockin_id: '4800001', status: '80', check_time: '2026-12-07 12:00:00', details_list: [{ rec_id: '1', spec_no: 'G100101S', num: '1.0000', cost_price: '0.0000', batch_no: '', expire_date: null }] }],
    ['other_outstock', '金蝶其他出库 QTCK00032', { stockout_id: '9800001', status: '110', consign_time: '2026-12-07 12:00:00', details_list: [{ rec_id: '1', spec_no: 'G100101S', goods_count: '1.0000', batch_no: '', expire_date: null }] }],
    // What the 组装拆卸单 halves (kingdee/assembly_in, assembly_out) push carries the same guard's other prefixes.
    ['other_instock', '金蝶组装 ZZCX000123 成品入库', { stockin_id: '4800002', status: '80', check_time: '2026-12-07 12:00:00', details_list: [{ rec_id: '1', spec_no: 'G100101S', num: '1.0000', cost_price: '0.0000', batch_no: '', expire_date: null }] }],
    ['other_instock', '金蝶拆卸 ZZCX000124 子件入库', { stockin_id: '4800003', status: '80', check_time: '2026-12-07 12:00:00', details_list: [{ rec_id: '1', spec_no: 'G100101S', num: '1.0000', cost_price: '0.0000', batch_no: '', expire_date: null }] }],
    ['other_outstock', '金蝶组装 ZZCX000123 子件出库', { stockout_id: '9800002', status: '110', consign_time: '2026-12-07 12:00:00', details_list: [{ rec_id: '1', spec_no: 'G100101S', goods_count: '1.0000', batch_no: '', expire_date: null }] }],
  ])('%s: a WDT bill yecai pushed from Kingdee (remark %s) is not posted back; others are', async (documentType, marker, record) => {
    const map = async (extra: Record<string, unknown>) =>
      (await engine().map(rawInput(documentType, { order_no: 'RK001', warehouse_no: 'HZ01', reason: '赠品', modified: '2026-12-07 12:00:00', ...record, ...extra }, { sourceSystem: 'wangdiantong', sourceId: '1' })))[0]!;
    const pushed = await map({ remark: marker });
    expect(pushed.kind === 'filtered' && pushed.filter).toBe('不是业财从金蝶写入的');
    expect((await map({ remark: '客户赠品' })).kind).not.toBe('filtered');
    expect((await map({})).kind).not.toBe('filtered');
  });
});
