/** 领星 emulator fidelity: signature vector, tokens, envelopes per prefix, the three paging styles, buckets, faults. */
import { createHash } from 'node:crypto';
import { formatBeijingTime } from '@yecai/common';
import { expectedSign, normaliseSign, signatureMatches, stringToSign } from './signing';
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator, type LingxingEmulator } from './server';
import { call, token } from './test-client';

const APP = LINGXING_TEST_ACCOUNT;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('领星 signature (the emulator’s own implementation)', () => {
  // Source-apis §4.3 / §7 T7, recomputed with OpenSSL by the spec's authors.
  const vector = {
    access_token: '59cf5437-669b-49f5-83c4-3cc1d1404680',
    app_key: 'ak_0123456789abc',
    timestamp: 1639734344,
    offset: 0,
    length: 20,
  };
  const SIGN = 'xUPCuB57bFi56QnozX0ra8s6NzdOAeO79NSvQxo2g+1IwVhSPzVcd0sPeLkAl3rO';

  it('reproduces the worked vector: string to sign, upper-case MD5, AES-128-ECB base64', () => {
    const text = stringToSign(vector);
    expect(text).toBe(
      'access_token=59cf5437-669b-49f5-83c4-3cc1d1404680&app_key=ak_0123456789abc&length=20&offset=0&timestamp=1639734344',
    );
    expect(createHash('md5').update(text).digest('hex').toUpperCase()).toBe('9DBE4F8D9D1CB29C0BF8BD665E42BB6E');
    expect(expectedSign('ak_0123456789abc', vector)).toBe(SIGN);
  });

  it('accepts the sign URL-encoded once or twice or with + decoded to a space; rejects a one-character change', () => {
    expect(signatureMatches('ak_0123456789abc', vector, encodeURIComponent(SIGN))).toBe(true);
    expect(signatureMatches('ak_0123456789abc', vector, encodeURIComponent(encodeURIComponent(SIGN)))).toBe(true);
    expect(normaliseSign(SIGN.replace('+', ' '))).toBe(SIGN);
    expect(signatureMatches('ak_0123456789abc', vector, SIGN.replace('xUP', 'xUQ'))).toBe(false);
    expect(signatureMatches('ak_0123456789abc', { ...vector, length: 21 }, SIGN)).toBe(false);
  });

  it('skips "" and null, renders nested values as compact JSON (either key order)', () => {
    expect(stringToSign({ b: '', a: null, c: { y: 1, x: [1, '二'] } })).toBe('c={"y":1,"x":[1,"二"]}');
    const params = { app_key: APP.appId, filter: { z: 1, a: 2 } };
    expect(signatureMatches(APP.appId, params, expectedSign(APP.appId, params, true))).toBe(true);
  });
});

