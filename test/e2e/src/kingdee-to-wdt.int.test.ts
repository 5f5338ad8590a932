/**
 * Kingdee → 旺店通 end to end (issue #20, F5, F6 and F1 reverse): a 采购入库单 saved, submitted and audited in the Kingdee
 * emulator → source-kingdee → Kafka → mapping (kingdee/purchase_instock) → Kafka → sink-wangdiantong → the WDT
 * emulator's stockin_purchase_push; an audited 采购退料单 the same way (kingdee/purchase_return) → purchase_return_push;
 * audited 其他入库单 / 其他出库单 (kingdee/other_instock, kingdee/other_outstock) → stockin_order_push / stockout_order_push;
 * an audited 直接调拨单 (kingdee/transfer) → stock_transfer_push; audited 盘盈单 / 盘亏单 (kingdee/stock_count_gain / _loss) →
 * stock_sync_by_pd (the WDT stock set to the counted quantity); an audited 组装拆卸单 (kingdee/assembly_out + assembly_in) →
 * one stockout_order_push and one stockin_order_push;
 * an audited 是否网销 material, the same way (kingdee/material), → goods_push. Real broker, registry and MongoDB-wire server; the three services are child processes, so the
 * writer can be SIGKILLed between its push and its ledger record. Each Kingdee bill must end as exactly one WDT
 * stock-in (外部单号 = the bill number) and WDT stock must rise by exactly the bills' quantities — also after a lost
 * answer and after the kill.
 */
