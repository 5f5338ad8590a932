/**
 * Kingdee → 旺店通 end to end (issue #20, F5, F6 and F1 reverse): a 采购入库单 saved, submitted and audited in the Kingdee
 * emulator → source-kingdee → Kafka → mapping (kingdee/purchase_instock) → Kafka → sink-wangdiantong → the WDT
 * emulator's stockin_purchase_push; an audited 采购退料单 the same way (kingdee/purchase_return) → purchase_return_push;
 * audited 其他入库单 / 其他出库单 (kingdee/other_instock, kingdee/other_outstock) → stockin_order_push / stockout_order_push;
 * an audited 直接调拨单 (kingdee/transfer) → stock_transfer_push;
 * an audited 是否网销 material, the same way (kingdee/material), → goods_push. Real broker, registry and MongoDB-wire server; the three services are child processes, so the
 * writer can be SIGKILLed between its push and its ledger record. Each Kingdee bill must end as exactly one WDT
 * stock-in (外部单号 = the bill number) and WDT stock must rise by exactly the bills' quantities — also after a lost
 * answer and after the kill.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal, formatBeijingTime, getFreePort } from '@yecai/common';
import { DEMO_KINGDEE_SECRET_ENV, demoKingdeeConnection, launchPipelineServices, yesterdayInBeijing, type ServiceName, type ServiceProcess } from '@yecai/demo';
import { DEFAULT_QYB_ACCOUNT, startWangdiantongEmulator, type WdtEmulator } from '@yecai/emulator-wangdiantong';
import { startKingdeeEmulator, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient } from '@yecai/kingdee';
import { repoRoot } from '@yecai/stack';
import { testEndpoints, uniqueName, uniqueTopicPrefix, waitFor } from '@yecai/test-harness';
import type { Db, MongoClient } from 'mongodb';
import { wdtDemoWorld } from './wdt-world';

const ROOT = repoRoot(__dirname);
const WAREHOUSE = 'HZ01';
const SPEC = 'G100201S'; // not batch-managed; Kingdee material number = WDT spec number in the demo world
const run = Date.now().toString(36).toUpperCase();

let kingdee: KingdeeEmulator;
let wdt: WdtEmulator;
let client: KingdeeClient;
let services: Record<ServiceName, ServiceProcess>;
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  const topicPrefix = uniqueTopicPrefix('e2e-kd-wdt');
  const day = yesterdayInBeijing();
  const world = wdtDemoWorld(day);
  kingdee = await startKingdeeEmulator({ seed: world.kingdeeFixture });
  wdt = await startWangdiantongEmulator({ world: world.wdtWorld, rateLimits: { perMinute: 6000, concurrent: 10 } });
  const connection = demoKingdeeConnection(kingdee.url, world.kingdeeFixture);
  process.env[DEMO_KINGDEE_SECRET_ENV] = world.kingdeeFixture.apps[0]!.appSecret;
  client = KingdeeClient.fromConfig(connection);
  const account = `kd${topicPrefix.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 40);
  const startAt = formatBeijingTime(Date.now() - 3_600_000);
  ({ services, mongo, db } = await launchPipelineServices(
    {
      endpoints: testEndpoints(),
      workDir: mkdtempSync(join(tmpdir(), 'yecai-e2e-kd-wdt-')),
      topicPrefix,
      mongoDb: uniqueName('e2e_kd_wdt').replace(/-/g, '_'),
    },
    world.masterData,
    {
      name: 'source-kingdee',
      main: join(ROOT, 'services/source-kingdee/src/main.ts'),
      config: {
        service: 'source_kingdee',
        opsPort: await getFreePort(),
        pollIntervalSeconds: 2,
        accounts: [{ name: account, startAt, masterDataStartAt: startAt, streams: ['purchase_instock', 'purchase_return', 'other_instock', 'other_outstock', 'transfer', 'material'], connection }],
      },
      env: { [DEMO_KINGDEE_SECRET_ENV]: world.kingdeeFixture.apps[0]!.appSecret },
      sinkFlows: ['oms_purchase_instock', 'oms_purchase_return', 'oms_other_instock', 'oms_other_outstock', 'oms_transfer', 'oms_goods'],
    },
    {
      name: 'sink-wangdiantong',
      main: join(ROOT, 'services/sink-wangdiantong/src/main.ts'),
      config: {
        groupId: `yecai-sink-wdt-${topicPrefix.replace(/[^A-Za-z0-9_-]/g, '')}`,
        wangdiantong: { sid: DEFAULT_QYB_ACCOUNT.sid, appKey: DEFAULT_QYB_ACCOUNT.appkey, appSecret: 'env:E2E_WDT_APP_SECRET', baseUrl: `${wdt.url}/openapi2`, requestTimeoutMs: 2_000 },
        flows: [{ documentType: 'oms_purchase_instock' }, { documentType: 'oms_purchase_return' }, { documentType: 'oms_other_instock' }, { documentType: 'oms_other_outstock' }, { documentType: 'oms_transfer' }, { documentType: 'oms_goods' }],
        batchSize: 10,
        probeIntervalMs: 1_000,
        schedulerIntervalMs: 1_000,
        level2RetryDelaysMs: [2_000, 5_000],
        staleInFlightMs: 5_000,
        admin: { tokens: [{ name: 'demo-operator', role: 'operator', token: 'env:YECAI_DEMO_ADMIN_TOKEN' }] },
      },
      env: { E2E_WDT_APP_SECRET: DEFAULT_QYB_ACCOUNT.appsecret },
    },
  ));
}, 300_000);

afterAll(async () => {
  for (const name of ['source', 'mapping', 'sink'] as const) await services?.[name]?.dispose();
  await Promise.allSettled([wdt?.close(), kingdee?.close()]);
  await mongo?.close();
});

/** Saves, submits and audits a 采购入库单 in Kingdee: its number (the WDT outer number). */
async function auditedInStock(quantity: string): Promise<string> {
  const saved = await client.save('STK_InStock', {
    FBillTypeID: { FNUMBER: 'RKD01_SYS' },
    FDate: formatBeijingTime(Date.now()).slice(0, 10),
    FStockOrgId: { FNumber: '100' },
    FPurchaseOrgId: { FNumber: '100' },
    FSupplierId: { FNumber: 'GYS001' },
    FOwnerTypeIdHead: 'BD_OwnerOrg',
    FOwnerIdHead: { FNumber: '100' },
    FInStockFin: { FSettleCurrId: { FNumber: 'PRE001' } },
    FInStockEntry: [{ FMaterialId: { FNumber: SPEC }, FUnitID: { FNumber: 'Pcs' }, FRealQty: quantity, FPrice: '20', FStockId: { FNumber: WAREHOUSE } }],
  } as never);
  for (const op of ['Submit', 'Audit'] as const) {
    const [outcome] = await client.operateEach(op, 'STK_InStock', { numbers: [saved.number] });
    expect({ op, status: outcome?.status }).toEqual({ op, status: 'done' });
  }
  return saved.number;
}

