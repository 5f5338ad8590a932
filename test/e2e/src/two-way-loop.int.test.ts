/**
 * Both directions at once on the same 旺店通 and 金蝶 (issue #20, "no echo loops"): 旺店通 → 金蝶 (source-wangdiantong →
 * mapping → sink-kingdee, a business day of WDT documents) and 金蝶 → 旺店通 (source-kingdee → mapping →
 * sink-wangdiantong, 采购入库 / 采购退料 / 其他入库 / 其他出库 / 直接调拨 / 盘盈 / 盘亏 / 组装拆卸 bills audited meanwhile) run side by side on one pair of emulators and one warehouse.
 * Each direction reads what the other one writes; the loop guards must drop it. Proof: every Kingdee-made bill is
 * exactly one WDT document and that document never comes back into Kingdee; every bill yecai wrote into Kingdee from
 * WDT never goes back out to WDT.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@yecai/common';
import { waitUntilSettled, yesterdayInBeijing } from '@yecai/demo';
import { startKingdeeEmulator } from '@yecai/emulator-kingdee';
import { startWangdiantongEmulator, type WdtDocumentType } from '@yecai/emulator-wangdiantong';
import { Ledger } from '@yecai/sink-kingdee';
import { testEndpoints, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import { KD_WDT_SPEC, KingdeeWdtPipeline } from './kingdee-wdt-pipeline';
import { WDT_STREAM_OF, WdtPipeline, type SharedEmulators } from './wdt-pipeline';
import { wdtDemoWorld } from './wdt-world';

/** The document kinds that run both ways (Kingdee form ↔ WDT type). */
const TWO_WAY_FORMS = ['STK_InStock', 'PUR_MRB', 'STK_MISCELLANEOUS', 'STK_MisDelivery', 'STK_TransferDirect', 'STK_StockCountGain', 'STK_StockCountLoss', 'STK_AssembledApp'];

let shared: SharedEmulators;
let forward: WdtPipeline;
let reverse: KingdeeWdtPipeline;

beforeAll(async () => {
  const day = yesterdayInBeijing();
  const world = wdtDemoWorld(day);
  shared = {
    kingdee: await startKingdeeEmulator({ seed: world.kingdeeFixture }),
    wdt: await startWangdiantongEmulator({ world: world.wdtWorld, rateLimits: { perMinute: 6000, concurrent: 10 } }),
  };
  const prefix = uniqueTopicPrefix('loop');
  const mongoDb = uniqueName('loop').replace(/-/g, '_');
  forward = await WdtPipeline.start({ endpoints: testEndpoints(), workDir: mkdtempSync(join(tmpdir(), 'yecai-loop-fw-')), topicPrefix: `${prefix}fw.`, mongoDb: `${mongoDb}_fw`, day, shared, logLevel: 'warn' });
  reverse = await KingdeeWdtPipeline.start({ endpoints: testEndpoints(), topicPrefix: `${prefix}rv.`, mongoDb: `${mongoDb}_rv`, shared, logLevel: 'warn', streams: ['purchase_instock', 'purchase_return', 'other_instock', 'other_outstock', 'transfer', 'stock_count_gain', 'stock_count_loss', 'assembly'] });
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([forward?.stop(), reverse?.stop()]);
  await Promise.allSettled([shared?.wdt.close(), shared?.kingdee.close()]);
});

