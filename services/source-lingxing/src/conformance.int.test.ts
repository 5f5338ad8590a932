/**
 * 领星 runs the kit's conformance and crash suite against its emulator (libs/connector-kit/src/conformance): Amazon
 * orders (offset/length, ERP envelope, [start, end) windows; the late update is a refund after shipment) and 采购入库单;
 * the storm runs the two 入库单 streams that share one path and its single-token bucket, with 3001008 bursts, 502s,
 * lost answers and every access token expiring mid-run (refresh, or a new token when the refresh token is spent).
 */
import { join } from 'node:path';
import { describeSourceConformance } from '@yecai/connector-kit/src/conformance';
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator } from '@yecai/emulator-lingxing';
import { lingxing } from './source';

const SECRET_ENV = { LINGXING_TEST_APP_SECRET: LINGXING_TEST_ACCOUNT.appSecret };

describeSourceConformance({
  source: lingxing,
  main: join(__dirname, 'main.ts'),
  streams: ['sales_order', 'purchase_instock'],
  stormStreams: ['purchase_instock', 'other_instock'],
  secretEnv: SECRET_ENV,
  secrets: [LINGXING_TEST_ACCOUNT.appSecret],
  stormCodes: { throttled: ['LINGXING_THROTTLED'], outcomes: ['LINGXING_HTTP_502', 'LINGXING_TIMEOUT'] },
  // Latency and 30-minute windows keep the sync running ~25 s, so that the kills land mid-sync on a fast machine too.
  crash: { documents: { sales_order: 6000, purchase_instock: 6000 }, latencyMs: 100, windowMinutes: 30 },
  startEmulator: async ({ seed, documents, fromMs, toMs, sameSecondRatio, latencyMs, storm }) => {
    const emulator = await startLingxingEmulator({
      seed,
      documents: { perType: documents, fromMs, toMs, ...(sameSecondRatio !== undefined ? { sameSecondRatio } : {}) },
      faults: {
        ...(latencyMs ? { latencyMs } : {}),
        ...(storm
          ? {
              throttleBurst: 30,
              serverErrorBurst: 6,
              serverErrorRate: 0.05,
              timeoutBurst: 2,
              timeoutMs: 5000,
              expireTokenAfterRequests: 20,
            }
          : {}),
      },
    });
    return {
      url: emulator.url,
      versions: (stream) => emulator.store.versions(stream),
      addSameSecond: (stream, count, atMs) => void emulator.store.addDocuments(stream, count, atMs),
      modifyLate: (stream, atMs) => {
        const late = emulator.store.versions(stream)[0]!;
        if (stream === 'sales_order') emulator.store.refundAfterShipment(stream, late.id, atMs);
        else emulator.store.modifyDocument(stream, late.id, atMs, { status: 50 });
        return late.id;
      },
      stormEvidence: () => ({
        throttled: emulator.stats['3001008'] ?? 0,
        tokenExpired: emulator.stats['2001003'] ?? 0,
        tokenRenewed: (emulator.stats.token_refreshed ?? 0) + (emulator.stats.token_issued ?? 0),
      }),
      close: () => emulator.close(),
    };
  },
  account: (emulator, { name, startAt, streams }) => ({
    name,
    baseUrl: emulator.url,
    appId: LINGXING_TEST_ACCOUNT.appId,
    appSecret: 'env:LINGXING_TEST_APP_SECRET',
    startAt,
    streams,
    rateLimits: { perSecond: 10_000, perMinute: 1_000_000 },
    throttleBackoffMs: 50,
    requestTimeoutMs: 3000,
  }),
});
