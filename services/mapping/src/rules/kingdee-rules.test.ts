import { loadCanonicalSchema } from '@yecai/contracts';
import { MappingEngine, type MappingOutcome } from './engine';
import { loadRules } from './load-rules';
import { memoryLookup, rawInput } from './test-fixtures';

/**
 * The reverse rule kingdee/purchase_instock: an audited Kingdee 采购入库单 (STK_InStock, as source-kingdee publishes
 * it: header keys, references by `.FNumber`, `entries`) → oms_purchase_instock for 旺店通, the Kingdee codes mapped
 * back through the same master-data records the forward WDT flow uses.
 */
const MASTER_DATA = {
  warehouse: {
    'wangdiantong/HZ01': { kingdeeStockNumber: 'CK-HZ01', stockOrg: '100' },
    'wangdiantong/GZ01': { kingdeeStockNumber: 'CK-GZ01', stockOrg: '100' },
    // Two WDT warehouses on one Kingdee stock: the reverse is ambiguous.
    'wangdiantong/SH01': { kingdeeStockNumber: 'CK-SH', stockOrg: '101' },
    'wangdiantong/SH02': { kingdeeStockNumber: 'CK-SH', stockOrg: '101' },
  },
  sku: {
    'wangdiantong/G100101S': { materialNumber: 'M-G100101S', unit: 'Pcs' },
    'wangdiantong/G100202M': { materialNumber: 'M-G100202M', unit: 'Pcs' },
  },
  supplier: { 'wangdiantong/GYS001': { kingdeeSupplierNumber: 'VEN-GYS001' } },
};

const engine = () => new MappingEngine(loadRules(), { lookup: memoryLookup(MASTER_DATA as never), now: () => Date.parse('2026-12-07T00:00:00Z') });

function inStock(overrides: Record<string, unknown> = {}, entries?: Array<Record<string, unknown>>) {
  return {
    FID: 100123,
    FBillNo: 'CGRK00123',
    FDocumentStatus: 'C',
    FCancelStatus: 'A',
    FModifyDate: '2026-12-07 10:00:00',
    FDate: '2026-12-06T00:00:00',
    FNote: '补货',
    'FSupplierId.FNumber': 'VEN-GYS001',
    FTHIRDBILLNO: null,
    entries: entries ?? [
      { FInStockEntry_FEntryID: 5001, 'FMaterialId.FNumber': 'M-G100101S', FRealQty: 3, FPrice: '12.500000', 'FStockId.FNumber': 'CK-HZ01', FLot: '', FPOOrderNo: 'CGDD001' },
      { FInStockEntry_FEntryID: 5002, 'FMaterialId.FNumber': 'M-G100202M', FRealQty: '0.5', FPrice: null, 'FStockId.FNumber': 'CK-HZ01', FLot: 'L1', FPOOrderNo: 'CGDD001' },
    ],
    ...overrides,
  };
}

