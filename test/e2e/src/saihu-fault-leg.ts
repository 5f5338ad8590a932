/**
 * The fault suite's 赛狐 leg: the Saihu finance pipeline (orders → receivables, payouts → one receipt + one fee
 * payable each) under faults — SIGKILLs of the source, mapping and the sink, 40019 bursts, 502s, the access token
 * invalidated every 20 calls (40001), Kingdee writes whose answer is lost after they landed and 5xx — then proof:
 * each raw stream holds every Saihu document once, Kingdee holds exactly one bill per document per form, nothing is
 * parked. Payouts arrive after their orders' receivables (a receipt before its receivable parks by design).
 */
import { seededRandom, sleep } from '@yecai/common';
import { Ledger } from '@yecai/sink-kingdee';
import { KillSchedule, rawOnceFailures, type FaultLegOptions } from './fault-leg';
import { SAIHU_STREAMS, SaihuPipeline } from './saihu-pipeline';

export type SaihuFaultLegOptions = FaultLegOptions;

type Row = Record<string, unknown>;
const SAIHU_FAULTS = { throttleBurst: 6, serverErrorRate: 0.05, expireTokenAfterRequests: 20 };

/** One payout per shop with shipped orders: every shipped order of the shop paid, a commission, a subscription. */
function addPayouts(pipeline: SaihuPipeline): number {
  const store = pipeline.saihu.store;
  const shipped = pipeline.records('sales_order').filter((order) => order.orderStatus === 'Shipped');
  const shops = [...new Set(shipped.map((order) => String(order.shopId)))];
  const at = Date.now() - 61_000;
  const postedAt = String(shipped[0]?.lastUpdateDate ?? '');
  for (const shopId of shops) {
    const orders = shipped.filter((order) => order.shopId === shopId);
    const currency = String(orders[0]!.orderTotalCurrency);
    const summary = store.add('settlement_summary', at);
    store.modifyDocument('settlement_summary', summary.id, at, {
      shopId,
      marketplaceId: orders[0]!.marketplaceId,
      currency,
      settlementEndTime: postedAt,
      transferTime: postedAt,
    });
    const row = (overrides: Row) => {
      const ref = store.add('settlement_detail', at);
      store.modifyDocument('settlement_detail', ref.id, at, {
        settlementId: summary.id,
        shopId,
        currency,
        postedDateTimeStr: postedAt,
        isDel: '0',
        ...overrides,
      });
    };
    for (const order of orders) {
      const sellerSku = (order.orderItemVoList as Row[])[0]!.sellerSku;
      row({
        orderId: order.amazonOrderId,
        sellerSku,
        transactionType: 'Order',
        amountType: 'ItemPrice',
        amount: order.orderTotalAmount,
      });
    }
    const first = orders[0]!;
    row({
      orderId: first.amazonOrderId,
      sellerSku: (first.orderItemVoList as Row[])[0]!.sellerSku,
      transactionType: 'Order',
      amountType: 'Commission',
      amount: currency === 'JPY' ? '-450' : '-4.49',
    });
    row({
      orderId: '',
      sellerSku: '',
      transactionType: 'ServiceFee',
      amountType: 'Subscription',
      amount: currency === 'JPY' ? '-4999' : '-39.99',
    });
  }
  return shops.length;
}

/** Runs the leg; the failures it found (empty = every document once, none lost, nothing parked). */
export async function runSaihuFaultLeg(options: SaihuFaultLegOptions): Promise<string[]> {
  const report = options.report ?? (() => undefined);
  const random = seededRandom(options.seed ?? 19);
  const topicPrefix = `${options.topicPrefix}sh.`;
  const pipeline = await SaihuPipeline.start({
    endpoints: options.endpoints,
    workDir: options.workDir,
    topicPrefix,
    mongoDb: `${options.mongoDb}_sh`,
    logLevel: 'warn',
    perType: { sales_order: 24 },
    saihuFaults: SAIHU_FAULTS,
  });
  const failures: string[] = [];
  const kills = options.kills ?? 6;
  const schedule = new KillSchedule(pipeline.services, { label: '赛狐', total: kills, random, report });
  const killSome = (count: number) => schedule.kill(count);
  const count = (formId: string) => pipeline.billNumbers().get(formId)?.size ?? 0;
  const waitFor = async (want: Record<string, number>, ms: number) => {
    const deadline = Date.now() + ms;
    const counts = () => Object.fromEntries(Object.keys(want).map((formId) => [formId, count(formId)]));
    while (JSON.stringify(counts()) !== JSON.stringify(want) && Date.now() < deadline) await sleep(1_000);
    return counts();
  };
  try {
    pipeline.kingdee.setFaults({ lostAnswerRate: 0.05, http5xxRate: 0.05 });
    const shipped = pipeline.records('sales_order').filter((order) => order.orderStatus === 'Shipped').length;
    await killSome(Math.floor(kills / 2));
    await waitFor({ AR_receivable: shipped }, options.settleTimeoutMs ?? 120_000);
    const payouts = addPayouts(pipeline);
    report(`赛狐 leg: ${shipped} receivables posted, ${payouts} payouts added`);
    await killSome(kills - Math.floor(kills / 2));
    pipeline.kingdee.clearFaults();
    pipeline.saihu.setFaults({ throttleBurst: 0, serverErrorRate: 0 });

    const expected = { AR_receivable: shipped, AR_RECEIVEBILL: payouts, AP_Payable: payouts };
    // Only as long as it takes; the bound allows for a loaded machine (restarts after kills, lost answers).
    const have = await waitFor(expected, options.settleTimeoutMs ?? 150_000);
    for (const [formId, want] of Object.entries(expected)) {
      if (have[formId] === want) continue;
      // Name what the sink's ledger holds for the missing ones (parked with a reason, pending, in doubt).
      const open = (await new Ledger(pipeline.db).current({ formId })).filter((entry) => entry.state !== 'POSTED');
      const states = open.map((entry) => `${entry.billNo} ${entry.state}${entry.problem ? ` ${entry.problem.code}: ${entry.problem.message}` : ''}`);
      failures.push(`赛狐 ${formId}: ${have[formId]} bills, expected ${want}${states.length ? ` (ledger: ${states.join('; ')})` : ''}`);
    }
    for (const [formId, numbers] of pipeline.billNumbers())
      for (const [billNo, times] of numbers)
        if (times > 1) failures.push(`赛狐 duplicate Kingdee bill ${formId}/${billNo} ×${times}`);
    const parked = await pipeline.db.collection('parked_documents').countDocuments({});
    if (parked > 0) failures.push(`赛狐: ${parked} documents parked`);

    // Raw: every 赛狐 document's current version once.
    failures.push(
      ...(await rawOnceFailures({
        endpoints: options.endpoints,
        topicPrefix,
        system: 'saihu',
        label: '赛狐',
        streams: SAIHU_STREAMS,
        documents: (stream) =>
          pipeline.saihu.store.versions(stream === 'settlement' ? 'settlement_summary' : stream).length,
      })),
    );
    const stats = pipeline.saihu.stats;
    report(`赛狐 leg faults: 40019 ×${stats['40019'] ?? 0}, 40001 ×${stats['40001'] ?? 0}, 5xx ×${stats['5xx'] ?? 0}`);
    report(
      failures.length
        ? `赛狐 leg FAILED: ${failures.join('; ')}`
        : '赛狐 leg OK: every document once, none lost, nothing parked',
    );
    return failures;
  } finally {
    await pipeline.stop();
  }
}
