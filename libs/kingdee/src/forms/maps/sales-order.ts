/**
 * 销售订单 SAL_SaleOrder from canonical sales_order (F12, cross-border). Declared and mapped so the next flows can
 * post it; no deployed sink flow posts it yet.
 */
import { constant, decimal, entries, object, optDecimal, optText, ref, text, type DocumentMap } from '../form-map';

export const SALES_ORDER: DocumentMap = {
  documentType: 'sales_order',
  forms: [
    {
      formId: 'SAL_SaleOrder',
      documentType: 'sales_order',
      description: '已声明并映射，尚无流程过账 (declared and mapped; no deployed sink flow posts it yet)',
      fields: [
        ref('FSaleOrgId', 'saleOrg'),
        ref('FCustId', 'customer'),
        optText('FNote', 'remark'),
        optText('F_YC_OnlineOrderNo', 'platformOrderNumber', { customKey: 'onlineOrderNumber' }),
        object('FSaleOrderFinance', [ref('FSettleCurrId', 'currencyNumber'), constant('FIsIncludedTax', true), optDecimal('FExchangeRate', 'exchangeRate')]),
        entries('FSaleOrderEntry', 'lines', [
          ref('FMaterialId', 'lines[].material'),
          ref('FUnitID', 'lines[].unit'),
          decimal('FQty', 'lines[].quantity'),
          decimal('FTaxPrice', 'lines[].taxInclusivePrice'),
          optDecimal('FEntryTaxRate', 'lines[].taxRate'),
          text('FDeliveryDate', 'date'),
        ]),
      ],
    },
  ],
};
