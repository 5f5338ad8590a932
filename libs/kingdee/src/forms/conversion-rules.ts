/**
 * 单据转换规则 (下推 / Push, kingdee-webapi.md §4.8, finance-flows.md §1.2): the standard rules yecai pushes with, as data.
 * The sink validates a flow's `pushDown.ruleId` against this table; the emulator implements Push from it. What a rule
 * copies is the standard rule's effect as the research describes it (customer/supplier, currency, orgs, lines with
 * price and tax, the source bill number on each line); a tenant's own rule may copy more — Push runs the tenant's rule.
 */
export interface ConversionRule {
  ruleId: string;
  caption: string;
  sourceFormId: string;
  targetFormId: string;
  /** Source entry quantity, and the field Kingdee writes the pushed quantity back to (反写: 关联应收/应付数量). */
  sourceQtyField: string;
  joinQtyField: string;
  /** Target entry field receiving the quantity still to push. */
  targetQtyField: string;
  /** Target entry field holding the source bill number (how a pushed bill is found again). */
  sourceBillNoField: string;
  /** Target header field ← the first source header field that has a value. */
  header: Record<string, string[]>;
  /** Target entry field ← source entry field. */
  entry: Record<string, string>;
}

export const CONVERSION_RULES: readonly ConversionRule[] = [
  {
    ruleId: 'AR_OutStockToReceivableMap',
    caption: '销售出库单-应收单',
    sourceFormId: 'SAL_OUTSTOCK',
    targetFormId: 'AR_receivable',
    sourceQtyField: 'FRealQty',
    joinQtyField: 'FARJOINQTY',
    targetQtyField: 'FPriceQty',
    sourceBillNoField: 'FSourceBillNo',
    header: {
      FDATE: ['FDate'],
      FCUSTOMERID: ['FSettleID', 'FCustomerID'],
      FCURRENCYID: ['FSettleCurrID'],
      FSETTLEORGID: ['FSettleOrgID', 'FSaleOrgId'],
      FPAYORGID: ['FSettleOrgID', 'FSaleOrgId'],
      FSALEORGID: ['FSaleOrgId'],
      FExchangeRate: ['FExchangeRate'],
      F_YC_LogisticsNo: ['F_YC_LogisticsNo'],
      F_YC_OnlineOrderNo: ['F_YC_OnlineOrderNo'],
    },
    entry: { FMATERIALID: 'FMaterialID', FPRICEUNITID: 'FUnitID', FPrice: 'FPrice', FTaxPrice: 'FTaxPrice', FEntryTaxRate: 'FEntryTaxRate' },
  },
  {
    ruleId: 'AP_InStockToPayableMap',
    caption: '采购入库单-应付单',
    sourceFormId: 'STK_InStock',
    targetFormId: 'AP_Payable',
    sourceQtyField: 'FRealQty',
    joinQtyField: 'FAPJOINQTY',
    targetQtyField: 'FPriceQty',
    sourceBillNoField: 'FSourceBillNo',
    header: {
      FDate: ['FDate'],
      FSUPPLIERID: ['FSupplierId'],
      FCURRENCYID: ['FSettleCurrId'],
      FSETTLEORGID: ['FSettleOrgId', 'FPurchaseOrgId'],
      FPAYORGID: ['FSettleOrgId', 'FPurchaseOrgId'],
      FPURCHASEORGID: ['FPurchaseOrgId'],
      FExchangeRate: ['FExchangeRate'],
    },
    entry: { FMATERIALID: 'FMaterialId', FPRICEUNITID: 'FUnitID', FPrice: 'FPrice', FTaxPrice: 'FTaxPrice', FEntryTaxRate: 'FEntryTaxRate' },
  },
];

export function conversionRule(ruleId: string): ConversionRule | undefined {
  return CONVERSION_RULES.find((rule) => rule.ruleId === ruleId);
}
