import type { YonyouState } from '../src';

/**
 * EFI 应收单 bodies as a sink sends them (extSystemCode yecai, codes for references, exact decimal text): one place for
 * the emulator's tests and the sinks' fixtures that put receivables on the emulator for a 收款单 to write off.
 */

/** One 应收单 line: 2 × A1001-BLK, 39.98 incl. 4.60 tax at 13 %, unless overridden. */
export const efiReceivableLine = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  _status: 'Insert',
  materialCode: 'A1001-BLK',
  quantity: '2',
  taxRate: '13',
  oriTaxIncludedAmount: '39.98',
  oriTaxExcludedAmount: '35.38',
  oriTaxAmount: '4.60',
  ...overrides,
});

/** A blue 应收单 AR-1 of two such lines (79.96 USD) against TM-YS01 in org 100, unless overridden. */
export const efiReceivable = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  extSystemCode: 'yecai',
  extVouchCode: 'AR-1',
  direction: '1',
  billDate: '2026-11-20 00:00:00',
  financeOrgCode: '100',
  orgCode: '100',
  bustypeCode: 'ar_colsale',
  objectType: '1',
  customerCode: 'TM-YS01',
  oriCurrencyCode: 'USD',
  exchangeRate: '7.1884',
  oriTaxIncludedAmount: '79.96',
  _status: 'Insert',
  bodyItem: [efiReceivableLine(), efiReceivableLine({ extRowNo: 'L2' })],
  ...overrides,
});

/** A receivable of one tax-free line of `amount` (negative: a red one), the shape a write-off test needs. */
export const efiReceivableOf = (
  key: string,
  amount: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> => {
  const red = amount.startsWith('-');
  return efiReceivable({
    extVouchCode: key,
    direction: red ? '-1' : '1',
    oriTaxIncludedAmount: amount,
    bodyItem: [
      efiReceivableLine({
        quantity: red ? '-1' : '1',
        taxRate: '0',
        oriTaxIncludedAmount: amount,
        oriTaxExcludedAmount: amount,
        oriTaxAmount: '0',
      }),
    ],
    ...overrides,
  });
};

/**
 * An EFI 应收单 put on the emulator as the receivable flow posts it (extVouchCode `key`, one line of `amount`, default
 * 39.98 USD), audited unless `audit` is false: what a 收款单's write-off names. Returns its id.
 */
export function seedReceivable(
  state: YonyouState,
  key: string,
  options: { amount?: string; currency?: string; audit?: boolean } = {},
): string {
  const saved = state.save(
    'receivable',
    efiReceivableOf(key, options.amount ?? '39.98', { oriCurrencyCode: options.currency ?? 'USD' }),
  );
  if (!saved.ok) throw new Error(saved.message);
  const id = saved.document.id.toString();
  const refused = options.audit === false ? undefined : state.setStatus('receivable', id, true);
  if (refused) throw new Error(refused);
  return id;
}
