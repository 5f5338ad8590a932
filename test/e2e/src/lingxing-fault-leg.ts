/**
 * The fault suite's 领星 leg: the LingXing pipeline (every flow) under faults — SIGKILLs of the source, mapping and
 * the sink, LingXing 3001008 bursts, 502s and access tokens expiring every 25 calls, Kingdee writes whose answer is
 * lost after they landed and 5xx — then proof: each raw stream holds every LingXing document once (no duplicate
 * version, none missing), Kingdee holds exactly one bill per finished document per form, and nothing is parked.
 */
import { seededRandom, sleep } from '@yecai/common';
import { KillSchedule, rawOnceFailures, type FaultLegOptions } from './fault-leg';
import { LINGXING_STREAMS, LingxingPipeline } from './lingxing-pipeline';

export type LingxingFaultLegOptions = FaultLegOptions;

/** Runs the leg; the failures it found (empty = every document exactly once, none lost). */
export async function runLingxingFaultLeg(options: LingxingFaultLegOptions): Promise<string[]> {
  const report = options.report ?? (() => undefined);
  const random = seededRandom(options.seed ?? 18);
  const topicPrefix = `${options.topicPrefix}lx.`;
  const pipeline = await LingxingPipeline.start({
    endpoints: options.endpoints,
    workDir: options.workDir,
    topicPrefix,
    mongoDb: `${options.mongoDb}_lx`,
    logLevel: 'warn',
    perType: {
      sales_order: 20,
      mp_sales_order: 5,
      sales_outstock: 5,
      sales_return: 5,
      first_leg_shipment: 6,
      purchase_instock: 4,
      other_instock: 4,
      other_outstock: 4,
      transfer: 5,
      purchase_return: 4,
      stock_count: 4,
      fee_settlement: 30,
    },
    lingxingFaults: { throttleBurst: 6, serverErrorRate: 0.05, expireTokenAfterRequests: 25 },
  });
  const failures: string[] = [];
  try {
    pipeline.kingdee.setFaults({ lostAnswerRate: 0.05, http5xxRate: 0.05 });
    const kills = options.kills ?? 6;
    await new KillSchedule(pipeline.services, { label: '领星', total: kills, random, report }).kill(kills);
    pipeline.kingdee.clearFaults();
    pipeline.lingxing.setFaults({});

    // Settled: Kingdee holds the expected number of bills on every form (or the deadline passes).
    const expected = pipeline.expectedBills();
    const deadline = Date.now() + (options.settleTimeoutMs ?? 180_000);
    const counts = () =>
      Object.fromEntries(
        Object.keys(expected).map((formId) => [formId, pipeline.billNumbers().get(formId)?.size ?? 0]),
      );
    while (JSON.stringify(counts()) !== JSON.stringify(expected) && Date.now() < deadline) await sleep(2_000);
    for (const [formId, want] of Object.entries(expected)) {
      const have = counts()[formId];
      if (have !== want) failures.push(`领星 ${formId}: ${have} bills, expected ${want}`);
    }
    for (const [formId, numbers] of pipeline.billNumbers()) {
      for (const [billNo, count] of numbers)
        if (count > 1) failures.push(`领星 duplicate Kingdee bill ${formId}/${billNo} ×${count}`);
    }
    const parked = await pipeline.db.collection('parked_documents').countDocuments({});
    if (parked > 0) failures.push(`领星: ${parked} documents parked`);

    // Raw: every 领星 document's current version once.
    failures.push(
      ...(await rawOnceFailures({
        endpoints: options.endpoints,
        topicPrefix,
        system: 'lingxing',
        label: '领星',
        streams: LINGXING_STREAMS,
        documents: (stream) => pipeline.documentCount(stream),
      })),
    );
    report(
      failures.length
        ? `领星 leg FAILED: ${failures.join('; ')}`
        : '领星 leg OK: every document once, none lost, nothing parked',
    );
    return failures;
  } finally {
    await pipeline.stop();
  }
}
