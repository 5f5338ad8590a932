/**
 * Form metadata the emulator enforces (kingdee-webapi.md §6): field keys, captions (for the real error
 * texts), required flags, base-data references, entities and stock effects. Field keys match
 * case-insensitively, like the real server.
 */

export type BaseFormId =
  | 'ORG_Organizations'
  | 'BD_MATERIAL'
  | 'BD_Customer'
  | 'BD_Supplier'
  | 'BD_STOCK'
  | 'BD_UNIT'
  | 'BD_Currency';

export type FieldType = 'text' | 'date' | 'decimal' | 'bool' | 'enum' | 'lot' | { ref: BaseFormId };

export interface FieldDef {
  key: string;
  caption: string;
  type: FieldType;
  required: boolean;
}

const REF_CODES: Record<string, BaseFormId> = {
  org: 'ORG_Organizations',
  mat: 'BD_MATERIAL',
  cust: 'BD_Customer',
  supp: 'BD_Supplier',
  stock: 'BD_STOCK',
  unit: 'BD_UNIT',
  curr: 'BD_Currency',
};

/** `"FKey:caption:type[!]"`, type one of t d n b e lot org mat cust supp stock unit curr; `!` = required. */
function fields(...specs: string[]): FieldDef[] {
  return specs.map((spec) => {
    const [key, caption, rawType] = spec.split(':') as [string, string, string];
    const required = rawType.endsWith('!');
    const code = required ? rawType.slice(0, -1) : rawType;
    const simple: Record<string, FieldType> = { t: 'text', d: 'date', n: 'decimal', b: 'bool', e: 'enum', lot: 'lot' };
    const type = simple[code] ?? (REF_CODES[code] ? { ref: REF_CODES[code] } : undefined);
    if (!type) throw new Error(`forms.ts: bad field spec ${spec}`);
    return { key, caption, type, required };
  });
}

export interface EntityDef {
  key: string;
  caption: string;
  /** ORM property name of the entity collection in View answers. */
  ormName: string;
  fields: FieldDef[];
}

export interface StockMove {
  /** Where the quantity lives: the main entry or its sub-entry. */
  entity: 'entry' | 'sub';
  qtyField: string;
  stockField: string;
  lotField: string;
  materialField: string;
  /** Header org field holding the stock org of this movement. */
  orgField: string;
  /** +1 adds stock on audit, -1 removes it. */
  sign: 1 | -1;
}

/** A sub-header (子单据头): an object in the Model whose fields are stored and queried like header fields. */
export interface SubHeadDef {
  key: string;
  fields: FieldDef[];
}

export interface BillFormDef {
  formId: string;
  caption: string;
  billNoPrefix: string;
  defaultBillType: string;
  /** Org whose base-data copies the bill's references resolve in, and whose closing date applies. */
  orgField: string;
  header: FieldDef[];
  /** Sub-headers (子单据头) are objects in the Model; their fields query like header fields. */
  subHeads: SubHeadDef[];
  entry: EntityDef;
  subEntry?: EntityDef;
  /** Entry fields that resolve in another header org than `orgField` (entry field key → header org field). */
  fieldOrg?: Record<string, string>;
  /** Stock movements applied on Audit (and reversed on UnAudit); `header` decides direction variants. */
  stockMoves: (header: Record<string, unknown>) => StockMove[];
  /** Entry amount fields derived by the server (含税金额, 不含税金额). */
  priceField?: string;
  qtyField?: string;
  taxRateField?: string;
}

/** Custom fields a tenant added (flows.md §2: 物流单号, 线上订单号); queryable like standard fields. */
export const CUSTOM_SALES_FIELDS = fields('F_YC_LogisticsNo:物流单号:t', 'F_YC_OnlineOrderNo:线上订单号:t');

const commonHeader = fields('FBillNo:单据编号:t', 'FBillTypeID:单据类型:t', 'FDate:日期:d!', 'FNote:备注:t');
const owner = fields('FOwnerTypeIdHead:货主类型:e', 'FOwnerIdHead:货主:org');