it('旺店通 → 金蝶 and 金蝶 → 旺店通 at once on one warehouse: no document ever returns to the system it came from', async () => {
  // Kingdee activity while the WDT day flows into Kingdee: 采购入库, 采购退料, 其他入库, 其他出库, 调拨, 盘盈/盘亏, 组装/拆卸 in turn.
  const made: { kind: string; wdtType: WdtDocumentType; number: string }[] = [];
  for (let round = 0; round < 3; round++) {
    made.push({ kind: 'stockin_purchase', wdtType: 'purchase_in', number: await reverse.auditedInStock('3') });
    made.push({ kind: 'purchase_return', wdtType: 'purchase_return', number: await reverse.purchaseReturn('0.5') });
    made.push({ kind: 'other_instock', wdtType: 'other_in', number: (await reverse.otherBill('STK_MISCELLANEOUS', '1')).number });
    made.push({ kind: 'other_outstock', wdtType: 'other_out', number: (await reverse.otherBill('STK_MisDelivery', '0.5')).number });
    made.push({ kind: 'transfer', wdtType: 'transfer', number: await reverse.auditedTransfer('1', 'HZ02') });
    made.push({ kind: 'stock_pd', wdtType: 'stock_pd', number: await reverse.auditedStockCount(round % 2 === 0 ? 'Gain' : 'Loss', '20', round % 2 === 0 ? '21' : '19.5') });
    // A 组装拆卸单 is one 其他出库 (<FBillNo>-OUT) and one 其他入库 (<FBillNo>-IN) in WDT.
    const assembly = await reverse.auditedAssembly(round % 2 === 0 ? 'Assembly' : 'Dassembly', { material: 'G100202M', quantity: '1' }, { material: KD_WDT_SPEC, quantity: '2' });
    made.push({ kind: 'other_outstock', wdtType: 'other_out', number: `${assembly}-OUT` }, { kind: 'other_instock', wdtType: 'other_in', number: `${assembly}-IN` });
    await sleep(2_000);
  }
  const { settled } = await waitUntilSettled(forward, { timeoutMs: 300_000, intervalMs: 4_000 });
  expect(settled).toBe(true);
  await waitFor(async () => (await Promise.all(made.map((bill) => reverse.posted(bill.kind, bill.number)))).every(Boolean), 'every Kingdee bill pushed to WDT', 180_000);
  // Each WDT document pushed from Kingdee is read back by the WDT → Kingdee side once its settle lag (1 min) has passed:
  // wait until its loop guard has dropped every one (a filtered record each), then let anything in flight land.
  const pushedKeys = () =>
    made.flatMap((bill) => shared.wdt.store.versions(bill.wdtType).filter((ref) => ref.outerNo === bill.number).map((ref) => `/${WDT_STREAM_OF[bill.wdtType]}/${ref.id}`));
  const guarded = async () => {
    const keys = ((await forward.db.collection('filtered_documents').distinct('key')) as string[]);
    return pushedKeys().every((key) => keys.some((candidate) => candidate.endsWith(key)));
  };
  await waitFor(guarded, 'the WDT → Kingdee side read and dropped every document pushed from Kingdee', 300_000);
  await sleep(10_000);

  const forwardLedger = await new Ledger(forward.db).current();
  const reverseLedgerIds = new Set((await reverse.db.collection('sink_wangdiantong_ledger').distinct('ledgerId')) as string[]);
  const wdtOuterNos = new Set(Object.keys(WDT_STREAM_OF).flatMap((type) => shared.wdt.store.versions(type as WdtDocumentType).flatMap((ref) => (ref.outerNo ? [ref.outerNo] : []))));

  // The WDT side really flowed into Kingdee on the two-way kinds (else the check below proves nothing).
  const fromWdt = forwardLedger.filter((entry) => entry.state === 'POSTED' && TWO_WAY_FORMS.includes(entry.formId));
  expect(fromWdt.length).toBeGreaterThan(0);

  // Kingdee → WDT: each bill once in WDT, and that WDT document never came back into Kingdee.
  for (const bill of made) {
    const inWdt = shared.wdt.store.versions(bill.wdtType).filter((ref) => ref.outerNo === bill.number);
    expect({ bill: bill.number, inWdt: inWdt.length }).toEqual({ bill: bill.number, inWdt: 1 });
    const key = `/${WDT_STREAM_OF[bill.wdtType]}/${inWdt[0]!.id}`;
    expect({ bill: bill.number, backInKingdee: forwardLedger.filter((entry) => entry.documentKey.endsWith(key)).map((entry) => entry.billNo) }).toEqual({ bill: bill.number, backInKingdee: [] });
    // … because the WDT → Kingdee side read it and its loop guard dropped it, traceably (not by accident).
    const filtered = await forward.db.collection('filtered_documents').find({ key: { $regex: `${key}$` } }).toArray();
    const parked = await forward.db.collection('parked_documents').find({ key: { $regex: `${key}$` } }).toArray();
    expect({ bill: bill.number, guard: filtered.map((record) => record.filter), parked: parked.map((record) => record.reasonZh) }).toEqual({ bill: bill.number, guard: [expect.stringMatching(/业财从金蝶写入/)], parked: [] });
  }
  // WDT → Kingdee: no bill yecai wrote into Kingdee went back out to WDT. Its 其他入库/出库, 盘盈/盘亏 and 组装拆卸 (no
  // 第三方单据编号 on those forms) were read by the Kingdee → WDT side and dropped by its guard (traceable); its 采购入库/退料 and 调拨 carry the
  // third-party number (FTHIRDBILLNO / FThirdSrcBillNo) the Kingdee source skips them by.
  const reverseFiltered = (await reverse.db.collection('filtered_documents').find({}).toArray()).map((record) => `${record.key} ${record.filter}`);
  const guardedStreams: Record<string, string> = {
    STK_MISCELLANEOUS: 'other_instock',
    STK_MisDelivery: 'other_outstock',
    STK_StockCountGain: 'stock_count_gain',
    STK_StockCountLoss: 'stock_count_loss',
    STK_AssembledApp: 'assembly',
  };
  for (const entry of fromWdt.filter((candidate) => candidate.formId in guardedStreams)) {
    const stream = guardedStreams[entry.formId]!;
    // (A 组装拆卸单 is read by two rules, 出库 and 入库 halves: each drops it, so one distinct guard.)
    const guards = reverseFiltered.filter((record) => record.startsWith('kingdee/') && record.includes(`/${stream}/${entry.fid} `)).map((record) => record.slice(record.indexOf(' ') + 1));
    expect({ bill: entry.billNo, guard: [...new Set(guards)] }).toEqual({ bill: entry.billNo, guard: ['不是业财从电商写入的'] });
  }
  const echoed = fromWdt.filter((entry) => wdtOuterNos.has(entry.billNo) || [...reverseLedgerIds].some((id) => id.endsWith(`|${entry.billNo}`)));
  expect(echoed.map((entry) => `${entry.formId} ${entry.billNo}`)).toEqual([]);
  process.stdout.write(`[two-way loop] ${made.length} Kingdee bills → WDT once each; ${fromWdt.length} WDT documents → Kingdee on the two-way kinds; no echo\n`);
}, 900_000);
