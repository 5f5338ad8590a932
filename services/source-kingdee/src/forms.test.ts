import { formQueryShape } from './forms';
import { KINGDEE_STREAM_DECLARATIONS } from './streams';

describe('what the Kingdee source asks of each form', () => {
  it('reads STK_InStock by FID with references by number, its entries, and the origin marker sink-kingdee writes', () => {
    const shape = formQueryShape('STK_InStock');
    expect(shape.idKey).toBe('FID');
    expect(shape.headerKeys.slice(0, 5)).toEqual(['FID', 'FBillNo', 'FDocumentStatus', 'FCancelStatus', 'FModifyDate']);
    expect(shape.headerKeys).toContain('FSupplierId.FNumber');
    expect(shape.entryKeys[0]).toBe('FInStockEntry_FEntryID');
    expect(shape.entryKeys).toEqual(expect.arrayContaining(['FMaterialId.FNumber', 'FRealQty']));
    // The header's FNote only: an entry FNote key would answer the header's value.
    expect(shape.entryKeys.map((key) => key.toLowerCase())).not.toContain('fnote');
    expect(shape.originKey).toBe('FTHIRDBILLNO');
  });

  it('reads PUR_MRB (采购退料单, F6) with its own keys: FSupplierID, FMATERIALID, FRMREALQTY, the entry id and the origin marker', () => {
    const shape = formQueryShape('PUR_MRB');
    expect(shape.headerKeys).toEqual(expect.arrayContaining(['FID', 'FBillNo', 'FDocumentStatus', 'FSupplierID.FNumber', 'FNote', 'FTHIRDBILLNO']));
    expect(shape.entryKeys[0]).toBe('FPURMRBENTRY_FEntryID');
    expect(shape.entryKeys).toEqual(expect.arrayContaining(['FMATERIALID.FNumber', 'FRMREALQTY', 'FPrice', 'FStockId.FNumber', 'FLot']));
    expect(shape.originKey).toBe('FTHIRDBILLNO');
  });

  it('reads 盘盈单 / 盘亏单 (F10) with the remark sink-kingdee marks them with, and the counted, book and gain/loss quantities', () => {
    for (const [formId, side] of [['STK_StockCountGain', 'FGainQty'], ['STK_StockCountLoss', 'FLossQty']] as const) {
      const shape = formQueryShape(formId);
      expect(shape.headerKeys).toEqual(expect.arrayContaining(['FID', 'FBillNo', 'FDocumentStatus', 'FNoteHead', 'FStockOrgId.FNumber']));
      expect(shape.entryKeys[0]).toBe('FBillEntry_FEntryID');
      expect(shape.entryKeys).toEqual(expect.arrayContaining(['FMaterialId.FNumber', 'FStockId.FNumber', 'FLot', 'FAcctQty', 'FCountQty', side]));
      // No third-party bill number on these forms: the rules recognise yecai's own bills by FNoteHead.
      expect(shape.originKey).toBeUndefined();
    }
  });

  it('reads STK_AssembledApp (组装拆卸单, F11): 成品 entries and their 子件 sub-entries (material, qty, stock, lot) by number', () => {
    const shape = formQueryShape('STK_AssembledApp');
    expect(shape.headerKeys).toEqual(expect.arrayContaining(['FAffairType', 'FNote', 'FStockOrgId.FNumber']));
    expect(shape.entryKeys).toEqual(expect.arrayContaining(['FEntity_FEntryID', 'FMaterialID.FNumber', 'FQty', 'FStockID.FNumber', 'FLot']));
    expect(shape.subEntry).toEqual({
      key: 'FSubEntity',
      idKey: 'FSubEntity_FEntryID',
      keys: expect.arrayContaining(['FEntity_FEntryID', 'FSubEntity_FEntryID', 'FMaterialIDSETY.FNumber', 'FQtySETY', 'FStockIDSETY.FNumber', 'FLotSETY']),
    });
    expect(shape.subEntry!.keys.slice(0, 2)).toEqual(['FEntity_FEntryID', 'FSubEntity_FEntryID']);
    // Forms without a sub-entry ask no second query.
    expect(formQueryShape('STK_MISCELLANEOUS').subEntry).toBeUndefined();
  });

  it('reads materials by FMATERIALID without entries', () => {
    expect(formQueryShape('BD_MATERIAL')).toMatchObject({ idKey: 'FMATERIALID', entryKeys: [], originKey: undefined });
  });

  it('knows every declared stream form and names a form missing from the registry', () => {
    for (const stream of KINGDEE_STREAM_DECLARATIONS) expect(() => formQueryShape(stream.formId)).not.toThrow();
    expect(() => formQueryShape('PUR_PurchaseOrder')).toThrow(/PUR_PurchaseOrder is not in the Kingdee form registry/);
  });
});
