/**
 * The fault suite's 聚水潭 reverse leg (issue #20, F1): Kingdee materials → JST goods under faults. Materials are audited
 * in the Kingdee emulator while source-kingdee, mapping and sink-jushuitan are SIGKILLed in turn and JST answers 502
 * and loses answers after applying uploads — then proof: every audited online material is exactly one JST goods row,
 * written once (one `created`, never a second upload), each material's version once on its raw topic, nothing parked.
 */
import { seededRandom, sleep } from '@yecai/common';
import { KillSchedule, rawOnceFailures, type FaultLegOptions } from './fault-leg';
import { KingdeeJstPipeline } from './kingdee-jst-pipeline';

/** Runs the leg; the failures it found (empty = every material exactly once in JST, none lost). */
export async function runKingdeeJstFaultLeg(options: FaultLegOptions): Promise<string[]> {
  const report = options.report ?? (() => undefined);
  const random = seededRandom(options.seed ?? 20);
  const topicPrefix = `${options.topicPrefix}kdjst.`;
  const pipeline = await KingdeeJstPipeline.start({ endpoints: options.endpoints, workDir: options.workDir, topicPrefix, mongoDb: `${options.mongoDb}_kdjst`, logLevel: 'warn' });
  const failures: string[] = [];
  const run = Date.now().toString(36).toUpperCase();
  const materials: string[] = [];
  const makeMaterials = async (count: number) => {
    for (let i = 0; i < count; i++) materials.push(await pipeline.material(`FLT-${run}-${materials.length + 1}`));
  };
  try {
    const lostBefore = pipeline.jst.stats.lost_answer ?? 0;
    pipeline.jst.setFaults({ serverErrorRate: 0.05, lostAnswerNext: 3 });
    const kills = options.kills ?? 6;
    await new KillSchedule(pipeline.services, { label: '金蝶→聚水潭', total: kills, random, report }).kill(kills, () => makeMaterials(3));
    await makeMaterials(4);
    const deadline = Date.now() + (options.settleTimeoutMs ?? 240_000);
    const allPosted = async () => (await Promise.all(materials.map((sku) => pipeline.posted(sku)))).every(Boolean);
    while (!(await allPosted()) && Date.now() < deadline) await sleep(2_000);
    pipeline.jst.setFaults({});
    await sleep(5_000); // a late redelivery or retry would show now

    for (const sku of materials) {
      const writes = pipeline.writesOf(sku);
      if (writes.join() !== 'created') {
        const entry = await pipeline.ledgerOf(sku);
        failures.push(`金蝶→聚水潭 ${sku}: JST writes [${writes.join(', ')}], expected one created (ledger ${String(entry?.state ?? 'none')})`);
      }
    }
    const parkedAtMapping = await pipeline.db.collection('parked_documents').countDocuments({});
    if (parkedAtMapping > 0) failures.push(`金蝶→聚水潭: ${parkedAtMapping} documents parked at mapping`);
    // Raw: the source publishes every audited online material once — the seeded ones and the leg's, each use org's
    // copy its own document (FMATERIALID) — asked of Kingdee itself with the stream's own condition.
    const online = await pipeline.client.queryAll({ formId: 'BD_MATERIAL', fieldKeys: ['FMATERIALID'], filter: "FDocumentStatus = 'C' and F_YC_IsOnline = 1", orderBy: 'FMATERIALID' });
    failures.push(
      ...(await rawOnceFailures({
        endpoints: options.endpoints,
        topicPrefix,
        system: 'kingdee',
        label: '金蝶→聚水潭',
        streams: ['material'],
        documents: () => new Set(online.map((row) => String(row.FMATERIALID))).size,
      })),
    );
    const lost = (pipeline.jst.stats.lost_answer ?? 0) - lostBefore;
    report(
      failures.length
        ? `金蝶→聚水潭 leg FAILED: ${failures.join('; ')}`
        : `金蝶→聚水潭 leg OK: ${materials.length} materials once each in JST (${lost} answers lost after the upload landed), none lost`,
    );
    return failures;
  } finally {
    await pipeline.stop();
  }
}
