/** The 领星 transport against the emulator: tokens, envelopes, the three paging styles, buckets, answer classes. */
import { createLogger, formatBeijingTime } from '@yecai/common';
import { SourceThrottledError, SourceUnavailableError, type StreamDefinition } from '@yecai/connector-kit';
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator, type LingxingEmulator } from '@yecai/emulator-lingxing';
import { LINGXING_STREAMS } from './streams';
import { LingxingTransport, monthsBetween } from './transport';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const stream = (name: string): StreamDefinition => LINGXING_STREAMS.find((s) => s.name === name)!;
const logger = createLogger('test');

describe('LingxingTransport', () => {
  const fromMs = Date.parse('2026-11-02T00:00:00+08:00');
  const toMs = fromMs + 2 * DAY;
  let emulator: LingxingEmulator;
  let clock: number;
  const transport = (overrides: Partial<ConstructorParameters<typeof LingxingTransport>[0]> = {}) =>
    new LingxingTransport({
      baseUrl: emulator.url,
      appId: LINGXING_TEST_ACCOUNT.appId,
      appSecret: LINGXING_TEST_ACCOUNT.appSecret,
      timeoutMs: 2000,
      throttleBackoffMs: 10,
      logger,
      now: () => clock,
      ...overrides,
    });
  const page = (t: LingxingTransport, name: string, pageIndex = 1, window = { fromMs, toMs }) =>
    t.fetchPage(stream(name), { kind: 'window', ...window, pageIndex, pageSize: stream(name).paging.pageSize });

  beforeEach(async () => {
    clock = Date.now();
    const perType = {
      sales_order: 60,
      purchase_instock: 40,
      other_instock: 40,
      sales_return: 230,
      fee_settlement: 35,
      mp_sales_order: 25,
      stock_count: 15,
      material: 30,
    };
    emulator = await startLingxingEmulator({ seed: 3, documents: { perType, fromMs, toMs }, now: () => clock });
  });
  afterEach(() => emulator.close());

  it('gets a token from the app credentials, refreshes it when it expires mid-run, falls back to a new one when the refresh token is spent', async () => {
    const t = transport();
    await page(t, 'sales_order');
    expect(emulator.stats.token_issued).toBe(1);
    emulator.setFaults({ expireTokenAfterRequests: 1 });
    await page(t, 'sales_order');
    expect(emulator.stats).toMatchObject({ '2001003': 1, token_refreshed: 1 });
    emulator.setFaults({ expireTokenAfterRequests: undefined });
    clock += 2 * HOUR + 60_000; // access token and refresh token both outlived: refresh answers 2001008
    const after = await page(t, 'sales_order');
    expect(after.records.length).toBe(60);
    expect(emulator.stats).toMatchObject({ '2001008': 1, token_issued: 2 });
  });

  it('reads each envelope and paging style: ERP offset/length with [start, end), WMS-style data.list, offset-as-page, finance records', async () => {
    const t = transport();
    const orders = emulator.store.query('sales_order', { fromMs, toMs });
    const last = orders.at(-1)!;
    // The kit's window end is inclusive; the API's is open — the transport asks one second further.
    const upToLast = await page(t, 'sales_order', 1, { fromMs, toMs: last.modifiedMs });
    expect(upToLast.records.map((r) => r.amazon_order_id)).toContain(last.id);
    const returns = emulator.store.query('sales_return', { fromMs, toMs });
    const second = await page(t, 'sales_return', 2);
    expect(second).toMatchObject({ pageCount: 2, hasNext: false });
    expect(second.records.map((r) => r.return_sn)).toEqual(returns.slice(200).map((d) => d.id));
    const inbound = await page(t, 'other_instock');
    expect(inbound.records.every((r) => r.type === 1)).toBe(true);
    expect(inbound.records).toHaveLength(40);
  });

  it('settlement rows: the churning uniqueKey is left out and a composite dedupe_key is stable across reads', async () => {
    const t = transport();
    const first = await page(t, 'fee_settlement');
    const again = await page(t, 'fee_settlement');
    expect(first.records).toHaveLength(35);
    expect(first.records.some((r) => 'uniqueKey' in r)).toBe(false);
    expect(again.records).toEqual(first.records);
    expect(new Set(first.records.map((r) => r.dedupe_key)).size).toBe(35);
  });

  it('currency rates: every month the window touches, whole, one page, each row keyed <date>/<code>', async () => {
    const t = transport();
    const endOfNovember = Date.parse('2026-11-30T23:00:00+08:00');
    const rates = await page(t, 'currency_rate', 1, { fromMs: endOfNovember, toMs: endOfNovember + 2 * HOUR });
    expect(rates).toMatchObject({ hasNext: false, pageCount: 1 });
    expect(rates.records.map((r) => r.rate_key)).toEqual(
      expect.arrayContaining(['2026-11-01/USD', '2026-12-01/USD', '2026-12-01/JPY']),
    );
    expect(rates.records.find((r) => r.rate_key === '2026-11-01/USD')).toMatchObject({
      rate_org: '7.1884',
      my_rate: '7.2000',
      update_time: '2026-11-01 00:05:00',
    });
    expect(monthsBetween(Date.parse('2026-12-31T23:59:59+08:00'), Date.parse('2027-02-01T00:00:00+08:00'))).toEqual([
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
  });

  it('unix-second windows: multi-platform orders; products get update_time_beijing for the cursor; stock counts by page', async () => {
    const t = transport();
    expect((await page(t, 'mp_sales_order')).records).toHaveLength(25);
    const products = await page(t, 'material');
    expect(products.records).toHaveLength(30);
    const first = emulator.store.query('material', { fromMs, toMs })[0]!;
    expect(products.records.find((r) => r.sku === first.id)).toMatchObject({
      update_time: Math.floor(first.modifiedMs / 1000),
      update_time_beijing: formatBeijingTime(first.modifiedMs),
    });
    expect((await page(t, 'stock_count')).records).toHaveLength(15);
  });

  it('keeps one call in flight per path: two lanes on the 入库单 path never draw 3001008', async () => {
    const t = transport();
    emulator.setFaults({ latencyMs: 150 });
    await Promise.all([
      page(t, 'purchase_instock'),
      page(t, 'other_instock'),
      page(t, 'purchase_instock'),
      page(t, 'sales_order'),
    ]);
    expect(emulator.stats['3001008']).toBeUndefined();
    expect(emulator.stats.ok).toBe(4);
  });

  it('classifies answers: 3001008 throttled, 502 unavailable, bad page size level 1, wrong secret a config error', async () => {
    const t = transport();
    emulator.setFaults({ throttleBurst: 1 });
    await expect(page(t, 'sales_order')).rejects.toBeInstanceOf(SourceThrottledError);
    emulator.setFaults({ serverErrorBurst: 1 });
    await expect(page(t, 'sales_order')).rejects.toBeInstanceOf(SourceUnavailableError);
    const tooBig = t.fetchPage(stream('sales_outstock'), { kind: 'window', fromMs, toMs, pageIndex: 1, pageSize: 500 });
    await expect(tooBig).rejects.toMatchObject({ code: 'LINGXING_BAD_REQUEST', level: 1, retriable: false });
    const wrong = transport({ appSecret: 'not-the-secret' });
    await expect(page(wrong, 'sales_order')).rejects.toMatchObject({
      code: 'LINGXING_APP_SECRET_INVALID',
      level: 3,
      retriable: false,
    });
    expect(await wrong.check()).toMatchObject({
      ok: false,
      message: expect.stringMatching(/appSecret 错误.*\/ wrong appSecret/),
    });
    expect(await t.check()).toEqual({ ok: true, message: '领星账号可用 / LingXing account works' });
  });

  it('names the field when an answer has no list', async () => {
    const t = transport();
    // The warehouse list answers in the ERP family (data is a list); read as a finance answer it has no data.records.
    await expect(
      t.fetchPage(
        { ...stream('fee_settlement'), endpoint: '/erp/sc/data/local_inventory/warehouse' },
        { kind: 'window', fromMs, toMs, pageIndex: 1, pageSize: 10 },
      ),
    ).rejects.toMatchObject({ code: 'LINGXING_BAD_RESPONSE', field: 'data.records / data.total' });
  });
});
