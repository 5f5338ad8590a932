/**
 * Canonical `fee_settlement` (F15: one platform payout's fees, classified to accounts — VAT rows on their own 2221
 * account, never allocated) → the body of a general-ledger voucher (`POST /yonbip/fi/ficloud/openapi/voucher/addVoucher`,
 * yonyou-api.md §3.5.8; a top-level body, no `data` wrapper). Kingdee posts the same event as an AP_Payable 费用应付单;
 * YonSuite has no documented expense-payable API, so the fees go straight to the ledger: one debit per account, fee
 * type and SKU (a negative net — a fee refunded — is a credit of its absolute value), and one row on the platform's
 * clearing account (the flow's) for the net, on whichever side balances. Amounts are exact: the original currency as
 * given, the org currency = original × the event's rate to the cent per row, and the clearing row takes the exact sum
 * of the rounded rows, so debits equal credits to the cent. `businessId` = the flow's key (the voucher's business key).
 */
import { Decimal, toDecimal, ValidationError } from '@yecai/common';
import type { CanonicalJson } from '@yecai/sink-kit';
import type { FlowConfig } from './config';
import { compact, optional, required } from './form-maps';

type Row = { account: string; description: string; original: Decimal };

export function voucherModel(event: CanonicalJson, flow: FlowConfig, key: string): Record<string, unknown> {
  const fees = event.fees;
  if (!Array.isArray(fees) || fees.length === 0)
    throw new ValidationError('fees: 结算单没有费用行 the settlement has no fee rows', 'fees');
  const currencyValue = required(event, 'currency');
  const currency = flow.currencyCodes[currencyValue] ?? currencyValue;
  // No rate: the settlement is in the org currency (Kingdee takes its default rate the same way).
  const rate = toDecimal(optional(event, 'exchangeRate') ?? '1', 'exchangeRate');
  const groups = new Map<string, Row>();
  (fees as Record<string, unknown>[]).forEach((fee, index) => {
    const at = (field: string) => `fees[${index}].${field}`;
    const account = required(fee, 'account', at('account'));
    const feeType = required(fee, 'feeType', at('feeType'));
    const sku = optional(fee, 'sku');
    const amount = toDecimal(required(fee, 'amount', at('amount')), at('amount'));
    const group = `${account}|${feeType}|${sku ?? ''}`;
    const row = groups.get(group) ?? {
      account,
      description: sku ? `${feeType} ${sku}` : feeType,
      original: new Decimal(0),
    };
    groups.set(group, { ...row, original: row.original.plus(amount) });
  });
  const side = (original: Decimal, org: Decimal, currencyCode: string, debit: boolean) =>
    debit
      ? { debitOriginal: original.toFixed(), debitOrg: org.toFixed(2), currencyCode }
      : { creditOriginal: original.toFixed(), creditOrg: org.toFixed(2), currencyCode };
  let net = new Decimal(0);
  let netOrg = new Decimal(0);
  const bodies = [...groups.values()]
    .filter((row) => !row.original.isZero())
    .map((row) => {
      const org = row.original.abs().times(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
      const debit = row.original.isPositive();
      net = net.plus(row.original);
      netOrg = debit ? netOrg.plus(org) : netOrg.minus(org);
      return compact({
        description: row.description,
        accsubjectCode: row.account,
        ...side(row.original.abs(), org, currency, debit),
      });
    });
  if (bodies.length === 0)
    throw new ValidationError('fees: 费用合计为零，无需凭证 the fees net to zero on every account: no voucher', 'fees');
  const settlementId = required(event, 'settlementId');
  const date = optional(event, 'date') ?? required(event, 'periodEnd');
  return compact({
    accbookCode: flow.accbook ?? required({}, 'accbook', 'flow.accbook'),
    voucherTypeCode: flow.voucherType ?? required({}, 'voucherType', 'flow.voucherType'),
    period: date.slice(0, 7),
    ...(flow.maker?.includes('@') ? { makerEmail: flow.maker } : { makerMobile: flow.maker }),
    makeTime: `${date} 00:00:00`,
    description: `平台结算 ${settlementId} 费用${optional(event, 'marketplace') ? ` ${optional(event, 'marketplace')}` : ''}`,
    businessId: key,
    externalSourceDataId: settlementId,
    externalSourceSystemName: 'yecai',
    bodies: [
      ...bodies,
      // The platform's clearing account carries the net, on the side that balances, to the cent of the rows above.
      compact({
        description: `平台结算 ${settlementId}`,
        accsubjectCode: flow.clearingAccount ?? required({}, 'clearingAccount', 'flow.clearingAccount'),
        ...side(net.abs(), netOrg.abs(), currency, netOrg.isNegative()),
      }),
    ],
  });
}
