/**
 * Canonical `receivable` (F12/F16: a shipped marketplace order → 应收单 against the marketplace customer, in the order
 * currency with its rate; a refund is a red receivable with negative amounts) → the `data` of the EFI 应收单 save
 * (`POST /yonbip/EFI/receivable/save`, yonyou-api.md §3.5.7). The EFI generation is the one the mapping draft (§8)
 * names first (§9 q8 leaves the choice open: fi 应收事项 is the older one). References travel as codes in the `…Code`
 * fields; every amount is exact decimal text; the key is `extSystemCode` "yecai" + `extVouchCode` = the flow's key.
 */
import { Decimal, toDecimal, ValidationError } from '@yecai/common';
import type { CanonicalJson } from '@yecai/sink-kit';
import type { FlowConfig } from './config';
import { compact, linesOf, optional, required } from './form-maps';

/** Our `extSystemCode`: with `extVouchCode` the EFI business key YonSuite keeps unique. */
export const EXT_SYSTEM_CODE = 'yecai';

export function receivableModel(event: CanonicalJson, flow: FlowConfig, key: string): Record<string, unknown> {
  // A red receivable names the blue one it reverses; its amounts and quantities are negative (canonical contract).
  const red = optional(event, 'reversesBillNumber') !== undefined;
  const date = `${required(event, 'date')} 00:00:00`;
  const currencyValue = required(event, 'currency');
  const currency = flow.currencyCodes[currencyValue] ?? currencyValue;
  const customer = required(event, 'customer');
  const lines = linesOf(event).map((line, index) => {
    const at = (field: string) => `lines[${index}].${field}`;
    const amount = toDecimal(required(line, 'amount', at('amount')), at('amount'));
    const tax = toDecimal(required(line, 'taxAmount', at('taxAmount')), at('taxAmount'));
    const quantity = required(line, 'quantity', at('quantity'));
    if (red ? amount.gt(0) : amount.lt(0))
      throw new ValidationError(
        `${at('amount')}: ${red ? '红字应收单金额不能为正' : '蓝字应收单金额不能为负'}（${amount.toFixed()}） ${red ? 'a red receivable (reversesBillNumber set) carries negative amounts' : 'a blue receivable carries no negative amount; a refund names reversesBillNumber'}`,
        at('amount'),
      );
    return compact({
      _status: 'Insert',
      materialCode: optional(line, 'material'),
      quantity,
      oriTaxIncludedPrice: optional(line, 'taxInclusivePrice'),
      taxRate: required(line, 'taxRate', at('taxRate')),
      oriTaxIncludedAmount: amount.toFixed(2),
      oriTaxAmount: tax.toFixed(2),
      oriTaxExcludedAmount: amount.minus(tax).toFixed(2),
      orderNo: optional(event, 'platformOrderNumber'),
      extRowNo: optional(line, 'lineId'),
    });
  });
  return compact({
    extSystemCode: EXT_SYSTEM_CODE,
    extVouchCode: key,
    direction: red ? '-1' : '1',
    billDate: date,
    financeOrgCode: required(event, 'settleOrg'),
    orgCode: required(event, 'saleOrg'),
    bustypeCode: flow.bustype ?? required({}, 'bustype', 'flow.bustype'),
    objectType: '1',
    customerCode: customer,
    oriCurrencyCode: currency,
    exchangeRate: optional(event, 'exchangeRate'),
    exchangeRateDate: optional(event, 'exchangeRate') === undefined ? undefined : date,
    remarks: optional(event, 'remark'),
    // The header total YonSuite checks against the lines (Σ bodyItem.oriTaxIncludedAmount, exactly).
    oriTaxIncludedAmount: lines.reduce((sum, line) => sum.plus(line.oriTaxIncludedAmount), new Decimal(0)).toFixed(2),
    _status: 'Insert',
    bodyItem: lines,
  });
}