function move(entity: 'entry' | 'sub', qtyField: string, stockField: string, lotField: string, materialField: string, orgField: string, sign: 1 | -1): StockMove {
  return { entity, qtyField, stockField, lotField, materialField, orgField, sign };
}

const directionSign = (header: Record<string, unknown>, normal: 1 | -1): 1 | -1 =>
  String(header.FStockDirect ?? 'GENERAL').toUpperCase() === 'RETURN' ? ((-normal) as 1 | -1) : normal;

export const BILL_FORMS: BillFormDef[] = [
  {
    formId: 'SAL_OUTSTOCK',
    caption: '销售出库单',
    billNoPrefix: 'XSCKD',
    defaultBillType: 'XSCKD01_SYS',
    orgField: 'FStockOrgId',
    header: [
      ...commonHeader,
      ...fields('FSaleOrgId:销售组织:org!', 'FStockOrgId:发货组织:org!', 'FCustomerID:客户:cust!', 'FReceiverID:收货方:cust', 'FSettleID:结算方:cust', 'FPayerID:付款方:cust', 'FCarriageNO:运输单号:t', 'FReceiveAddress:收货地址:t'),
      ...owner,
      ...CUSTOM_SALES_FIELDS,
    ],
    subHeads: [{ key: 'SubHeadEntity', fields: fields('FSettleCurrID:结算币别:curr!', 'FLocalCurrID:本位币:curr', 'FSettleOrgID:结算组织:org', 'FExchangeRate:汇率:n', 'FIsIncludedTax:是否含税:b', 'FThirdBillNo:第三方单据编号:t') }],
    entry: {
      key: 'FEntity',
      caption: '明细信息',
      ormName: 'SAL_OUTSTOCKENTRY',
      fields: fields('FMaterialID:物料编码:mat!', 'FUnitID:库存单位:unit!', 'FMustQty:应发数量:n', 'FRealQty:实发数量:n!', 'FBaseUnitQty:基本单位数量:n', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n', 'FIsFree:是否赠品:b', 'FStockID:仓库:stock!', 'FStockStatusID:库存状态:t', 'FLot:批号:lot', 'FOwnerTypeID:货主类型:e', 'FOwnerID:货主:org', 'FSoorDerno:销售订单号:t', 'FEntrynote:备注:t'),
    },
    stockMoves: () => [move('entry', 'FRealQty', 'FStockID', 'FLot', 'FMaterialID', 'FStockOrgId', -1)],
    priceField: 'FTaxPrice',
    qtyField: 'FRealQty',
    taxRateField: 'FEntryTaxRate',
  },
  {
    formId: 'SAL_RETURNSTOCK',
    caption: '销售退货单',
    billNoPrefix: 'XSTHD',
    defaultBillType: 'XSTHD01_SYS',
    orgField: 'FStockOrgId',
    header: [
      ...commonHeader,
      ...fields('FSaleOrgId:销售组织:org!', 'FStockOrgId:库存组织:org!', 'FRetcustId:退货客户:cust!', 'FReturnReason:退货原因:t', 'FReceiveCustId:收货方:cust', 'FSettleCustId:结算方:cust', 'FPayCustId:付款方:cust', 'FHeadNote:备注:t'),
      ...owner,
      ...CUSTOM_SALES_FIELDS,
    ],
    subHeads: [{ key: 'SubHeadEntity', fields: fields('FSettleCurrId:结算币别:curr!', 'FSettleOrgId:结算组织:org', 'FLocalCurrId:本位币:curr', 'FExchangeRate:汇率:n', 'FThirdBillNo:第三方单据编号:t') }],
    entry: {
      key: 'FEntity',
      caption: '明细信息',
      ormName: 'SAL_RETURNSTOCKENTRY',
      fields: fields('FMaterialId:物料编码:mat!', 'FUnitID:库存单位:unit!', 'FRealQty:实退数量:n!', 'FBaseunitQty:基本单位数量:n', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n', 'FIsFree:是否赠品:b', 'FReturnType:退货类型:t', 'FStockId:仓库:stock!', 'FStockstatusId:库存状态:t', 'FLot:批号:lot', 'FOwnerTypeId:货主类型:e', 'FOwnerId:货主:org'),
    },
    stockMoves: () => [move('entry', 'FRealQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', 1)],
    priceField: 'FTaxPrice',
    qtyField: 'FRealQty',
    taxRateField: 'FEntryTaxRate',
  },
  {
    formId: 'STK_InStock',
    caption: '采购入库单',
    billNoPrefix: 'CGRK',
    defaultBillType: 'RKD01_SYS',
    orgField: 'FStockOrgId',
    header: [
      ...commonHeader,
      ...fields('FStockOrgId:收料组织:org!', 'FPurchaseOrgId:采购组织:org!', 'FDemandOrgId:需求组织:org', 'FSupplierId:供应商:supp!'),
      ...owner,
    ],
    subHeads: [{ key: 'FInStockFin', fields: fields('FSettleOrgId:结算组织:org', 'FSettleCurrId:结算币别:curr!', 'FIsIncludedTax:是否含税:b', 'FLocalCurrId:本位币:curr', 'FExchangeRate:汇率:n', 'FTHIRDBILLNO:第三方单据编号:t') }],
    entry: {
      key: 'FInStockEntry',
      caption: '明细信息',
      ormName: 'InStockEntry',
      fields: fields('FRowType:产品类型:e', 'FMaterialId:物料编码:mat!', 'FUnitID:库存单位:unit!', 'FRealQty:实收数量:n!', 'FBaseUnitQty:基本单位数量:n', 'FPriceUnitID:计价单位:unit', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n', 'FGiveAway:赠品:b', 'FStockId:仓库:stock!', 'FStockStatusId:库存状态:t', 'FLot:批号:lot', 'FOWNERTYPEID:货主类型:e', 'FOWNERID:货主:org', 'FPOOrderNo:订单单号:t', 'FNote:备注:t'),
    },
    stockMoves: () => [move('entry', 'FRealQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', 1)],
    priceField: 'FTaxPrice',
    qtyField: 'FRealQty',
    taxRateField: 'FEntryTaxRate',
  },
  {
    formId: 'PUR_MRB',
    caption: '采购退料单',
    billNoPrefix: 'CGTL',
    defaultBillType: 'TLD01_SYS',
    orgField: 'FStockOrgId',
    header: [...commonHeader, ...fields('FStockOrgId:退料组织:org!', 'FPurchaseOrgId:采购组织:org!', 'FRequireOrgId:需求组织:org', 'FSupplierID:供应商:supp!'), ...owner],
    subHeads: [{ key: 'FPURMRBFIN', fields: fields('FSettleCurrId:结算币别:curr!', 'FSettleOrgId:结算组织:org', 'FTHIRDBILLNO:第三方单据编号:t') }],
    entry: {
      key: 'FPURMRBENTRY',
      caption: '明细信息',
      ormName: 'PUR_MRBENTRY',
      fields: fields('FMATERIALID:物料编码:mat!', 'FUnitID:库存单位:unit!', 'FRMREALQTY:实退数量:n!', 'FREPLENISHQTY:补料数量:n', 'FKEAPAMTQTY:扣款数量:n', 'FBASEUNITQTY:基本单位数量:n', 'FPrice:单价:n', 'FTAXPRICE:含税单价:n', 'FENTRYTAXRATE:税率(%):n', 'FGIVEAWAY:赠品:b', 'FStockId:仓库:stock!', 'FStockStatusId:库存状态:t', 'FLot:批号:lot', 'FOWNERTYPEID:货主类型:e', 'FOWNERID:货主:org', 'FNOTE:备注:t'),
    },
    stockMoves: () => [move('entry', 'FRMREALQTY', 'FStockId', 'FLot', 'FMATERIALID', 'FStockOrgId', -1)],
    priceField: 'FTAXPRICE',
    qtyField: 'FRMREALQTY',
    taxRateField: 'FENTRYTAXRATE',
  },
  {
    formId: 'STK_MISCELLANEOUS',
    caption: '其他入库单',
    billNoPrefix: 'QTRK',
    defaultBillType: 'QTRKD01_SYS',
    orgField: 'FStockOrgId',
    header: [...commonHeader, ...fields('FStockOrgId:库存组织:org!', 'FStockDirect:库存方向:e', 'FSUPPLIERID:供应商:supp', 'FBaseCurrId:本位币:curr'), ...owner],
    subHeads: [],
    entry: {
      key: 'FEntity',
      caption: '明细信息',
      ormName: 'STK_MISCELLANEOUSENTRY',
      fields: fields('FMATERIALID:物料编码:mat!', 'FUnitID:单位:unit!', 'FQty:实收数量:n!', 'FBASEQTY:基本单位数量:n', 'FSTOCKID:收货仓库:stock!', 'FStockStatusId:库存状态:t', 'FLOT:批号:lot', 'FOWNERTYPEID:货主类型:e', 'FOWNERID:货主:org', 'FPRICE:成本价:n', 'FAmount:总成本:n', 'FEntryNOTE:备注:t'),
    },
    stockMoves: (header) => [move('entry', 'FQty', 'FSTOCKID', 'FLOT', 'FMATERIALID', 'FStockOrgId', directionSign(header, 1))],
  },
  {
    formId: 'STK_MisDelivery',
    caption: '其他出库单',
    billNoPrefix: 'QTCK',
    defaultBillType: 'QTCKD01_SYS',
    orgField: 'FStockOrgId',
    header: [...commonHeader, ...fields('FStockOrgId:库存组织:org!', 'FPickOrgId:领用组织:org', 'FStockDirect:库存方向:e', 'FCustId:客户:cust', 'FBizType:业务类型:e', 'FBaseCurrId:本位币:curr'), ...owner],
    subHeads: [],
    entry: {
      key: 'FEntity',
      caption: '明细信息',
      ormName: 'STK_MISDELIVERYENTRY',
      fields: fields('FMaterialId:物料编码:mat!', 'FUnitID:单位:unit!', 'FQty:实发数量:n!', 'FBaseQty:基本单位数量:n', 'FStockId:发货仓库:stock!', 'FStockStatusId:库存状态:t', 'FLot:批号:lot', 'FOwnerTypeId:货主类型:e', 'FOwnerId:货主:org', 'FEntryNote:备注:t'),
    },
    stockMoves: (header) => [move('entry', 'FQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', directionSign(header, -1))],
  },
  {
    formId: 'STK_TransferDirect',
    caption: '直接调拨单',
    billNoPrefix: 'ZJDB',
    defaultBillType: 'ZJDB01_SYS',
    orgField: 'FStockOutOrgId',
    header: [
      ...commonHeader,
      ...fields('FBizType:业务类型:e', 'FTransferDirect:调拨方向:e', 'FTransferBizType:调拨类型:e', 'FStockOutOrgId:调出库存组织:org!', 'FOwnerTypeOutIdHead:调出货主类型:e', 'FOwnerOutIdHead:调出货主:org', 'FStockOrgId:调入库存组织:org!', 'FSettleOrgId:结算组织:org', 'FSaleOrgId:销售组织:org', 'FSETTLECURRID:结算币别:curr', 'FThirdSrcBillNo:第三方单据编号:t'),
      ...owner,
    ],
    subHeads: [],
    entry: {
      key: 'FBillEntry',
      caption: '明细',
      ormName: 'TransferDirectEntry',
      fields: fields('FMaterialId:物料编码:mat!', 'FUnitID:单位:unit!', 'FQty:调拨数量:n!', 'FBaseQty:基本单位数量:n', 'FSrcStockId:调出仓库:stock!', 'FDestStockId:调入仓库:stock!', 'FSrcStockStatusId:调出库存状态:t', 'FDestStockStatusId:调入库存状态:t', 'FLot:调出批号:lot', 'FDestLot:调入批号:lot', 'FOwnerTypeOutId:调出货主类型:e', 'FOwnerOutId:调出货主:org', 'FOwnerTypeId:调入货主类型:e', 'FOwnerId:调入货主:org'),
    },
    fieldOrg: { FDestStockId: 'FStockOrgId' },
    stockMoves: () => [
      move('entry', 'FQty', 'FSrcStockId', 'FLot', 'FMaterialId', 'FStockOutOrgId', -1),
      move('entry', 'FQty', 'FDestStockId', 'FDestLot', 'FMaterialId', 'FStockOrgId', 1),
    ],
  },
  {
    formId: 'STK_StockCountGain',
    caption: '盘盈单',
    billNoPrefix: 'PY',
    defaultBillType: 'PY01_SYS',
    orgField: 'FStockOrgId',
    header: [...commonHeader, ...fields('FStockOrgId:库存组织:org!', 'FNoteHead:备注:t'), ...owner],
    subHeads: [],
    entry: {
      key: 'FBillEntry',
      caption: '明细信息',
      ormName: 'StockCountGainEntry',
      fields: fields('FMaterialId:物料编码:mat!', 'FUnitID:单位:unit!', 'FStockId:仓库:stock!', 'FStockStatusId:库存状态:t', 'FLot:批号:lot', 'FAcctQty:账存数量:n', 'FCountQty:盘点数量:n', 'FGainQty:盘盈数量:n!', 'FOwnerTypeId:货主类型:e', 'FOwnerId:货主:org', 'FNote:备注:t'),
    },
    stockMoves: () => [move('entry', 'FGainQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', 1)],
  },
  {
    formId: 'STK_StockCountLoss',
    caption: '盘亏单',
    billNoPrefix: 'PK',
    defaultBillType: 'PK01_SYS',
    orgField: 'FStockOrgId',
    header: [...commonHeader, ...fields('FStockOrgId:库存组织:org!', 'FNoteHead:备注:t'), ...owner],
    subHeads: [],
    entry: {
      key: 'FBillEntry',
      caption: '明细信息',
      ormName: 'StockCountLossEntry',
      fields: fields('FMaterialId:物料编码:mat!', 'FUnitID:单位:unit!', 'FStockId:仓库:stock!', 'FStockStatusId:库存状态:t', 'FLot:批号:lot', 'FAcctQty:账存数量:n', 'FCountQty:盘点数量:n', 'FLossQty:盘亏数量:n!', 'FOwnerTypeId:货主类型:e', 'FOwnerId:货主:org', 'FNote:备注:t'),
    },
    stockMoves: () => [move('entry', 'FLossQty', 'FStockId', 'FLot', 'FMaterialId', 'FStockOrgId', -1)],
  },
  {
    formId: 'STK_AssembledApp',
    caption: '组装拆卸单',
    billNoPrefix: 'ZZCX',
    defaultBillType: 'ZZCX01_SYS',
    orgField: 'FStockOrgId',
    header: [...commonHeader, ...fields('FStockOrgId:库存组织:org!', 'FAffairType:事务类型:e!')],
    subHeads: [],
    entry: {
      key: 'FEntity',
      caption: '成品明细',
      ormName: 'ProductEntity',
      fields: fields('FMaterialID:成品编码:mat!', 'FUnitID:单位:unit!', 'FQty:数量:n!', 'FStockID:仓库:stock!', 'FStockStatusID:库存状态:t', 'FLot:批号:lot', 'FOwnerTypeID:货主类型:e', 'FOwnerID:货主:org'),
    },
    subEntry: {
      key: 'FSubEntity',
      caption: '子件明细',
      ormName: 'STK_ASSEMBLYSUBITEM',
      fields: fields('FMaterialIDSETY:子件编码:mat!', 'FUnitIDSETY:单位:unit!', 'FQtySETY:数量:n!', 'FStockIDSETY:仓库:stock!', 'FStockStatusIDSETY:库存状态:t', 'FLotSETY:批号:lot', 'FCostProportion:成本拆分比例(%):n'),
    },
    stockMoves: (header) => {
      const assembly = String(header.FAffairType ?? 'Assembly').toLowerCase() !== 'dassembly';
      return [
        move('entry', 'FQty', 'FStockID', 'FLot', 'FMaterialID', 'FStockOrgId', assembly ? 1 : -1),
        move('sub', 'FQtySETY', 'FStockIDSETY', 'FLotSETY', 'FMaterialIDSETY', 'FStockOrgId', assembly ? -1 : 1),
      ];
    },
  },
  {
    formId: 'AR_receivable',
    caption: '应收单',
    billNoPrefix: 'AR',
    defaultBillType: 'YSD01_SYS',
    orgField: 'FSETTLEORGID',
    header: [
      ...fields('FBillNo:单据编号:t', 'FBillTypeID:单据类型:t', 'FDATE:业务日期:d!', 'FENDDATE_H:到期日:d', 'FCUSTOMERID:客户:cust!', 'FCURRENCYID:币别:curr!', 'FSETTLEORGID:结算组织:org!', 'FPAYORGID:收款组织:org', 'FSALEORGID:销售组织:org', 'FBUSINESSTYPE:业务类型:e', 'FSetAccountType:立账类型:e', 'FAR_Remark:备注:t'),
      ...CUSTOM_SALES_FIELDS,
    ],
    subHeads: [{ key: 'FsubHeadFinc', fields: fields('FMAINBOOKSTDCURRID:本位币:curr', 'FExchangeRate:汇率:n', 'FACCNTTIMEJUDGETIME:到期日计算日期:d') }],
    entry: {
      key: 'FEntityDetail',
      caption: '明细',
      ormName: 'AP_PAYABLEENTRY',
      fields: fields('FMATERIALID:物料编码:mat', 'FMaterialDesc:物料说明:t', 'FPRICEUNITID:计价单位:unit', 'FPriceQty:计价数量:n!', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n', 'FSourceBillNo:源单编号:t'),
    },
    stockMoves: () => [],
    priceField: 'FTaxPrice',
    qtyField: 'FPriceQty',
    taxRateField: 'FEntryTaxRate',
  },
  {
    formId: 'AP_Payable',
    caption: '应付单',
    billNoPrefix: 'AP',
    defaultBillType: 'YFD01_SYS',
    orgField: 'FSETTLEORGID',
    header: fields('FBillNo:单据编号:t', 'FBillTypeID:单据类型:t', 'FDATE:业务日期:d!', 'FENDDATE_H:到期日:d', 'FSUPPLIERID:供应商:supp!', 'FCURRENCYID:币别:curr!', 'FSETTLEORGID:结算组织:org!', 'FPAYORGID:付款组织:org', 'FPURCHASEORGID:采购组织:org', 'FBUSINESSTYPE:业务类型:e', 'FRemark:备注:t'),
    subHeads: [{ key: 'FsubHeadFinc', fields: fields('FMAINBOOKSTDCURRID:本位币:curr', 'FExchangeRate:汇率:n') }],
    entry: {
      key: 'FEntityDetail',
      caption: '明细',
      ormName: 'AP_PAYABLEENTRY',
      fields: fields('FMATERIALID:物料编码:mat', 'FCOSTID:费用项目:t', 'FPRICEUNITID:计价单位:unit', 'FPriceQty:计价数量:n!', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n'),
    },
    stockMoves: () => [],
    priceField: 'FTaxPrice',
    qtyField: 'FPriceQty',
    taxRateField: 'FEntryTaxRate',
  },
  {
    formId: 'AR_RECEIVEBILL',
    caption: '收款单',
    billNoPrefix: 'SKD',
    defaultBillType: 'SKDLX01_SYS',
    orgField: 'FSETTLEORGID',
    header: fields('FBillNo:单据编号:t', 'FBillTypeID:单据类型:t', 'FDATE:业务日期:d!', 'FCONTACTUNITTYPE:往来单位类型:e!', 'FCONTACTUNIT:往来单位:cust!', 'FPAYUNITTYPE:付款单位类型:e', 'FPAYUNIT:付款单位:cust', 'FCURRENCYID:币别:curr!', 'FSETTLECUR:结算币别:curr', 'FSETTLEORGID:结算组织:org!', 'FPAYORGID:收款组织:org', 'FSALEORGID:销售组织:org', 'FBUSINESSTYPE:业务类型:e', 'FEXCHANGERATE:汇率:n', 'FREMARK:备注:t'),
    subHeads: [],
    entry: {
      key: 'FRECEIVEBILLENTRY',
      caption: '明细',
      ormName: 'RECEIVEBILLENTRY',
      fields: fields('FSETTLETYPEID:结算方式:t!', 'FPURPOSEID:收款用途:t', 'FRECTOTALAMOUNTFOR:应收金额:n!', 'FRECAMOUNTFOR_E:收款金额:n', 'FACCOUNTID:我方银行账号:t', 'FPOSTDATE:登账日期:d', 'FCOMMENT:备注:t'),
    },
    stockMoves: () => [],
  },
];

/** Base-data forms: PK field, caption, extra fields stored and queryable. */
export interface BaseFormDef {
  formId: BaseFormId;
  caption: string;
  pkField: string;
  /** Organisations and units/currencies are not per use-org. */
  orgScoped: boolean;
  /** Top-level fields of the Model. */
  extra: FieldDef[];
  /** Sub-headers (BD_MATERIAL 基本 SubHeadEntity, 库存 SubHeadEntity1): saved from their Model objects, queried by field key. */
  subHeads: SubHeadDef[];
}

export const BASE_FORMS: BaseFormDef[] = [
  { formId: 'ORG_Organizations', caption: '组织机构', pkField: 'FOrgID', orgScoped: false, extra: fields('FDescription:描述:t'), subHeads: [] },
  {
    formId: 'BD_MATERIAL',
    caption: '物料',
    pkField: 'FMATERIALID',
    orgScoped: true,
    extra: fields('FSpecification:规格型号:t', 'F_YC_IsOnline:是否网销:b', 'FBarCode:条码:t'),
    subHeads: [
      { key: 'SubHeadEntity', fields: fields('FErpClsID:物料属性:e', 'FBaseUnitId:基本单位:unit') },
      { key: 'SubHeadEntity1', fields: fields('FStoreUnitID:库存单位:unit', 'FIsBatchManage:启用批号管理:b') },
    ],
  },
  { formId: 'BD_Customer', caption: '客户', pkField: 'FCUSTID', orgScoped: true, extra: fields('FShortName:简称:t', 'FTRADINGCURRID:结算币别:curr'), subHeads: [] },
  { formId: 'BD_Supplier', caption: '供应商', pkField: 'FSupplierId', orgScoped: true, extra: fields('FShortName:简称:t'), subHeads: [] },
  { formId: 'BD_STOCK', caption: '仓库', pkField: 'FStockId', orgScoped: true, extra: fields('FAllowMinusQty:允许负库存:b', 'FStockProperty:仓库属性:e'), subHeads: [] },
  { formId: 'BD_UNIT', caption: '计量单位', pkField: 'FUNITID', orgScoped: false, extra: [], subHeads: [] },
  { formId: 'BD_Currency', caption: '币别', pkField: 'FCURRENCYID', orgScoped: false, extra: fields('FCode:货币代码:t'), subHeads: [] },
];

export const billForm = (formId: string): BillFormDef | undefined =>
  BILL_FORMS.find((form) => form.formId.toLowerCase() === formId.toLowerCase());
export const baseForm = (formId: string): BaseFormDef | undefined =>
  BASE_FORMS.find((form) => form.formId.toLowerCase() === formId.toLowerCase());

/** Case-insensitive field lookup in a list. */
export function findField(list: FieldDef[], key: string): FieldDef | undefined {
  const lower = key.toLowerCase();
  return list.find((field) => field.key.toLowerCase() === lower);
}

/** All fields of a base-data form: top-level and sub-header ones (both are queried by field key). */
export function allBaseFields(def: BaseFormDef): FieldDef[] {
  return [...def.extra, ...def.subHeads.flatMap((sub) => sub.fields)];
}

export function allHeaderFields(form: BillFormDef): FieldDef[] {
  return [...form.header, ...form.subHeads.flatMap((sub) => sub.fields)];
}
