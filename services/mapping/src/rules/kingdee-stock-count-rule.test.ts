import { loadCanonicalSchema } from '@yecai/contracts';
import { WdtStore, defaultWorld, pushStockSyncByPd, renderQyb } from '@yecai/emulator-wangdiantong';
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup, rawInput } from './test-fixtures';

/**
 * The reverse rules kingdee/stock_count_gain and kingdee/stock_count_loss: an audited Kingdee 盘盈单 / 盘亏单, as
 * source-kingdee publishes it, → oms_stock_count for 旺店通 (the counted stock WDT is set to), and the loop guards on
 * both sides.
 */
const MASTER_DATA = {
  warehouse: {
    'wangdiantong/HZ01': { kingdeeStockNumber: 'CK-HZ01', stockOrg: '100' },
    'wangdiantong/SH01': { kingdeeStockNumber: 'CK-SH01', stockOrg: '100' },
  },
  sku: {
    'wangdiantong/G100101S': { materialNumber: 'M-G100101S', unit: 'Pcs' },
    'wangdiantong/G100202M': { materialNumber: 'M-G100202M', unit: 'Pcs' },
  },
};

const engine = () => new MappingEngine(loadRules(), { lookup: memoryLookup(MASTER_DATA as never), now: () => Date.parse('2026-12-07T00:00:00Z') });

type Side = 'gain' | 'loss';
const QTY = { gain: 'FGainQty', loss: 'FLossQty' } as const;

function line(side: Side, id: number, material: string, book: unknown, counted: unknown, diff: unknown, stock = 'CK-HZ01', lot = '') {
  return { FBillEntry_FEntryID: id, 'FMaterialId.FNumber': material, 'FStockId.FNumber': stock, FLot: lot, FAcctQty: book, FCountQty: counted, [QTY[side]]: diff, FNote: '' };
}

function bill(side: Side, overrides: Record<string, unknown> = {}, entries?: Array<Record<string, unknown>>) {
  return {
    FID: 700123,
    FBillNo: side === 'gain' ? 'PY000031' : 'PK000031',
    FDocumentStatus: 'C',
    FCancelStatus: 'A',
    FModifyDate: '2026-12-07 12:00:00',
    FDate: '2026-12-07T00:00:00',
    'FStockOrgId.FNumber': '100',
    FNoteHead: '月末盘点',
    entries: entries ?? [
      line(side, 9001, 'M-G100101S', '10', '12.5', '2.5'),
      line(side, 9002, 'M-G100202M', '3.000001', '3.000002', '0.000001', 'CK-HZ01', 'L7'),
      line(side, 9003, 'M-G100202M', '4', '4', 0),
    ],
    ...overrides,
  };
}

