/**
 * 旺店通 runs the kit's conformance and crash suite against its emulator (libs/connector-kit/src/conformance), with
 * one account per edition: 企业版 (qyb) and 旗舰版 (qjb, 60-minute sales windows, only 已完成 sales asked for).
 */
import { join } from 'node:path';
import { generateDocuments, startWangdiantongEmulator } from '@yecai/emulator-wangdiantong';
import { describeSourceConformance } from '@yecai/connector-kit/src/conformance';
import type { WdtEdition } from './config';
import { wangdiantong } from './source';
import { EMULATOR_TYPE, TEST_SECRET_ENV, publishedVersions, testAccount } from './test-support';

const type = (stream: string) => {
  const found = EMULATOR_TYPE[stream];
  if (!found) throw new Error(`no emulator type for stream ${stream}`);
  return found;
};

describeSourceConformance({
  source: wangdiantong,
  main: join(__dirname, 'main.ts'),
  variants: ['qyb', 'qjb'] satisfies WdtEdition[],
  streams: ['sales_outstock', 'transfer'],
  stormStreams: ['sales_outstock', 'stock_count'],
  secretEnv: TEST_SECRET_ENV,
  secrets: ['wdt_secret', 'wdt_qjb_secret', 'wdt_salt'],
  stormCodes: {
    throttled: ['WDT_THROTTLED_MINUTE', 'WDT_THROTTLED_CONCURRENCY'],
    outcomes: ['WDT_HTTP_502', 'WDT_TIMEOUT'],
  },
  // Slows a full sync (≥ 120 旗舰版 one-hour windows alone) so that the kills land while it is still running.
  // 9,000 per account; 旗舰版 sales only 已完成.
  crash: { documents: { sales_outstock: 6_000, transfer: 3_000 }, latencyMs: 50, atLeast: 16_000 },
  startEmulator: async ({ seed, documents, fromMs, toMs, sameSecondRatio, latencyMs, storm }) => {
    const emulator = await startWangdiantongEmulator({
      seed,
      rateLimits: storm ? { perMinute: 100_000, concurrent: 1 } : { perMinute: 1_000_000, concurrent: 50 },
      documents: {
        perType: Object.fromEntries(Object.entries(documents).map(([stream, count]) => [type(stream), count])),
        fromMs,
        toMs,
        ...(sameSecondRatio !== undefined ? { sameSecondRatio } : {}),
      },
      faults: {
        ...(latencyMs ? { latencyMs } : {}),
        ...(storm
          ? { throttleBurst: 30, serverErrorBurst: 6, serverErrorRate: 0.05, timeoutBurst: 2, timeoutMs: 5000 }
          : {}),
      },
    });
    return {
      url: emulator.url,
      versions: (stream, edition) => publishedVersions(emulator, stream, edition as WdtEdition),
      addSameSecond: (stream, count, atMs) =>
        generateDocuments(emulator.store, 77, {
          perType: { [type(stream)]: count },
          fromMs: atMs,
          toMs: atMs,
          sameSecondRatio: 1,
        }),
      modifyLate: (stream, atMs) => {
        const late = emulator.store.versions(type(stream)).find((v) => v.status !== 90)!;
        emulator.store.modifyDocument(type(stream), late.id, atMs, { status: 90 });
        return String(late.id);
      },
      stormEvidence: () => ({ throttled: emulator.stats.throttled ?? 0 }),
      close: () => emulator.close(),
    };
  },
  account: (emulator, { name, variant, startAt, streams }) => ({
    ...testAccount({ url: emulator.url }, { name, edition: variant as WdtEdition, startAt, streams }),
    rateLimits: { perSecond: 10_000, perMinute: 1_000_000 },
  }),
});
