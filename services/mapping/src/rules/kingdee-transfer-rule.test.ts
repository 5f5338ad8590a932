import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup, rawInput } from './test-fixtures';

/**
 * The reverse rule kingdee/transfer: an audited Kingdee 直接调拨单 (STK_TransferDirect), as source-kingdee publishes it,
 * → oms_transfer for 旺店通 (one source and one destination warehouse), and the loop guards on both sides.
 */
const MASTER_DATA = {
  warehouse: {
    'wangdiantong/HZ01': { kingdeeStockNumber: 'CK-HZ01', stockOrg: '100' },
    // Another stock organisation: a cross-org transfer maps like any other when both stocks have a WDT warehouse.
    'wangdiantong/GZ01': { kingdeeStockNumber: 'CK-GZ01', stockOrg: '200' },
    'wangdiantong/SH01': { kingdeeStockNumber: 'CK-SH01', stockOrg: '100' },
  },
  sku: {
    'wangdiantong/G100101S': { materialNumber: 'M-G100101S', unit: 'Pcs' },
    'wangdiantong/G100202M': { materialNumber: 'M-G100202M', unit: 'Pcs' },
  },
};

const engine = () => new MappingEngine(loadRules(), { lookup: memoryLookup(MASTER_DATA as never), now: () => Date.parse('2026-12-07T00:00:00Z') });

function line(id: number, material: string, qty: unknown, from = 'CK-HZ01', to = 'CK-GZ01', lot = '') {
  return { FBillEntry_FEntryID: id, 'FMaterialId.FNumber': material, FQty: qty, 'FSrcStockId.FNumber': from, 'FDestStockId.FNumber': to, FLot: lot, FDestLot: lot };
}

function bill(overrides: Record<string, unknown> = {}, entries?: Array<Record<string, unknown>>) {
  return {
    FID: 400888,
    FBillNo: 'ZJDB00041',
    FDocumentStatus: 'C',
    FCancelStatus: 'A',
    FModifyDate: '2026-12-07 12:00:00',
    FDate: '2026-12-07T00:00:00',
    FNote: '补货',
    FTransferBizType: 'OverOrgTransfer',
    'FStockOutOrgId.FNumber': '100',
    'FStockOrgId.FNumber': '200',
    FThirdSrcBillNo: '',
    entries: entries ?? [line(9001, 'M-G100101S', '2.5'), line(9002, 'M-G100202M', '0.000001', 'CK-HZ01', 'CK-GZ01', 'L7'), line(9003, 'M-G100202M', 0)],
    ...overrides,
  };
}

