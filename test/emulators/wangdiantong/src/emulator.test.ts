import { formatBeijingTime } from '@yecai/common';
import { WDT_DOCUMENT_TYPES, ZERO_DATE } from './protocol';
import { DEFAULT_QJB_ACCOUNT, DEFAULT_QYB_ACCOUNT, startWangdiantongEmulator, type WdtEmulator } from './server';
import { QJB_EPOCH_S, qimenWdtSign, qjbSign, qybSign, topSign } from './signing';

const MINUTE = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 4, 0, 0); // 2026-11-20 12:00:00 Beijing

type QybEnvelope = { code: number; message: string; total_count?: number } & Record<string, unknown>;
type QjbEnvelope = { status: number; message?: string; data?: Record<string, unknown> & { total_count?: number } };

async function qyb(
  emulator: WdtEmulator,
  script: string,
  business: Record<string, string>,
  overrides: Record<string, string> = {},
  secret = DEFAULT_QYB_ACCOUNT.appsecret,
): Promise<QybEnvelope> {
  const params: Record<string, string> = {
    sid: DEFAULT_QYB_ACCOUNT.sid,
    appkey: DEFAULT_QYB_ACCOUNT.appkey,
    timestamp: String(Math.floor(NOW / 1000)),
    ...business,
    ...overrides,
  };
  params.sign = overrides.sign ?? qybSign(params, secret);
  const response = await fetch(`${emulator.url}/openapi2/${script}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams(params),
  });
  return (await response.json()) as QybEnvelope;
}

async function qjb(
  emulator: WdtEmulator,
  method: string,
  args: unknown[],
  pager: Record<string, string> | null = { page_no: '0', page_size: '100', calc_total: '1' },
  overrides: Record<string, string> = {},
): Promise<QjbEnvelope> {
  const body = JSON.stringify(args);
  const query: Record<string, string> = {
    sid: DEFAULT_QJB_ACCOUNT.sid,
    key: DEFAULT_QJB_ACCOUNT.key,
    salt: DEFAULT_QJB_ACCOUNT.salt,
    method,
    v: '1.0',
    timestamp: String(Math.floor(NOW / 1000) - QJB_EPOCH_S),
    ...(pager ?? {}),
    ...overrides,
  };
  query.sign = overrides.sign ?? qjbSign(query, body, DEFAULT_QJB_ACCOUNT.secret);
  const response = await fetch(`${emulator.url}/openapi?${new URLSearchParams(query).toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return (await response.json()) as QjbEnvelope;
}

const window = (fromMs: number, toMs: number) => ({ start_time: formatBeijingTime(fromMs), end_time: formatBeijingTime(toMs) });
const SALES = 'stockout_order_query_trade.php';
const QJB_SALES = 'wms.stockout.Sales.queryWithDetail';

async function admin(emulator: WdtEmulator, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}/__admin${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

function scalars(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const item of value) scalars(item, out);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) scalars(item, out);
  else out.push(value);
  return out;
}

describe('WDT signatures (source-apis.md §3.1, §3.4 vectors)', () => {
  const base = {
    sid: 'test2',
    appkey: 'test2-xx',
    timestamp: '1470042310',
    start_time: '2016-08-01 12:00:00',
    end_time: '2016-08-01 13:00:00',
    page_no: '0',
    page_size: '40',
  };
  it('企业版: the official vector and the non-ASCII vector counting characters', () => {
    expect(qybSign(base, '12345')).toBe('ad4e6fe037ea6e3ba4768317be9d1309');
    expect(qybSign({ ...base, shop_no: '测试店' }, '12345')).toBe('3caaea564b84772b656c23bab48b76d7');
    expect(qybSign({ ...base, shop_no: '测试店' }, '12345')).not.toBe('29eaddc9d515efd738949aad6b65e6bf');
  });
  it('旗舰版: the public Go vector with the body as a pseudo-parameter', () => {
    const query = { sid: 'wdtapi3', key: 'appkey', salt: 'salt', method: 'goods.Goods.queryWithSpec', timestamp: '100', v: '1.0' };
    expect(qjbSign(query, '[{"goods_no":"G001"}]', 'secret')).toBe('703b2c4b5b16565883e6b58d18e254a2');
    expect(qjbSign(query, '[{"goods_no":"G002"}]', 'secret')).not.toBe('703b2c4b5b16565883e6b58d18e254a2');
  });
  it('奇门: the TOP outer vector and the 旗舰版 inner wdt_sign vector (prefix stripped, nulls skipped)', () => {
    const top = {
      app_key: '12345678',
      customer_id: 'test_sid',
      format: 'json',
      method: 'wdt.stockout.order.query.trade',
      sign_method: 'md5',
      target_app_key: '87654321',
      timestamp: '2024-01-01 00:00:00',
      v: '2.0',
      start_time: '2024-01-01 00:00:00',
      end_time: '2024-01-01 01:00:00',
      page_no: '0',
      page_size: '40',
    };
    expect(topSign(top, 'qmsecret')).toBe('8CB78371B3C88D5D024EF9B5F5F00EDC');
    const inner = {
      datetime: '2020-09-17 19:22:26',
      method: '3ldsmu02o9.wdt.wms.stockspec.querychangehistory',
      pager: '{"page_no":1,"page_size":10}',
      params: '{"end_date":"2020-09-20 00:00:00","spec_no":null,"start_date":"2020-08-23 00:00:00","warehouse_no":"1001"}',
      wdt_appkey: 'wdt_appkey',
      wdt_salt: 'salt',
      // TOP's own params and the excluded ones do not enter the inner sign.
      app_key: 'qm',
      timestamp: '2020-09-17 19:22:26',
      wdt3_customer_id: 'cust',
      target_app_key: 'target',
    };
    expect(qimenWdtSign(inner, 'secret')).toBe('1f5e87bbbc8bc68f4f0af70f79620b7d');
  });
});

describe('WDT emulator', () => {
  let emulator: WdtEmulator;

  beforeEach(async () => {
    emulator = await startWangdiantongEmulator({
      seed: 42,
      now: () => NOW,
      rateLimits: { perMinute: 100_000, concurrent: 100 },
      documents: {
        perType: Object.fromEntries(WDT_DOCUMENT_TYPES.map((type) => [type, 120])),
        fromMs: NOW - 3 * DAY,
        toMs: NOW - DAY,
      },
    });
  });
  afterEach(() => emulator.close());

  describe('企业版', () => {
    it('accepts a non-ASCII parameter signed by characters and rejects the byte-count signature', async () => {
      const business = { ...window(NOW - 3 * DAY, NOW), shop_no: '测试店' };
      expect((await qyb(emulator, SALES, business)).code).toBe(0);
      const params: Record<string, string> = {
        sid: DEFAULT_QYB_ACCOUNT.sid,
        appkey: DEFAULT_QYB_ACCOUNT.appkey,
        timestamp: String(NOW / 1000),
        ...business,
      };
      // The wrong (UTF-8 byte length) base: 测试店 is 9 bytes.
      const { createHash } = await import('node:crypto');
      const byteBase = Object.keys(params)
        .sort()
        .map((k) => `${String(Buffer.byteLength(k)).padStart(2, '0')}-${k}:${String(Buffer.byteLength(params[k]!)).padStart(4, '0')}-${params[k]}`)
        .join(';');
      const byteSign = createHash('md5').update(byteBase + DEFAULT_QYB_ACCOUNT.appsecret).digest('hex');
      expect(await qyb(emulator, SALES, business, { sign: byteSign })).toEqual({ code: 2030, message: '签名错误' });
    });

    it('rejects a wrong secret, an unknown sid and a timestamp over 5 minutes off with the real errors', async () => {
      const business = window(NOW - DAY, NOW);
      expect(await qyb(emulator, SALES, business, {}, 'wrong')).toEqual({ code: 2030, message: '签名错误' });
      expect((await qyb(emulator, SALES, business, { sid: 'nobody' })).message).toBe('卖家账号不存在');
      expect((await qyb(emulator, SALES, business, { timestamp: String(NOW / 1000 - 301) })).code).toBe(2100);
      expect((await qyb(emulator, SALES, business, { timestamp: String(NOW / 1000 + 299) })).code).toBe(0);
    });

    it('refuses a window over 30 days and page sizes over 100 with the Chinese messages', async () => {
      expect(await qyb(emulator, SALES, window(NOW - 31 * DAY, NOW))).toEqual({ code: 100, message: '查询时间不能大于30天' });
      expect((await qyb(emulator, SALES, { ...window(NOW - DAY, NOW), page_size: '101' })).message).toBe('page_size取值范围1-100');
      expect((await qyb(emulator, SALES, window(NOW - 30 * DAY, NOW))).code).toBe(0);
    });

    it('pages from 0: every finished stockout exactly once, total_count on page 0 only', async () => {
      const expected = emulator.store.versions('sales_out').filter((d) => d.status === 110).map((d) => String(d.id));
      const seen: string[] = [];
      let pages = 0;
      for (let page = 0; ; page++) {
        const answer = await qyb(emulator, SALES, { ...window(NOW - 4 * DAY, NOW), status: '110', page_no: String(page), page_size: '25' });
        expect(answer.code).toBe(0);
        if (page === 0) {
          expect(answer.total_count).toBe(expected.length);
          pages = Math.ceil(answer.total_count! / 25);
        } else expect(answer).not.toHaveProperty('total_count');
        const list = answer.stockout_list as Array<Record<string, string>>;
        expect(list.every((record) => record.status === '110')).toBe(true);
        seen.push(...list.map((record) => record.stockout_id!));
        if (page === pages - 1) break;
      }
      expect(seen.sort()).toEqual([...expected].sort());
    });

    it('serves every scalar as a string: 4-decimal quantities, zero dates, batch numbers on batch-managed lines', async () => {
      const answer = await qyb(emulator, SALES, { ...window(NOW - 4 * DAY, NOW), status: '110', page_size: '100' });
      const list = answer.stockout_list as Array<Record<string, unknown>>;
      expect(scalars(list).every((value) => typeof value === 'string')).toBe(true);
      const lines = list.flatMap((record) => record.details_list as Array<Record<string, string>>);
      expect(lines[0]!.goods_count).toMatch(/^\d+\.0000$/);
      expect(lines.some((line) => line.expire_date === ZERO_DATE && line.batch_no === '')).toBe(true);
      expect(lines.some((line) => line.batch_no !== '' && line.expire_date !== ZERO_DATE)).toBe(true);
      expect(list[0]).toMatchObject({ order_no: expect.stringMatching(/^CK\d{13}$/), currency: '', src_order_type: '1' });
    });

    it('windows sales stockouts by consign time without status and by modified with is_by_modified=1', async () => {
      const [document] = emulator.store.versions('sales_out').filter((d) => d.status === 110);
      emulator.store.modifyDocument('sales_out', document!.id, NOW - 60_000, { fields: { remark: '改' } });
      const late = window(NOW - 2 * MINUTE, NOW);
      const byConsign = await qyb(emulator, SALES, late);
      expect(byConsign.total_count).toBe(0);
      const byModified = await qyb(emulator, SALES, { ...late, status: '110', is_by_modified: '1' });
      expect((byModified.stockout_list as Array<Record<string, string>>).map((d) => d.stockout_id)).toEqual([String(document!.id)]);
    });

    it('serves shops, warehouses and goods with specs', async () => {
      const shops = await qyb(emulator, 'shop.php', {});
      expect(shops.total_count).toBe(6);
      expect((shops.shoplist as Array<Record<string, string>>)[0]).toMatchObject({ shop_no: 'tm-001', platform_id: '1' });
      const warehouses = await qyb(emulator, 'warehouse_query.php', {});
      expect((warehouses.warehouses as Array<Record<string, string>>).map((w) => w.warehouse_no)).toEqual(['HZ01', 'GZ01', 'SH01', 'CD01']);
      expect(JSON.stringify(warehouses)).not.toContain('org');
      expect((warehouses.warehouses as Array<Record<string, string>>)[3]).toMatchObject({ warehouse_type: '11', is_disabled: '0' });
      const providers = await qyb(emulator, 'purchase_provider_query.php', {});
      expect(providers.total_count).toBe(3);
      expect((providers.provider_list as Array<Record<string, string>>)[0]).toMatchObject({ provider_no: 'GYS001', last_purchase_time: ZERO_DATE });
      const goods = await qyb(emulator, 'goods_query.php', window(NOW - DAY, NOW));
      expect(goods.total_count).toBe(8);
      const specList = (goods.goods_list as Array<{ spec_list: Array<Record<string, string>> }>)[0]!.spec_list;
      expect(specList).toHaveLength(9);
      expect(specList[0]!.retail_price).toMatch(/^\d+\.\d{4}$/);
    });
  });

  describe('旗舰版', () => {
    it('answers a signed call with numbers, ms-epoch created and total_count when calc_total=1', async () => {
      const answer = await qjb(emulator, QJB_SALES, [{ ...window(NOW - 2 * DAY - 60 * MINUTE, NOW - 2 * DAY), status: 110 }]);
      expect(answer.status).toBe(0);
      const orders = answer.data!.order as Array<Record<string, unknown>>;
      expect(answer.data!.total_count).toBe(orders.length);
      expect(orders.length).toBeGreaterThan(0);
      expect(orders[0]).toMatchObject({ status: 110, stockout_id: expect.any(Number), created: expect.any(Number), modified: expect.any(String) });
      expect(orders[0]!.logistics_list).toEqual([expect.objectContaining({ logistics_no: expect.any(String) })]);
      const withoutTotal = await qjb(emulator, QJB_SALES, [window(NOW - 2 * DAY - 60 * MINUTE, NOW - 2 * DAY)], { page_no: '0', page_size: '10' });
      expect(withoutTotal.data).not.toHaveProperty('total_count');
    });

    it('sales stockouts: status_type 3 + status windows modified, status_type 0 consign time; a stockout_no needs no window', async () => {
      const [done] = emulator.store.versions('sales_out').filter((d) => d.status === 110);
      emulator.store.modifyDocument('sales_out', done!.id, NOW - MINUTE, { fields: { remark: '改' } });
      const late = window(NOW - 30 * MINUTE, NOW);
      const byModified = await qjb(emulator, QJB_SALES, [{ ...late, status_type: 3, status: '110' }]);
      expect((byModified.data!.order as Array<Record<string, unknown>>).map((o) => o.stockout_id)).toEqual([done!.id]);
      expect((await qjb(emulator, QJB_SALES, [{ ...late, status_type: 0 }])).data!.total_count).toBe(0);
      // Without status_type (lenient): modified window, `status` still filters.
      expect((await qjb(emulator, QJB_SALES, [{ ...late, status: '55' }])).data!.total_count).toBe(0);
      expect((await qjb(emulator, QJB_SALES, [{ ...late, status: '110' }])).data!.total_count).toBe(1);
      const [open] = emulator.store.versions('sales_out').filter((d) => d.status === 55);
      const byNumber = await qjb(emulator, QJB_SALES, [{ stockout_no: open!.no }]);
      const record = (byNumber.data!.order as Array<Record<string, unknown>>)[0]!;
      expect(record).toMatchObject({ stockout_id: open!.id, status: 55, stock_check_time: expect.any(Number) });
      expect(record).not.toHaveProperty('consign_time');
    });

    it('checks sign, shifted timestamp (±120 s → status 7), pager and the 60-minute sales window', async () => {
      const args = [window(NOW - 30 * MINUTE, NOW)];
      expect((await qjb(emulator, QJB_SALES, args, undefined, { sign: 'f'.repeat(32) })).status).toBe(1);
      const shifted = String(Math.floor(NOW / 1000) - QJB_EPOCH_S - 121);
      expect(await qjb(emulator, QJB_SALES, args, undefined, { timestamp: shifted })).toEqual({ status: 7, message: 'timestamp超时' });
      // An unshifted unix timestamp is 42 years off.
      expect((await qjb(emulator, QJB_SALES, args, undefined, { timestamp: String(NOW / 1000) })).status).toBe(7);
      expect(await qjb(emulator, QJB_SALES, args, null)).toEqual({ status: 100, message: '此方法仅支持分页查询' });
      expect(await qjb(emulator, QJB_SALES, [window(NOW - 61 * MINUTE, NOW)])).toEqual({ status: 100, message: '查询时间不能大于60分钟' });
      expect((await qjb(emulator, 'wms.stockin.Purchase.queryWithDetail', [window(NOW - 31 * DAY, NOW)])).message).toBe('查询时间不能大于30天');
    });

    it('names other-in lines detail_list, sends transfers with epoch modified and stock-takes under pd_list', async () => {
      const other = await qjb(emulator, 'wms.stockin.Other.queryWithDetail', [window(NOW - 4 * DAY, NOW)]);
      const otherIn = (other.data!.order as Array<Record<string, unknown>>)[0]!;
      expect(otherIn.detail_list).toEqual(expect.any(Array));
      expect(otherIn).not.toHaveProperty('details_list');
      const transfers = await qjb(emulator, 'wms.stocktransfer.Manage.queryWithDetail', [window(NOW - 4 * DAY, NOW)]);
      const transfer = (transfers.data!.order as Array<Record<string, unknown>>)[0]!;
      expect(transfer).toMatchObject({ modified: expect.any(Number), modified_date: expect.any(String), from_warehouse_no: expect.any(String) });
      const refunds = await qjb(emulator, 'wms.stockin.Refund.queryWithDetail', [{ ...window(NOW - 4 * DAY, NOW), status: '80' }]);
      const refund = (refunds.data!.order as Array<Record<string, unknown>>)[0]!;
      expect(refund).toMatchObject({ check_time: expect.any(Number), created: expect.any(String), shop_id: expect.any(String) });
      expect((refund.details_list as Array<Record<string, unknown>>)[0]).toMatchObject({
        num: expect.any(Number),
        stockin_num: expect.stringMatching(/^\d+\.0000$/),
      });
      const pd = await qjb(emulator, 'wms.StockPd.queryStockPd', [window(NOW - 4 * DAY, NOW)]);
      expect((pd.data!.pd_list as unknown[]).length).toBeGreaterThan(0);
      const shops = await qjb(emulator, 'setting.Shop.queryShop', [{}]);
      expect((shops.data!.details as unknown[]).length).toBe(6);
      expect((shops.data!.details as Array<Record<string, unknown>>)[0]).toMatchObject({ shop_id: expect.any(Number), is_disabled: false });
      const warehouses = await qjb(emulator, 'setting.Warehouse.queryWarehouse', [{}]);
      expect((warehouses.data!.details as Array<Record<string, unknown>>)[3]).toMatchObject({ warehouse_no: 'CD01', type: 11, is_disabled: false });
      const providers = await qjb(emulator, 'setting.PurchaseProvider.queryDetail', [{ provider_no: 'GYS002' }]);
      expect(providers.data).toEqual({ total_count: 1, details: [expect.objectContaining({ provider_name: '广州白云区美妆供应链', modified: expect.any(Number) })] });
    });
  });

  describe('faults and quotas', () => {
    it('throttles over the per-minute quota with the real message in both editions, and on demand', async () => {
      await emulator.close();
      emulator = await startWangdiantongEmulator({ now: () => NOW, rateLimits: { perMinute: 3, concurrent: 5 }, world: { shops: [] } });
      for (let i = 0; i < 3; i++) expect((await qyb(emulator, 'shop.php', {})).code).toBe(0);
      expect(await qyb(emulator, 'shop.php', {})).toEqual({ code: 1, message: '超过每分钟最大调用频率限制，请稍后重试' });
      emulator.setFaults({ throttleBurst: 2 });
      expect((await qjb(emulator, 'setting.Shop.queryShop', [{}])).message).toBe('超过每分钟最大并发次数限制，请稍后重试');
      expect((await qjb(emulator, 'setting.Shop.queryShop', [{}])).message).toBe('超过每分钟最大调用频率限制，请稍后重试');
      expect((await qjb(emulator, 'setting.Shop.queryShop', [{}])).status).toBe(0);
      expect(emulator.stats.throttled).toBe(3);
    });

    it('limits calls in flight per account (concurrency quota)', async () => {
      await emulator.close();
      emulator = await startWangdiantongEmulator({ now: () => NOW, rateLimits: { perMinute: 1000, concurrent: 2 }, faults: { latencyMs: 2_000 } });
      const answers = await Promise.all(Array.from({ length: 4 }, () => qyb(emulator, 'shop.php', {})));
      expect(answers.filter((a) => a.code === 0).length).toBe(2);
      expect(answers.filter((a) => a.message === '超过每分钟最大并发次数限制，请稍后重试').length).toBe(2);
    });

    it('answers 5xx and wrong-signature bursts switched on through the control API', async () => {
      await admin(emulator, '/faults', { serverErrorBurst: 1, badSignBurst: 1 });
      const response = await fetch(`${emulator.url}/openapi2/shop.php`, { method: 'POST' });
      expect(response.status).toBe(200); // missing params are refused before faults apply
      expect(await qyb(emulator, 'shop.php', {})).toEqual({ code: 2030, message: '签名错误' });
      const params: Record<string, string> = { sid: 'wdt_test', appkey: 'wdt_ak', timestamp: String(NOW / 1000) };
      params.sign = qybSign(params, 'wdt_secret');
      const failing = await fetch(`${emulator.url}/openapi2/shop.php`, { method: 'POST', body: new URLSearchParams(params) });
      expect(failing.status).toBe(502);
      expect((await qyb(emulator, 'shop.php', {})).code).toBe(0);
      const state = await admin(emulator, '/state');
      expect(state.stats).toMatchObject({ '5xx': 1, 'qyb:shop.php': 4 });
    });

    it('times out a call on demand (the socket closes without an answer)', async () => {
      emulator.setFaults({ timeoutBurst: 1, timeoutMs: 200 });
      await expect(qyb(emulator, 'shop.php', {})).rejects.toThrow();
      expect((await qyb(emulator, 'shop.php', {})).code).toBe(0);
    });

    it('late update: a served document moves to a later modified, out of the window just read', async () => {
      emulator.setFaults({ lateUpdateRate: 1, lateUpdateDelayMs: 5_000 });
      const first = await qyb(emulator, SALES, { ...window(NOW - 4 * DAY, NOW), status: '110', is_by_modified: '1', page_size: '10' });
      const served = (first.stockout_list as Array<Record<string, string>>).map((d) => d.stockout_id);
      expect(served).toHaveLength(10);
      const moved = emulator.store.versions('sales_out').filter((d) => served.includes(String(d.id)));
      expect(moved.every((d) => d.modifiedMs === NOW + 5_000)).toBe(true);
      emulator.setFaults({ lateUpdateRate: 0 });
      const later = await qyb(emulator, SALES, { ...window(NOW, NOW + 10_000), status: '110', is_by_modified: '1' });
      expect((later.stockout_list as Array<Record<string, string>>).map((d) => d.stockout_id).sort()).toEqual([...served].sort());
      expect((later.stockout_list as Array<Record<string, string>>)[0]!.remark).toBe('发货后修改备注');
    });

    it('same-second ties: 150 documents in one second page across a boundary exactly once', async () => {
      const at = formatBeijingTime(NOW - 10 * MINUTE);
      const added = await admin(emulator, '/documents/sales_out', { count: 150, modified: at, status: 110 });
      expect((added.documents as unknown[]).length).toBe(150);
      const ids: string[] = [];
      for (let page = 0; page < 2; page++) {
        const answer = await qjb(emulator, QJB_SALES, [{ start_time: at, end_time: at }], { page_no: String(page), page_size: '100', calc_total: '1' });
        expect(answer.data!.total_count).toBe(150);
        const orders = answer.data!.order as Array<Record<string, unknown>>;
        expect(orders.every((o) => o.modified === at)).toBe(true);
        ids.push(...orders.map((o) => String(o.stockout_id)));
      }
      expect(new Set(ids).size).toBe(150);
    });
  });

  describe('control API: a consistent company for the e2e', () => {
    it('seeds a world and documents with details, including a cross-org transfer and an assembly', async () => {
      await emulator.close();
      emulator = await startWangdiantongEmulator({ now: () => NOW });
      await admin(emulator, '/world', {
        shops: [{ shop_no: 'S1', shop_name: '测试店', platform_id: 1 }],
        warehouses: [
          { warehouse_no: 'W-A', name: '一号仓', org: '100' },
          { warehouse_no: 'W-B', name: '二号仓', org: '200' },
        ],
        goods: [
          { goods_no: 'P1', goods_name: '成品', specs: [{ spec_no: 'P1-01', retail_price: '99.00', cost_price: '40', is_batch: true }] },
          { goods_no: 'C1', goods_name: '配件', specs: [{ spec_no: 'C1-01', retail_price: '10', cost_price: '4' }] },
        ],
        providers: [{ provider_no: 'V1', provider_name: '供应商' }],
      });
      const modified = formatBeijingTime(NOW - MINUTE);
      const transfer = await admin(emulator, '/documents/transfer', {
        documents: [{ warehouse_no: 'W-A', to_warehouse_no: 'W-B', modified, lines: [{ spec_no: 'P1-01', num: 3, batch_no: 'LOT-7' }] }],
      });
      expect(transfer.documents).toEqual([expect.objectContaining({ no: expect.stringMatching(/^DB/), status: 90 })]);
      await admin(emulator, '/documents/assembly', {
        documents: [{ warehouse_no: 'W-A', modified, lines: [{ spec_no: 'C1-01', num: 2 }], products: [{ spec_no: 'P1-01', num: 1 }] }],
      });
      const bad = await admin(emulator, '/documents/sales_out', { documents: [{ warehouse_no: 'W-A', shop_no: 'S1', lines: [{ spec_no: 'NOPE', num: 1 }] }] });
      expect(bad).toMatchObject({ field: 'lines[0].spec_no' });

      const transfers = await qyb(emulator, 'stock_transfer_query.php', window(NOW - DAY, NOW));
      expect((transfers.transfer_list as Array<Record<string, unknown>>)[0]).toMatchObject({
        from_warehouse_no: 'W-A',
        to_warehouse_no: 'W-B',
        status: '90',
        details_list: [expect.objectContaining({ spec_no: 'P1-01', num: '3.0000', batch_no: 'LOT-7' })],
      });
      const assemblies = await qyb(emulator, 'stock_assembly_query.php', window(NOW - DAY, NOW));
      expect((assemblies.assembly_list as Array<Record<string, unknown>>)[0]).toMatchObject({
        type: '1',
        goods_list: [expect.objectContaining({ spec_no: 'P1-01', batch_no: expect.stringMatching(/^B/) })],
        details_list: [expect.objectContaining({ spec_no: 'C1-01', batch_no: '' })],
      });
      const world = await admin(emulator, '/world');
      expect((world.warehouses as Array<{ org: string }>).map((w) => w.org)).toEqual(['100', '200']);
    });

    it('renumbers a stockout after 驳回: same stockout_id, new order_no, modified moves', async () => {
      const [document] = emulator.store.versions('sales_out');
      const answer = await admin(emulator, `/documents/sales_out/${document!.id}/renumber`, { modified: formatBeijingTime(NOW) });
      expect(answer.document).toMatchObject({ id: document!.id, previousNos: [document!.no], no: `${document!.no}-1` });
    });
  });
});
