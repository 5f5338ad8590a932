/**
 * 赛狐 runs the kit's conformance and crash suite against its emulator (libs/connector-kit/src/conformance): Amazon
 * orders take the same-second burst; settlement detail takes the late update, which here is a soft delete (the row
 * comes back with isDel "1" and a newer updateTimeStr, a new version published once). Storms are 40019 (throttle
 * bursts and the per-endpoint limit), 40001 mid-run (the token invalidated every 20 calls), 502 pages and timeouts.
 */
import { join } from 'node:path';
import { describeSourceConformance } from '@yecai/connector-kit/src/conformance';
import { SAIHU_CODES, SAIHU_TEST_ACCOUNT, startSaihuEmulator } from '@yecai/emulator-saihu';
import { saihu } from './source';

const SECRET_ENV = { SAIHU_TEST_CLIENT_SECRET: SAIHU_TEST_ACCOUNT.clientSecret };

describeSourceConformance({
  source: saihu,
  main: join(__dirname, 'main.ts'),
  streams: ['sales_order', 'settlement_detail'],
  secretEnv: SECRET_ENV,
  secrets: [SAIHU_TEST_ACCOUNT.clientSecret],
  stormCodes: { throttled: ['SAIHU_THROTTLED'], outcomes: ['SAIHU_HTTP_502', 'SAIHU_TIMEOUT'] },
  // Latency and 30-minute windows keep the sync running ~25 s, so that the kills land mid-sync on a fast machine too.
  crash: { documents: { sales_order: 6000, settlement_detail: 6000 }, latencyMs: 100, windowMinutes: 30 },
  startEmulator: async ({ seed, documents, fromMs, toMs, sameSecondRatio, latencyMs, storm }) => {
    const emulator = await startSaihuEmulator({
      seed,
      rateLimits: { perSecondPerEndpoint: storm ? 20 : 100_000 },
      documents: { perType: documents, fromMs, toMs, ...(sameSecondRatio !== undefined ? { sameSecondRatio } : {}) },
      faults: {
        ...(latencyMs ? { latencyMs } : {}),
        ...(storm
          ? {
              throttleBurst: 30,
              throttleWithHttp400: true,
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
        const late = emulator.store.versions(stream).find((version) => !version.isDel)!;
        if (stream === 'settlement_detail') emulator.store.softDelete(stream, late.id, atMs);
        else emulator.store.modifyDocument(stream, late.id, atMs, { orderStatus: 'Canceled' });
        return late.id;
      },
      stormEvidence: () => ({
        throttled: emulator.stats[String(SAIHU_CODES.throttled)] ?? 0,
        tokenInvalidated: emulator.stats[String(SAIHU_CODES.tokenInvalid)] ?? 0,
      }),
      close: () => emulator.close(),
    };
  },
  account: (emulator, { name, startAt, streams }) => ({
    name,
    baseUrl: emulator.url,
    clientId: SAIHU_TEST_ACCOUNT.clientId,
    clientSecret: 'env:SAIHU_TEST_CLIENT_SECRET',
    startAt,
    streams,
    rateLimits: { perSecond: 10_000, perMinute: 1_000_000, perEndpoint: true },
    throttleBackoffMs: 50,
    requestTimeoutMs: 3000,
  }),
});
