/**
 * The kit's sync loop against the JST emulator through the real JST transport, with an in-memory committer
 * standing in for the Kafka transaction (the Kafka path is proven in *.int.test.ts).
 */
import {
  CallRateLimiter,
  StreamSync,
  SyncEvents,
  checkpointKey,
  type CheckpointCommitter,
  type RawDocument,
  type StreamCheckpoint,
  type StreamDefinition,
  type SyncEvent,
} from '@yecai/connector-kit';
import { startJushuitanEmulator, type JstEmulator, type JstFaults } from '@yecai/emulator-jushuitan';
import { JST_STREAMS } from './streams';
import { JushuitanTransport } from './transport';

const MINUTE = 60_000;
const DAY = 86_400_000;

class MemoryCommitter implements CheckpointCommitter {
  documents: RawDocument[] = [];
  checkpoint: StreamCheckpoint | undefined;
  commits = 0;
  /** The first commit that would take the total past this many documents fails, as a crash would. */
  failAfterDocuments: number | undefined;

  async commit(documents: RawDocument[], checkpoint: StreamCheckpoint): Promise<void> {
    this.commits++;
    if (this.failAfterDocuments !== undefined && this.documents.length + documents.length > this.failAfterDocuments) {
      this.failAfterDocuments = undefined;
      throw new Error('simulated crash before commit');
    }
    this.documents.push(...documents);
    this.checkpoint = structuredClone(checkpoint);
  }
}

function stream(name: string, overrides: Partial<StreamDefinition> = {}): StreamDefinition {
  const found = JST_STREAMS.find((candidate) => candidate.name === name)!;
  return { ...found, ...overrides };
}

function freshCheckpoint(name: string, cursorMs: number, mode: 'live' | 'backfill' = 'live'): StreamCheckpoint {
  return {
    version: 1,
    account: 'acme',
    stream: name,
    mode,
    cursor: String(cursorMs),
    completed: false,
    seen: {},
    updatedAt: 0,
  };
}

interface Harness {
  emulator: JstEmulator;
  committer: MemoryCommitter;
  events: SyncEvent[];
  sync(definition: StreamDefinition, checkpoint?: StreamCheckpoint, shouldStop?: () => boolean): StreamSync;
}

async function setup(options: {
  perType: Record<string, number>;
  days?: number;
  sameSecondRatio?: number;
  faults?: JstFaults;
  limits?: { perSecond: number; perMinute: number };
}): Promise<Harness> {
  const now = Date.now();
  const emulator = await startJushuitanEmulator({
    seed: 7,
    rateLimits: options.limits ?? { perSecond: 10_000, perMinute: 100_000 },
    documents: {
      perType: options.perType,
      fromMs: now - (options.days ?? 3) * DAY,
      toMs: now - 2 * MINUTE,
      sameSecondRatio: options.sameSecondRatio,
    },
    faults: options.faults,
  });
  const committer = new MemoryCommitter();
  const events: SyncEvent[] = [];
  const bus = new SyncEvents();
  bus.on((event) => events.push(event));
  const transport = new JushuitanTransport({
    baseUrl: emulator.url,
    appKey: 'ak_test',
    appSecret: 'sk_test',
    tokens: { accessToken: 'at_test', refreshToken: 'rt_test' },
    timeoutMs: 2000,
    throttleBackoff: { perSecondMs: 20, perMinuteMs: 50 },
  });
  const limiter = new CallRateLimiter({ perSecond: 1000, perMinute: 60_000 });
  return {
    emulator,
    committer,
    events,
    sync: (definition, checkpoint, shouldStop) =>
      new StreamSync(
        {
          account: 'acme',
          stream: definition,
          transport,
          limiter,
          committer,
          events: bus,
          retry: { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 6 },
          idleCommitIntervalMs: 0,
          ...(shouldStop ? { shouldStop } : {}),
        },
        checkpoint ?? freshCheckpoint(definition.name, now - 4 * DAY),
      ),
  };
}

/** Every current version present exactly once: no (id, modified) missing or repeated. */
function expectExactlyOnce(
  emulator: JstEmulator,
  documents: RawDocument[],
  type: Parameters<JstEmulator['store']['versions']>[0],
) {
  const published = documents.filter((d) => d.documentType === type).map((d) => `${d.sourceId}@${d.sourceModifiedAt}`);
  expect(published.length).toBe(new Set(published).size);
  const expected = emulator.store.versions(type).map((v) => `${v.id}@${v.modifiedMs}`);
  const missing = expected.filter((key) => !published.includes(key));
  expect(missing).toEqual([]);
}

