/** Stock bills the sink posts (kingdee-webapi.md §6.2): field keys, captions and required flags as Kingdee has them. */
import type { BillFormDeclaration } from './declaration';
import { fields } from './fields';

/** Custom fields a tenant added (flows.md §2: 物流单号, 线上订单号); queryable like standard fields. */
export const CUSTOM_SALES_FIELDS = fields('F_YC_LogisticsNo:物流单号:t', 'F_YC_OnlineOrderNo:线上订单号:t');

export const COMMON_HEADER = fields('FBillNo:单据编号:t', 'FBillTypeID:单据类型:t', 'FDate:日期:d!', 'FNote:备注:t');
const owner = fields('FOwnerTypeIdHead:货主类型:e', 'FOwnerIdHead:货主:org');
/** What every bill form shares: numbered by FBillNo, keyed by FID. */
export const BILL = { kind: 'bill', numberField: 'FBillNo', pkField: 'FID' } as const;
const bill = BILL;

export const STOCK_FORMS: BillFormDeclaration[] = [
  {
    ...bill,
    formId: 'SAL_OUTSTOCK',
    caption: '销售出库单',
    billNoPrefix: 'XSCKD',
    defaultBillType: 'XSCKD01_SYS',
    orgField: 'FStockOrgId',
    documentTypes: ['sales_outstock'],
    header: [
      ...COMMON_HEADER,
      ...fields('FSaleOrgId:销售组织:org!', 'FStockOrgId:发货组织:org!', 'FCustomerID:客户:cust!', 'FReceiverID:收货方:cust', 'FSettleID:结算方:cust', 'FPayerID:付款方:cust', 'FCarriageNO:运输单号:t', 'FReceiveAddress:收货地址:t'),
      ...owner,
      ...CUSTOM_SALES_FIELDS,
    ],
    subHeads: [{ key: 'SubHeadEntity', fields: fields('FSettleCurrID:结算币别:curr!', 'FLocalCurrID:本位币:curr', 'FSettleOrgID:结算组织:org', 'FExchangeRate:汇率:n', 'FIsIncludedTax:是否含税:b', 'FThirdBillNo:第三方单据编号:t') }],
    entry: {
      key: 'FEntity',
      caption: '明细信息',
      ormName: 'SAL_OUTSTOCKENTRY',
      fields: fields('FMaterialID:物料编码:mat!', 'FUnitID:库存单位:unit!', 'FMustQty:应发数量:n', 'FRealQty:实发数量:n!', 'FBaseUnitQty:基本单位数量:n', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n', 'FIsFree:是否赠品:b', 'FStockID:仓库:stock!', 'FStockStatusID:库存状态:t', 'FLot:批号:lot', 'FOwnerTypeID:货主类型:e', 'FOwnerID:货主:org', 'FSoorDerno:销售订单号:t', 'FEntrynote:备注:t', 'FARJOINQTY:关联应收数量:n'),
    },
  },
  {
    ...bill,
    formId: 'SAL_RETURNSTOCK',
    caption: '销售退货单',
    billNoPrefix: 'XSTHD',
    defaultBillType: 'XSTHD01_SYS',
    orgField: 'FStockOrgId',
    documentTypes: ['sales_return'],
    header: [
      ...COMMON_HEADER,
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
  },
  {
    ...bill,
    formId: 'STK_InStock',
    caption: '采购入库单',
    billNoPrefix: 'CGRK',
    defaultBillType: 'RKD01_SYS',
    orgField: 'FStockOrgId',
    documentTypes: ['purchase_instock'],
    header: [...COMMON_HEADER, ...fields('FStockOrgId:收料组织:org!', 'FPurchaseOrgId:采购组织:org!', 'FDemandOrgId:需求组织:org', 'FSupplierId:供应商:supp!'), ...owner],
    subHeads: [{ key: 'FInStockFin', fields: fields('FSettleOrgId:结算组织:org', 'FSettleCurrId:结算币别:curr!', 'FIsIncludedTax:是否含税:b', 'FLocalCurrId:本位币:curr', 'FExchangeRate:汇率:n', 'FTHIRDBILLNO:第三方单据编号:t') }],
    entry: {
      key: 'FInStockEntry',
      caption: '明细信息',
      ormName: 'InStockEntry',
      fields: fields('FRowType:产品类型:e', 'FMaterialId:物料编码:mat!', 'FUnitID:库存单位:unit!', 'FRealQty:实收数量:n!', 'FBaseUnitQty:基本单位数量:n', 'FPriceUnitID:计价单位:unit', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n', 'FGiveAway:赠品:b', 'FStockId:仓库:stock!', 'FStockStatusId:库存状态:t', 'FLot:批号:lot', 'FOWNERTYPEID:货主类型:e', 'FOWNERID:货主:org', 'FPOOrderNo:订单单号:t', 'FNote:备注:t', 'FAPJOINQTY:关联应付数量:n'),
    },
  },
  {
    ...bill,
    formId: 'PUR_MRB',
    caption: '采购退料单',
    billNoPrefix: 'CGTL',
    defaultBillType: 'TLD01_SYS',
    orgField: 'FStockOrgId',
    documentTypes: ['purchase_return'],
    header: [...COMMON_HEADER, ...fields('FStockOrgId:退料组织:org!', 'FPurchaseOrgId:采购组织:org!', 'FRequireOrgId:需求组织:org', 'FSupplierID:供应商:supp!'), ...owner],
    subHeads: [{ key: 'FPURMRBFIN', fields: fields('FSettleCurrId:结算币别:curr!', 'FSettleOrgId:结算组织:org', 'FTHIRDBILLNO:第三方单据编号:t') }],
    entry: {
      key: 'FPURMRBENTRY',
      caption: '明细信息',
      ormName: 'PUR_MRBENTRY',
      fields: fields('FMATERIALID:物料编码:mat!', 'FUnitID:库存单位:unit!', 'FRMREALQTY:实退数量:n!', 'FREPLENISHQTY:补料数量:n', 'FKEAPAMTQTY:扣款数量:n', 'FBASEUNITQTY:基本单位数量:n', 'FPrice:单价:n', 'FTAXPRICE:含税单价:n', 'FENTRYTAXRATE:税率(%):n', 'FGIVEAWAY:赠品:b', 'FStockId:仓库:stock!', 'FStockStatusId:库存状态:t', 'FLot:批号:lot', 'FOWNERTYPEID:货主类型:e', 'FOWNERID:货主:org', 'FNOTE:备注:t'),
    },
  },
  {
    ...bill,
    formId: 'STK_MISCELLANEOUS',
    caption: '其他入库单',
    billNoPrefix: 'QTRK',
    defaultBillType: 'QTRKD01_SYS',
    orgField: 'FStockOrgId',
    documentTypes: ['other_instock'],
    header: [...COMMON_HEADER, ...fields('FStockOrgId:库存组织:org!', 'FStockDirect:库存方向:e', 'FSUPPLIERID:供应商:supp', 'FDEPTID:部门:t', 'FBaseCurrId:本位币:curr'), ...owner],
    subHeads: [],
    entry: {
      key: 'FEntity',
      caption: '明细信息',
      ormName: 'STK_MISCELLANEOUSENTRY',
      fields: fields('FMATERIALID:物料编码:mat!', 'FUnitID:单位:unit!', 'FQty:实收数量:n!', 'FBASEQTY:基本单位数量:n', 'FSTOCKID:收货仓库:stock!', 'FStockStatusId:库存状态:t', 'FLOT:批号:lot', 'FOWNERTYPEID:货主类型:e', 'FOWNERID:货主:org', 'FPRICE:成本价:n', 'FAmount:总成本:n', 'FEntryNOTE:备注:t'),
    },
  },
  {
    ...bill,
    formId: 'STK_MisDelivery',
    caption: '其他出库单',
    billNoPrefix: 'QTCK',
    defaultBillType: 'QTCKD01_SYS',
    orgField: 'FStockOrgId',
    documentTypes: ['other_outstock'],
    header: [...COMMON_HEADER, ...fields('FStockOrgId:库存组织:org!', 'FPickOrgId:领用组织:org', 'FStockDirect:库存方向:e', 'FCustId:客户:cust', 'FDeptId:领料部门:t', 'FBizType:业务类型:e', 'FBaseCurrId:本位币:curr'), ...owner],
    subHeads: [],
    entry: {
      key: 'FEntity',
      caption: '明细信息',
      ormName: 'STK_MISDELIVERYENTRY',
      fields: fields('FMaterialId:物料编码:mat!', 'FUnitID:单位:unit!', 'FQty:实发数量:n!', 'FBaseQty:基本单位数量:n', 'FStockId:发货仓库:stock!', 'FStockStatusId:库存状态:t', 'FLot:批号:lot', 'FOwnerTypeId:货主类型:e', 'FOwnerId:货主:org', 'FEntryNote:备注:t'),
    },
  },
  {
    ...bill,
    formId: 'STK_TransferDirect',
    caption: '直接调拨单',
    billNoPrefix: 'ZJDB',
    defaultBillType: 'ZJDB01_SYS',
    orgField: 'FStockOutOrgId',
    documentTypes: ['transfer', 'first_leg_shipment'],
    header: [
      ...COMMON_HEADER,
      ...fields('FBizType:业务类型:e', 'FTransferDirect:调拨方向:e', 'FTransferBizType:调拨类型:e', 'FStockOutOrgId:调出库存组织:org!', 'FOwnerTypeOutIdHead:调出货主类型:e', 'FOwnerOutIdHead:调出货主:org', 'FStockOrgId:调入库存组织:org!', 'FSettleOrgId:结算组织:org', 'FSaleOrgId:销售组织:org', 'FSETTLECURRID:结算币别:curr', 'FThirdSrcBillNo:第三方单据编号:t'),
      ...owner,
    ],
    subHeads: [],
    entry: {
      key: 'FBillEntry',
      caption: '明细',
      ormName: 'TransferDirectEntry',
      fields: fields('FMaterialId:物料编码:mat!', 'FUnitID:单位:unit!', 'FQty:调拨数量:n!', 'FBaseQty:基本单位数量:n', 'FSrcStockId:调出仓库:stock!', 'FDestStockId:调入仓库:stock!', 'FSrcStockStatusId:调出库存状态:t', 'FDestStockStatusId:调入库存状态:t', 'FLot:调出批号:lot', 'FDestLot:调入批号:lot', 'FOwnerTypeOutId:调出货主类型:e', 'FOwnerOutId:调出货主:org', 'FOwnerTypeId:调入货主类型:e', 'FOwnerId:调入货主:org', 'F_YC_FirstLegCost:头程费用:n', 'F_YC_EntryNote:行备注:t'),
    },
  },
  ...(['Gain', 'Loss'] as const).map(
    (side): BillFormDeclaration => ({
      ...bill,
      formId: `STK_StockCount${side}`,
      caption: side === 'Gain' ? '盘盈单' : '盘亏单',
      billNoPrefix: side === 'Gain' ? 'PY' : 'PK',
      defaultBillType: side === 'Gain' ? 'PY01_SYS' : 'PK01_SYS',
      orgField: 'FStockOrgId',
      documentTypes: ['stock_count'],
      header: [...COMMON_HEADER, ...fields('FStockOrgId:库存组织:org!', 'FNoteHead:备注:t'), ...owner],
      subHeads: [],
      entry: {
        key: 'FBillEntry',
        caption: '明细信息',
        ormName: `StockCount${side}Entry`,
        fields: fields('FMaterialId:物料编码:mat!', 'FUnitID:单位:unit!', 'FStockId:仓库:stock!', 'FStockStatusId:库存状态:t', 'FLot:批号:lot', 'FAcctQty:账存数量:n', 'FCountQty:盘点数量:n', side === 'Gain' ? 'FGainQty:盘盈数量:n!' : 'FLossQty:盘亏数量:n!', 'FOwnerTypeId:货主类型:e', 'FOwnerId:货主:org', 'FNote:备注:t'),
      },
    }),
  ),
  {
    ...bill,
    formId: 'STK_AssembledApp',
    caption: '组装拆卸单',
    billNoPrefix: 'ZZCX',
    defaultBillType: 'ZZCX01_SYS',
    orgField: 'FStockOrgId',
    documentTypes: ['assembly'],
    header: [...COMMON_HEADER, ...fields('FStockOrgId:库存组织:org!', 'FAffairType:事务类型:e!')],
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
  },
];
