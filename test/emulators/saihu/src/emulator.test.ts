import { createHmac } from 'node:crypto';
import { formatBeijingTime } from '@yecai/common';
import { endpointOf } from './endpoints';
import { convertMinor, moneyText } from './generator';
import {
  SAIHU_CODES,
  SAIHU_TEST_ACCOUNT,
  SAIHU_THROTTLED_MSG,
  startSaihuEmulator,
  type SaihuEmulator,
  type SaihuEmulatorOptions,
} from './server';
import { expectedSign, signatureMatches } from './signing';

const HOUR = 3_600_000;
const NOW = Date.now();
const RANGE = { fromMs: NOW - 24 * HOUR, toMs: NOW - HOUR };
const ORDERS = endpointOf('sales_order').path;
const DETAIL = endpointOf('settlement_detail').path;

/** An independent client: the six signed fields written out here, `url` as the caller chooses. */
async function call(
  emulator: SaihuEmulator,
  path: string,
  body: Record<string, unknown>,
  options: { token?: string; signedUrl?: string; timestamp?: string } = {},
) {
  const token = options.token ?? (await getToken(emulator)).access_token;
  const timestamp = options.timestamp ?? String(Date.now());
  const nonce = String(Math.floor(Math.random() * 1e9));
  const message = `access_token=${token}&client_id=${SAIHU_TEST_ACCOUNT.clientId}&method=post&nonce=${nonce}&timestamp=${timestamp}&url=${options.signedUrl ?? path}`;
  const sign = createHmac('sha256', SAIHU_TEST_ACCOUNT.clientSecret).update(message).digest('hex');
  const query = new URLSearchParams({
    access_token: token,
    client_id: SAIHU_TEST_ACCOUNT.clientId,
    timestamp,
    nonce,
    sign,
  });
  const response = await fetch(`${emulator.url}${path}?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { code: number; msg: string; data: Record<string, unknown> | null },
  };
}

async function getToken(emulator: SaihuEmulator) {
  const query = new URLSearchParams({
    client_id: SAIHU_TEST_ACCOUNT.clientId,
    client_secret: SAIHU_TEST_ACCOUNT.clientSecret,
    grant_type: 'client_credentials',
  });
  const answer = (await (await fetch(`${emulator.url}/api/oauth/v2/token.json?${query}`)).json()) as {
    code: number;
    data: { access_token: string; expires_in: number };
  };
  expect(answer.code).toBe(0);
  return answer.data;
}

const orderWindow = (pageNo: string) => ({
  pageNo,
  pageSize: '100',
  dateType: 'updateDateTime',
  dateStart: formatBeijingTime(RANGE.fromMs),
  dateEnd: formatBeijingTime(RANGE.toMs),
});

describe('赛狐 emulator', () => {
  let emulator: SaihuEmulator;
  const start = async (options: SaihuEmulatorOptions = {}) => {
    emulator = await startSaihuEmulator({
      seed: 7,
      rateLimits: { perSecondPerEndpoint: 1000 },
      documents: { perType: { sales_order: 250, settlement_detail: 30 }, ...RANGE },
      ...options,
    });
    return emulator;
  };
  afterEach(() => emulator?.close());

  it('verifies the official doc vector with its own signer and rejects a one-character change', () => {
    const fields = {
      access_token: 'd20d9d20-5db0-429a-8390-3694265e297c',
      client_id: '1111111',
      method: 'post',
      nonce: '888',
      timestamp: '1668153260508',
    };
    const official = '57bcbd213461d47e99e9b781c11f3fb37937127824272a30b95ddb5cbfea881e';
    expect(
      expectedSign('fde212ff-588a-11ef-b1d4-0c42a1eda3d9', { ...fields, url: '/openapi/api/commodity/pageList.json' }),
    ).toBe(official);
    expect(
      signatureMatches('fde212ff-588a-11ef-b1d4-0c42a1eda3d9', fields, '/api/commodity/pageList.json', official, [
        'path',
        'openapi',
      ]),
    ).toBe(true);
    expect(
      signatureMatches('fde212ff-588a-11ef-b1d4-0c42a1eda3d9', fields, '/api/commodity/pageList.json', official, [
        'path',
      ]),
    ).toBe(false);
    expect(
      signatureMatches(
        'fde212ff-588a-11ef-b1d4-0c42a1eda3d9',
        { ...fields, nonce: '889' },
        '/api/commodity/pageList.json',
        official,
        ['path', 'openapi'],
      ),
    ).toBe(false);
  });

  it('issues the same token within validity (expires_in in ms) and a new one after early invalidation, which answers 40001', async () => {
    await start();
    const first = await getToken(emulator);
    expect(first.expires_in).toBeGreaterThan(86_000_000);
    expect((await getToken(emulator)).access_token).toBe(first.access_token);
    emulator.invalidateToken();
    const stale = await call(emulator, ORDERS, orderWindow('1'), { token: first.access_token });
    expect(stale.body.code).toBe(SAIHU_CODES.tokenInvalid);
    const second = await getToken(emulator);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await call(emulator, ORDERS, orderWindow('1'), { token: second.access_token })).body.code).toBe(0);
  });

  it('invalidates the token after N calls per the fault knob', async () => {
    await start({ faults: { expireTokenAfterRequests: 2 } });
    const token = (await getToken(emulator)).access_token;
    expect((await call(emulator, ORDERS, orderWindow('1'), { token })).body.code).toBe(0);
    expect((await call(emulator, ORDERS, orderWindow('1'), { token })).body.code).toBe(0);
    expect((await call(emulator, ORDERS, orderWindow('1'), { token })).body.code).toBe(SAIHU_CODES.tokenInvalid);
  });

  it('accepts both signed url forms by default, and only the configured one when narrowed', async () => {
    await start();
    expect((await call(emulator, ORDERS, orderWindow('1'))).body.code).toBe(0);
    expect((await call(emulator, ORDERS, orderWindow('1'), { signedUrl: `/openapi${ORDERS}` })).body.code).toBe(0);
    expect((await call(emulator, ORDERS, orderWindow('1'), { signedUrl: '/api/shop/pageList.json' })).body.code).toBe(
      SAIHU_CODES.badSign,
    );
    await emulator.close();
    await start({ signedUrlForms: ['openapi'] });
    expect((await call(emulator, ORDERS, orderWindow('1'))).body.code).toBe(SAIHU_CODES.badSign);
    expect((await call(emulator, ORDERS, orderWindow('1'), { signedUrl: `/openapi${ORDERS}` })).body.code).toBe(0);
  });

  it('refuses a timestamp outside ±15 minutes or in seconds', async () => {
    await start();
    expect(
      (await call(emulator, ORDERS, orderWindow('1'), { timestamp: String(Date.now() - 16 * 60_000) })).body.code,
    ).toBe(SAIHU_CODES.badTimestamp);
    expect(
      (await call(emulator, ORDERS, orderWindow('1'), { timestamp: String(Math.floor(Date.now() / 1000)) })).body.code,
    ).toBe(SAIHU_CODES.badTimestamp);
  });

  it('allows 1 request/s per endpoint: the second call to the same path answers 40019 with the real text, another path passes', async () => {
    await start({ rateLimits: { perSecondPerEndpoint: 1 }, faults: { throttleWithHttp400: true } });
    const token = (await getToken(emulator)).access_token;
    expect((await call(emulator, ORDERS, orderWindow('1'), { token })).body.code).toBe(0);
    const throttled = await call(emulator, ORDERS, orderWindow('2'), { token });
    expect(throttled).toMatchObject({ status: 400, body: { code: SAIHU_CODES.throttled, msg: SAIHU_THROTTLED_MSG } });
    expect(
      (
        await call(
          emulator,
          DETAIL,
          {
            pageNo: '1',
            pageSize: '10',
            updateTimeStart: formatBeijingTime(RANGE.fromMs),
            updateTimeEnd: formatBeijingTime(NOW),
          },
          { token },
        )
      ).body.code,
    ).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call(emulator, ORDERS, orderWindow('2'), { token })).body.code).toBe(0);
  });

  it('pages with string-typed fields over a stable order, money and quantities as strings', async () => {
    await start();
    const token = (await getToken(emulator)).access_token;
    const page1 = (await call(emulator, ORDERS, orderWindow('1'), { token })).body.data!;
    expect(page1).toMatchObject({ pageNo: '1', pageSize: '100', totalPage: '3', totalSize: '250' });
    const page3 = (await call(emulator, ORDERS, orderWindow('3'), { token })).body.data!;
    expect((page3.rows as unknown[]).length).toBe(50);
    const order = (page1.rows as Record<string, unknown>[])[0]!;
    expect(order.orderTotalAmount).toMatch(/^\d+(\.\d\d)?$/);
    expect((order.orderItemVoList as Record<string, unknown>[])[0]!.quantityOrdered).toMatch(/^\d+$/);
    expect((await call(emulator, ORDERS, { ...orderWindow('1'), pageSize: '101' }, { token })).body.code).toBe(
      SAIHU_CODES.badRequest,
    );
    expect((await call(emulator, ORDERS, orderWindow('1'), { token })).body.data).toEqual(page1);
  });

  it('serves soft-deleted settlement rows (isDel "1", newer updateTimeStr) only with queryDel, converted to the requested currency', async () => {
    await start();
    const token = (await getToken(emulator)).access_token;
    const [victim] = emulator.store.versions('settlement_detail');
    emulator.store.softDelete('settlement_detail', victim!.id, NOW - 30 * 60_000);
    const window = {
      pageNo: '1',
      pageSize: '100',
      updateTimeStart: formatBeijingTime(NOW - 40 * 60_000),
      updateTimeEnd: formatBeijingTime(NOW),
    };
    expect((await call(emulator, DETAIL, window, { token })).body.data!.totalSize).toBe('0');
    const withDeleted = (await call(emulator, DETAIL, { ...window, queryDel: '1', currency: 'USD' }, { token })).body
      .data!;
    const rows = withDeleted.detailPageVoList as Record<string, unknown>[];
    expect(rows).toEqual([
      expect.objectContaining({
        id: victim!.id,
        isDel: '1',
        currency: 'USD',
        updateTimeStr: formatBeijingTime(NOW - 30 * 60_000),
      }),
    ]);
  });

  it('serves the rows of one settlement by settlementId (no window, soft-deleted rows left out) in the shop currency; a deletion moves the summary', async () => {
    await start({ documents: { perType: { settlement_summary: 3, settlement_detail: 12 }, ...RANGE } });
    const token = (await getToken(emulator)).access_token;
    const summaries = (
      await call(
        emulator,
        endpointOf('settlement_summary').path,
        {
          pageNo: '1',
          pageSize: '100',
          timeType: 'updateTime',
          startTime: formatBeijingTime(RANGE.fromMs),
          endTime: formatBeijingTime(NOW),
        },
        { token },
      )
    ).body.data!.groupVoList as Record<string, unknown>[];
    const summary = summaries.find((row) => row.settlementId === '12000000001')!;
    const bySettlement = async () =>
      (
        await call(
          emulator,
          DETAIL,
          { pageNo: '1', pageSize: '100', settlementId: summary.settlementId, currency: summary.currency },
          { token },
        )
      ).body.data!.detailPageVoList as Record<string, unknown>[];
    const rows = await bySettlement();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect(row).toEqual(
        expect.objectContaining({
          settlementId: summary.settlementId,
          shopId: summary.shopId,
          currency: summary.currency,
        }),
      );
    emulator.store.softDelete('settlement_detail', String(rows[0]!.id), NOW - 60_000);
    expect((await bySettlement()).map((row) => row.id)).toEqual(rows.slice(1).map((row) => row.id));
    const moved = emulator.store.versions('settlement_summary').find((ref) => ref.id === summary.settlementId)!;
    expect(moved.modifiedMs).toBe(Math.floor((NOW - 60_000) / 1000) * 1000);
  });

  it('converts money in integer minor units (JPY without decimals)', () => {
    expect(moneyText(convertMinor(1000n, 'USD', 'CNY'), 'CNY')).toBe('71.20');
    expect(moneyText(convertMinor(1000n, 'USD', 'JPY'), 'JPY')).toBe('1483');
    expect(moneyText(-150n, 'EUR')).toBe('-1.50');
  });
});