/** Saves a 采购退料单 in Kingdee, then the given operations (Submit, Audit): its number (the WDT outer number). */
async function purchaseReturn(quantity: string, ops: Array<'Submit' | 'Audit'>): Promise<string> {
  const saved = await client.save('PUR_MRB', {
    FBillTypeID: { FNumber: 'TLD01_SYS' },
    FDate: formatBeijingTime(Date.now()).slice(0, 10),
    FStockOrgId: { FNumber: '100' },
    FPurchaseOrgId: { FNumber: '100' },
    FSupplierID: { FNumber: 'GYS001' },
    FOwnerTypeIdHead: 'BD_OwnerOrg',
    FOwnerIdHead: { FNumber: '100' },
    FPURMRBFIN: { FSettleCurrId: { FNumber: 'PRE001' } },
    FPURMRBENTRY: [{ FMATERIALID: { FNumber: SPEC }, FUnitID: { FNumber: 'Pcs' }, FRMREALQTY: quantity, FPrice: '20', FStockId: { FNumber: WAREHOUSE } }],
  } as never);
  for (const op of ops) {
    const [outcome] = await client.operateEach(op, 'PUR_MRB', { numbers: [saved.number] });
    expect({ op, status: outcome?.status }).toEqual({ op, status: 'done' });
  }
  return saved.number;
}

/**
 * Saves, submits and audits a 其他入库单 (STK_MISCELLANEOUS) or 其他出库单 (STK_MisDelivery) in Kingdee: its number and FID.
 * `note` is the header 备注 — what sink-kingdee writes there from an OMS document carries the OMS rule's marker.
 */
