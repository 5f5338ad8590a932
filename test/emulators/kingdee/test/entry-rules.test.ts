import { startKingdeeEmulator, type KingdeeEmulator } from '../src';
import { RawSession } from './raw-client';

let emulator: KingdeeEmulator;
let kd: RawSession;
beforeAll(async () => {
  emulator = await startKingdeeEmulator();
  kd = new RawSession(emulator.url);
  await kd.login();
});
afterAll(() => emulator.close());

const ref = (number: string) => ({ FNumber: number });
const returnBill = (billNo: string, lines: Record<string, unknown>[]) => ({
  FBillNo: billNo,
  FDate: '2025-04-02',
  FStockOrgId: ref('100'),
  FSaleOrgId: ref('100'),
  FRetcustId: ref('TM-YS01'),
  SubHeadEntity: { FSettleCurrId: ref('PRE001') },
  FEntity: lines.map((line) => ({ FUnitID: ref('Pcs'), FStockId: ref('CK002'), ...line })),
});
const inventory = async (filter: string) =>
  (
    await kd.query({
      FormId: 'STK_Inventory',
      FieldKeys: 'FStockOrgId.FNumber,FMaterialId.FNumber,FStockId.FNumber,FLot.FNumber,FBaseQty,FBaseUnitId.FNumber',
      FilterString: filter,
      OrderString: 'FLot.FNumber',
    })
  ).json;

async function post(formId: string, model: Record<string, unknown>) {
  const saved = await kd.op('Save', formId, { Model: model });
  expect(saved.json.Result.ResponseStatus).toMatchObject({ IsSuccess: true });
  await kd.op('Submit', formId, { Numbers: [saved.json.Result.Number] });
  const audited = await kd.op('Audit', formId, { Numbers: [saved.json.Result.Number] });
  expect(audited.json.Result.ResponseStatus.IsSuccess).toBe(true);
}

describe('Save of a batch-managed material', () => {
  it('is refused without a lot, naming the row and 批号, and nothing is saved', async () => {
    const saved = await kd.op('Save', 'SAL_RETURNSTOCK', {
      Model: returnBill('TH-LOT-1', [
        { FMaterialId: ref('G2001'), FRealQty: 1 },
        { FMaterialId: ref('A1001-BLK'), FRealQty: 2, FLot: ref('') },
      ]),
    });
    expect(saved.json.Result.ResponseStatus).toMatchObject({
      IsSuccess: false,
      MsgCode: 11,
      Errors: [
        {
          FieldName: 'FLot',
          Message: '单据体实体【明细信息】第【2】行分录，【批号】字段必录（物料A1001-BLK启用了批号管理）',
          DIndex: 0,
        },
      ],
    });
    expect(emulator.state.findBill('SAL_RETURNSTOCK', { number: 'TH-LOT-1' })).toBeUndefined();
    const viewed = await kd.op('View', 'SAL_RETURNSTOCK', { Number: 'TH-LOT-1' });
    expect(viewed.json.Result.ResponseStatus.IsSuccess).toBe(false);
  });

  it('is saved with a lot; a material without batch management needs none', async () => {
    const saved = await kd.op('Save', 'SAL_RETURNSTOCK', {
      Model: returnBill('TH-LOT-2', [
        { FMaterialId: ref('G2001'), FRealQty: 1 },
        { FMaterialId: ref('A1001-BLK'), FRealQty: 2, FLot: ref('0') },
      ]),
    });
    expect(saved.json.Result.ResponseStatus.IsSuccess).toBe(true);
  });
});

