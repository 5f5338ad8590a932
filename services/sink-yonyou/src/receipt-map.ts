/**
 * Canonical `receipt` (F16: one platform payout, `SK-<settlementId>`, whose `writeOffs` name the receivables it
 * settles with the amount per receivable in the original currency) → the `data` of the EFI 收款单 save
 * (`POST /yonbip/EFI/collection/save`, yonyou-api.md §3.5.7): the customer is the marketplace customer, one bodyItem
 * per written-off receivable. The receipt names a receivable by its bill number, which is the EFI 应收单's
 * `extVouchCode` (the receivable flow's key); YonSuite links a row to its source by id, so each row carries that key
 * in RECEIVABLE_KEY and the adapter swaps it for the receivable's `srcBillId` / `srcBillNo` (looked up by the EFI
 * business key) just before the save. Audited (the flow's `audit`), YonSuite writes the receivables off.
 */
import { Decimal, toDecimal, ValidationError } from '@yecai/common';
import type { CanonicalJson } from '@yecai/sink-kit';
import type { FlowConfig } from './config';
import { compact, optional, required } from './form-maps';
import { EXT_SYSTEM_CODE } from './receivable-map';

/** Sink-internal row field (never sent): the source 应收单's extVouchCode, replaced by its id before the save. */
export const RECEIVABLE_KEY = 'receivableExtVouchCode';
/**
 * `srcBillType` of a row whose source is an 应收单: 4 (应收事务), the closest value of the save page's documented enum;
 * unconfirmed for an EFI 应收单 (docs/yonyou.md §6).
 */
export const RECEIVABLE_SRC_BILL_TYPE = '4';

export function receiptModel(event: CanonicalJson, flow: FlowConfig, key: string): Record<string, unknown> {
  const contactType = required(event, 'contactType');
  if (contactType !== 'CUSTOMER')
    throw new ValidationError(
      `contactType: 用友收款单只对客户核销应收单，本单往来单位类型为 ${contactType} a YonSuite collection written off against receivables takes a customer (CUSTOMER)`,
      'contactType',
    );
  const writeOffs = event.writeOffs;
  if (!Array.isArray(writeOffs) || writeOffs.length === 0)
    throw new ValidationError(
      'writeOffs: 收款单没有核销的应收单 the receipt names no receivable to write off',
      'writeOffs',
    );
  const date = `${required(event, 'date')} 00:00:00`;
  const currencyValue = required(event, 'currency');
  const rows = (writeOffs as Record<string, unknown>[]).map((writeOff, index) => {
    const at = (field: string) => `writeOffs[${index}].${field}`;
    const amount = toDecimal(required(writeOff, 'amount', at('amount')), at('amount'));
    // YonSuite amounts are to the cent: more places would be rounded there, so say so here instead.
    if (amount.decimalPlaces() > 2)
      throw new ValidationError(
        `${at('amount')}: 核销金额最多两位小数（${amount.toFixed()}） a write-off amount has at most 2 decimal places`,
        at('amount'),
      );
    return compact({
      _status: 'Insert',
      [RECEIVABLE_KEY]: required(writeOff, 'receivableBillNumber', at('receivableBillNumber')),
      srcBillType: RECEIVABLE_SRC_BILL_TYPE,
      oriTaxIncludedAmount: amount.toFixed(2),
      orderNo: optional(writeOff, 'orderNumber'),
    });
  });
  return compact({
    extSystemCode: EXT_SYSTEM_CODE,
    extVouchCode: key,
    billDate: date,
    // 收款组织 = the canonical 收款组织; the 业务组织 is the 结算组织 (the one the receivables were raised in).
    financeOrgCode: required(event, 'payOrg'),
    orgCode: required(event, 'settleOrg'),
    bustypeCode: flow.bustype ?? required({}, 'bustype', 'flow.bustype'),
    objectType: '1',
    customerCode: required(event, 'contact'),
    oriCurrencyCode: flow.currencyCodes[currencyValue] ?? currencyValue,
    exchangeRate: optional(event, 'exchangeRate'),
    exchangeRateDate: optional(event, 'exchangeRate') === undefined ? undefined : date,
    settleModeCode: flow.settleMode ?? required({}, 'settleMode', 'flow.settleMode'),
    enterpriseBankAccountNo:
      flow.enterpriseBankAccount ?? required({}, 'enterpriseBankAccount', 'flow.enterpriseBankAccount'),
    remarks: optional(event, 'remark'),
    // The header 收款金额 YonSuite checks against the rows (Σ bodyItem.oriTaxIncludedAmount, exactly).
    oriTaxIncludedAmount: rows.reduce((sum, row) => sum.plus(row.oriTaxIncludedAmount), new Decimal(0)).toFixed(2),
    _status: 'Insert',
    bodyItem: rows,
  });
}
