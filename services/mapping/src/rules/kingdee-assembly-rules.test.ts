import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup, rawInput } from './test-fixtures';

/**
 * The reverse rules kingdee/assembly_out and kingdee/assembly_in: an audited Kingdee 组装拆卸单 (STK_AssembledApp), as
 * source-kingdee publishes it (成品 entries, each with its 子件 under FSubEntity), → one 旺店通 其他出库 and one 其他入库
 * (WDT 企业版 has no public assembly write), keyed <FBillNo>-OUT / <FBillNo>-IN, and the Kingdee-side loop guard (the WDT-side
 * guard for the remarks these pushes carry: kingdee-other-rules.test.ts).
 */
const MASTER_DATA = {
  warehouse: {
    'wangdiantong/HZ01': { kingdeeStockNumber: 'CK-HZ01', stockOrg: '100' },
    'wangdiantong/GZ01': { kingdeeStockNumber: 'CK-GZ01', stockOrg: '100' },
  },
  sku: {
    'wangdiantong/KIT01': { materialNumber: 'M-KIT01', unit: 'Pcs' },
    'wangdiantong/BOX01': { materialNumber: 'M-BOX01', unit: 'Pcs' },
    'wangdiantong/CARD01': { materialNumber: 'M-CARD01', unit: 'Pcs' },
  },
};

const engine = () => new MappingEngine(loadRules(), { lookup: memoryLookup(MASTER_DATA as never), now: () => Date.parse('2026-12-07T00:00:00Z') });

const component = (id: number, material: string, qty: unknown, stock = 'CK-HZ01', lot = '') => ({
  FSubEntity_FEntryID: id,
  'FMaterialIDSETY.FNumber': material,
  FQtySETY: qty,
  'FStockIDSETY.FNumber': stock,
  FLotSETY: lot,
});
const product = (id: number, material: string, qty: unknown, components: unknown[], stock = 'CK-HZ01', lot = '') => ({
  FEntity_FEntryID: id,
  'FMaterialID.FNumber': material,
  FQty: qty,
  'FStockID.FNumber': stock,
  FLot: lot,
  FSubEntity: components,
});

function bill(overrides: Record<string, unknown> = {}, entries?: unknown[]) {
  return {
    FID: 500123,
    FBillNo: 'ZZCX000123',
    FDocumentStatus: 'C',
    FCancelStatus: 'A',
    FModifyDate: '2026-12-07 12:00:00',
    FDate: '2026-12-07T00:00:00',
    FAffairType: 'Assembly',
    FNote: '礼盒',
    entries: entries ?? [product(7001, 'M-KIT01', '2', [component(8001, 'M-BOX01', '2.000001'), component(8002, 'M-CARD01', '4', 'CK-HZ01', 'L7'), component(8003, 'M-CARD01', 0)])],
    ...overrides,
  };
}

/** Both halves of one bill, by target type. */
async function mapBoth(payload: unknown): Promise<{ out: MappingOutcome; in: MappingOutcome }> {
  const outcomes = await engine().map(rawInput('assembly', payload, { sourceSystem: 'kingdee', sourceId: '500123', rawTopic: 'yecai.raw.kingdee.assembly' }));
  expect(outcomes.map((one) => one.flow).sort()).toEqual(['kingdee/assembly_in', 'kingdee/assembly_out']);
  return { out: outcomes.find((one) => one.flow === 'kingdee/assembly_out')!, in: outcomes.find((one) => one.flow === 'kingdee/assembly_in')! };
}

type Mapped = Record<string, unknown> & { lines: Array<Record<string, unknown> & { quantity: { toFixed(places: number): string } }> };
function mapped(outcome: MappingOutcome, target: string): Mapped {
  if (outcome.kind !== 'mapped') throw new Error(JSON.stringify(outcome));
  expect(outcome.targetDocumentType).toBe(target);
  expect(loadCanonicalSchema(target).type.isValid(outcome.value)).toBe(true);
  return outcome.value as Mapped;
}
const lines = (value: Mapped) => value.lines.map((one) => [one.lineId, one.material, one.sku, one.batch, one.quantity.toFixed(6)]);