async function mapOne(payload: unknown): Promise<MappingOutcome> {
  const outcomes = await engine().map(rawInput('transfer', payload, { sourceSystem: 'kingdee', sourceId: '400888', rawTopic: 'yecai.raw.kingdee.transfer' }));
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe('rule kingdee/transfer (Kingdee STK_TransferDirect → 旺店通调拨单)', () => {
  it('maps an audited cross-org transfer: both WDT warehouses and 商家编码 by reverse lookup, the Kingdee origin, exact quantities, zero lines dropped', async () => {
    const outcome = await mapOne(bill());
    if (outcome.kind !== 'mapped') throw new Error(JSON.stringify(outcome));
    expect(outcome.targetDocumentType).toBe('oms_transfer');
    expect(loadCanonicalSchema('oms_transfer').type.isValid(outcome.value)).toBe(true);
    const value = outcome.value as { lines: Array<Record<string, unknown> & { quantity: { toFixed(places: number): string } }> } & Record<string, unknown>;
    expect(value).toMatchObject({
      billNumber: 'ZJDB00041',
      date: '2026-12-07',
      originForm: 'STK_TransferDirect',
      originId: '400888',
      originBillNumber: 'ZJDB00041',
      fromWarehouse: 'HZ01',
      toWarehouse: 'GZ01',
      remark: '金蝶调拨 ZJDB00041 补货',
    });
    expect(value.lines.map((one) => [one.lineId, one.material, one.sku, one.batch, one.quantity.toFixed(6)])).toEqual([
      ['9001', 'M-G100101S', 'G100101S', null, '2.500000'],
      ['9002', 'M-G100202M', 'G100202M', 'L7', '0.000001'],
    ]);
  });

  it('never pushes a transfer yecai wrote from an OMS (third-party number or remark marker), an unaudited one, or one that stays in its stock — each filtered by name', async () => {
    const filtered = async (overrides: Record<string, unknown>, entries?: Array<Record<string, unknown>>) => {
      const outcome = await mapOne(bill(overrides, entries));
      return outcome.kind === 'filtered' ? outcome.filter : `not filtered: ${outcome.kind}`;
    };
    expect(await filtered({ FThirdSrcBillNo: '300123' })).toBe('不是业财从电商写入的');
    expect(await filtered({ FNote: '旺店通调拨 DB0001：HZ01 → GZ01' })).toBe('不是业财从电商写入的');
    expect(await filtered({ FNote: '聚水潭调拨 11 → 12' })).toBe('不是业财从电商写入的');
    expect(await filtered({ FNote: '领星调拨 TF1：OB1 → IB1' })).toBe('不是业财从电商写入的');
    expect(await filtered({ FDocumentStatus: 'B' })).toBe('已审核');
    expect(await filtered({}, [line(1, 'M-G100101S', 1, 'CK-HZ01', 'CK-HZ01')])).toBe('调出调入仓库不同');
    // A person's remark that merely mentions 旺店通 is not the marker; a bill without a remark is pushed.
    expect((await mapOne(bill({ FNote: '补录旺店通调拨' }))).kind).toBe('mapped');
    expect((await mapOne(bill({ FNote: null, FThirdSrcBillNo: null }))).kind).toBe('mapped');
  });

  it('parks, naming the Kingdee code, a stock or material without a WDT mapping, and a bill whose lines move between two warehouse pairs, naming the field', async () => {
    const unmapped = await mapOne(bill({}, [line(1, 'M-NONE', 1, 'CK-NONE', 'CK-GZ01')]));
    expect(unmapped.kind).toBe('parked');
    expect(JSON.stringify(unmapped)).toContain('金蝶仓库 CK-NONE');
    expect(JSON.stringify(unmapped)).toContain('金蝶商品 M-NONE');
    const unmappedDest = await mapOne(bill({}, [line(1, 'M-G100101S', 1, 'CK-HZ01', 'CK-NONE2')]));
    expect(unmappedDest.kind).toBe('parked');
    expect(JSON.stringify(unmappedDest)).toContain('金蝶仓库 CK-NONE2');
    const split = await mapOne(bill({}, [line(1, 'M-G100101S', 1, 'CK-HZ01', 'CK-GZ01'), line(2, 'M-G100202M', 1, 'CK-HZ01', 'CK-SH01')]));
    expect(split.kind).toBe('parked');
    if (split.kind !== 'parked') return;
    // One WDT transfer has one 调出仓: the first field that cannot take a value names it.
    expect(split).toMatchObject({ level: 1, field: 'fromWarehouse' });
  });
});

describe('loop guard on the WDT side (rule wangdiantong/transfer)', () => {
  it('a WDT transfer yecai pushed from Kingdee (remark 金蝶调拨 <FBillNo>) is not posted back; others are', async () => {
    const map = async (extra: Record<string, unknown>) =>
      (
        await engine().map(
          rawInput(
            'transfer',
            { transfer_id: '300001', transfer_no: 'DB300001', from_warehouse_no: 'HZ01', to_warehouse_no: 'GZ01', status: '90', modified: '2026-12-07 12:00:00', details_list: [{ rec_id: '1', spec_no: 'G100101S', num: '1.0000', in_num: '1.0000', batch_no: '' }], ...extra },
            { sourceSystem: 'wangdiantong', sourceId: '300001' },
          ),
        )
      )[0]!;
    const pushed = await map({ remark: '金蝶调拨 ZJDB00041' });
    expect(pushed.kind === 'filtered' && pushed.filter).toBe('不是业财从金蝶写入的');
    expect((await map({ remark: '补货调拨' })).kind).not.toBe('filtered');
    expect((await map({})).kind).not.toBe('filtered');
  });
});