describe('tax: 含税单价 and 税率 give 单价 and amounts', () => {
  it('computes FPrice to 6 places and FAllAmount, FAmount, FTaxAmount to 2, rounding half up', async () => {
    const saved = await kd.op('Save', 'SAL_RETURNSTOCK', {
      Model: returnBill('TH-TAX-1', [{ FMaterialId: ref('G2001'), FRealQty: 3, FTaxPrice: 19.9, FEntryTaxRate: 13 }]),
    });
    expect(saved.json.Result.ResponseStatus.IsSuccess).toBe(true);
    const rows = (
      await kd.query({
        FormId: 'SAL_RETURNSTOCK',
        FieldKeys: 'FTaxPrice,FPrice,FEntryTaxRate,FAllAmount,FAmount,FTaxAmount',
        FilterString: "FBillNo = 'TH-TAX-1'",
      })
    ).json;
    // 19.9 / 1.13 = 17.610619469…; 3 × 19.9 = 59.70; 59.70 / 1.13 = 52.831858… → 52.83; tax 6.87.
    expect(rows).toEqual([[19.9, 17.610619, 13, 59.7, 52.83, 6.87]]);
  });

  it('rounds a half cent up and, with no tax rate, keeps price and amount equal', async () => {
    const saved = await kd.op('Save', 'SAL_RETURNSTOCK', {
      Model: returnBill('TH-TAX-2', [
        { FMaterialId: ref('G2001'), FRealQty: 1, FTaxPrice: 1.13, FEntryTaxRate: 13 },
        { FMaterialId: ref('G2001'), FRealQty: 1, FTaxPrice: 0.005, FEntryTaxRate: 0 },
        { FMaterialId: ref('G2001'), FRealQty: 7, FTaxPrice: 10 },
      ]),
    });
    expect(saved.json.Result.ResponseStatus.IsSuccess).toBe(true);
    const rows = (
      await kd.query({
        FormId: 'SAL_RETURNSTOCK',
        FieldKeys: 'FPrice,FAllAmount,FAmount,FTaxAmount',
        FilterString: "FBillNo = 'TH-TAX-2'",
      })
    ).json;
    expect(rows).toEqual([
      [1, 1.13, 1, 0.13],
      [0.005, 0.01, 0.01, 0],
      [10, 70, 70, 0],
    ]);
  });
});

describe('STK_Inventory (即时库存) through ExecuteBillQuery', () => {
  it('answers the stock after a posting, filtered by material, warehouse and lot', async () => {
    expect(await inventory("FMaterialId.FNumber = 'A1002-WHT' AND FStockId.FNumber = 'CK002'")).toEqual([]);
    await post(
      'SAL_RETURNSTOCK',
      returnBill('TH-INV-1', [
        { FMaterialId: ref('A1002-WHT'), FRealQty: 4, FLot: ref('L2504') },
        { FMaterialId: ref('A1002-WHT'), FRealQty: 1, FLot: ref('0') },
      ]),
    );
    expect(await inventory("FMaterialId.FNumber = 'A1002-WHT' AND FStockId.FNumber = 'CK002'")).toEqual([
      ['100', 'A1002-WHT', 'CK002', '0', 1, 'Pcs'],
      ['100', 'A1002-WHT', 'CK002', 'L2504', 4, 'Pcs'],
    ]);
    expect(
      await inventory("FMaterialId.FNumber = 'A1002-WHT' AND FStockId.FNumber = 'CK002' AND FLot.FNumber = 'L2504'"),
    ).toEqual([['100', 'A1002-WHT', 'CK002', 'L2504', 4, 'Pcs']]);
    // The fixture's opening stock is there too, by org.
    expect(await inventory("FMaterialId.FNumber = 'A1001-BLK' AND FStockOrgId.FNumber = '101'")).toEqual([
      ['101', 'A1001-BLK', 'CK101', '0', 50, 'Pcs'],
    ]);
  });

  it('names an unknown field like any other form', async () => {
    const answer = await kd.query({ FormId: 'STK_Inventory', FieldKeys: 'FMaterialId.FNumber,FNoSuchQty' });
    expect(JSON.stringify(answer.json)).toContain('元数据中标识为FNoSuchQty的字段不存在');
  });
});
