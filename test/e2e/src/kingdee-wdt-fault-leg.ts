/**
 * The fault suite's reverse leg (issue #20): Kingdee → 旺店通 under faults. Bills are audited in the Kingdee emulator
 * while source-kingdee, mapping and sink-wangdiantong are SIGKILLed in turn and WDT answers 5xx and loses answers after
 * applying pushes — then proof: every audited bill is exactly one WDT document of its kind (外部单号 = the bill number),
 * WDT stock moved by exactly the bills' quantities, each bill's version is once on its raw topic, nothing is parked.
 */
import { Decimal, seededRandom, sleep } from '@yecai/common';
import type { WdtDocumentType } from '@yecai/emulator-wangdiantong';
import { KillSchedule, rawOnceFailures, type FaultLegOptions } from './fault-leg';
import { KD_WDT_SPEC, KD_WDT_WAREHOUSE, KingdeeWdtPipeline, type KdWdtStream } from './kingdee-wdt-pipeline';

const STREAMS: KdWdtStream[] = ['purchase_instock', 'purchase_return', 'other_instock', 'other_outstock'];

interface Bill {
  stream: KdWdtStream;
  /** The sink's ledger kind and the WDT document type it becomes. */
  kind: string;
  wdtType: WdtDocumentType;
  number: string;
  /** WDT stock change it makes. */
  delta: string;
}

/** Runs the leg; the failures it found (empty = every bill exactly once in WDT, none lost). */
export async function runKingdeeWdtFaultLeg(options: FaultLegOptions): Promise<string[]> {
  const report = options.report ?? (() => undefined);
  const random = seededRandom(options.seed ?? 20);
  const topicPrefix = `${options.topicPrefix}kdwdt.`;
  const pipeline = await KingdeeWdtPipeline.start({ endpoints: options.endpoints, workDir: options.workDir, topicPrefix, mongoDb: `${options.mongoDb}_kdwdt`, logLevel: 'warn', streams: STREAMS });
  const failures: string[] = [];
  const bills: Bill[] = [];
  // In turn: in-stock +2, purchase return −0.5, other in +1.25, other out −0.75 (Kingdee's own stock covers the outs).
  const makers: (() => Promise<Bill>)[] = [
    async () => ({ stream: 'purchase_instock', kind: 'stockin_purchase', wdtType: 'purchase_in', number: await pipeline.auditedInStock('2'), delta: '2' }),
    async () => ({ stream: 'purchase_return', kind: 'purchase_return', wdtType: 'purchase_return', number: await pipeline.purchaseReturn('0.5'), delta: '-0.5' }),
    async () => ({ stream: 'other_instock', kind: 'other_instock', wdtType: 'other_in', number: (await pipeline.otherBill('STK_MISCELLANEOUS', '1.25')).number, delta: '1.25' }),
    async () => ({ stream: 'other_outstock', kind: 'other_outstock', wdtType: 'other_out', number: (await pipeline.otherBill('STK_MisDelivery', '0.75')).number, delta: '-0.75' }),
  ];
  const makeBills = async (count: number) => {
    for (let i = 0; i < count; i++) bills.push(await makers[bills.length % makers.length]!());
  };
  try {
    const stockBefore = new Decimal(pipeline.wdt.store.stockOf(KD_WDT_WAREHOUSE, KD_WDT_SPEC));
    const lostBefore = pipeline.wdt.stats.lost_answer ?? 0;
    pipeline.wdt.setFaults({ serverErrorRate: 0.05, lostAnswerNext: 3 });
    const kills = options.kills ?? 6;
    await new KillSchedule(pipeline.services, { label: '金蝶→旺店通', total: kills, random, report }).kill(kills, () => makeBills(3));
    await makeBills(4);
    // Lost answers stay armed until pushes used them, so every one lands on a write.
    const deadline = Date.now() + (options.settleTimeoutMs ?? 240_000);
    const allPosted = async () => (await Promise.all(bills.map((bill) => pipeline.posted(bill.kind, bill.number)))).every(Boolean);
    while (!(await allPosted()) && Date.now() < deadline) await sleep(2_000);
    pipeline.wdt.setFaults({});
    await sleep(5_000); // a late redelivery or retry would show now

    for (const bill of bills) {
      const documents = pipeline.wdt.store.versions(bill.wdtType).filter((ref) => ref.outerNo === bill.number).length;
      if (documents !== 1) failures.push(`金蝶→旺店通 ${bill.stream} ${bill.number}: ${documents} WDT documents, expected 1`);
    }
    const moved = new Decimal(pipeline.wdt.store.stockOf(KD_WDT_WAREHOUSE, KD_WDT_SPEC)).minus(stockBefore);
    const expected = bills.reduce((sum, bill) => sum.plus(bill.delta), new Decimal(0));
    if (!moved.eq(expected)) failures.push(`金蝶→旺店通 WDT stock moved ${moved.toFixed()}, expected ${expected.toFixed()}`);
    const parkedAtMapping = await pipeline.db.collection('parked_documents').countDocuments({});
    if (parkedAtMapping > 0) failures.push(`金蝶→旺店通: ${parkedAtMapping} documents parked at mapping`);
    const lost = (pipeline.wdt.stats.lost_answer ?? 0) - lostBefore;
    failures.push(
      ...(await rawOnceFailures({
        endpoints: options.endpoints,
        topicPrefix,
        system: 'kingdee',
        label: '金蝶→旺店通',
        streams: STREAMS,
        documents: (stream) => bills.filter((bill) => bill.stream === stream).length,
      })),
    );
    report(
      failures.length
        ? `金蝶→旺店通 leg FAILED: ${failures.join('; ')}`
        : `金蝶→旺店通 leg OK: ${bills.length} bills once each in WDT (${lost} answers lost after the push landed), stock exact, none lost`,
    );
    return failures;
  } finally {
    await pipeline.stop();
  }
}
