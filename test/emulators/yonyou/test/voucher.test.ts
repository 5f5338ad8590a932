/**
 * The emulator's general-ledger vouchers (addVoucher / queryVouchers): a balanced voucher is kept with its businessId,
 * every refusal is `code 404` in HTTP 200 with an empty `data` (the client turns it into a level-1 error, a repeated
 * businessId into level 2 like any 已存在), debits and credits are compared as exact decimals, and the query finds a
 * voucher by its businessId.
 */
import { YonyouClient, YonyouError } from '@yecai/yonyou';
import { EMULATOR_CREDENTIALS, startYonyouEmulator, VOUCHER_BASE, VoucherBook, type YonyouEmulator } from '../src';

process.env.VOUCHER_TEST_SECRET = EMULATOR_CREDENTIALS.appSecret;

/** 佣金 0.1 + 物流费 0.2 + 进项税 0.03 = 0.33 credited to the platform balance (exact: floats would not balance). */
const voucher = (overrides: Record<string, unknown> = {}) => ({
  accbookCode: 'A001',
  voucherTypeCode: '01',
  period: '2026-11',
  makerMobile: '13800000000',
  description: '亚马逊结算 24000000001 平台费用',
  businessId: 'FS-24000000001',
  bodies: [
    { description: '平台佣金', accsubjectCode: '6601.01', debitOriginal: '0.1', debitOrg: '0.1', currencyCode: 'CNY' },
    {
      description: '平台物流费',
      accsubjectCode: '6601.02',
      debitOriginal: '0.2',
      debitOrg: '0.2',
      currencyCode: 'CNY',
    },
    {
      description: '进项税额',
      accsubjectCode: '2221.01.01',
      debitOriginal: '0.03',
      debitOrg: '0.03',
      currencyCode: 'CNY',
    },
    {
      description: '平台余额',
      accsubjectCode: '1012.05',
      creditOriginal: '0.33',
      creditOrg: '0.33',
      currencyCode: 'CNY',
    },
  ],
  ...overrides,
});

describe('the emulator’s vouchers', () => {
  it('keeps a balanced voucher (status 01 保存) and refuses its businessId again, naming the voucher', () => {
    const book = new VoucherBook();
    const first = book.add(voucher());
    expect(first).toMatchObject({ code: '200', message: 'OK', data: { voucherStatus: '01', billCode: '记-0001' } });
    expect(String(first.data.voucherId)).toMatch(/^\d{19}$/);
    expect(book.add(voucher())).toEqual({
      code: '404',
      message: '凭证保存不成功,业务唯一标识[FS-24000000001]已存在，对应凭证[记-0001]！',
      data: {},
    });
    expect(book.query({ businessId: 'FS-24000000001' }).data.recordList).toEqual([first.data]);
    expect(book.query({ businessId: 'FS-OTHER' }).data.recordList).toEqual([]);
  });

  it.each([
    [{ accbookCode: '' }, '账簿code不能为空！'],
    [{ accbookCode: 'B9' }, '账簿[B9]不存在！'],
    [{ period: '2026-11-01' }, '会计期间[2026-11-01]格式应为yyyy-MM！'],
    [{ makerMobile: undefined }, '制单人手机号和邮箱不能同时为空！'],
    [{ businessId: undefined }, '业务唯一标识(businessId)不能为空！'],
    [{ bodies: [] }, '凭证分录(bodies)不能为空！'],
  ])('refuses %j: %s', (overrides, reason) => {
    expect(new VoucherBook().add(voucher(overrides))).toEqual({
      code: '404',
      message: `凭证保存不成功,${reason}`,
      data: {},
    });
  });

  it('refuses an unknown account, a row on both sides or none, a negative credit, and debits ≠ credits by a cent', () => {
    const bodies = voucher().bodies;
    const refusal = (rows: Record<string, unknown>[]) => new VoucherBook().add(voucher({ bodies: rows })).message;
    expect(refusal([{ ...bodies[0], accsubjectCode: '9999' }, ...bodies.slice(1)])).toBe(
      '凭证保存不成功,第1行分录科目[9999]不存在！',
    );
    expect(refusal([{ ...bodies[0], creditOriginal: '0.1', creditOrg: '0.1' }, ...bodies.slice(1)])).toBe(
      '凭证保存不成功,第1行分录借方和贷方不能同时有值！',
    );
    expect(refusal([{ accsubjectCode: '6601.01' }, ...bodies.slice(1)])).toBe(
      '凭证保存不成功,第1行分录借方和贷方不能同时为空！',
    );
    expect(refusal([...bodies.slice(0, 3), { ...bodies[3], creditOriginal: '-0.33', creditOrg: '-0.33' }])).toBe(
      '凭证保存不成功,第4行分录贷方金额不能为负数[-0.33]！',
    );
    expect(refusal([...bodies.slice(0, 3), { ...bodies[3], creditOriginal: '0.34', creditOrg: '0.34' }])).toBe(
      '凭证保存不成功,借贷不平衡：借方合计[0.33]，贷方合计[0.34]！',
    );
  });

  describe('through the gateway', () => {
    let emulator: YonyouEmulator;
    let client: YonyouClient;
    beforeAll(async () => {
      YonyouClient.clearGatewayCache();
      emulator = await startYonyouEmulator();
      client = YonyouClient.fromConfig({
        name: 'vouchers',
        tenantId: EMULATOR_CREDENTIALS.tenantId,
        appKey: EMULATOR_CREDENTIALS.appKey,
        appSecret: 'env:VOUCHER_TEST_SECRET',
        lookupUrl: emulator.url,
        limits: { callsPerMinute: 600 },
      });
    });
    afterAll(() => emulator.close());

    it('a top-level body posts the voucher; a 404 in HTTP 200 is a level-1 error, a repeated businessId level 2', async () => {
      const posted = await client.write(`${VOUCHER_BASE}/addVoucher`, voucher());
      expect(posted).toMatchObject({ businessId: 'FS-24000000001', voucherStatus: '01' });
      expect(emulator.vouchers.all()).toHaveLength(1);
      const unbalanced = voucher({ businessId: 'FS-2', bodies: voucher().bodies.slice(0, 3) });
      const refused = await client.write(`${VOUCHER_BASE}/addVoucher`, unbalanced).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(YonyouError);
      expect([(refused as YonyouError).level, (refused as YonyouError).apiCode]).toEqual([1, '404']);
      const again = await client.write(`${VOUCHER_BASE}/addVoucher`, voucher()).catch((error: unknown) => error);
      expect([(again as YonyouError).level, (again as YonyouError).userMessage]).toEqual([
        2,
        expect.stringMatching(/业务唯一标识\[FS-24000000001\]已存在/),
      ]);
      const page = await client.list(`${VOUCHER_BASE}/queryVouchers`, { businessId: 'FS-24000000001' });
      expect(page.recordList.map((row) => [row.voucherId, row.billCode])).toEqual([[posted.voucherId, '记-0001']]);
    });
  });
});
