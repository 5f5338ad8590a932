/**
 * 金蝶 runs the kit's conformance and crash suite (libs/connector-kit/src/conformance) against the one Kingdee
 * emulator (@yecai/emulator-kingdee), seeded with audited bills and online materials in volume (its volume.ts).
 * Storms are MsgCode 14 调用限制 (the per-second limit), HTTP 502 bursts and rates.
 */
import { join } from 'node:path';
import { describeSourceConformance } from '@yecai/connector-kit/src/conformance';
import {
  addAuditedBills,
  addOnlineMaterials,
  auditedVersions,
  dateExistingData,
  modifyLate,
  startKingdeeEmulator,
  type KingdeeEmulator,
} from '@yecai/emulator-kingdee';
import { kingdee } from './source';
import { KINGDEE_STREAM_DECLARATIONS } from './streams';

const APP = { appId: '300123_Q2kDWNdw1LBa4D0NTa6ADbQqTZbJUCTB', appSecret: '8b2677b7426a4ce7b3de6413d8924bbe' };
const formOf = (stream: string) =>
  KINGDEE_STREAM_DECLARATIONS.find((declaration) => declaration.name === stream)!.formId;

describeSourceConformance({
  source: kingdee,
  main: join(__dirname, 'main.ts'),
  streams: ['purchase_instock', 'material'],
  secretEnv: { KINGDEE_TEST_APP_SECRET: APP.appSecret },
  secrets: [APP.appSecret],
  stormCodes: { throttled: ['KINGDEE_THROTTLED'], outcomes: ['KINGDEE_HTTP_502'] },
  // Latency and 30-minute windows keep the sync running long enough for the kills to land mid-sync.
  crash: { documents: { purchase_instock: 4000, material: 4000 }, latencyMs: 60, windowMinutes: 30 },
  startEmulator: async ({ seed, documents, fromMs, toMs, sameSecondRatio, latencyMs, storm }) => {
    const emulator: KingdeeEmulator = await startKingdeeEmulator({
      randomSeed: seed,
      faults: {
        ...(latencyMs ? { latencyMs } : {}),
        ...(storm ? { throttlePerSecond: 25, http5xxNext: 6, http5xxRate: 0.05, http5xxStatus: 502 } : {}),
      },
    });
    // The emulator's fixture (audited online materials among it) is stamped with its start time, as Kingdee stamps a
    // save: date it at the range's start, so it is part of what a sync of the range reads.
    dateExistingData(emulator.state, fromMs);
    const range = (offset: number) => ({
      fromMs,
      toMs,
      seed: seed * 31 + offset,
      ...(sameSecondRatio !== undefined ? { sameSecondRatio } : {}),
    });
    for (const [index, [stream, count]] of Object.entries(documents).entries()) {
      if (formOf(stream) === 'BD_MATERIAL') addOnlineMaterials(emulator.state, count, range(index));
      else addAuditedBills(emulator.state, formOf(stream), count, range(index));
    }
    return {
      url: emulator.url,
      versions: (stream) => auditedVersions(emulator.state, formOf(stream)),
      addSameSecond: (stream, count, atMs) => {
        const same = { fromMs: atMs, toMs: atMs, seed: atMs % 997, sameSecondRatio: 1 };
        if (formOf(stream) === 'BD_MATERIAL') addOnlineMaterials(emulator.state, count, same);
        else addAuditedBills(emulator.state, formOf(stream), count, same);
      },
      modifyLate: (stream, atMs) => {
        const late = auditedVersions(emulator.state, formOf(stream))[0]!;
        modifyLate(emulator.state, formOf(stream), late.id, atMs);
        return String(late.id);
      },
      stormEvidence: () => ({ calls: [...emulator.callCounts.values()].reduce((sum, count) => sum + count, 0) }),
      close: () => emulator.close(),
    };
  },
  account: (emulator, { name, startAt, streams }) => ({
    name,
    startAt,
    masterDataStartAt: startAt,
    streams,
    rateLimits: { perSecond: 10_000, perMinute: 1_000_000 },
    throttleBackoffMs: 50,
    connection: {
      serverUrl: emulator.url,
      acctId: '6571a2b3c4d5e6',
      userName: 'yecai-integration',
      auth: { mode: 'signature', appId: APP.appId, appSecret: 'env:KINGDEE_TEST_APP_SECRET' },
      limits: { callsPerSecond: 10_000, maxConcurrent: 8 },
      timeoutMs: 5000,
    },
  }),
});