describe('rules kingdee/assembly_out + kingdee/assembly_in (Kingdee 组装拆卸单 → 旺店通 其他出库 + 其他入库)', () => {
  it('组装: the components go out (exact, zero lines dropped) and the finished product comes in, each with its own key', async () => {
    const both = await mapBoth(bill());
    const out = mapped(both.out, 'oms_other_outstock');
    expect(out).toMatchObject({ billNumber: 'ZZCX000123-OUT', originForm: 'STK_AssembledApp', originId: '500123', originBillNumber: 'ZZCX000123', warehouse: 'HZ01', date: '2026-12-07', remark: '金蝶组装 ZZCX000123 子件出库 礼盒' });
    expect(lines(out)).toEqual([
      ['8001', 'M-BOX01', 'BOX01', null, '2.000001'],
      ['8002', 'M-CARD01', 'CARD01', 'L7', '4.000000'],
    ]);
    const into = mapped(both.in, 'oms_other_instock');
    expect(into).toMatchObject({ billNumber: 'ZZCX000123-IN', originBillNumber: 'ZZCX000123', warehouse: 'HZ01', remark: '金蝶组装 ZZCX000123 成品入库 礼盒' });
    expect(lines(into)).toEqual([['7001', 'M-KIT01', 'KIT01', null, '2.000000']]);
  });

  it('拆卸: the finished product goes out and the components come in, each side in its own Kingdee stock', async () => {
    const both = await mapBoth(
      bill({ FAffairType: 'Dassembly', FNote: null }, [product(7001, 'M-KIT01', '1.5', [component(8001, 'M-BOX01', '1.5', 'CK-GZ01'), component(8002, 'M-CARD01', '3', 'CK-GZ01')], 'CK-HZ01', 'B1')]),
    );
    const out = mapped(both.out, 'oms_other_outstock');
    expect(out).toMatchObject({ billNumber: 'ZZCX000123-OUT', warehouse: 'HZ01', remark: '金蝶拆卸 ZZCX000123 成品出库' });
    expect(lines(out)).toEqual([['7001', 'M-KIT01', 'KIT01', 'B1', '1.500000']]);
    const into = mapped(both.in, 'oms_other_instock');
    expect(into).toMatchObject({ billNumber: 'ZZCX000123-IN', warehouse: 'GZ01', remark: '金蝶拆卸 ZZCX000123 子件入库' });
    expect(lines(into)).toEqual([
      ['8001', 'M-BOX01', 'BOX01', null, '1.500000'],
      ['8002', 'M-CARD01', 'CARD01', null, '3.000000'],
    ]);
  });

  it('never pushes an unaudited bill or one yecai wrote from a 旺店通 组装拆卸单 (remark marker) — both halves filtered by name', async () => {
    const filtered = async (overrides: Record<string, unknown>) => {
      const both = await mapBoth(bill(overrides));
      return [both.out, both.in].map((one) => (one.kind === 'filtered' ? one.filter : `not filtered: ${one.kind}`));
    };
    expect(await filtered({ FDocumentStatus: 'B' })).toEqual(['已审核', '已审核']);
    // What wangdiantong/assembly writes: "旺店通" + type_name (组装 / 拆卸, or 组装拆卸 without one) + " " + assembly_no.
    for (const note of ['旺店通组装 ZZ2026001', '旺店通拆卸 ZZ2026002', '旺店通组装拆卸 ZZ2026003'])
      expect(await filtered({ FNote: note })).toEqual(['不是业财从电商写入的', '不是业财从电商写入的']);
    // A person's remark merely mentioning 旺店通 is not the marker.
    expect((await mapBoth(bill({ FNote: '补录旺店通组装' }))).out.kind).toBe('mapped');
  });

  it('parks naming the Kingdee code a stock or material without a WDT mapping, a side in two stocks, and a bill without components', async () => {
    const unmapped = await mapBoth(bill({}, [product(1, 'M-NONE', '1', [component(2, 'M-BOX01', '1', 'CK-NONE')])]));
    expect(unmapped.out.kind).toBe('parked');
    expect(JSON.stringify(unmapped.out)).toContain('金蝶仓库 CK-NONE');
    expect(unmapped.in.kind).toBe('parked');
    expect(JSON.stringify(unmapped.in)).toContain('金蝶商品 M-NONE');

    const split = await mapBoth(bill({}, [product(1, 'M-KIT01', '1', [component(2, 'M-BOX01', '1', 'CK-HZ01'), component(3, 'M-CARD01', '1', 'CK-GZ01')])]));
    expect(split.out.kind).toBe('parked');
    expect(JSON.stringify(split.out)).toContain('warehouse');
    expect(JSON.stringify(split.out)).toContain('出库的明细分属多个金蝶仓库 CK-HZ01、CK-GZ01');
    expect(split.in.kind).toBe('mapped');

    const bare = await mapBoth(bill({}, [product(1, 'M-KIT01', '1', [])]));
    expect(bare.out.kind).toBe('parked');
    expect(JSON.stringify(bare.out)).toContain('没有子件明细');
    expect(bare.in.kind).toBe('parked');
    expect(JSON.stringify(bare.in)).toContain('没有子件明细');
  });
});
