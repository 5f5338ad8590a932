import { formatBeijingTime } from '@yecai/common';
import { CallRateLimiter, SourceThrottledError, StreamSync, SyncEvents } from '@yecai/connector-kit';
import { startJushuitanEmulator, type JstEmulator } from '@yecai/emulator-jushuitan';
import { JST_STREAMS } from './streams';
import { JushuitanTransport } from './transport';

const outstock = JST_STREAMS.find((s) => s.name === 'sales_outstock')!;

describe('JushuitanTransport', () => {
  let emulator: JstEmulator;
  afterEach(() => emulator?.close());

  const transport = (overrides: Partial<ConstructorParameters<typeof JushuitanTransport>[0]> = {}) =>
    new JushuitanTransport({
      baseUrl: emulator.url,
      appKey: 'ak_test',
      appSecret: 'sk_test',
      tokens: { accessToken: 'at_test' },
      timeoutMs: 15_000,
      ...overrides,
    });

  it('check() says in Chinese and English whether the credentials work', async () => {
    emulator = await startJushuitanEmulator({ seed: 1 });
    expect(await transport().check()).toEqual({ ok: true, message: '聚水潭账号可用 / Jushuitan account works' });
    const badSecret = await transport({ appSecret: 'sk_wrong' }).check();
    expect(badSecret).toMatchObject({
      ok: false,
      code: 'JST_SIGN_INVALID',
      message: expect.stringMatching(/签名无效.*app_secret.*\/ invalid signature/),
    });
    const badToken = await transport({ tokens: { accessToken: 'at_old' } }).check();
    expect(badToken).toMatchObject({ ok: false, code: 'JST_TOKEN_INVALID' });
  });

  it('maps a window over 7 days to a non-retriable level-1 error carrying the JST text', async () => {
    emulator = await startJushuitanEmulator({ seed: 1 });
    const now = Date.now();
    await expect(
      transport().fetchPage(outstock, {
        kind: 'window',
        fromMs: now - 8 * 86_400_000,
        toMs: now,
        pageIndex: 1,
        pageSize: 50,
      }),
    ).rejects.toMatchObject({
      code: 'JST_BUSINESS_1',
      level: 1,
      retriable: false,
      userMessage: expect.stringContaining('时间间隔不能超过七天'),
    });
  });

  it('maps 199 and 200 to throttle errors with the configured back-off', async () => {
    emulator = await startJushuitanEmulator({ seed: 1, faults: { throttleBurst: 2 } });
    const client = transport({ throttleBackoff: { perSecondMs: 1111, perMinuteMs: 61_000 } });
    const request = {
      kind: 'window',
      fromMs: Date.now() - 3600_000,
      toMs: Date.now(),
      pageIndex: 1,
      pageSize: 50,
    } as const;
    const errors = [];
    for (let i = 0; i < 2; i++) errors.push(await client.fetchPage(outstock, request).catch((e: unknown) => e));
    expect(errors.every((e) => e instanceof SourceThrottledError)).toBe(true);
    expect(errors.map((e) => (e as SourceThrottledError).retryAfterMs).sort()).toEqual([1111, 61_000]);
  });

  it('refreshes an expired token once, keeps the rotated pair, and saves it', async () => {
    emulator = await startJushuitanEmulator({
      seed: 1,
      documents: { perType: { sales_outstock: 20 }, fromMs: Date.now() - 3600_000, toMs: Date.now() - 120_000 },
    });
    const saved: unknown[] = [];
    const client = transport({
      tokens: { accessToken: 'at_test', refreshToken: 'rt_test' },
      tokenStore: { load: async () => undefined, save: async (t) => void saved.push(t) },
    });
    emulator.setFaults({ expireTokenAfterRequests: 1 });
    const request = {
      kind: 'window',
      fromMs: Date.now() - 3600_000,
      toMs: Date.now(),
      pageIndex: 1,
      pageSize: 50,
    } as const;
    await client.fetchPage(outstock, request);
    const page = await client.fetchPage(outstock, request); // token expired: refreshed and retried
    expect(page.records).toHaveLength(20);
    expect(saved).toEqual([
      { accessToken: emulator.accounts[0]!.accessToken, refreshToken: emulator.accounts[0]!.refreshToken },
    ]);
  });

  it('stays under the documented 5/s and 100/min with the default budget: no 199 or 200 from a strict server', async () => {
    const now = Date.now();
    emulator = await startJushuitanEmulator({
      seed: 1,
      documents: { perType: { sales_outstock: 600 }, fromMs: now - 3600_000, toMs: now - 120_000 },
    });
    const sync = new StreamSync(
      {
        account: 'acme',
        stream: outstock,
        transport: transport(),
        limiter: new CallRateLimiter({ perSecond: 5, perMinute: 100 }),
        committer: { commit: async () => undefined },
        events: new SyncEvents(),
      },
      {
        version: 1,
        account: 'acme',
        stream: outstock.name,
        mode: 'live',
        cursor: String(now - 2 * 3600_000),
        completed: false,
        seen: {},
        updatedAt: 0,
      },
    );
    const result = await sync.runCycle();
    expect(result.published).toBe(600);
    expect(result.apiCalls).toBeGreaterThan(10);
    expect(emulator.stats['199'] ?? 0).toBe(0);
    expect(emulator.stats['200'] ?? 0).toBe(0);
    expect(formatBeijingTime(now)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});
