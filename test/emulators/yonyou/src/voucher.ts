/**
 * The general-ledger voucher API (`POST /yonbip/fi/ficloud/openapi/voucher/addVoucher`, yonyou-api.md §3.5.8): a
 * top-level body (no `data` wrapper), `code "404"` with HTTP 200 and an empty `data` for every refusal, `businessId` as
 * the business key ("业务唯一标识，用于业务幂等校验"), no audit API (a voucher stays 01 保存). Its rules: 账簿, 凭证类型
 * and period given and known, a maker (mobile or e-mail), bodies that each name a known account and carry a debit or a
 * credit (never both, no negative credit), debits = credits in the org currency, compared as exact decimals. What a
 * repeated businessId answers is open (§9 q10): the emulator refuses it naming the voucher that has it. The query
 * (`…/queryVouchers`) filters by businessId, 账簿 and period (its real body is not in the research).
 */
import { Decimal, toDecimal } from '@yecai/common';

export const VOUCHER_BASE = '/yonbip/fi/ficloud/openapi/voucher';

export interface Voucher {
  voucherId: string;
  billCode: string;
  /** 01 保存 (no API audits or tallies a voucher). */
  voucherStatus: '01';
  body: Record<string, unknown>;
}

/** The chart the emulator tenant keeps: 账簿, 凭证类型 and 科目 codes. */
export interface VoucherChart {
  accbooks: string[];
  voucherTypes: string[];
  accounts: string[];
}

export const DEFAULT_CHART: VoucherChart = {
  accbooks: ['A001'],
  voucherTypes: ['01'],
  // 销售费用-平台佣金 / -平台物流费 / -广告费 / -仓储费 / -其他平台费, 应交增值税-进项税额, 应交税费-海外增值税,
  // 应收账款, 其他货币资金-平台余额
  accounts: ['6601.01', '6601.02', '6601.03', '6601.04', '6601.05', '2221.01.01', '2221.08', '1122', '1012.05'],
};

type Answer = { code: string; message: string; data: Record<string, unknown> };

export class VoucherBook {
  private readonly vouchers = new Map<string, Voucher>();
  private next = 1;

  constructor(private readonly chart: VoucherChart = DEFAULT_CHART) {}

  all(): Voucher[] {
    return [...this.vouchers.values()];
  }

  /** addVoucher: the voucher, or the documented refusal shape. */
  add(body: Record<string, unknown>): Answer {
    const problem = this.problemOf(body);
    if (problem) return { code: '404', message: `凭证保存不成功,${problem}`, data: {} };
    const voucher: Voucher = {
      // Beyond 2^53, as real YonSuite ids are.
      voucherId: String(1_900_000_000_000_000_000n + BigInt(this.next)),
      billCode: `记-${String(this.next).padStart(4, '0')}`,
      voucherStatus: '01',
      body,
    };
    this.next += 1;
    this.vouchers.set(String(body.businessId), voucher);
    return { code: '200', message: 'OK', data: this.view(voucher) };
  }

  /** queryVouchers: the vouchers matching the given businessId / accbookCode / period. */
  query(filter: Record<string, unknown>): Answer {
    const wanted = (field: string, value: unknown) =>
      typeof filter[field] !== 'string' || filter[field] === '' || filter[field] === value;
    const rows = this.all()
      .filter(
        (voucher) =>
          wanted('businessId', voucher.body.businessId) &&
          wanted('accbookCode', voucher.body.accbookCode) &&
          wanted('period', voucher.body.period),
      )
      .map((voucher) => this.view(voucher));
    return {
      code: '200',
      message: 'OK',
      data: { pageIndex: 1, pageSize: rows.length, recordCount: rows.length, recordList: rows },
    };
  }

  private view(voucher: Voucher): Record<string, unknown> {
    const { bodies, ...head } = voucher.body;
    return { ...head, voucherId: voucher.voucherId, billCode: voucher.billCode, voucherStatus: '01', bodies };
  }

  private problemOf(body: Record<string, unknown>): string | undefined {
    const text = (field: string) => (typeof body[field] === 'string' ? (body[field] as string) : '');
    if (!text('accbookCode')) return '账簿code不能为空！';
    if (!this.chart.accbooks.includes(text('accbookCode'))) return `账簿[${text('accbookCode')}]不存在！`;
    if (!this.chart.voucherTypes.includes(text('voucherTypeCode')))
      return `凭证类型[${text('voucherTypeCode')}]不存在！`;
    if (!/^\d{4}-\d{2}$/.test(text('period'))) return `会计期间[${text('period')}]格式应为yyyy-MM！`;
    if (!text('makerMobile') && !text('makerEmail')) return '制单人手机号和邮箱不能同时为空！';
    const businessId = text('businessId');
    if (!businessId) return '业务唯一标识(businessId)不能为空！';
    const taken = this.vouchers.get(businessId);
    if (taken) return `业务唯一标识[${businessId}]已存在，对应凭证[${taken.billCode}]！`;
    const bodies = body.bodies;
    if (!Array.isArray(bodies) || bodies.length === 0) return '凭证分录(bodies)不能为空！';
    let debit = new Decimal(0);
    let credit = new Decimal(0);
    try {
      for (const [index, raw] of (bodies as Record<string, unknown>[]).entries()) {
        const row = `第${index + 1}行分录`;
        const account = typeof raw.accsubjectCode === 'string' ? raw.accsubjectCode : '';
        if (!this.chart.accounts.includes(account)) return `${row}科目[${account}]不存在！`;
        const isDebit = raw.debitOriginal !== undefined || raw.debitOrg !== undefined;
        const isCredit = raw.creditOriginal !== undefined || raw.creditOrg !== undefined;
        if (isDebit === isCredit) return `${row}借方和贷方${isDebit ? '不能同时有值' : '不能同时为空'}！`;
        const side = isDebit ? 'debit' : 'credit';
        const original = toDecimal(raw[`${side}Original`], `bodies[${index}].${side}Original`);
        const org = toDecimal(raw[`${side}Org`], `bodies[${index}].${side}Org`);
        if (!isDebit && (original.isNegative() || org.isNegative()))
          return `${row}贷方金额不能为负数[${original.toFixed()}]！`;
        if (isDebit) debit = debit.plus(org);
        else credit = credit.plus(org);
      }
    } catch (error) {
      return `${(error as Error).message}！`;
    }
    if (!debit.equals(credit)) return `借贷不平衡：借方合计[${debit.toFixed()}]，贷方合计[${credit.toFixed()}]！`;
    return undefined;
  }
}
