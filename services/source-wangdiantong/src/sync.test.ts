/**
 * Every WDT stream, in both editions, through the kit's sync loop and the real WDT transport against the
 * emulator (which verifies every signature), with an in-memory committer standing in for the Kafka transaction
 * (the Kafka path is proven in *.int.test.ts).
 */
import {
  CallRateLimiter,
  StreamSync,
  SyncEvents,
  type CheckpointCommitter,
  type RawDocument,
  type StreamCheckpoint,
  type StreamDefinition,
} from '@yecai/connector-kit';
import {
  DEFAULT_QJB_ACCOUNT,
  DEFAULT_QYB_ACCOUNT,
  defaultWorld,
  startWangdiantongEmulator,
  type WdtEmulator,
  type WdtEmulatorOptions,
} from '@yecai/emulator-wangdiantong';
import type { WdtCredentials, WdtEdition } from './config';
import { WDT_STREAM_DECLARATIONS, wdtStreams } from './streams';
import { EMULATOR_TYPE, publishedVersions } from './test-support';
import { WangdiantongTransport } from './transport';

const MINUTE = 60_000;
const DAY = 86_400_000;

class MemoryCommitter implements CheckpointCommitter {
  documents: RawDocument[] = [];
  checkpoint: StreamCheckpoint | undefined;
  async commit(documents: RawDocument[], checkpoint: StreamCheckpoint): Promise<void> {
    this.documents.push(...documents);
    this.checkpoint = structuredClone(checkpoint);
  }
}

type Qyb = Extract<WdtCredentials, { edition: 'qyb' }>;
type Qjb = Extract<WdtCredentials, { edition: 'qjb' }>;
const CREDENTIALS: { qyb: Qyb; qjb: Qjb } = {
  qyb: {
    edition: 'qyb',
    sid: DEFAULT_QYB_ACCOUNT.sid,
    appKey: DEFAULT_QYB_ACCOUNT.appkey,
    appSecret: DEFAULT_QYB_ACCOUNT.appsecret,
  },
  qjb: {
    edition: 'qjb',
    sid: DEFAULT_QJB_ACCOUNT.sid,
    appKey: DEFAULT_QJB_ACCOUNT.key,
    secret: DEFAULT_QJB_ACCOUNT.secret,
    salt: DEFAULT_QJB_ACCOUNT.salt,
  },
};

function transportFor(emulator: WdtEmulator, credentials: WdtCredentials): WangdiantongTransport {
  return new WangdiantongTransport({
    credentials,
    baseUrl: credentials.edition === 'qyb' ? `${emulator.url}/openapi2` : `${emulator.url}/openapi`,
    timeoutMs: 2000,
    throttleBackoff: { perMinuteMs: 50, concurrencyMs: 10 },
  });
}

function syncOf(
  emulator: WdtEmulator,
  edition: WdtEdition,
  definition: StreamDefinition,
  committer: MemoryCommitter,
  cursorMs: number,
  now: () => number = Date.now,
): StreamSync {
  return new StreamSync(
    {
      account: 'acme',
      stream: definition,
      transport: transportFor(emulator, CREDENTIALS[edition]),
      limiter: new CallRateLimiter({ perSecond: 1000, perMinute: 60_000 }),
      committer,
      events: new SyncEvents(),
      retry: { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 6 },
      idleCommitIntervalMs: 0,
      now,
    },
    {
      version: 1,
      account: 'acme',
      stream: definition.name,
      mode: 'live',
      cursor: String(cursorMs),
      completed: false,
      seen: {},
      updatedAt: 0,
    },
  );
}

/** The emulator with its master data last edited `ageMs` ago (its clock is shifted back while the world is seeded). */
async function emulatorWithOldMasterData(options: WdtEmulatorOptions, ageMs: number): Promise<WdtEmulator> {
  let offset = -ageMs;
  const emulator = await startWangdiantongEmulator({
    ...options,
    world: defaultWorld(),
    now: () => Date.now() + offset,
  });
  offset = 0;
  return emulator;
}

const DOCUMENT_STREAMS = WDT_STREAM_DECLARATIONS.filter((declaration) => !declaration.master).map((d) => d.name);