describe('StreamSync over the JST emulator', () => {
  let harness: Harness;
  afterEach(() => harness?.emulator.close());

  it('publishes every document once, advances the cursor to now − lag, and a second cycle re-reads the overlap without publishing', async () => {
    harness = await setup({ perType: { sales_outstock: 1500 } });
    const sync = harness.sync(stream('sales_outstock'));
    const first = await sync.runCycle();
    expect(first.published).toBe(1500);
    expectExactlyOnce(harness.emulator, harness.committer.documents, 'sales_outstock');
    const cursor = Number(harness.committer.checkpoint!.cursor);
    expect(Date.now() - MINUTE - cursor).toBeLessThan(10_000);
    expect(Date.now() - MINUTE - cursor).toBeGreaterThanOrEqual(0);
    const second = await sync.runCycle();
    expect(second.published).toBe(0);
    expect(harness.committer.documents).toHaveLength(1500);
  });

  it('loses nothing when hundreds of documents share one second across page boundaries', async () => {
    harness = await setup({ perType: { sales_outstock: 200 } });
    const second = Date.now() - 3 * DAY + 17 * MINUTE;
    harness.emulator.store.addDocuments('sales_outstock', 437, second);
    await harness.sync(stream('sales_outstock')).runCycle();
    expectExactlyOnce(harness.emulator, harness.committer.documents, 'sales_outstock');
    expect(harness.committer.documents).toHaveLength(637);
  });

  it('publishes a late update of an already-scanned document as one new version', async () => {
    harness = await setup({ perType: { aftersale: 300 } });
    const sync = harness.sync(stream('aftersale'));
    await sync.runCycle();
    const target = harness.emulator.store.versions('aftersale')[5]!;
    const updated = harness.emulator.store.modifyDocument('aftersale', target.id, Date.now() - 2 * MINUTE, {
      good_status: 'SELLER_RECEIVED',
    });
    await sync.runCycle();
    const versions = harness.committer.documents.filter((d) => d.sourceId === String(target.id));
    expect(versions.map((v) => v.sourceModifiedAt)).toEqual([target.modifiedMs, updated.modifiedMs]);
    expect(JSON.parse(versions[1]!.payload).good_status).toBe('SELLER_RECEIVED');
    expectExactlyOnce(harness.emulator, harness.committer.documents, 'aftersale');
  });

  it('does not skip rows when documents move to the end of the window while its pages are being read', async () => {
    harness = await setup({ perType: { sales_outstock: 600 }, days: 0.02 }); // ~30 minutes: one window
    const versions = harness.emulator.store.versions('sales_outstock');
    let moved = 0;
    // While the window is paged, each call moves one early document to the window's end, shifting every later
    // row one place up: forward paging skips a row per move here; backward paging only re-reads.
    const original = harness.emulator.store.queryByModified.bind(harness.emulator.store);
    harness.emulator.store.queryByModified = (type, from, to, accept) => {
      const result = original(type, from, to, accept);
      if (result.length > 0 && moved < 10) {
        harness.emulator.store.modifyDocument('sales_outstock', versions[moved * 3]!.id, Date.now() - 100_000);
        moved++;
      }
      return result;
    };
    const sync = harness.sync(stream('sales_outstock'));
    await sync.runCycle();
    const ids = new Set(harness.committer.documents.map((d) => d.sourceId));
    expect(versions.filter((v) => !ids.has(String(v.id))).map((v) => v.id)).toEqual([]);
    expect(moved).toBe(10);
    await sync.runCycle(); // the moved documents' new versions are inside the next cycle's overlap
    expectExactlyOnce(harness.emulator, harness.committer.documents, 'sales_outstock');
  });

  it('resumes after a crash between commits without losing or repeating a version', async () => {
    harness = await setup({ perType: { purchase_in: 0, other_inout: 2000 } });
    const definition = stream('other_inout');
    harness.committer.failAfterDocuments = 700;
    await expect(harness.sync(definition).runCycle()).rejects.toThrow(/simulated crash/);
    const afterCrash = harness.committer.checkpoint!;
    expect(harness.committer.documents.length).toBeGreaterThan(0);
    await harness.sync(definition, afterCrash).runCycle();
    expectExactlyOnce(harness.emulator, harness.committer.documents, 'other_inout');
  });

  it('stops between pages when asked, without moving the cursor past the unfinished window, and resumes cleanly', async () => {
    harness = await setup({ perType: { aftersale: 1500 } });
    const definition = stream('aftersale');
    let calls = 0;
    const stopped = await harness.sync(definition, undefined, () => ++calls > 25).runCycle();
    const cursorAtStop = Number(stopped.cursor);
    expect(harness.committer.documents.length).toBeGreaterThan(0);
    expect(harness.committer.documents.length).toBeLessThan(1500);
    // Nothing after the committed cursor was claimed: every version at or before it is already published.
    const published = new Set(harness.committer.documents.map((d) => `${d.sourceId}@${d.sourceModifiedAt}`));
    const covered = harness.emulator.store.versions('aftersale').filter((v) => v.modifiedMs <= cursorAtStop);
    expect(covered.filter((v) => !published.has(`${v.id}@${v.modifiedMs}`))).toEqual([]);
    await harness.sync(definition, harness.committer.checkpoint).runCycle();
    expectExactlyOnce(harness.emulator, harness.committer.documents, 'aftersale');
  });

  it('rides out throttling storms, 5xx bursts, timeouts and token expiry mid-scan', async () => {
    harness = await setup({
      perType: { stock_count: 800 },
      faults: {
        throttleBurst: 30,
        serverErrorBurst: 4,
        serverErrorRate: 0.05,
        expireTokenAfterRequests: 5,
        timeoutBurst: 1,
        timeoutMs: 3000,
      },
      limits: { perSecond: 50, perMinute: 100_000 },
    });
    await harness.sync(stream('stock_count')).runCycle();
    expectExactlyOnce(harness.emulator, harness.committer.documents, 'stock_count');
    const outcomes = harness.events.filter((e) => e.type === 'api_call').map((e) => (e as { outcome: string }).outcome);
    expect([...new Set(outcomes)]).toEqual(
      expect.arrayContaining(['JST_THROTTLED_SECOND', 'JST_THROTTLED_MINUTE', 'JST_HTTP_502', 'JST_TIMEOUT']),
    );
    expect(harness.emulator.stats['100']).toBeGreaterThanOrEqual(1); // the token expired and was refreshed
  }, 30_000);

  it('backfills a range under its own checkpoint with origin BACKFILL and marks it completed', async () => {
    harness = await setup({ perType: { allocate: 500 } });
    const now = Date.now();
    const range = {
      fromMs: Math.floor((now - 3 * DAY) / 1000) * 1000,
      toMs: Math.floor((now - 2 * DAY) / 1000) * 1000,
    };
    const checkpoint = { ...freshCheckpoint('allocate', range.fromMs, 'backfill'), range };
    await harness.sync(stream('allocate'), checkpoint).runCycle();
    const inRange = harness.emulator.store
      .versions('allocate')
      .filter((v) => v.modifiedMs >= range.fromMs && v.modifiedMs <= range.toMs);
    expect(harness.committer.documents.map((d) => d.sourceId).sort()).toEqual(inRange.map((v) => String(v.id)).sort());
    expect(harness.committer.documents.every((d) => d.origin === 'BACKFILL')).toBe(true);
    expect(harness.committer.checkpoint).toMatchObject({
      mode: 'backfill',
      completed: true,
      cursor: String(range.toMs),
    });
    expect(checkpointKey('acme', 'allocate', 'backfill')).toBe('acme/allocate/backfill');
  });

  it('follows the ts rowversion cursor (start_ts ≥) without repeating the boundary row', async () => {
    harness = await setup({ perType: { sales_outstock: 700 } });
    const definition = stream('sales_outstock', {
      cursor: { kind: 'monotonic_token', tokenField: 'ts' },
      paging: { style: 'token', pageSize: 50, maxPageSize: 50 },
    });
    const sync = harness.sync(definition, freshCheckpoint('sales_outstock', 0));
    await sync.runCycle();
    expectExactlyOnce(harness.emulator, harness.committer.documents, 'sales_outstock');
    const target = harness.emulator.store.versions('sales_outstock')[3]!;
    harness.emulator.store.modifyDocument('sales_outstock', target.id, Date.now(), { status: 'Cancelled' });
    const again = await sync.runCycle();
    expect(again.published).toBe(1);
    expectExactlyOnce(harness.emulator, harness.committer.documents, 'sales_outstock');
  });
});
