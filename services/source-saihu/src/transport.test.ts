/** The 赛狐 transport against the emulator: token lifecycle, signed url forms, answer classes, string paging. */
import { YecaiError, createLogger } from '@yecai/common';
import { SourceThrottledError } from '@yecai/connector-kit';
import {
  SAIHU_TEST_ACCOUNT,
  startSaihuEmulator,
  type SaihuEmulator,
  type SaihuEmulatorOptions,
} from '@yecai/emulator-saihu';
import { saihuStreams } from './streams';
import { SaihuTransport, saihuCount, type SaihuTransportOptions } from './transport';

const HOUR = 3_600_000;
const NOW = Date.now();
const STREAMS = saihuStreams();
const stream = (name: string) => STREAMS.find((definition) => definition.name === name)!;
const window = (pageIndex = 1, pageSize = 100) => ({
  kind: 'window' as const,
  fromMs: NOW - 24 * HOUR,
  toMs: NOW,
  pageIndex,
  pageSize,
});

describe('赛狐 transport', () => {
  let emulator: SaihuEmulator;
  const start = async (options: SaihuEmulatorOptions = {}) => {
    emulator = await startSaihuEmulator({
      seed: 5,
      rateLimits: { perSecondPerEndpoint: 1000 },
      documents: { perType: { sales_order: 230, settlement_detail: 40 }, fromMs: NOW - 20 * HOUR, toMs: NOW - HOUR },
      ...options,
    });
  };
  const transport = (options: Partial<SaihuTransportOptions> = {}) =>
    new SaihuTransport({
      baseUrl: emulator.url,
      clientId: SAIHU_TEST_ACCOUNT.clientId,
      clientSecret: SAIHU_TEST_ACCOUNT.clientSecret,
      signedUrlPrefix: '',
      settlementCurrency: 'USD',
      timeoutMs: 3000,
      throttleBackoffMs: 1100,
      logger: createLogger('saihu-test'),
      ...options,
    });
  afterEach(() => emulator?.close());

  it('pages with the string-typed totalPage and keeps the records as sent', async () => {
    await start();
    const page = await transport().fetchPage(stream('sales_order'), window(1));
    expect(page).toMatchObject({ pageCount: 3, hasNext: true });
    expect(page.records).toHaveLength(100);
    expect((await transport().fetchPage(stream('sales_order'), window(3))).hasNext).toBe(false);
  });

  it('fetches one token, reuses it, and after an early invalidation (40001) gets a new one and retries once', async () => {
    await start();
    const client = transport();
    await client.fetchPage(stream('sales_order'), window(1));
    await client.fetchPage(stream('sales_order'), window(2));
    expect(emulator.stats.token).toBe(1);
    emulator.invalidateToken();
    expect((await client.fetchPage(stream('sales_order'), window(1))).records).toHaveLength(100);
    expect(emulator.stats).toMatchObject({ token: 2, '40001': 1 });
  });

  it('signs the request path by default and /openapi + path when configured, as the platform accepts', async () => {
    await start({ signedUrlForms: ['openapi'] });
    await expect(transport().fetchPage(stream('sales_order'), window())).rejects.toMatchObject({
      code: 'SAIHU_SIGN_INVALID',
      level: 3,
      retriable: false,
    });
    expect(
      (await transport({ signedUrlPrefix: '/openapi' }).fetchPage(stream('sales_order'), window())).records,
    ).toHaveLength(100);
  });

  it('answers 40019 (also with HTTP 400) as throttled with the configured backoff', async () => {
    await start({ faults: { throttleBurst: 1, throttleWithHttp400: true } });
    const error = await transport()
      .fetchPage(stream('sales_order'), window())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceThrottledError);
    expect(error).toMatchObject({ code: 'SAIHU_THROTTLED', retryAfterMs: 1100 });
  });

  it('asks for settlement detail in the marketplace currency, soft deletes included', async () => {
    await start();
    const [victim] = emulator.store.versions('settlement_detail');
    emulator.store.softDelete('settlement_detail', victim!.id, NOW - 2 * HOUR);
    const page = await transport({ settlementCurrency: 'GBP' }).fetchPage(stream('settlement_detail'), window());
    expect(page.records).toHaveLength(40);
    expect(page.records.every((row) => row.currency === 'GBP')).toBe(true);
    expect(page.records.find((row) => row.id === victim!.id)).toMatchObject({ isDel: '1' });
  });

  it('reads counts exactly and names the field when one is not a whole number', () => {
    expect(saihuCount('12', 'data.totalPage')).toBe(12);
    expect(() => saihuCount('1.5', 'data.totalPage')).toThrow(YecaiError);
    expect(() => saihuCount(undefined, 'data.totalPage')).toThrow(/data\.totalPage/);
  });

  it('check() reports a wrong secret in Chinese and English', async () => {
    await start();
    const result = await transport({ clientSecret: 'wrong' }).check();
    expect(result).toMatchObject({ ok: false, code: 'SAIHU_CLIENT_INVALID' });
    expect(result.message).toMatch(/client_secret.*\/.*client_secret/);
  });
});