describe.each<WdtEdition>(['qyb', 'qjb'])('StreamSync over the WDT emulator, %s', (edition) => {
  let emulator: WdtEmulator;
  afterEach(() => emulator?.close());

  it('reads every document stream completely, each version once, and a second cycle publishes nothing', async () => {
    const now = Date.now();
    emulator = await startWangdiantongEmulator({
      seed: edition === 'qyb' ? 21 : 22,
      rateLimits: { perMinute: 1_000_000, concurrent: 50 },
      documents: {
        perType: Object.fromEntries(DOCUMENT_STREAMS.map((name) => [EMULATOR_TYPE[name]!, 260])),
        fromMs: now - 2 * DAY,
        toMs: now - 2 * MINUTE,
        sameSecondRatio: 0.5,
      },
    });
    const streams = wdtStreams({ edition, windowMinutes: 24 * 60 });
    for (const name of DOCUMENT_STREAMS) {
      const committer = new MemoryCommitter();
      const sync = syncOf(
        emulator,
        edition,
        streams.find((s) => s.name === name)!,
        committer,
        now - 3 * DAY,
      );
      await sync.runCycle();
      expect((await sync.runCycle()).published).toBe(0);
      const published = committer.documents.map((d) => `${d.sourceId}@${d.sourceModifiedAt}`);
      const expected = publishedVersions(emulator, name, edition).map((v) => `${v.id}@${v.modifiedMs}`);
      expect({ name, count: published.length, unique: new Set(published).size }).toEqual({
        name,
        count: expected.length,
        unique: expected.length,
      });
      expect({ name, missing: expected.filter((key) => !published.includes(key)) }).toEqual({ name, missing: [] });
      expect(committer.documents.every((d) => d.documentType === name && d.sourceSystem === 'wangdiantong')).toBe(true);
      expect(committer.documents.some((d) => d.payload.includes('0000-00-00'))).toBe(false);
      expect(Number(committer.checkpoint!.cursor)).toBeGreaterThan(now - 3 * MINUTE);
    }
  }, 120_000);

  it('reads shops, warehouses and goods edited long ago from an early start, once', async () => {
    emulator = await emulatorWithOldMasterData({ seed: 3 }, 400 * DAY);
    const world = defaultWorld();
    const streams = wdtStreams({ edition });
    const expected: Record<string, { field: string; values: string[] }> = {
      customer: { field: 'shop_no', values: world.shops.map((s) => s.shop_no) },
      warehouse: { field: 'warehouse_no', values: world.warehouses.map((w) => w.warehouse_no) },
      material: { field: 'goods_no', values: world.goods.map((g) => g.goods_no) },
    };
    for (const [name, { field, values }] of Object.entries(expected)) {
      const committer = new MemoryCommitter();
      const sync = syncOf(
        emulator,
        edition,
        streams.find((s) => s.name === name)!,
        committer,
        Date.now() - 2 * 365 * DAY,
      );
      await sync.runCycle();
      expect((await sync.runCycle()).published).toBe(0);
      const published = committer.documents.map((d) => String(JSON.parse(d.payload)[field]));
      expect({ name, published: published.sort() }).toEqual({ name, published: [...values].sort() });
    }
  }, 120_000);

  it('re-reads rows updated while the window was paged, and publishes their new version once', async () => {
    const now = Date.now();
    emulator = await startWangdiantongEmulator({
      seed: 31,
      rateLimits: { perMinute: 1_000_000, concurrent: 50 },
      documents: { perType: { sales_out: 900 }, fromMs: now - DAY, toMs: now - 2 * MINUTE, sameSecondRatio: 0.6 },
      faults: { lateUpdateRate: 0.05 },
    });
    const definition = wdtStreams({ edition }).find((s) => s.name === 'sales_outstock')!;
    const committer = new MemoryCommitter();
    let shift = 0;
    const sync = syncOf(emulator, edition, definition, committer, now - 2 * DAY, () => Date.now() + shift);
    await sync.runCycle();
    expect(emulator.stats.late_update).toBeGreaterThan(0);
    shift = 3 * MINUTE; // our clock passes the late updates' new modified times (+ settle lag)
    await sync.runCycle();
    const published = committer.documents.map((d) => `${d.sourceId}@${d.sourceModifiedAt}`);
    expect(published.length).toBe(new Set(published).size);
    const current = publishedVersions(emulator, 'sales_outstock', edition).map((v) => `${v.id}@${v.modifiedMs}`);
    expect(current.filter((key) => !published.includes(key))).toEqual([]);
    expect(published.length).toBe(current.length + emulator.stats.late_update!);
  }, 120_000);

  it('stops with a clear error when the secret is wrong, naming the setting', async () => {
    emulator = await startWangdiantongEmulator({ seed: 1 });
    const wrong: WdtCredentials =
      edition === 'qyb' ? { ...CREDENTIALS.qyb, appSecret: 'wrong' } : { ...CREDENTIALS.qjb, secret: 'wrong' };
    expect(await transportFor(emulator, wrong).check()).toMatchObject({
      ok: false,
      code: 'WDT_SIGN_INVALID',
      message: expect.stringContaining('appSecret'),
    });
    expect(await transportFor(emulator, CREDENTIALS[edition]).check()).toMatchObject({ ok: true });
  });
});