async function mapOne(side: Side, payload: unknown): Promise<MappingOutcome> {
  const documentType = `stock_count_${side}`;
  const outcomes = await engine().map(rawInput(documentType, payload, { sourceSystem: 'kingdee', sourceId: '700123', rawTopic: `yecai.raw.kingdee.${documentType}` }));
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe.each([
  ['gain', 'STK_StockCountGain', 'GAIN', '金蝶盘盈 PY000031 月末盘点'],
  ['loss', 'STK_StockCountLoss', 'LOSS', '金蝶盘亏 PK000031 月末盘点'],
] as const)('rule kingdee/stock_count_%s (Kingdee %s → 旺店通盘点单)', (side, form, direction, remark) => {
  it('maps an audited bill: WDT warehouse and 商家编码 by reverse lookup, the counted stock and the gain/loss exactly, zero lines dropped', async () => {
    const outcome = await mapOne(side, bill(side));
    if (outcome.kind !== 'mapped') throw new Error(JSON.stringify(outcome));
    expect(outcome.targetDocumentType).toBe('oms_stock_count');
    expect(loadCanonicalSchema('oms_stock_count').type.isValid(outcome.value)).toBe(true);
    const value = outcome.value as { lines: Array<Record<string, { toFixed(places: number): string } | string | null>> } & Record<string, unknown>;
    const billNo = side === 'gain' ? 'PY000031' : 'PK000031';
    expect(value).toMatchObject({ billNumber: billNo, date: '2026-12-07', originForm: form, originId: '700123', originBillNumber: billNo, warehouse: 'HZ01', direction, remark });
    const fixed = (decimal: unknown) => (decimal === null ? null : (decimal as { toFixed(places: number): string }).toFixed(6));
    expect(value.lines.map((one) => [one.lineId, one.material, one.sku, one.batch, fixed(one.quantity), fixed(one.countedQuantity), fixed(one.bookQuantity)])).toEqual([
      ['9001', 'M-G100101S', 'G100101S', null, '2.500000', '12.500000', '10.000000'],
      ['9002', 'M-G100202M', 'G100202M', 'L7', '0.000001', '3.000002', '3.000001'],
    ]);
  });

  it('never pushes a bill yecai wrote from an OMS 盘点单 (remark marker) or an unaudited one — each filtered by name', async () => {
    const filtered = async (overrides: Record<string, unknown>) => {
      const outcome = await mapOne(side, bill(side, overrides));
      return outcome.kind === 'filtered' ? outcome.filter : `not filtered: ${outcome.kind}`;
    };
    expect(await filtered({ FNoteHead: '旺店通盘点 PD2026120700001' })).toBe('不是业财从电商写入的');
    expect(await filtered({ FNoteHead: '聚水潭盘点 880001' })).toBe('不是业财从电商写入的');
    expect(await filtered({ FNoteHead: '领星盘点 PD1 全盘' })).toBe('不是业财从电商写入的');
    expect(await filtered({ FDocumentStatus: 'B' })).toBe('已审核');
    // A person's remark that merely mentions 旺店通 is not the marker; a bill without a remark is pushed.
    expect((await mapOne(side, bill(side, { FNoteHead: '按旺店通盘点结果补录' }))).kind).toBe('mapped');
    expect((await mapOne(side, bill(side, { FNoteHead: null }))).kind).toBe('mapped');
  });

  it('parks, naming the field, an unmapped stock or material, lines in two stocks, and a line without 盘点数量', async () => {
    const unmapped = await mapOne(side, bill(side, {}, [line(side, 1, 'M-NONE', '1', '2', '1', 'CK-NONE')]));
    expect(unmapped.kind).toBe('parked');
    expect(JSON.stringify(unmapped)).toContain('金蝶仓库 CK-NONE');
    expect(JSON.stringify(unmapped)).toContain('金蝶商品 M-NONE');
    const split = await mapOne(side, bill(side, {}, [line(side, 1, 'M-G100101S', '1', '2', '1'), line(side, 2, 'M-G100202M', '1', '2', '1', 'CK-SH01')]));
    expect(split).toMatchObject({ kind: 'parked', level: 1, field: 'warehouse' });
    const noCount = await mapOne(side, bill(side, {}, [line(side, 1, 'M-G100101S', '1', null, '1')]));
    expect(noCount).toMatchObject({ kind: 'parked', level: 1 });
    expect(JSON.stringify(noCount)).toContain('countedQuantity');
  });
});

describe('loop guard on the WDT side (rule wangdiantong/stock_count)', () => {
  it('a WDT 盘点单 yecai created from a Kingdee 盘盈单 / 盘亏单 (remark 金蝶盘盈 / 金蝶盘亏 <FBillNo>) is not posted back; others are', async () => {
    const map = async (extra: Record<string, unknown>) =>
      (
        await engine().map(
          rawInput(
            'stock_count',
            { pd_id: '60001', pd_no: 'PD2026120760001', warehouse_no: 'HZ01', status: '30', check_time: '2026-12-07 12:00:00', modified: '2026-12-07 12:00:00', details_list: [{ rec_id: '1', spec_no: 'G100101S', stock_num: '10.0000', pd_num: '12.5000', diff_num: '2.5000', batch_no: '' }], ...extra },
            { sourceSystem: 'wangdiantong', sourceId: '60001' },
          ),
        )
      )[0]!;
    for (const remark of ['金蝶盘盈 PY000031', '金蝶盘亏 PK000031 月末盘点']) {
      const pushed = await map({ remark });
      expect([remark, pushed.kind === 'filtered' && pushed.filter]).toEqual([remark, '不是业财从金蝶写入的']);
    }
    expect((await map({ remark: '月末盘点' })).kind).not.toBe('filtered');
    expect((await map({})).kind).not.toBe('filtered');
  });

  it('the 盘点单 the WDT emulator makes from stock_sync_by_pd, as stock_pd_order_query renders it, is dropped by that guard', async () => {
    const world = defaultWorld();
    const store = new WdtStore(() => Date.parse('2026-12-07T04:00:00Z'));
    store.seedWorld(world);
    const spec = world.goods[0]!.specs[0]!.spec_no;
    const answer = pushStockSyncByPd(store, { warehouse_no: 'HZ01', outer_no: 'PY000031', remark: '金蝶盘盈 PY000031 月末盘点', goods_list: JSON.stringify([{ spec_no: spec, stock_num: '12.5' }]) });
    expect(answer.code).toBe(0);
    const record = renderQyb(store.fields(store.findByOuterNo('stock_pd', 'PY000031')!));
    const [outcome] = await engine().map(rawInput('stock_count', record, { sourceSystem: 'wangdiantong', sourceId: String(record.pd_id) }));
    expect(outcome).toMatchObject({ kind: 'filtered', flow: 'wangdiantong/stock_count', filter: '不是业财从金蝶写入的' });
  });
});
