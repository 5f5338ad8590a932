/**
 * Receivables and receipts (F12 / F16, finance-flows.md §1): a shipped marketplace order as a 应收单 against the
 * marketplace customer in the order currency with its rate (a refund: a red 应收单 with negative quantities), and a
 * payout as a 收款单 whose 源单明细 names the receivables it settles with the amount per receivable, in the original
 * currency; Kingdee writes them off (核销) when the receipt is audited.
 */
import { choose, constant, decimal, entries, object, optDecimal, optRef, optText, ref, text, type DocumentMap } from '../form-map';

export const RECEIVABLE: DocumentMap = {
  documentType: 'receivable',
  forms: [
    {
      formId: 'AR_receivable',
      documentType: 'receivable',
      description:
        '标准应收单：客户 = 平台站点，订单币别原币 + 汇率，每个 SKU 一行；退款为红字应收单（数量为负）(standard receivable against the marketplace customer, in the order currency with its rate; a refund is a red receivable with negative quantities)',
      fields: [
        ref('FCUSTOMERID', 'customer'),
        ref('FCURRENCYID', 'currencyNumber'),
        ref('FSETTLEORGID', 'settleOrg'),
        ref('FPAYORGID', 'settleOrg'),
        ref('FSALEORGID', 'saleOrg'),
        constant('FBUSINESSTYPE', 'BZ'),
        constant('FSetAccountType', '1'),
        optText('FENDDATE_H', 'dueDate'),
        optText('FAR_Remark', 'remark'),
        optText('F_YC_OnlineOrderNo', 'platformOrderNumber', { customKey: 'onlineOrderNumber' }),
        optText('F_YC_RedOf', 'reversesBillNumber'),
        object('FsubHeadFinc', [optDecimal('FExchangeRate', 'exchangeRate')]),
        entries('FEntityDetail', 'lines', [
          optRef('FMATERIALID', 'lines[].material'),
          optRef('FPRICEUNITID', 'lines[].unit'),
          decimal('FPriceQty', 'lines[].quantity'),
          decimal('FTaxPrice', 'lines[].taxInclusivePrice'),
          decimal('FEntryTaxRate', 'lines[].taxRate'),
          optText('FSourceBillNo', 'sourceBillNumber'),
        ]),
      ],
    },
  ],
};

export const RECEIPT: DocumentMap = {
  documentType: 'receipt',
  forms: [
    {
      formId: 'AR_RECEIVEBILL',
      documentType: 'receipt',
      description:
        '收款单：每张被结算的应收单一行收款明细 + 一行源单明细（源单编号、本次收款金额，原币），审核时金蝶核销 (receipt: one line and one source entry per receivable settled, original currency; Kingdee writes off on audit)',
      fields: [
        choose('FCONTACTUNITTYPE', 'contactType', 'text', { CUSTOMER: 'BD_Customer', SUPPLIER: 'BD_Supplier', DEPARTMENT: 'BD_Department', OTHER: 'FIN_OTHERS' }),
        ref('FCONTACTUNIT', 'contact'),
        choose('FPAYUNITTYPE', 'contactType', 'text', { CUSTOMER: 'BD_Customer', SUPPLIER: 'BD_Supplier', DEPARTMENT: 'BD_Department', OTHER: 'FIN_OTHERS' }),
        ref('FPAYUNIT', 'contact'),
        ref('FCURRENCYID', 'currencyNumber'),
        ref('FSETTLECUR', 'currencyNumber'),
        ref('FSETTLEORGID', 'settleOrg'),
        ref('FPAYORGID', 'payOrg'),
        optDecimal('FEXCHANGERATE', 'exchangeRate'),
        optText('FREMARK', 'remark'),
        entries('FRECEIVEBILLENTRY', 'writeOffs', [
          optText('FSETTLETYPEID', 'settleType'), // the rule always sets it; left out, Kingdee answers 结算方式必录
          constant('FPURPOSEID', 'SFKYT01_SYS'),
          decimal('FRECTOTALAMOUNTFOR', 'writeOffs[].amount'),
          decimal('FRECAMOUNTFOR_E', 'writeOffs[].amount'),
          optText('FACCOUNTID', 'bankAccount'),
          optText('FCOMMENT', 'writeOffs[].orderNumber'),
        ]),
        entries('FRECEIVEBILLSRCENTRY', 'writeOffs', [
          constant('FSRCBILLTYPEID', 'AR_receivable'),
          text('FSRCBILLNO', 'writeOffs[].receivableBillNumber'),
          decimal('FREALRECAMOUNT', 'writeOffs[].amount'),
          optText('F_YC_OrderNo', 'writeOffs[].orderNumber'),
        ]),
      ],
    },
  ],
};
