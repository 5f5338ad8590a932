/**
 * Transport behaviour that does not depend on emulator data: how every kind of WDT answer is classified, and
 * what a published record looks like (zero dates → null, numbers exactly as sent). A tiny canned server
 * answers; the real protocol (signatures, limits, paging) is exercised against the emulator in emulator.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { YecaiError } from '@yecai/common';
import { SourceThrottledError, SourceUnavailableError } from '@yecai/connector-kit';
import type { WdtCredentials } from './config';
import { wdtStreams } from './streams';
import { WangdiantongTransport, nullZeroDates } from './transport';

let server: Server;
let url: string;
let answer: { status: number; body: string } = { status: 200, body: '{}' };
const requests: Array<{ url: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({ url: request.url ?? '', body });
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const QYB: WdtCredentials = { edition: 'qyb', sid: 'acme', appKey: 'ak', appSecret: 'qyb-secret-value' };
const QJB: WdtCredentials = { edition: 'qjb', sid: 'acme', appKey: 'ak', secret: 'qjb-secret-value', salt: 'salt1' };
const transport = (credentials: WdtCredentials) =>
  new WangdiantongTransport({
    credentials,
    baseUrl: credentials.edition === 'qyb' ? `${url}/openapi2` : `${url}/openapi`,
    throttleBackoff: { perMinuteMs: 61_000, concurrencyMs: 1500 },
  });
const stream = (name: string) => wdtStreams({ edition: 'qjb' }).find((s) => s.name === name)!;
const page0 = {
  kind: 'window' as const,
  fromMs: Date.UTC(2026, 10, 1),
  toMs: Date.UTC(2026, 10, 1, 1),
  pageIndex: 1,
  pageSize: 100,
};

async function failure(credentials: WdtCredentials, body: unknown, status = 200): Promise<unknown> {
  answer = { status, body: typeof body === 'string' ? body : JSON.stringify(body) };
  try {
    await transport(credentials).fetchPage(stream('sales_outstock'), page0);
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('WDT transport: answers classified once', () => {
  it.each([
    [QYB, { code: 1, message: '超过每分钟最大调用频率限制，请稍后重试' }, 'WDT_THROTTLED_MINUTE', 61_000],
    [QJB, { status: 100, message: '超过每分钟最大调用频率限制，请稍后重试' }, 'WDT_THROTTLED_MINUTE', 61_000],
    [QJB, { status: 100, message: '超过每分钟最大并发次数限制，请稍后重试' }, 'WDT_THROTTLED_CONCURRENCY', 1500],
  ])('throttle text → SourceThrottledError waiting as configured (%#)', async (credentials, body, code, wait) => {
    const error = await failure(credentials, body);
    expect(error).toBeInstanceOf(SourceThrottledError);
    expect(error).toMatchObject({ code, retryAfterMs: wait, retriable: true });
  });

  it.each([
    [QYB, { code: 2030, message: '签名错误' }, 'WDT_SIGN_INVALID', /appSecret/],
    [QJB, { status: 1, message: '签名错误' }, 'WDT_SIGN_INVALID', /secret:salt/],
    [QYB, { code: 2060, message: '卖家账号不存在' }, 'WDT_SID_INVALID', /sid/],
    [QJB, { status: 1, message: 'sid不存在' }, 'WDT_SID_INVALID', /sid/],
    [QYB, { code: 2060, message: 'appkey不存在' }, 'WDT_APPKEY_INVALID', /appKey/],
    [QJB, { status: 1, message: 'key不存在或无权限' }, 'WDT_APPKEY_INVALID', /appKey/],
    [QJB, { status: 7, message: 'timestamp超时' }, 'WDT_TIMESTAMP_INVALID', /时钟/],
    [QJB, { status: 6, message: 'IP限制' }, 'WDT_IP_NOT_ALLOWED', /白名单/],
    [QYB, { code: 2100, message: '接口不存在或无权限' }, 'WDT_NO_PERMISSION', /edition/],
  ])('credential answers stop with the setting to fix (%#)', async (credentials, body, code, hint) => {
    const error = (await failure(credentials, body)) as YecaiError;
    expect(error).toBeInstanceOf(YecaiError);
    expect(error).toMatchObject({ code, level: 3, retriable: false });
    expect(error.userMessage).toMatch(hint);
    expect(`${error.message} ${error.userMessage}`).not.toMatch(/secret-value/);
  });

  it.each([
    [QYB, { code: 100, message: '查询时间不能大于30天' }, 'WDT_BUSINESS_100'],
    [QJB, { status: 1, message: '参数错误：缺少sid' }, 'WDT_BUSINESS_1'],
    [QJB, { status: 2, message: '参数不合法：start_time格式错误' }, 'WDT_BUSINESS_2'],
  ])('parameter answers are our request’s fault: level 1, not retried (%#)', async (credentials, body, code) => {
    expect(await failure(credentials, body)).toMatchObject({ code, level: 1, retriable: false });
  });

  it.each([
    [QJB, { status: 4, message: '数据库错误' }, 'WDT_STATUS_4'],
    [QYB, 'not json', 'WDT_BAD_RESPONSE'],
    [QYB, { message: 'no code' }, 'WDT_BAD_RESPONSE'],
  ])('server trouble is retriable (%#)', async (credentials, body, code) => {
    const error = await failure(credentials, body);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error).toMatchObject({ code, retriable: true });
  });

  it('HTTP errors and an unreachable host are retriable', async () => {
    expect(await failure(QYB, 'bad gateway', 502)).toMatchObject({ code: 'WDT_HTTP_502', retriable: true });
    const offline = new WangdiantongTransport({ credentials: QYB, baseUrl: 'http://127.0.0.1:1/openapi2' });
    await expect(offline.fetchPage(stream('sales_outstock'), page0)).rejects.toMatchObject({
      code: 'WDT_NETWORK',
      retriable: true,
    });
  });

  it('refuses a window longer than the edition allows before calling (旗舰版 sales out-stock 60 min)', async () => {
    requests.length = 0;
    await expect(
      transport(QJB).fetchPage(stream('sales_outstock'), { ...page0, toMs: page0.fromMs + 61 * 60_000 }),
    ).rejects.toMatchObject({ code: 'WDT_WINDOW_TOO_LONG', level: 1, field: 'windowMinutes' });
    expect(requests).toHaveLength(0);
  });

  it('check() reports credentials in Chinese and English', async () => {
    answer = { status: 200, body: JSON.stringify({ status: 1, message: '签名错误' }) };
    expect(await transport(QJB).check()).toMatchObject({
      ok: false,
      code: 'WDT_SIGN_INVALID',
      message: /签名错误.*\//u,
    });
    answer = { status: 200, body: JSON.stringify({ code: 0, message: 'ok', total_count: '1', warehouses: [{}] }) };
    expect(await transport(QYB).check()).toEqual({
      ok: true,
      message: '旺店通企业版账号可用 / Wangdiantong (qyb) account works',
    });
  });
});

describe('WDT transport: records as published', () => {
  it('keeps string numbers and long numbers exactly, turns zero dates into null', async () => {
    answer = {
      status: 200,
      body:
        '{"status":0,"data":{"total_count":1,"order":[{"stockout_id":9007199254740993,"modified":"2026-11-01 08:30:00",' +
        '"goods_count":"2.0000","paid":59.50,"check_time":"0000-00-00 00:00:00",' +
        '"details_list":[{"rec_id":"1","expire_date":"0000-00-00 00:00:00","price":0.10}]}]}}',
    };
    const page = await transport(QJB).fetchPage(stream('sales_outstock'), page0);
    expect(page).toMatchObject({ pageCount: 1, hasNext: false });
    expect(JSON.stringify(page.records[0])).toBe(
      '{"stockout_id":9007199254740993,"modified":"2026-11-01 08:30:00","goods_count":"2.0000","paid":59.50,' +
        '"check_time":null,"details_list":[{"rec_id":"1","expire_date":null,"price":0.10}]}',
    );
  });

  it('sends 0-based pages, the window and calc_total on page 0 only (旗舰版); counts pages from page 0', async () => {
    requests.length = 0;
    answer = { status: 200, body: JSON.stringify({ status: 0, data: { total_count: 250, order: [] } }) };
    expect(await transport(QJB).fetchPage(stream('sales_outstock'), page0)).toMatchObject({
      pageCount: 3,
      hasNext: true,
    });
    answer = { status: 200, body: JSON.stringify({ status: 0, data: { order: [] } }) };
    await transport(QJB).fetchPage(stream('sales_outstock'), { ...page0, pageIndex: 3 });
    const [first, third] = requests.map((r) => ({ query: new URL(r.url, url).searchParams, body: JSON.parse(r.body) }));
    expect(first!.query.get('page_no')).toBe('0');
    expect(first!.query.get('calc_total')).toBe('1');
    expect(third!.query.get('page_no')).toBe('2');
    expect(third!.query.has('calc_total')).toBe(false);
    expect(third!.body).toEqual([
      { status_type: 3, status: '110', start_time: '2026-11-01 08:00:00', end_time: '2026-11-01 09:00:00' },
    ]);
    expect(first!.query.get('method')).toBe('wms.stockout.Sales.queryWithDetail');
  });

  it('企业版: form parameters with is_by_modified on sales out-stock, no window for shops', async () => {
    requests.length = 0;
    answer = { status: 200, body: JSON.stringify({ code: 0, message: 'ok', total_count: '0', stockout_list: [] }) };
    await transport(QYB).fetchPage(stream('sales_outstock'), page0);
    answer = { status: 200, body: JSON.stringify({ code: 0, message: 'ok', total_count: '0', shoplist: [] }) };
    await transport(QYB).fetchPage(stream('customer'), page0);
    const [sales, shops] = requests.map((r) => ({ path: r.url, form: new URLSearchParams(r.body) }));
    expect(sales!.path).toBe('/openapi2/stockout_order_query_trade.php');
    expect(Object.fromEntries(sales!.form)).toMatchObject({
      sid: 'acme',
      appkey: 'ak',
      page_no: '0',
      page_size: '100',
      is_by_modified: '1',
      start_time: '2026-11-01 08:00:00',
      end_time: '2026-11-01 09:00:00',
    });
    expect(shops!.path).toBe('/openapi2/shop.php');
    expect(shops!.form.has('start_time')).toBe(false);
  });

  it('nullZeroDates leaves every other value alone', () => {
    expect(nullZeroDates({ a: '0000-00-00', b: ['0000-00-00 00:00:00', '2026-01-01 00:00:00'], c: 0, d: '' })).toEqual({
      a: null,
      b: [null, '2026-01-01 00:00:00'],
      c: 0,
      d: '',
    });
  });
});