describe('领星 emulator', () => {
  const fromMs = Date.parse('2026-11-01T00:00:00+08:00');
  const toMs = fromMs + 3 * DAY;
  let emulator: LingxingEmulator;
  let clock = Date.now();
  let accessToken: string;
  beforeEach(async () => {
    clock = Date.now();
    const perType = {
      sales_order: 120,
      sales_outstock: 90,
      sales_return: 45,
      fee_settlement: 70,
      purchase_instock: 30,
      other_instock: 20,
      mp_sales_order: 30,
      stock_count: 25,
      material: 40,
    };
    emulator = await startLingxingEmulator({ seed: 7, documents: { perType, fromMs, toMs }, now: () => clock });
    accessToken = (await token(emulator)).data.access_token as string;
  });
  afterEach(() => emulator.close());
  const window = (from: number, to: number) => ({
    start_date: formatBeijingTime(from),
    end_date: formatBeijingTime(to),
  });

  it('tokens: string "200", 7199 s; refresh tokens are single-use and expire after 2 h; fall back to access-token', async () => {
    const issued = await token(emulator);
    expect(issued).toMatchObject({ code: '200', msg: 'OK', data: { expires_in: 7199 } });
    expect(await token(emulator, 'access-token', { appId: APP.appId, appSecret: 'wrong' })).toMatchObject({
      code: '2001002',
    });
    const refreshed = await token(emulator, 'refresh', { appId: APP.appId, refreshToken: issued.data.refresh_token });
    expect(refreshed.code).toBe('200');
    expect(refreshed.data.refresh_token).not.toBe(issued.data.refresh_token);
    expect(
      await token(emulator, 'refresh', { appId: APP.appId, refreshToken: issued.data.refresh_token }),
    ).toMatchObject({ code: '2001009' });
    clock += 2 * HOUR + 1000;
    expect(
      await token(emulator, 'refresh', { appId: APP.appId, refreshToken: refreshed.data.refresh_token }),
    ).toMatchObject({ code: '2001008' });
    // The access token outlived by the clock: 2001003 (timestamps follow the emulator's clock here).
    const late = await call(
      emulator,
      refreshed.data.access_token,
      '/erp/sc/data/mws/orders',
      { date_type: 2, ...window(fromMs, toMs) },
      Math.floor(clock / 1000),
    );
    expect(late.code).toBe('2001003');
  });

  it('refuses a bad sign, an old timestamp and a missing public parameter', async () => {
    const body = { date_type: 2, ...window(fromMs, toMs) };
    const tampered = `${emulator.url}/erp/sc/data/mws/orders?${new URLSearchParams({ access_token: accessToken, app_key: APP.appId, timestamp: String(Math.floor(clock / 1000)), sign: expectedSign(APP.appId, { x: 1 }) })}`;
    const bad = await (
      await fetch(tampered, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json();
    expect(bad).toMatchObject({ code: '2001006', msg: 'api sign not correct' });
    expect(
      await call(emulator, accessToken, '/erp/sc/data/mws/orders', body, Math.floor(clock / 1000) - 200),
    ).toMatchObject({ code: '2001007' });
    const missing = (await (
      await fetch(`${emulator.url}/erp/sc/data/mws/orders?app_key=${APP.appId}`, { method: 'POST' })
    ).json()) as any;
    expect(missing.code).toBe('3001001');
  });

  it('Amazon orders: ERP envelope (top-level total, data list), offset/length rows, [start, end) by LingXing update time', async () => {
    const all = emulator.store.query('sales_order', { fromMs, toMs });
    const edge = all[10]!.modifiedMs;
    const first = await call(emulator, accessToken, '/erp/sc/data/mws/orders', {
      date_type: 2,
      offset: 0,
      length: 4,
      ...window(fromMs, edge),
    });
    expect(first).toMatchObject({ code: 0, message: 'success', error_details: [] });
    expect(first.total).toBe(all.filter((d) => d.modifiedMs < edge).length);
    expect(first.data.map((r: any) => r.amazon_order_id)).toEqual(all.slice(0, 4).map((d) => d.id));
    const second = await call(emulator, accessToken, '/erp/sc/data/mws/orders', {
      date_type: 2,
      offset: 4,
      length: 4,
      ...window(fromMs, edge),
    });
    expect(second.data.map((r: any) => r.amazon_order_id)).toEqual(all.slice(4, 8).map((d) => d.id));
    // Without date_type 2 the API filters by order date, not by the last change: a late refund is then invisible.
    const refunded = all[0]!;
    emulator.store.refundAfterShipment('sales_order', refunded.id, toMs + DAY);
    const byChange = await call(emulator, accessToken, '/erp/sc/data/mws/orders', {
      date_type: 2,
      ...window(toMs + DAY - HOUR, toMs + DAY + 1000),
    });
    expect(byChange.data).toEqual([
      expect.objectContaining({
        amazon_order_id: refunded.id,
        is_return: 1,
        gmt_modified: formatBeijingTime(toMs + DAY),
      }),
    ]);
    const byOrderDate = await call(emulator, accessToken, '/erp/sc/data/mws/orders', {
      date_type: 1,
      ...window(toMs + DAY - HOUR, toMs + DAY + 1000),
    });
    expect(byOrderDate.total).toBe(0);
  });

  it('WMS out-stock: data.list envelope, page/page_size, whole-day Y-m-d windows, page_size ≤ 200', async () => {
    const day = formatBeijingTime(fromMs).slice(0, 10);
    const answer = await call(emulator, accessToken, '/erp/sc/routing/wms/order/wmsOrderList', {
      time_type: 'update_at',
      start_date: day,
      end_date: day,
      page: 2,
      page_size: 5,
    });
    const expected = emulator.store.query('sales_outstock', { fromMs, toMs: fromMs + DAY - 1000 });
    expect(answer.data.total).toBe(expected.length);
    expect(answer.data.list.map((r: any) => r.wo_number)).toEqual(expected.slice(5, 10).map((d) => d.id));
    expect(answer.data.list[0]).toEqual(
      expect.objectContaining({
        order_currency_code: expect.stringMatching(/^[A-Z]{3}$/),
        product_info: expect.any(Array),
      }),
    );
    const tooBig = await call(emulator, accessToken, '/erp/sc/routing/wms/order/wmsOrderList', {
      time_type: 'update_at',
      start_date: day,
      end_date: day,
      page: 1,
      page_size: 201,
    });
    expect(tooBig).toMatchObject({ code: 102, message: expect.stringContaining('page_size') });
  });

  it('multi-platform returns: offset is a PAGE NUMBER (1-based)', async () => {
    const all = emulator.store.query('sales_return', { fromMs, toMs });
    const page2 = await call(emulator, accessToken, '/pb/mp/returns/v2/list', {
      time_type: 'updateTime',
      start_time: formatBeijingTime(fromMs),
      end_time: formatBeijingTime(toMs),
      offset: 2,
      length: 10,
    });
    expect(page2.data.list.map((r: any) => r.return_sn)).toEqual(all.slice(10, 20).map((d) => d.id));
  });

  it('settlement detail: finance envelope (msg, data.records), 7-day limit, uniqueKey churns on service-fee rows, late rows', async () => {
    const body = {
      gmtModifiedStart: formatBeijingTime(fromMs),
      gmtModifiedEnd: formatBeijingTime(toMs),
      offset: 0,
      length: 1000,
    };
    const first = await call(emulator, accessToken, '/bd/sp/api/open/settlement/transaction/detail/list', body);
    const again = await call(emulator, accessToken, '/bd/sp/api/open/settlement/transaction/detail/list', body);
    expect(first).toMatchObject({ code: 0, msg: 'success', data: { total: 70 } });
    const serviceFees = (answer: any) => answer.data.records.filter((r: any) => r.eventType === 'ServiceFeeEventList');
    expect(serviceFees(first).length).toBeGreaterThan(0);
    serviceFees(first).forEach((row: any, i: number) =>
      expect(row.uniqueKey).not.toBe(serviceFees(again)[i].uniqueKey),
    );
    const { uniqueKey: _a, ...stableFirst } = first.data.records.find((r: any) => r.eventType === 'Shipment');
    const { uniqueKey: _b, ...stableAgain } = again.data.records.find((r: any) => r.eventType === 'Shipment');
    expect(stableAgain).toEqual(stableFirst);
    const tooLong = await call(emulator, accessToken, '/bd/sp/api/open/settlement/transaction/detail/list', {
      ...body,
      gmtModifiedEnd: formatBeijingTime(fromMs + 8 * DAY),
    });
    expect(tooLong).toMatchObject({ code: 102, msg: expect.stringContaining('7') });
    const [late] = emulator.store.addLateSettlementRows(1, toMs + DAY, 6);
    const lateAnswer = await call(emulator, accessToken, '/bd/sp/api/open/settlement/transaction/detail/list', {
      ...body,
      gmtModifiedStart: formatBeijingTime(toMs + DAY),
      gmtModifiedEnd: formatBeijingTime(toMs + DAY),
    });
    expect(lateAnswer.data.records).toEqual([
      expect.objectContaining({
        gmtModified: formatBeijingTime(late!.modifiedMs),
        postedDateLocale: formatBeijingTime(toMs + DAY - 6 * DAY),
      }),
    ]);
  });

  it('settlement summary: one shop and currency per settlement, Closed once complete; detail by settlementId', async () => {
    const summary = await call(emulator, accessToken, '/bd/sp/api/open/settlement/summary/list', {
      gmtModifiedStart: formatBeijingTime(fromMs),
      gmtModifiedEnd: formatBeijingTime(toMs),
      offset: 0,
      length: 100,
    });
    // 70 rows in settlements of 20: three complete (Closed), the fourth still open.
    expect(summary).toMatchObject({ code: 0, data: { total: 4 } });
    const records = summary.data.records as any[];
    expect(records.map((s) => s.processingStatus).sort()).toEqual(['Closed', 'Closed', 'Closed', 'Open']);
    for (const settlement of records) {
      const detail = await call(emulator, accessToken, '/bd/sp/api/open/settlement/transaction/detail/list', {
        settlementId: settlement.settlementId,
        offset: 0,
        length: 10_000,
      });
      const rows = detail.data.records as any[];
      expect(rows.length).toBe(settlement.processingStatus === 'Closed' ? 20 : 10);
      expect(new Set(rows.map((row) => `${row.settlementId} ${row.sid} ${row.currencyCode}`))).toEqual(
        new Set([`${settlement.settlementId} ${settlement.sid} ${settlement.currencyCode}`]),
      );
      const cents = rows.reduce((sum, row) => sum + Math.round(Number(row.currencyAmount) * 100), 0);
      expect(Math.round(Number(settlement.originalTotalCurrencyAmount) * 100)).toBe(cents);
      expect(settlement.gmtModified).toBe(
        rows
          .map((row) => row.gmtModified)
          .sort()
          .pop(),
      );
    }
    const tooLong = await call(emulator, accessToken, '/bd/sp/api/open/settlement/summary/list', {
      gmtModifiedStart: formatBeijingTime(fromMs),
      gmtModifiedEnd: formatBeijingTime(fromMs + 91 * DAY),
    });
    expect(tooLong).toMatchObject({ code: 102, msg: expect.stringContaining('90') });
  });

  it('inbound: one path serves several types by `type`; the bucket (1) answers 3001008 while a call is in flight', async () => {
    const body = (type: number) => ({
      type,
      search_field_time: 'increment_time',
      ...window(fromMs, toMs),
      offset: 0,
      length: 200,
    });
    expect((await call(emulator, accessToken, '/erp/sc/routing/storage/inbound/getOrders', body(2))).total).toBe(30);
    expect((await call(emulator, accessToken, '/erp/sc/routing/storage/inbound/getOrders', body(1))).total).toBe(20);
    emulator.setFaults({ latencyMs: 300 });
    const [a, b, other] = await Promise.all([
      call(emulator, accessToken, '/erp/sc/routing/storage/inbound/getOrders', body(2)),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        call(emulator, accessToken, '/erp/sc/routing/storage/inbound/getOrders', body(1)),
      ),
      call(emulator, accessToken, '/erp/sc/data/mws/orders', { date_type: 2, ...window(fromMs, toMs) }),
    ]);
    expect([a.code, b.code, other.code]).toEqual([0, '3001008', 0]);
    // The token came back when the first call completed.
    expect((await call(emulator, accessToken, '/erp/sc/routing/storage/inbound/getOrders', body(1))).code).toBe(0);
    expect(emulator.stats['3001008']).toBe(1);
  });

  it('faults: token expiry after N calls, throttle bursts, 502 pages', async () => {
    emulator.setFaults({ expireTokenAfterRequests: 1 });
    const body = { date_type: 2, ...window(fromMs, toMs) };
    expect((await call(emulator, accessToken, '/erp/sc/data/mws/orders', body)).code).toBe(0);
    expect((await call(emulator, accessToken, '/erp/sc/data/mws/orders', body)).code).toBe('2001003');
    const fresh = (await token(emulator)).data.access_token as string;
    emulator.setFaults({ expireTokenAfterRequests: undefined, throttleBurst: 1, serverErrorBurst: 1 });
    const gateway = await fetch(`${emulator.url}/erp/sc/data/mws/orders`, { method: 'POST' });
    expect(gateway.status).toBe(502);
    expect((await call(emulator, fresh, '/erp/sc/data/mws/orders', body)).code).toBe('3001008');
    expect((await call(emulator, fresh, '/erp/sc/data/mws/orders', body)).code).toBe(0);
  });

  it('unix-second windows (multi-platform orders, products) and page/page_size stock counts', async () => {
    const unix = (ms: number) => Math.floor(ms / 1000);
    const mp = await call(emulator, accessToken, '/pb/mp/order/v2/list', {
      date_type: 'update_time',
      start_time: unix(fromMs),
      end_time: unix(toMs),
      offset: 0,
      length: 500,
    });
    expect(mp.data.total).toBe(30);
    expect(mp.data.list[0]).toEqual(
      expect.objectContaining({
        global_order_no: expect.stringMatching(/^MP/),
        update_time: expect.stringMatching(/^2026-11-0\d /),
      }),
    );
    const products = await call(emulator, accessToken, '/erp/sc/routing/data/local_inventory/productList', {
      update_time_start: unix(fromMs),
      update_time_end: unix(toMs),
      offset: 0,
      length: 1000,
    });
    expect(products.total).toBe(40);
    expect(products.data[0]).toEqual(
      expect.objectContaining({ sku: 'LX-00000001', update_time: expect.any(Number), spu: 'SPU-0000' }),
    );
    const notUnix = await call(emulator, accessToken, '/erp/sc/routing/data/local_inventory/productList', {
      update_time_start: formatBeijingTime(fromMs),
      update_time_end: unix(toMs),
    });
    expect(notUnix).toMatchObject({ code: 102, message: expect.stringContaining('unix seconds') });
    const day = formatBeijingTime(fromMs).slice(0, 10);
    const counts = await call(emulator, accessToken, '/erp/sc/routing/inventoryReceipt/InventoryCheck/getOrderList', {
      search_date_type: 4,
      start_date: day,
      end_date: formatBeijingTime(toMs).slice(0, 10),
      page: 1,
      page_size: 200,
    });
    expect(counts.data.total).toBe(25);
    expect(counts.data.list[0].item_list[0]).toEqual(
      expect.objectContaining({
        book_num: expect.any(Number),
        check_num: expect.any(Number),
        diff_num: expect.any(Number),
      }),
    );
  });

  it('master data: shops in several marketplaces and currencies, FBA and overseas warehouses, monthly rates', async () => {
    const url = (path: string, query: Record<string, string>) => {
      const sign = expectedSign(APP.appId, query);
      return `${emulator.url}${path}?${new URLSearchParams({ ...query, sign })}`;
    };
    const shops: any = await (
      await fetch(
        url('/erp/sc/data/seller/lists', {
          access_token: accessToken,
          app_key: APP.appId,
          timestamp: String(Math.floor(clock / 1000)),
        }),
      )
    ).json();
    expect(new Set(shops.data.map((s: any) => s.marketplace_id)).size).toBeGreaterThanOrEqual(5);
    const warehouses = await call(emulator, accessToken, '/erp/sc/data/local_inventory/warehouse', {
      offset: 0,
      length: 100,
    });
    expect(new Set(warehouses.data.map((w: any) => w.type))).toEqual(new Set([1, 3, 4]));
    const rates = await call(emulator, accessToken, '/erp/sc/routing/finance/currency/currencyMonth', {
      date: '2026-11',
    });
    expect(rates.data).toContainEqual(
      expect.objectContaining({ date: '2026-11-01', code: 'USD', rate_org: '7.1884', my_rate: '7.2000' }),
    );
  });
});