async function mapOne(payload: unknown): Promise<MappingOutcome> {
  const outcomes = await engine().map(rawInput('purchase_instock', payload, { sourceSystem: 'kingdee', sourceId: '100123', rawTopic: 'yecai.raw.kingdee.purchase_instock' }));
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe('rule kingdee/purchase_instock (Kingdee → 旺店通 purchase in-stock)', () => {
  it('maps an audited bill to oms_purchase_instock with WDT codes found by reverse lookup and the Kingdee origin', async () => {
    const outcome = await mapOne(inStock());
    if (outcome.kind !== 'mapped') throw new Error(JSON.stringify(outcome));
    expect(outcome.targetDocumentType).toBe('oms_purchase_instock');
    expect(loadCanonicalSchema('oms_purchase_instock').type.isValid(outcome.value)).toBe(true);
    const value = JSON.parse(JSON.stringify(outcome.value)) as { lines: Array<Record<string, unknown>> } & Record<string, unknown>;
    expect(value).toMatchObject({
      billNumber: 'CGRK00123',
      date: '2026-12-06',
      originForm: 'STK_InStock',
      originId: '100123',
      originBillNumber: 'CGRK00123',
      warehouse: 'HZ01',
      provider: 'GYS001',
      purchaseOrderNumber: 'CGDD001',
      remark: '金蝶采购入库 CGRK00123 补货',
    });
    expect(value.lines.map((line) => [line.lineId, line.material, line.sku, line.batch])).toEqual([
      ['5001', 'M-G100101S', 'G100101S', null],
      ['5002', 'M-G100202M', 'G100202M', 'L1'],
    ]);
    // Exact decimals (6 places, as the schema's scale), never through a float.
    const lines = (outcome.value as { lines: Array<{ quantity: { toFixed(places: number): string } }> }).lines;
    expect(lines.map((line) => line.quantity.toFixed(6))).toEqual(['3.000000', '0.500000']);
  });

  it('never sends back a bill yecai wrote from an OMS (third-party number) nor an unaudited one', async () => {
    expect((await mapOne(inStock({ FTHIRDBILLNO: 'wangdiantong:4500001' }))).kind).toBe('filtered');
    expect((await mapOne(inStock({ FDocumentStatus: 'B' }))).kind).toBe('filtered');
  });

  it('parks, naming the Kingdee code, a stock or material with no WDT mapping, and a stock two WDT warehouses share', async () => {
    const unmapped = await mapOne(inStock({}, [{ FInStockEntry_FEntryID: 1, 'FMaterialId.FNumber': 'M-NONE', FRealQty: 1, 'FStockId.FNumber': 'CK-NONE' }]));
    expect(unmapped.kind).toBe('parked');
    expect(JSON.stringify(unmapped)).toContain('金蝶仓库 CK-NONE 没有（或有多个）旺店通仓库映射');
    expect(JSON.stringify(unmapped)).toContain('金蝶商品 M-NONE');
    const ambiguous = await mapOne(inStock({}, [{ FInStockEntry_FEntryID: 1, 'FMaterialId.FNumber': 'M-G100101S', FRealQty: 1, 'FStockId.FNumber': 'CK-SH' }]));
    expect(ambiguous.kind).toBe('parked');
    expect(JSON.stringify(ambiguous)).toContain('CK-SH');
  });

  it('parks a bill whose lines sit in two Kingdee stocks (a WDT stock-in has one warehouse)', async () => {
    const split = await mapOne(
      inStock({}, [
        { FInStockEntry_FEntryID: 1, 'FMaterialId.FNumber': 'M-G100101S', FRealQty: 1, 'FStockId.FNumber': 'CK-HZ01' },
        { FInStockEntry_FEntryID: 2, 'FMaterialId.FNumber': 'M-G100202M', FRealQty: 1, 'FStockId.FNumber': 'CK-GZ01' },
      ]),
    );
    expect(split.kind).toBe('parked');
    expect(JSON.stringify(split)).toContain('warehouse');
  });
});

describe('loop guard on the WDT side (rule wangdiantong/purchase_instock)', () => {
  it('does not post back into Kingdee a WDT stock-in yecai pushed from Kingdee (remark 金蝶采购入库 <FBillNo>)', async () => {
    const stockin = (remark: string) => ({
      stockin_id: '4500001', order_no: 'RK001', status: '80', warehouse_no: 'HZ01', provider_no: 'GYS001', purchase_no: '', outer_no: 'CGRK00123',
      check_time: '2026-12-07 10:00:00', modified: '2026-12-07 10:00:00', remark,
      details_list: [{ rec_id: '1', spec_no: 'G100101S', num: '1.0000', cost_price: '12.5000', tax_price: '12.5000', batch_no: '', expire_date: '0000-00-00 00:00:00' }],
    });
    const map = (remark: string) => engine().map(rawInput('purchase_instock', stockin(remark), { sourceSystem: 'wangdiantong', sourceId: '4500001' }));
    expect((await map('金蝶采购入库 CGRK00123'))[0]!.kind).toBe('filtered');
    expect((await map('供应商送货'))[0]!.kind).not.toBe('filtered');
  });
});

/** An audited 采购退料单 (PUR_MRB) as source-kingdee publishes it: the form's own keys (FSupplierID, FMATERIALID, FRMREALQTY). */
function returnBill(overrides: Record<string, unknown> = {}, entries?: Array<Record<string, unknown>>) {
  return {
    FID: 200456,
    FBillNo: 'CGTL00456',
    FDocumentStatus: 'C',
    FCancelStatus: 'A',
    FModifyDate: '2026-12-07 11:00:00',
    FDate: '2026-12-07T00:00:00',
    FNote: '质量问题',
    'FSupplierID.FNumber': 'VEN-GYS001',
    FTHIRDBILLNO: '',
    entries: entries ?? [
      {
        FPURMRBENTRY_FEntryID: 7001,
        'FMATERIALID.FNumber': 'M-G100101S',
        FRMREALQTY: '2',
        FPrice: '12.345678',
        'FStockId.FNumber': 'CK-HZ01',
        FLot: '',
      },
      {
        FPURMRBENTRY_FEntryID: 7002,
        'FMATERIALID.FNumber': 'M-G100202M',
        FRMREALQTY: '0',
        FPrice: '1',
        'FStockId.FNumber': 'CK-HZ01',
      },
    ],
    ...overrides,
  };
}

async function mapReturn(payload: unknown): Promise<MappingOutcome> {
  const outcomes = await engine().map(
    rawInput('purchase_return', payload, {
      sourceSystem: 'kingdee',
      sourceId: '200456',
      rawTopic: 'yecai.raw.kingdee.purchase_return',
    }),
  );
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe('rule kingdee/purchase_return (Kingdee 采购退料单 → 旺店通 purchase return)', () => {
  it('maps an audited bill to oms_purchase_return: WDT codes by reverse lookup, lines with a quantity, exact decimals', async () => {
    const outcome = await mapReturn(returnBill());
    if (outcome.kind !== 'mapped') throw new Error(JSON.stringify(outcome));
    expect(outcome.targetDocumentType).toBe('oms_purchase_return');
    expect(loadCanonicalSchema('oms_purchase_return').type.isValid(outcome.value)).toBe(true);
    const value = outcome.value as {
      lines: Array<
        Record<string, unknown> & {
          quantity: { toFixed(places: number): string };
          price: { toFixed(places: number): string };
        }
      >;
    } & Record<string, unknown>;
    expect(value).toMatchObject({
      billNumber: 'CGTL00456',
      date: '2026-12-07',
      originForm: 'PUR_MRB',
      originId: '200456',
      warehouse: 'HZ01',
      provider: 'GYS001',
      remark: '金蝶采购退料 CGTL00456 质量问题',
    });
    // The zero-quantity line is not sent; the other keeps its 6-place price exactly.
    expect(value.lines.map((line) => [line.lineId, line.sku, line.quantity.toFixed(6), line.price.toFixed(6)])).toEqual(
      [['7001', 'G100101S', '2.000000', '12.345678']],
    );
  });

  it('never sends an unaudited bill nor one yecai wrote from an OMS; parks an unmapped material naming it', async () => {
    expect((await mapReturn(returnBill({ FDocumentStatus: 'A' }))).kind).toBe('filtered');
    expect((await mapReturn(returnBill({ FTHIRDBILLNO: 'wangdiantong:TH001' }))).kind).toBe('filtered');
    const unmapped = await mapReturn(
      returnBill({}, [
        { FPURMRBENTRY_FEntryID: 1, 'FMATERIALID.FNumber': 'M-NONE', FRMREALQTY: 1, 'FStockId.FNumber': 'CK-HZ01' },
      ]),
    );
    expect(unmapped.kind).toBe('parked');
    expect(JSON.stringify(unmapped)).toContain('金蝶商品 M-NONE');
  });

  it('loop guard on the WDT side: a WDT return yecai pushed from Kingdee (remark 金蝶采购退料 <FBillNo>) is not posted back', async () => {
    const stockout = (remark: string) => ({
      stockout_id: '9001',
      order_no: 'CT001',
      status: '110',
      warehouse_no: 'HZ01',
      provider_no: 'GYS001',
      outer_no: 'CGTL00456',
      consign_time: '2026-12-07 11:00:00',
      modified: '2026-12-07 11:00:00',
      remark,
      details_list: [
        {
          rec_id: '1',
          spec_no: 'G100101S',
          goods_count: '2.0000',
          sell_price: '12.3457',
          total_amount: '24.6914',
          batch_no: '',
        },
      ],
    });
    const map = (remark: string) =>
      engine().map(rawInput('purchase_return', stockout(remark), { sourceSystem: 'wangdiantong', sourceId: '9001' }));
    expect((await map('金蝶采购退料 CGTL00456'))[0]!.kind).toBe('filtered');
    expect((await map('次品退回'))[0]!.kind).not.toBe('filtered');
  });
});
