/** The YonSuite client against the emulator (its own signature check, envelopes, MDD cache, faults). */
import { EMULATOR_CREDENTIALS, startYonyouEmulator, type YonyouEmulator } from '@yecai/emulator-yonyou';
import { YonyouClient, YonyouError } from '../src';

process.env.YONYOU_TEST_SECRET = EMULATOR_CREDENTIALS.appSecret;
process.env.YONYOU_WRONG_SECRET = 'not-the-secret';
const SAVE = '/yonbip/scm/salesout/single/save';

const salesOut = (code: string, overrides: Record<string, unknown> = {}) => ({
  code,
  vouchdate: '2026-11-20',
  org: '100',
  salesOrg: '100',
  accountOrg: '100',
  cust: 'TM-YS01',
  currency: 'CNY',
  natCurrency: 'CNY',
  bustype: 'A30001',
  details: [{ product: 'A1001-BLK', qty: 2, stockUnit: 'Pcs', warehouse: 'CK001', oriTaxUnitPrice: '113.00' }],
  _status: 'Insert',
  ...overrides,
});

describe('YonyouClient against the YonSuite emulator', () => {
  let emulator: YonyouEmulator;
  const clientFor = (overrides: Record<string, unknown> = {}, now?: () => number) =>
    YonyouClient.fromConfig(
      {
        name: 'test',
        tenantId: EMULATOR_CREDENTIALS.tenantId,
        appKey: EMULATOR_CREDENTIALS.appKey,
        appSecret: 'env:YONYOU_TEST_SECRET',
        lookupUrl: emulator.url,
        retry: { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 50 },
        limits: { callsPerMinute: 600, throttledPauseMs: 20 },
        inProgressDelayMs: 100,
        ...overrides,
      },
      now ? { now } : {},
    );

  beforeEach(async () => {
    YonyouClient.clearGatewayCache();
    emulator = await startYonyouEmulator();
  });
  afterEach(() => emulator.close());

  it('looks the data centre up once per tenant, signs the token request the emulator verifies, and saves', async () => {
    const first = clientFor();
    const second = clientFor();
    const saved = await first.save(SAVE, salesOut('SO-1'), 'key-so-1');
    await second.list('/yonbip/scm/salesout/list', { pageIndex: 1, pageSize: 10, isSum: true });
    expect(emulator.stats.counts.lookup).toBe(1);
    expect(emulator.stats.counts.token).toBe(2); // one token per client
    expect(saved.status).toBe('saved');
    // The id is beyond 2^53 and arrives exactly.
    const stored = emulator.state.documentsOf('salesout')[0]!;
    expect(saved.status === 'saved' && saved.id).toBe(stored.id.toString());
    expect(BigInt(stored.id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it("a wrong secret fails the emulator's signature check: level 3 auth error naming the app", async () => {
    const client = clientFor({ appSecret: 'env:YONYOU_WRONG_SECRET' });
    const error = await client.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YonyouError);
    expect(error).toMatchObject({ kind: 'auth', level: 3, apiCode: '10021', field: 'appKey' });
  });

  it('refreshes the token before its 2 hours end, and once at once on 310036', async () => {
    let clock = Date.now();
    const client = clientFor({}, () => clock);
    await client.check();
    expect(emulator.tokensIssued()).toBe(1);
    clock += 7200 * 900; // 90 % of the life
    emulator.advanceClock(7200 * 900);
    await client.check();
    expect(emulator.tokensIssued()).toBe(2);
    emulator.setFaults({ invalidTokenNext: 1 });
    await client.check();
    expect(emulator.tokensIssued()).toBe(3);
  });

  it('MDD: the same resubmitCheckKey within an hour replays the first success; after it answers the duplicate code with the id', async () => {
    const client = clientFor();
    const first = await client.save(SAVE, salesOut('SO-2'), 'key-so-2');
    const again = await client.save(SAVE, salesOut('SO-2'), 'key-so-2');
    expect(again).toEqual(first);
    emulator.advanceClock(3_601_000);
    const later = await client.save(SAVE, salesOut('SO-2'), 'key-so-2');
    expect(later).toEqual({ status: 'duplicate', id: first.id });
    expect(emulator.state.documentsOf('salesout')).toHaveLength(1);
  });

  it('202 still processing: asks again with the same key and gets the one document', async () => {
    const client = clientFor();
    emulator.setFaults({ processingNext: 1, processingMs: 150 });
    const saved = await client.save(SAVE, salesOut('SO-3'), 'key-so-3');
    expect(saved.status).toBe('saved');
    expect(emulator.stats.counts['202']).toBeGreaterThanOrEqual(2);
    expect(emulator.state.documentsOf('salesout')).toHaveLength(1);
  });

  it('310046 throttling pauses the API and retries; the emulator enforces its per-API quota', async () => {
    const client = clientFor();
    emulator.setFaults({ throttleBurst: 2 });
    await client.save(SAVE, salesOut('SO-4'), 'key-so-4');
    expect(emulator.stats.counts['310046']).toBe(2);
    const limited = await startYonyouEmulator({ callsPerMinute: 2 });
    try {
      YonyouClient.clearGatewayCache();
      const eager = YonyouClient.fromConfig({
        name: 'eager',
        tenantId: EMULATOR_CREDENTIALS.tenantId,
        appKey: EMULATOR_CREDENTIALS.appKey,
        appSecret: 'env:YONYOU_TEST_SECRET',
        lookupUrl: limited.url,
        retry: { maxAttempts: 1 },
        limits: { callsPerMinute: 600 },
      });
      const body = { pageIndex: 1, pageSize: 1 };
      await eager.list('/yonbip/scm/salesout/list', body);
      await eager.list('/yonbip/scm/salesout/list', body);
      await expect(eager.list('/yonbip/scm/salesout/list', body)).rejects.toMatchObject({
        kind: 'throttled',
        apiCode: '310046',
        level: 3,
      });
      await eager.list('/yonbip/scm/othoutrecord/list', body); // the quota is per API
    } finally {
      await limited.close();
    }
  });

  it('refusals are levels: unknown customer level 1 naming cust, no stock level 2; batch audit reports failed rows', async () => {
    const client = clientFor();
    await expect(client.save(SAVE, salesOut('SO-5', { cust: 'NO-CUST' }), 'key-so-5')).rejects.toMatchObject({
      kind: 'data',
      level: 1,
      field: 'cust',
    });
    await expect(
      client.save(
        SAVE,
        salesOut('SO-6', { details: [{ product: 'G2001', qty: 1_000_000, warehouse: 'CK001' }] }),
        'key-so-6',
      ),
    ).rejects.toMatchObject({ kind: 'business', level: 2 });
    const a = await client.save(SAVE, salesOut('SO-7'), 'key-so-7');
    const b = await client.save(SAVE, salesOut('SO-8'), 'key-so-8');
    await client.batchAction('/yonbip/scm/salesout/batchaudit', [a.id]);
    const result = await client.batchAction('/yonbip/scm/salesout/batchaudit', [a.id, b.id]);
    expect(result.successIds).toEqual([b.id]);
    expect(result.failures).toEqual([{ id: a.id, message: expect.stringContaining('已审核') }]);
  });

  it('a lost answer after the write landed is indeterminate (not repeated); an outage is unavailable', async () => {
    const client = clientFor();
    emulator.setFaults({ lostAnswerNext: 1 });
    await expect(client.save(SAVE, salesOut('SO-9'), 'key-so-9')).rejects.toMatchObject({
      kind: 'indeterminate',
      level: 3,
    });
    expect(emulator.state.documentsOf('salesout')).toHaveLength(1);
    const found = await client.list('/yonbip/scm/salesout/list', {
      isSum: true,
      simpleVOs: [{ field: 'code', op: 'in', value1: ['SO-9'] }],
    });
    expect(found.recordList.map((row) => row.code)).toEqual(['SO-9']);
    emulator.setFaults({ down: true });
    await expect(client.check()).rejects.toMatchObject({ kind: 'unavailable', level: 3 });
  });
});
