/**
 * Order and finance bills (kingdee-webapi.md §6.2): SAL_SaleOrder (posted from canonical sales_order, not enabled in
 * any deployed flow yet) and the receivable / payable / receipt forms the next wave maps.
 */
import type { BillFormDeclaration } from './declaration';
import { BILL as bill, COMMON_HEADER, CUSTOM_SALES_FIELDS } from './stock-forms';
import { fields } from './fields';

export const FINANCE_FORMS: BillFormDeclaration[] = [
  {
    ...bill,
    formId: 'SAL_SaleOrder',
    caption: '销售订单',
    billNoPrefix: 'XSDD',
    defaultBillType: 'XSDD01_SYS',
    orgField: 'FSaleOrgId',
    documentTypes: ['sales_order'],
    header: [...COMMON_HEADER, ...fields('FSaleOrgId:销售组织:org!', 'FCustId:客户:cust!', 'FReceiveId:收货方:cust', 'FSettleId:结算方:cust', 'FChargeId:付款方:cust', 'FSaleDeptId:销售部门:t'), ...CUSTOM_SALES_FIELDS],
    subHeads: [{ key: 'FSaleOrderFinance', fields: fields('FSettleCurrId:结算币别:curr!', 'FLocalCurrId:本位币:curr', 'FExchangeRate:汇率:n', 'FIsIncludedTax:是否含税:b', 'FBillAllAmount:价税合计:n') }],
    entry: {
      key: 'FSaleOrderEntry',
      caption: '订单明细',
      ormName: 'SaleOrderEntry',
      fields: fields('FMaterialId:物料编码:mat!', 'FUnitID:销售单位:unit!', 'FQty:销售数量:n!', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n', 'FIsFree:是否赠品:b', 'FDeliveryDate:要货日期:d', 'FEntryNote:备注:t'),
    },
  },
  {
    ...bill,
    formId: 'AR_receivable',
    caption: '应收单',
    billNoPrefix: 'AR',
    defaultBillType: 'YSD01_SYS',
    orgField: 'FSETTLEORGID',
    documentTypes: ['receivable'],
    header: [
      ...fields('FBillNo:单据编号:t', 'FBillTypeID:单据类型:t', 'FDATE:业务日期:d!', 'FENDDATE_H:到期日:d', 'FCUSTOMERID:客户:cust!', 'FCURRENCYID:币别:curr!', 'FSETTLEORGID:结算组织:org!', 'FPAYORGID:收款组织:org', 'FSALEORGID:销售组织:org', 'FBUSINESSTYPE:业务类型:e', 'FSetAccountType:立账类型:e', 'FAR_Remark:备注:t'),
      ...CUSTOM_SALES_FIELDS,
      // Derived by Kingdee (the server fills them; a Save does not send them): 应收金额, and the 核销 of receipts against it.
      ...fields('FPAYAMOUNTFOR:应收金额:n', 'FWRITTENOFFAMOUNTFOR:已核销金额:n', 'FWRITTENOFFSTATUS:核销状态:e', 'F_YC_RedOf:红冲原单:t'),
    ],
    subHeads: [{ key: 'FsubHeadFinc', fields: fields('FMAINBOOKSTDCURRID:本位币:curr', 'FExchangeRate:汇率:n', 'FACCNTTIMEJUDGETIME:到期日计算日期:d') }],
    entry: {
      key: 'FEntityDetail',
      caption: '明细',
      ormName: 'AP_PAYABLEENTRY',
      fields: fields('FMATERIALID:物料编码:mat', 'FMaterialDesc:物料说明:t', 'FPRICEUNITID:计价单位:unit', 'FPriceQty:计价数量:n!', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n', 'FSourceBillNo:源单编号:t'),
    },
  },
  {
    ...bill,
    formId: 'AP_Payable',
    caption: '应付单',
    billNoPrefix: 'AP',
    defaultBillType: 'YFD01_SYS',
    orgField: 'FSETTLEORGID',
    documentTypes: ['fee_settlement'],
    header: fields('FBillNo:单据编号:t', 'FBillTypeID:单据类型:t', 'FDate:业务日期:d!', 'FENDDATE_H:到期日:d', 'FSUPPLIERID:供应商:supp!', 'FCURRENCYID:币别:curr!', 'FSETTLEORGID:结算组织:org!', 'FPAYORGID:付款组织:org', 'FPURCHASEORGID:采购组织:org', 'FBUSINESSTYPE:业务类型:e', 'FRemark:备注:t'),
    subHeads: [{ key: 'FsubHeadFinc', fields: fields('FMAINBOOKSTDCURRID:本位币:curr', 'FExchangeRate:汇率:n') }],
    entry: {
      key: 'FEntityDetail',
      caption: '明细',
      ormName: 'AP_PAYABLEENTRY',
      fields: fields('FMATERIALID:物料编码:mat', 'FCOSTID:费用项目:t', 'FPRICEUNITID:计价单位:unit', 'FPriceQty:计价数量:n!', 'FPrice:单价:n', 'FTaxPrice:含税单价:n', 'FEntryTaxRate:税率(%):n', 'F_YC_FeeType:平台费用类型:t', 'F_YC_Account:会计科目:t', 'F_YC_OrderNo:平台订单号:t', 'F_YC_AllocBasis:分摊依据:t', 'F_YC_AllocWeight:分摊权重:n', 'FSourceBillNo:源单编号:t'),
    },
  },
  {
    ...bill,
    formId: 'AR_RECEIVEBILL',
    caption: '收款单',
    billNoPrefix: 'SKD',
    defaultBillType: 'SKDLX01_SYS',
    orgField: 'FSETTLEORGID',
    documentTypes: ['receipt'],
    header: fields('FBillNo:单据编号:t', 'FBillTypeID:单据类型:t', 'FDATE:业务日期:d!', 'FCONTACTUNITTYPE:往来单位类型:e!', 'FCONTACTUNIT:往来单位:cust!', 'FPAYUNITTYPE:付款单位类型:e', 'FPAYUNIT:付款单位:cust', 'FCURRENCYID:币别:curr!', 'FSETTLECUR:结算币别:curr', 'FSETTLEORGID:结算组织:org!', 'FPAYORGID:收款组织:org', 'FSALEORGID:销售组织:org', 'FBUSINESSTYPE:业务类型:e', 'FEXCHANGERATE:汇率:n', 'FREMARK:备注:t'),
    subHeads: [],
    entry: {
      key: 'FRECEIVEBILLENTRY',
      caption: '明细',
      ormName: 'RECEIVEBILLENTRY',
      fields: fields('FSETTLETYPEID:结算方式:t!', 'FPURPOSEID:收款用途:t', 'FRECTOTALAMOUNTFOR:应收金额:n!', 'FRECAMOUNTFOR_E:收款金额:n', 'FACCOUNTID:我方银行账号:t', 'FPOSTDATE:登账日期:d', 'FCOMMENT:备注:t'),
    },
    // 源单明细: the receivables the receipt settles; Kingdee writes them off (核销) when the receipt is audited.
    secondEntry: {
      key: 'FRECEIVEBILLSRCENTRY',
      caption: '源单明细',
      ormName: 'RECEIVEBILLSRCENTRY',
      fields: fields('FSRCBILLTYPEID:源单类型:t!', 'FSRCBILLNO:源单编号:t!', 'FSRCROWID:源单行内码:t', 'FAFTTAXTOTALAMOUNT:价税合计:n', 'FPLANRECAMOUNT:计划收款金额:n', 'FREALRECAMOUNT:本次收款金额:n!', 'FSRCWRITTENOFFAMOUNTFOR:本次核销金额:n', 'F_YC_OrderNo:平台订单号:t'),
    },
  },
];
