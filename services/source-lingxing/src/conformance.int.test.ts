/** 领星 runs the kit's conformance and crash suite against its emulator (libs/connector-kit/src/conformance). */
import { join } from 'node:path';
import { describeSourceConformance } from '@yecai/connector-kit/src/conformance';
import { LINGXING_TEST_ACCOUNT, startLingxingEmulator } from '@yecai/emulator-lingxing';
import { lingxing } from './source';

const SECRET_ENV = {
  LINGXING_TEST_APP_SECRET: LINGXING_TEST_ACCOUNT.appSecret,
  LINGXING_TEST_ACCESS_TOKEN: 'unused',
  LINGXING_TEST_REFRESH_TOKEN: 'unused',
};

describeSourceConformance({
  source: lingxing,
  main: join(__dirname, 'main.ts'),
  streams: ['sales_outstock', 'sales_order'],
  secretEnv: SECRET_ENV,
  secrets: [LINGXING_TEST_ACCOUNT.appSecret],
  stormCodes: { throttled: ['LINGXING_THROTTLED'], outcomes: ['LINGXING_HTTP_502'] },
  // Latency and 30-minute windows keep the sync running ~25 s, so that the kills land mid-sync on a fast machine too.
  crash: { documents: { sales_outstock: 6000, sales_order: 6000 }, latencyMs: 100, windowMinutes: 30 },
  startEmulator: async ({ seed, documents, fromMs, toMs, sameSecondRatio, latencyMs, storm }) => {
    const emulator = await startLingxingEmulator({
      seed,
      documents: { perType: documents, fromMs, toMs, ...(sameSecondRatio !== undefined ? { sameSecondRatio } : {}) },
      faults: {
        ...(latencyMs ? { latencyMs } : {}),
        ...(storm ? { throttleBurst: 30, serverErrorBurst: 6, serverErrorRate: 0.05, timeoutBurst: 2, timeoutMs: 5000, expireTokenAfterRequests: 20 } : {}),
      },
    });
    return {
      url: emulator.url,
      versions: (stream) => emulator.store.versions(stream),
      addSameSecond: (stream, count, atMs) => void emulator.store.addDocuments(stream, count, atMs),
      modifyLate: (stream, atMs) => {
        const late = emulator.store.versions(stream)[0]!;
        emulator.store.modifyDocument(stream, late.id, atMs, { status: 'Cancelled' });
        return String(late.id);
      },
      stormEvidence: () => ({ throttled: emulator.stats['1003'] ?? 0, tokenExpired: emulator.stats['1002'] ?? 0, refreshed: emulator.stats.refreshed ?? 0 }),
      close: () => emulator.close(),
    };
  },
  account: (emulator, { name, startAt, streams }) => ({
    name,
    baseUrl: emulator.url,
    appKey: LINGXING_TEST_ACCOUNT.appId,
    appSecret: 'env:LINGXING_TEST_APP_SECRET',
    accessToken: 'env:LINGXING_TEST_ACCESS_TOKEN',
    refreshToken: 'env:LINGXING_TEST_REFRESH_TOKEN',
    startAt,
    streams,
    rateLimits: { perSecond: 10_000, perMinute: 1_000_000 },
    throttleBackoffMs: 50,
    requestTimeoutMs: 3000,
  }),
});