async function otherBill(formId: 'STK_MISCELLANEOUS' | 'STK_MisDelivery', quantity: string, note = '样品'): Promise<{ number: string; id: string }> {
  const isIn = formId === 'STK_MISCELLANEOUS';
  const header = { FDate: formatBeijingTime(Date.now()).slice(0, 10), FStockOrgId: { FNumber: '100' }, FStockDirect: 'GENERAL', FOwnerTypeIdHead: 'BD_OwnerOrg', FOwnerIdHead: { FNumber: '100' }, FNOTE: note };
  const line = { FUnitID: { FNumber: 'Pcs' }, FQty: quantity };
  const saved = await client.save(
    formId,
    (isIn
      ? { ...header, FBillTypeID: { FNumber: 'QTRKD01_SYS' }, FEntity: [{ ...line, FMATERIALID: { FNumber: SPEC }, FSTOCKID: { FNumber: WAREHOUSE } }] }
      : { ...header, FBillTypeID: { FNumber: 'QTCKD01_SYS' }, FPickOrgId: { FNumber: '100' }, FDeptId: { FNumber: 'BM000001' }, FEntity: [{ ...line, FMaterialId: { FNumber: SPEC }, FStockId: { FNumber: WAREHOUSE } }] }) as never,
  );
  for (const op of ['Submit', 'Audit'] as const) {
    const [outcome] = await client.operateEach(op, formId, { numbers: [saved.number] });
    expect({ op, status: outcome?.status }).toEqual({ op, status: 'done' });
  }
  return { number: saved.number, id: String(saved.id) };
}

/** Saves, submits and audits a 直接调拨单 (STK_TransferDirect) in org 100 from WAREHOUSE to `to`: its number. */
async function auditedTransfer(quantity: string, to: string): Promise<string> {
  const org = { FNumber: '100' };
  const saved = await client.save('STK_TransferDirect', {
    FBillTypeID: { FNumber: 'ZJDB01_SYS' },
    FDate: formatBeijingTime(Date.now()).slice(0, 10),
    FBizType: 'NORMAL',
    FTransferDirect: 'GENERAL',
    FTransferBizType: 'InnerOrgTransfer',
    FStockOutOrgId: org,
    FOwnerTypeOutIdHead: 'BD_OwnerOrg',
    FOwnerOutIdHead: org,
    FStockOrgId: org,
    FOwnerTypeIdHead: 'BD_OwnerOrg',
    FOwnerIdHead: org,
    FNote: '补货',
    FBillEntry: [
      { FMaterialId: { FNumber: SPEC }, FUnitID: { FNumber: 'Pcs' }, FQty: quantity, FSrcStockId: { FNumber: WAREHOUSE }, FDestStockId: { FNumber: to }, FOwnerTypeOutId: 'BD_OwnerOrg', FOwnerOutId: org, FOwnerTypeId: 'BD_OwnerOrg', FOwnerId: org },
    ],
  } as never);
  for (const op of ['Submit', 'Audit'] as const) {
    const [outcome] = await client.operateEach(op, 'STK_TransferDirect', { numbers: [saved.number] });
    expect({ op, status: outcome?.status }).toEqual({ op, status: 'done' });
  }
  return saved.number;
}

/** Saves, submits and audits a 是否网销 material in Kingdee (base unit Pcs unless `unit: false`): its number. */
async function material(suffix: string, options: { unit?: boolean } = {}): Promise<string> {
  const number = `E2E-${run}-${suffix}`;
  const saved = await client.save('BD_MATERIAL', {
    FCreateOrgId: { FNumber: '100' },
    FUseOrgId: { FNumber: '100' },
    FNumber: number,
    FName: `测试货品 ${suffix}`,
    FSpecification: '红色;M',
    FBarCode: '6901234567892',
    F_YC_IsOnline: true,
    SubHeadEntity: options.unit === false ? { FErpClsID: '1' } : { FErpClsID: '1', FBaseUnitId: { FNumber: 'Pcs' } },
  } as never);
  for (const op of ['Submit', 'Audit'] as const) {
    const [outcome] = await client.operateEach(op, 'BD_MATERIAL', { numbers: [saved.number] });
    expect({ op, status: outcome?.status }).toEqual({ op, status: 'done' });
  }
  return number;
}

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