import { Decimal } from '@yecai/common';
import type { ServiceName, ServiceProcess } from '@yecai/demo';
import { DEFAULT_QYB_ACCOUNT, type WdtEmulator } from '@yecai/emulator-wangdiantong';
import { testEndpoints, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { Db } from 'mongodb';
import { KD_WDT_SPEC, KD_WDT_WAREHOUSE, KingdeeWdtPipeline } from './kingdee-wdt-pipeline';

const WAREHOUSE = KD_WDT_WAREHOUSE;
const SPEC = KD_WDT_SPEC;
const run = Date.now().toString(36).toUpperCase();

let pipeline: KingdeeWdtPipeline;
let wdt: WdtEmulator;
let services: Record<ServiceName, ServiceProcess>;
let db: Db;

beforeAll(async () => {
  pipeline = await KingdeeWdtPipeline.start({ endpoints: testEndpoints(), topicPrefix: uniqueTopicPrefix('e2e-kd-wdt'), mongoDb: uniqueName('e2e_kd_wdt').replace(/-/g, '_') });
  ({ wdt, services, db } = pipeline);
}, 300_000);

afterAll(() => pipeline?.stop());

// The Kingdee bills and materials the cases make (kingdee-wdt-pipeline.ts): saved, submitted, audited.
const auditedInStock = (quantity: string) => pipeline.auditedInStock(quantity);
const purchaseReturn = (quantity: string, ops: Array<'Submit' | 'Audit'>) => pipeline.purchaseReturn(quantity, ops);
const otherBill = (formId: 'STK_MISCELLANEOUS' | 'STK_MisDelivery', quantity: string, note?: string) => pipeline.otherBill(formId, quantity, note);
const auditedTransfer = (quantity: string, to: string) => pipeline.auditedTransfer(quantity, to);
const material = (suffix: string, options: { unit?: boolean } = {}) => pipeline.material(`E2E-${run}-${suffix}`, { ...options, name: `测试货品 ${suffix}` });

/** WDT stock-ins per outer number. */
const pushed = () => {
  const counts = new Map<string, number>();
  for (const ref of wdt.store.versions('purchase_in')) if (ref.outerNo) counts.set(ref.outerNo, (counts.get(ref.outerNo) ?? 0) + 1);
  return counts;
};
/** The sink's ledger entry for a bill (its latest revision; ledger id `<sid>|stockin_purchase|<outer_no>`). */
const ledgerOf = async (ledgerId: string) => (await db.collection('sink_wangdiantong_ledger').find({ ledgerId }).sort({ revision: -1 }).limit(1).toArray())[0];
const ledgerEntry = (billNo: string) => ledgerOf(`${DEFAULT_QYB_ACCOUNT.sid}|stockin_purchase|${billNo}`);
const posted = async (billNo: string) => (await ledgerEntry(billNo))?.state === 'POSTED';

describe('Kingdee → 旺店通 purchase in-stock, exactly once (real Kafka + registry + MongoDB-wire; services as processes)', () => {
  it('an audited in-stock appears once in WDT with stock + its quantity — plainly, after a lost answer, and after a SIGKILL of the writer between push and ledger record', async () => {
    const stockBefore = new Decimal(wdt.store.stockOf(WAREHOUSE, SPEC));

    // 1. Plain.
    const plain = await auditedInStock('1');
    await waitFor(() => posted(plain), `${plain} POSTED by sink-wangdiantong`, 120_000);

    // 2. The WDT answer is lost after the push landed: the sink resolves it by the outer number.
    wdt.setFaults({ lostAnswerNext: 1 });
    const lost = await auditedInStock('2');
    await waitFor(() => posted(lost), `${lost} POSTED after its answer was lost`, 120_000);
    expect(wdt.stats.lost_answer).toBe(1);

    // 3. The writer is SIGKILLed after WDT applied the push and before the answer (and so the ledger record): the
    // supervised sink restarts and adopts the stock-in by its outer number instead of pushing again.
    wdt.setFaults({ holdAnswerMs: 5_000 });
    const killed = await auditedInStock('3');
    await waitFor(() => pushed().has(killed), `${killed} pushed to WDT`, 120_000);
    expect(await posted(killed)).toBe(false);
    await services.sink.kill();
    wdt.setFaults({ holdAnswerMs: 0 });
    await waitFor(() => posted(killed), `${killed} POSTED after the writer was killed mid-write`, 120_000);

    // Let any straggling redelivery or retry run, then count.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const counts = pushed();
    expect([plain, lost, killed].map((billNo) => [billNo, counts.get(billNo)])).toEqual([
      [plain, 1],
      [lost, 1],
      [killed, 1],
    ]);
    expect(new Decimal(wdt.store.stockOf(WAREHOUSE, SPEC)).minus(stockBefore).toFixed(4)).toBe('6.0000');
  }, 600_000);

  it('an audited 采购退料单 appears once in WDT as a purchase return with stock − its quantity; an unaudited one never does', async () => {
    const stockBefore = new Decimal(wdt.store.stockOf(WAREHOUSE, SPEC));
    const returns = () => wdt.store.versions('purchase_return').filter((ref) => ref.outerNo !== undefined);
    // Saved and submitted (审核中), never audited: saved first, so the source has passed it when the audited one lands.
    const unaudited = await purchaseReturn('7', ['Submit']);
    const audited = await purchaseReturn('1.5', ['Submit', 'Audit']);
    await waitFor(async () => (await ledgerOf(`${DEFAULT_QYB_ACCOUNT.sid}|purchase_return|${audited}`))?.state === 'POSTED', `${audited} POSTED as a WDT purchase return`, 90_000);
    // Let a redelivery or a later poll run, then count.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(returns().filter((ref) => ref.outerNo === audited)).toHaveLength(1);
    expect(returns().some((ref) => ref.outerNo === unaudited)).toBe(false);
    expect(new Decimal(wdt.store.stockOf(WAREHOUSE, SPEC)).minus(stockBefore).toFixed(4)).toBe('-1.5000');
    expect(wdt.store.fields(wdt.store.findByOuterNo('purchase_return', audited)!)).toMatchObject({ outer_no: audited, warehouse_no: WAREHOUSE, provider_no: 'GYS001', remark: `金蝶采购退料 ${audited}` });
  }, 180_000);

  it('audited 其他入库单 / 其他出库单 appear once each in WDT with stock + / − their quantities, also after a lost answer; a bill yecai wrote from 旺店通 is filtered, never pushed', async () => {
    const stockBefore = new Decimal(wdt.store.stockOf(WAREHOUSE, SPEC));
    const outerNos = (type: 'other_in' | 'other_out') => wdt.store.versions(type).flatMap((ref) => (ref.outerNo ? [ref.outerNo] : []));
    const postedAs = async (kind: string, billNo: string) => (await ledgerOf(`${DEFAULT_QYB_ACCOUNT.sid}|${kind}|${billNo}`))?.state === 'POSTED';
    // A bill sink-kingdee wrote from a WDT 其他入库 (remark by wangdiantong/other_instock), first: the audited ones after
    // it show the source has read past it.
    const echo = await otherBill('STK_MISCELLANEOUS', '9', '旺店通其他入库 赠品入库');
    // Plainly (the in-stock audited first: Kingdee's own stock must cover the out-stock).
    const inPlain = (await otherBill('STK_MISCELLANEOUS', '4')).number;
    const outPlain = (await otherBill('STK_MisDelivery', '1.5')).number;
    await waitFor(async () => (await postedAs('other_instock', inPlain)) && postedAs('other_outstock', outPlain), `${inPlain} and ${outPlain} POSTED`, 120_000);
    // The WDT answers are lost after the pushes landed: IN_DOUBT, resolved by the outer-number query, not pushed again.
    const lostBefore = wdt.stats.lost_answer ?? 0;
    wdt.setFaults({ lostAnswerNext: 2 });
    const inLost = (await otherBill('STK_MISCELLANEOUS', '0.25')).number;
    const outLost = (await otherBill('STK_MisDelivery', '0.25')).number;
    await waitFor(async () => (await postedAs('other_instock', inLost)) && postedAs('other_outstock', outLost), `${inLost} and ${outLost} POSTED after their answers were lost`, 120_000);
    expect(wdt.stats.lost_answer).toBe(lostBefore + 2);
    const filtered = await db.collection('filtered_documents').findOne({ flow: 'kingdee/other_instock', key: { $regex: `/other_instock/${echo.id}$` } });
    expect(filtered).toMatchObject({ filter: '不是业财从电商写入的' });
    // Let a redelivery or a later poll run, then count.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(outerNos('other_in').filter((no) => no === inPlain || no === inLost).sort()).toEqual([inPlain, inLost].sort());
    expect(outerNos('other_out').filter((no) => no === outPlain || no === outLost).sort()).toEqual([outPlain, outLost].sort());
    expect(outerNos('other_in')).not.toContain(echo.number);
    // + 4 + 0.25 − 1.5 − 0.25: exact.
    expect(new Decimal(wdt.store.stockOf(WAREHOUSE, SPEC)).minus(stockBefore).toFixed(4)).toBe('2.5000');
    expect(wdt.store.fields(wdt.store.findByOuterNo('other_out', outPlain)!)).toMatchObject({ outer_no: outPlain, warehouse_no: WAREHOUSE, remark: `金蝶其他出库 ${outPlain} 样品` });
  }, 300_000);

  it('an audited 直接调拨单 appears once in WDT as a transfer, stock moved once from one warehouse to the other, also after a lost answer', async () => {
    const [from, to] = [WAREHOUSE, 'HZ02'];
    const stock = (warehouse: string) => new Decimal(wdt.store.stockOf(warehouse, SPEC));
    const [fromBefore, toBefore] = [stock(from), stock(to)];
    const postedTransfer = async (billNo: string) => (await ledgerOf(`${DEFAULT_QYB_ACCOUNT.sid}|transfer|${billNo}`))?.state === 'POSTED';
    const plain = await auditedTransfer('3', to);
    await waitFor(() => postedTransfer(plain), `${plain} POSTED as a WDT transfer`, 120_000);
    // The WDT answer is lost after the push landed: resolved by the outer-number query, not pushed again.
    const lostBefore = wdt.stats.lost_answer ?? 0;
    wdt.setFaults({ lostAnswerNext: 1 });
    const lost = await auditedTransfer('0.25', to);
    await waitFor(() => postedTransfer(lost), `${lost} POSTED after its answer was lost`, 120_000);
    expect(wdt.stats.lost_answer).toBe(lostBefore + 1);
    // Let a redelivery or a later poll run, then count.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const outerNos = wdt.store.versions('transfer').flatMap((ref) => (ref.outerNo === plain || ref.outerNo === lost ? [ref.outerNo] : []));
    expect(outerNos.sort()).toEqual([plain, lost].sort());
    expect([stock(from).minus(fromBefore).toFixed(4), stock(to).minus(toBefore).toFixed(4)]).toEqual(['-3.2500', '3.2500']);
    expect(wdt.store.fields(wdt.store.findByOuterNo('transfer', plain)!)).toMatchObject({ outer_no: plain, from_warehouse_no: from, to_warehouse_no: to, status: 90, remark: `金蝶调拨 ${plain} 补货` });
  }, 300_000);

  it('an audited 盘盈单 / 盘亏单 appears once in WDT as a 盘点单 setting the stock to the counted quantity, also after a lost answer; a later sale is not overwritten', async () => {
    const stock = () => wdt.store.stockOf(WAREHOUSE, SPEC);
    const postedCount = async (billNo: string) => (await ledgerOf(`${DEFAULT_QYB_ACCOUNT.sid}|stock_pd|${billNo}`))?.state === 'POSTED';
    const gain = await pipeline.auditedStockCount('Gain', '10', '12.5');
    await waitFor(() => postedCount(gain), `${gain} POSTED as a WDT 盘点单`, 120_000);
    expect(stock()).toBe('12.5000');
    // WDT sells one after the count: nothing pushes the 盘盈单 again, so the sale stays.
    wdt.store.addStock(WAREHOUSE, SPEC, new Decimal(-1));
    // The WDT answer for the 盘亏单 is lost after the 盘点单 landed: resolved by the outer-number query, not pushed again.
    const lostBefore = wdt.stats.lost_answer ?? 0;
    wdt.setFaults({ lostAnswerNext: 1 });
    const loss = await pipeline.auditedStockCount('Loss', '12.5', '11.25');
    await waitFor(() => postedCount(loss), `${loss} POSTED after its answer was lost`, 120_000);
    expect(wdt.stats.lost_answer).toBe(lostBefore + 1);
    expect(stock()).toBe('11.2500');
    wdt.store.addStock(WAREHOUSE, SPEC, new Decimal(-2));
    // Let a redelivery or a later poll run, then count: one 盘点单 each, the stock as the sale left it.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const outerNos = wdt.store.versions('stock_pd').flatMap((ref) => (ref.outerNo === gain || ref.outerNo === loss ? [ref.outerNo] : []));
    expect(outerNos.sort()).toEqual([gain, loss].sort());
    expect(stock()).toBe('9.2500');
    expect(wdt.store.fields(wdt.store.findByOuterNo('stock_pd', gain)!)).toMatchObject({ outer_no: gain, warehouse_no: WAREHOUSE, status: 30, remark: `金蝶盘盈 ${gain} 月末盘点` });
    expect(wdt.store.fields(wdt.store.findByOuterNo('stock_pd', loss)!)).toMatchObject({ outer_no: loss, remark: `金蝶盘亏 ${loss} 月末盘点` });
  }, 300_000);

  it('an audited 组装单 / 拆卸单 appears once in WDT as one 其他出库 and one 其他入库 (<FBillNo>-OUT / -IN): 组装 takes the components out and puts the finished product in, 拆卸 the reverse — also with both WDT answers lost', async () => {
    const [finished, component] = ['G100202M', SPEC];
    const stock = (spec: string) => new Decimal(wdt.store.stockOf(WAREHOUSE, spec));
    const [finishedBefore, componentBefore] = [stock(finished), stock(component)];
    const bothPosted = async (billNo: string) => (await pipeline.posted('other_outstock', `${billNo}-OUT`)) && pipeline.posted('other_instock', `${billNo}-IN`);
    // 组装: 1 礼盒装 from 2 子件.
    const assembled = await pipeline.auditedAssembly('Assembly', { material: finished, quantity: '1' }, { material: component, quantity: '2' });
    await waitFor(() => bothPosted(assembled), `${assembled}-OUT and -IN POSTED`, 120_000);
    // 拆卸 of 0.5 into 1 子件, both WDT answers lost after the pushes landed: resolved by the outer-number queries.
    const lostBefore = wdt.stats.lost_answer ?? 0;
    wdt.setFaults({ lostAnswerNext: 2 });
    const disassembled = await pipeline.auditedAssembly('Dassembly', { material: finished, quantity: '0.5' }, { material: component, quantity: '1' });
    await waitFor(() => bothPosted(disassembled), `${disassembled}-OUT and -IN POSTED after their answers were lost`, 120_000);
    expect(wdt.stats.lost_answer).toBe(lostBefore + 2);
    // Let a redelivery or a later poll run, then count: one document of each kind per bill.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const outerNos = (type: 'other_in' | 'other_out') => wdt.store.versions(type).flatMap((ref) => (ref.outerNo?.startsWith(assembled) || ref.outerNo?.startsWith(disassembled) ? [ref.outerNo] : []));
    expect(outerNos('other_out').sort()).toEqual([`${assembled}-OUT`, `${disassembled}-OUT`].sort());
    expect(outerNos('other_in').sort()).toEqual([`${assembled}-IN`, `${disassembled}-IN`].sort());
    // 组装 −2 子件 +1 成品, 拆卸 −0.5 成品 +1 子件: exact.
    expect([stock(component).minus(componentBefore).toFixed(4), stock(finished).minus(finishedBefore).toFixed(4)]).toEqual(['-1.0000', '0.5000']);
    expect(wdt.store.fields(wdt.store.findByOuterNo('other_out', `${assembled}-OUT`)!)).toMatchObject({ warehouse_no: WAREHOUSE, remark: `金蝶组装 ${assembled} 子件出库 礼盒` });
    expect(wdt.store.fields(wdt.store.findByOuterNo('other_in', `${disassembled}-IN`)!)).toMatchObject({ warehouse_no: WAREHOUSE, remark: `金蝶拆卸 ${disassembled} 子件入库 礼盒` });
  }, 300_000);

  it('an audited 是否网销 material becomes WDT goods with its spec, once; one without a base unit is parked at mapping naming the field (单位)', async () => {
    const number = await material('GOODS');
    const noUnit = await material('NOUNIT', { unit: false });
    await waitFor(async () => (await ledgerOf(`${DEFAULT_QYB_ACCOUNT.sid}|goods|${number}`))?.state === 'POSTED', `${number} POSTED as WDT goods`, 90_000);
    const goods = wdt.store.listGoods().filter((row) => row.goods_no === number);
    expect(goods).toHaveLength(1);
    expect(goods[0]).toMatchObject({ goods_no: number, goods_name: '测试货品 GOODS', unit_name: 'Pcs', remark: `金蝶物料 ${number}` });
    expect(goods[0]!.specs.map(({ spec_no, spec_name, barcode }) => ({ spec_no, spec_name, barcode }))).toEqual([{ spec_no: number, spec_name: '红色;M', barcode: '6901234567892' }]);
    expect(wdt.store.goodsWrites.filter((write) => write.goods_no === number).map((write) => write.kind)).toEqual(['created']);

    let parked: Record<string, unknown> | undefined;
    await waitFor(async () => {
      const records = await db.collection('parked_documents').find({ stage: 'mapping', flow: 'kingdee/material' }).toArray();
      parked = records.find((record) => JSON.stringify(record.raw ?? {}).includes(noUnit));
      return parked !== undefined;
    }, `${noUnit} parked at mapping`, 60_000);
    expect(parked).toMatchObject({ field: 'unit' });
    expect(String(parked!.reasonZh)).toMatch(/单位/);
    expect(wdt.store.listGoods().some((row) => row.goods_no === noUnit)).toBe(false);
  }, 180_000);
});
