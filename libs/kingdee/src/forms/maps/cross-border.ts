/**
 * Cross-border bills (领星 F13, F15): the FBA first-leg shipment as a 直接调拨单 into the FBA warehouse carrying each
 * line's share of the first-leg cost, and platform settlement fees as a 费用应付单 to the platform.
 */
import {
  constant,
  decimal,
  entries,
  object,
  optDecimal,
  optRef,
  optText,
  ref,
  text,
  type DocumentMap,
} from '../form-map';

export const FIRST_LEG_SHIPMENT: DocumentMap = {
  documentType: 'first_leg_shipment',
  forms: [
    {
      formId: 'STK_TransferDirect',
      documentType: 'first_leg_shipment',
      description:
        'FBA 头程：发货仓 → FBA 仓的直接调拨，每行带分摊到该行的头程费用（自定义字段）(FBA first leg: transfer into the FBA warehouse, each line with its share of the first-leg cost)',
      fields: [
        constant('FBizType', 'NORMAL'),
        constant('FTransferDirect', 'GENERAL'),
        constant('FTransferBizType', 'InnerOrgTransfer'),
        ref('FStockOutOrgId', 'stockOrg'),
        constant('FOwnerTypeOutIdHead', 'BD_OwnerOrg'),
        ref('FOwnerOutIdHead', 'stockOrg'),
        ref('FStockOrgId', 'destStockOrg', { or: 'stockOrg' }),
        constant('FOwnerTypeIdHead', 'BD_OwnerOrg'),
        ref('FOwnerIdHead', 'destStockOrg', { or: 'stockOrg' }),
        ref('FSETTLECURRID', 'currencyNumber'),
        text('FThirdSrcBillNo', 'source.sourceId'),
        entries('FBillEntry', 'lines', [
          ref('FMaterialId', 'lines[].material'),
          ref('FUnitID', 'lines[].unit'),
          decimal('FQty', 'lines[].quantity'),
          ref('FSrcStockId', 'sourceWarehouse'),
          ref('FDestStockId', 'destWarehouse'),
          optRef('FLot', 'lines[].batch'),
          optRef('FDestLot', 'lines[].batch'),
          optDecimal('F_YC_FirstLegCost', 'lines[].firstLegCost'),
          optText('F_YC_EntryNote', 'lines[].note'),
          constant('FOwnerTypeOutId', 'BD_OwnerOrg'),
          ref('FOwnerOutId', 'stockOrg'),
          constant('FOwnerTypeId', 'BD_OwnerOrg'),
          ref('FOwnerId', 'destStockOrg', { or: 'stockOrg' }),
        ]),
      ],
    },
  ],
};

export const FEE_SETTLEMENT: DocumentMap = {
  documentType: 'fee_settlement',
  forms: [
    {
      formId: 'AP_Payable',
      documentType: 'fee_settlement',
      description:
        '平台结算费用 → 费用应付单（每个结算一张；供应商 = 平台，每笔费用一行：费用项目、物料、金额、分摊依据），原币 + 汇率 (a settlement\'s fees → one expense payable to the platform, fee lines per SKU with the allocation basis, in the marketplace currency with its rate)',
      fields: [
        optRef('FSUPPLIERID', 'supplier'), // the rule parks a fee without one; left out, Kingdee answers 供应商必录
        ref('FCURRENCYID', 'currencyNumber'),
        ref('FSETTLEORGID', 'settleOrg'),
        ref('FPAYORGID', 'settleOrg'),
        constant('FBUSINESSTYPE', 'FY'),
        text('FRemark', 'settlementId'),
        object('FsubHeadFinc', [optDecimal('FExchangeRate', 'exchangeRate')]),
        entries('FEntityDetail', 'fees', [
          optText('FCOSTID', 'fees[].expenseItem'),
          optRef('FMATERIALID', 'fees[].material'),
          constant('FPriceQty', 1),
          decimal('FTaxPrice', 'fees[].amount'),
          text('F_YC_FeeType', 'fees[].feeType'),
          text('F_YC_Account', 'fees[].account'),
          optText('F_YC_OrderNo', 'fees[].orderNumber'),
          optText('F_YC_AllocBasis', 'fees[].allocation'),
          optDecimal('F_YC_AllocWeight', 'fees[].allocationWeight'),
        ]),
      ],
    },
  ],
};
