/**
 * 旺店通 end to end: every WDT flow → source-wangdiantong (企业版) → Kafka → mapping → Kafka → sink → 金蝶, on the real
 * broker, registry and MongoDB-wire server; each bill is checked field by field as Kingdee answers a query for it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '@yecai/common';
import { WDT_PROTOCOL, renderQyb, type WdtDocumentType } from '@yecai/emulator-wangdiantong';
import { KingdeeClient } from '@yecai/kingdee';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { settled, summarize, type PipelineSummary } from '@yecai/demo';
import { canonicalEvents } from './canonical-events';
import { WdtPipeline } from './wdt-pipeline';
import { WDT_NEW_SPECS, WDT_NEW_WAREHOUSES, WDT_WAREHOUSES } from './wdt-world';

type WdtLine = Record<string, string>;
/** A 企业版 record: the fields the checks read (every scalar a string). */
interface WdtRecord {
  status: string;
  order_no: string;
  transfer_no: string;
  pd_no: string;
  assembly_no: string;
  shop_no: string;
  warehouse_no: string;
  to_warehouse_no: string;
  src_tids: string;
  logistics_no: string;
  refund_no: string;
  details_list: WdtLine[];
}

let pipeline: WdtPipeline;
let kingdee: KingdeeClient;
let summary: PipelineSummary;
let topicPrefix: string;

/** The WDT documents of a type as the 企业版 API renders them (every scalar a string). */
function wdtDocuments(type: WdtDocumentType): WdtRecord[] {
  const store = pipeline.wdt.store;
  return store.versions(type).map((version) => renderQyb(store.fields(store.get(type, version.id)!)) as unknown as WdtRecord);
}
const finished = (type: WdtDocumentType) => wdtDocuments(type).filter((doc) => doc.status === String(WDT_PROTOCOL[type].doneStatus));
const unfinished = (type: WdtDocumentType) => wdtDocuments(type).filter((doc) => doc.status !== String(WDT_PROTOCOL[type].doneStatus));

/** Bills of a form by number: one row per entry (or sub-entry) line. */
async function bills(formId: string, fieldKeys: string[]): Promise<Map<string, Record<string, unknown>[]>> {
  const rows = await kingdee.queryAll({ formId, fieldKeys: ['FBillNo', ...fieldKeys], filter: "FBillNo <> ''", orderBy: 'FBillNo' });
  const byBill = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) byBill.set(String(row.FBillNo), [...(byBill.get(String(row.FBillNo)) ?? []), row]);
  return byBill;
}

const same = (kingdeeValue: unknown, wdtText: string) => new Decimal(String(kingdeeValue)).equals(new Decimal(wdtText));
const lot = (value: unknown) => (value === null || value === undefined ? '' : String(value));

beforeAll(async () => {
  topicPrefix = uniqueTopicPrefix('e2e-wdt');
  pipeline = await WdtPipeline.start({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-e2e-wdt-')),
    topicPrefix,
    mongoDb: uniqueName('e2e_wdt').replace(/-/g, '_'),
    logLevel: 'warn',
  });
  let previous: PipelineSummary | undefined;
  const deadline = Date.now() + 360_000;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    summary = await summarize(pipeline, pipeline.flows);
    // Shops and warehouses are stamped with the emulator's start time: the source reads them once they are a
    // settle lag old. Wait for every master record, not only for quiet.
    const master = summary.flows.filter((flow) => ['物料 material', '客户 customer', '仓库 warehouse'].includes(flow.label));
    if (settled(summary, previous) && master.length === 3 && master.every((flow) => flow.fetched >= flow.available)) break;
    if (Date.now() > deadline) throw new Error(`pipeline did not settle: ${JSON.stringify(summary.flows)}`);
    previous = summary;
  }
  const app = pipeline.world.kingdeeFixture.apps[0]!;
  process.env.YECAI_E2E_WDT_KINGDEE_SECRET = app.appSecret;
  kingdee = KingdeeClient.fromConfig({
    name: 'e2e-wdt-check',
    serverUrl: pipeline.kingdee.url,
    acctId: app.acctIds[0],
    userName: app.users[0],
    auth: { mode: 'signature', appId: app.appId, appSecret: 'env:YECAI_E2E_WDT_KINGDEE_SECRET' },
  });
}, 600_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('the whole WDT day', () => {
  it('nothing is parked or pending anywhere, and every finished document of every flow is posted once', () => {
    expect(summary.reasons).toEqual([]);
    const expected: Record<string, number> = {
      '销售出库 sales out-stock': 2,
      '退货入库 sales return': 1,
      '采购入库 purchase in': 1,
      '采购退货 purchase return': 1,
      '其他入库 other in': 1,
      '其他出库 other out': 1,
      '调拨 transfer': 2,
      '盘点 stock-take': 2, // one document → a gain bill and a loss bill
      '组装拆卸 assembly': 2,
      '物料 material': 2, // the two specs new today
      '客户 customer': 2, // both shops, already in Kingdee: adopted
      '仓库 warehouse': 4, // three already in Kingdee (adopted), one new (BD_STOCK created)
    };
    const posting = summary.flows.filter((flow) => flow.sinkPosts);
    // Every document flow, materials, customers and warehouses are posted by the sink.
    expect(posting.map((flow) => flow.label).sort()).toEqual(Object.keys(expected).sort());
    expect(Object.fromEntries(posting.map((flow) => [flow.label, flow.posted]))).toEqual(Object.fromEntries(posting.map((flow) => [flow.label, expected[flow.label]])));
  });
});

describe('旺店通销售出库单 → 金蝶销售出库单 (F3)', () => {
  it('posts the 已完成 stock-outs with orgs from shop and warehouse, customer, remark, batches unchanged, exact prices', async () => {
    const posted = await bills('SAL_OUTSTOCK', [
      'FSaleOrgId.FNumber', 'FStockOrgId.FNumber', 'FCustomerID.FNumber', 'FSettleCurrID.FNumber', 'FNote', 'F_YC_LogisticsNo', 'F_YC_OnlineOrderNo',
      'FMaterialID.FNumber', 'FLot.FNumber', 'FRealQty', 'FTaxPrice', 'FIsFree', 'FStockID.FNumber', 'FOwnerID.FNumber',
    ]);
    const documents = finished('sales_out');
    expect([...posted.keys()].sort()).toEqual(documents.map((doc) => doc.order_no).sort());
    for (const doc of documents) {
      const bill = posted.get(doc.order_no)!;
      const org = doc.warehouse_no === 'GZ01' ? '101' : '100';
      expect(bill[0]).toMatchObject({
        'FSaleOrgId.FNumber': org, // tm-001 has sale org 100; jd-001 has none → the warehouse's org
        'FStockOrgId.FNumber': org,
        'FCustomerID.FNumber': doc.shop_no,
        'FSettleCurrID.FNumber': 'PRE001',
        FNote: `旺店通${doc.src_tids}`,
        F_YC_LogisticsNo: doc.logistics_no,
        F_YC_OnlineOrderNo: doc.src_tids,
      });
      expect(bill).toHaveLength(doc.details_list.length);
      doc.details_list.forEach((line, index) => {
        const entry = bill[index]!;
        expect([entry['FMaterialID.FNumber'], lot(entry['FLot.FNumber']), entry.FIsFree, entry['FStockID.FNumber'], entry['FOwnerID.FNumber']]).toEqual([
          line.spec_no, line.batch_no, line.gift_type !== '0', doc.warehouse_no, org,
        ]);
        expect(same(entry.FRealQty, line.goods_count!) && same(entry.FTaxPrice, line.sell_price!)).toBe(true);
      });
    }
    expect(unfinished('sales_out').some((doc) => posted.has(doc.order_no))).toBe(false);
  });
});

describe('旺店通退货入库单 → 金蝶销售退货单 (F4)', () => {
  it('posts completed refunds into the return warehouse with the shop as customer', async () => {
    const posted = await bills('SAL_RETURNSTOCK', ['FSaleOrgId.FNumber', 'FStockOrgId.FNumber', 'FRetcustId.FNumber', 'FHeadNote', 'FMaterialId.FNumber', 'FLot.FNumber', 'FRealQty', 'FTaxPrice', 'FStockId.FNumber']);
    const documents = finished('refund_in');
    expect([...posted.keys()]).toEqual(documents.map((doc) => doc.order_no));
    for (const doc of documents) {
      const bill = posted.get(doc.order_no)!;
      expect(bill[0]).toMatchObject({ 'FSaleOrgId.FNumber': '100', 'FStockOrgId.FNumber': '100', 'FRetcustId.FNumber': doc.shop_no, FHeadNote: `旺店通退货 ${doc.refund_no}` });
      doc.details_list.forEach((line, index) => {
        expect([bill[index]!['FMaterialId.FNumber'], lot(bill[index]!['FLot.FNumber']), bill[index]!['FStockId.FNumber']]).toEqual([line.spec_no, line.batch_no, doc.warehouse_no]);
        expect(same(bill[index]!.FRealQty, line.stockin_num!) && same(bill[index]!.FTaxPrice, line.refund_price!)).toBe(true);
      });
    }
  });
});

describe('旺店通采购入库 / 采购退货 / 其他出入库 (F5–F8)', () => {
  it('purchase in-stock: supplier, the receiving org from the warehouse, the purchase batch carried unchanged', async () => {
    const posted = await bills('STK_InStock', ['FStockOrgId.FNumber', 'FPurchaseOrgId.FNumber', 'FSupplierId.FNumber', 'FMaterialId.FNumber', 'FLot.FNumber', 'FRealQty', 'FTaxPrice', 'FStockId.FNumber']);
    const [doc] = finished('purchase_in');
    const bill = posted.get(doc!.order_no)!;
    expect(bill.map((row) => [row['FStockOrgId.FNumber'], row['FPurchaseOrgId.FNumber'], row['FSupplierId.FNumber'], row['FMaterialId.FNumber'], lot(row['FLot.FNumber']), row['FStockId.FNumber']])).toEqual([
      ['100', '100', 'GYS001', 'G100102M', 'P20240301', 'HZ02'],
      ['100', '100', 'GYS001', 'G100201S', '', 'HZ02'],
    ]);
    doc!.details_list.forEach((line, index) => expect(same(bill[index]!.FRealQty, line.num!) && same(bill[index]!.FTaxPrice, line.tax_price!)).toBe(true));
  });

  it('purchase return, other in, other out: one bill each, from the right warehouse', async () => {
    const returns = await bills('PUR_MRB', ['FStockOrgId.FNumber', 'FSupplierID.FNumber', 'FMATERIALID.FNumber', 'FRMREALQTY', 'FStockId.FNumber']);
    const [purchaseReturn] = finished('purchase_return');
    expect(returns.get(purchaseReturn!.order_no)!.map((row) => [row['FStockOrgId.FNumber'], row['FSupplierID.FNumber'], row['FMATERIALID.FNumber'], String(row.FRMREALQTY), row['FStockId.FNumber']])).toEqual([
      ['100', 'GYS001', 'G100201S', '1', 'HZ01'],
    ]);
    const ins = await bills('STK_MISCELLANEOUS', ['FStockOrgId.FNumber', 'FMATERIALID.FNumber', 'FLOT.FNumber', 'FQty', 'FSTOCKID.FNumber']);
    const [otherIn] = finished('other_in');
    expect(ins.get(otherIn!.order_no)!.map((row) => [row['FStockOrgId.FNumber'], row['FMATERIALID.FNumber'], lot(row['FLOT.FNumber']), String(row.FQty), row['FSTOCKID.FNumber']])).toEqual([
      ['100', 'G100202M', '', '4', 'HZ01'],
    ]);
    const outs = await bills('STK_MisDelivery', ['FStockOrgId.FNumber', 'FMaterialId.FNumber', 'FQty', 'FStockId.FNumber']);
    const [otherOut] = finished('other_out');
    expect(outs.get(otherOut!.order_no)!.map((row) => [row['FStockOrgId.FNumber'], row['FMaterialId.FNumber'], String(row.FQty), row['FStockId.FNumber']])).toEqual([
      ['100', 'G100201S', '2', 'HZ02'],
    ]);
  });
});

describe('旺店通调拨单 → 金蝶直接调拨单 (F9)', () => {
  it('warehouses of different orgs give a cross-org transfer, of one org a normal one; batches the same on both sides', async () => {
    const posted = await bills('STK_TransferDirect', [
      'FTransferBizType', 'FTransferDirect', 'FStockOutOrgId.FNumber', 'FStockOrgId.FNumber', 'FOwnerOutIdHead.FNumber', 'FOwnerIdHead.FNumber',
      'FMaterialId.FNumber', 'FQty', 'FSrcStockId.FNumber', 'FDestStockId.FNumber', 'FLot.FNumber', 'FDestLot.FNumber',
    ]);
    const documents = finished('transfer');
    expect([...posted.keys()].sort()).toEqual(documents.map((doc) => doc.transfer_no).sort());
    const [cross, inner] = documents;
    expect(cross!.to_warehouse_no).toBe('GZ01');
    expect(posted.get(cross!.transfer_no)!.map((row) => [
      row.FTransferBizType, row.FTransferDirect, row['FStockOutOrgId.FNumber'], row['FStockOrgId.FNumber'], row['FOwnerOutIdHead.FNumber'], row['FOwnerIdHead.FNumber'],
      row['FMaterialId.FNumber'], String(row.FQty), row['FSrcStockId.FNumber'], row['FDestStockId.FNumber'], lot(row['FLot.FNumber']), lot(row['FDestLot.FNumber']),
    ])).toEqual([
      ['OverOrgTransfer', 'GENERAL', '100', '101', '100', '101', 'G100101S', '3', 'HZ01', 'GZ01', 'B240301', 'B240301'],
      ['OverOrgTransfer', 'GENERAL', '100', '101', '100', '101', 'G100201S', '2', 'HZ01', 'GZ01', '', ''],
    ]);
    expect(posted.get(inner!.transfer_no)!.map((row) => [row.FTransferBizType, row['FStockOutOrgId.FNumber'], row['FStockOrgId.FNumber'], row['FSrcStockId.FNumber'], row['FDestStockId.FNumber']])).toEqual([
      ['InnerOrgTransfer', '100', '100', 'HZ01', 'HZ02'],
    ]);
    expect(unfinished('transfer').some((doc) => posted.has(doc.transfer_no))).toBe(false);
  });
});

describe('旺店通盘点单 → 金蝶盘盈单 / 盘亏单 (F10)', () => {
  it('the gain line goes to 盘盈单, the loss line to 盘亏单, both under the stock-take number', async () => {
    const [doc] = finished('stock_pd');
    const gains = await bills('STK_StockCountGain', ['FStockOrgId.FNumber', 'FMaterialId.FNumber', 'FGainQty', 'FStockId.FNumber', 'FLot.FNumber']);
    const losses = await bills('STK_StockCountLoss', ['FStockOrgId.FNumber', 'FMaterialId.FNumber', 'FLossQty', 'FStockId.FNumber', 'FLot.FNumber']);
    expect(gains.get(doc!.pd_no)!.map((row) => [row['FStockOrgId.FNumber'], row['FMaterialId.FNumber'], String(row.FGainQty), row['FStockId.FNumber'], lot(row['FLot.FNumber'])])).toEqual([
      ['101', 'G100201S', '2', 'GZ01', ''],
    ]);
    expect(losses.get(doc!.pd_no)!.map((row) => [row['FStockOrgId.FNumber'], row['FMaterialId.FNumber'], String(row.FLossQty), row['FStockId.FNumber'], lot(row['FLot.FNumber'])])).toEqual([
      ['101', 'G100102M', '1', 'GZ01', 'B240302'],
    ]);
  });
});

describe('旺店通组装拆卸单 → 金蝶组装拆卸单 (F11)', () => {
  it('an assembly and a disassembly, each with its finished product and components', async () => {
    const posted = await bills('STK_AssembledApp', ['FStockOrgId.FNumber', 'FAffairType', 'FMaterialID.FNumber', 'FQty', 'FStockID.FNumber', 'FMaterialIDSETY.FNumber', 'FQtySETY', 'FStockIDSETY.FNumber']);
    const [assembly, disassembly] = finished('assembly');
    const rows = (no: string) =>
      posted.get(no)!.map((row) => [row['FStockOrgId.FNumber'], row.FAffairType, row['FMaterialID.FNumber'], String(row.FQty), row['FStockID.FNumber'], row['FMaterialIDSETY.FNumber'], String(row.FQtySETY), row['FStockIDSETY.FNumber']]);
    expect(rows(assembly!.assembly_no)).toEqual([['100', 'Assembly', 'G100202M', '1', 'HZ01', 'G100201S', '2', 'HZ01']]);
    expect(rows(disassembly!.assembly_no)).toEqual([['100', 'Dassembly', 'G100202M', '1', 'HZ02', 'G100201S', '2', 'HZ02']]);
  });
});

describe('旺店通主数据 → 金蝶 (F2, 多组织自动分配): canonical events', () => {
  it('the goods new today become one material per spec, for every configured use-org; shops and warehouses follow', async () => {
    const materials = await canonicalEvents(topicPrefix, 'material');
    expect(materials.map((event) => [event.number, event.name, event.baseUnit, event.createOrg, event.useOrgs]).sort()).toEqual(
      WDT_NEW_SPECS.map((spec) => [spec, '收纳盒', 'Pcs', '100', ['100', '101']]),
    );
    const customers = await canonicalEvents(topicPrefix, 'customer');
    expect(customers.map((event) => [event.number, event.useOrgs]).sort()).toEqual([
      ['jd-001', ['100', '101']],
      ['tm-001', ['100', '101']],
    ]);
    const warehouses = await canonicalEvents(topicPrefix, 'warehouse');
    expect(warehouses.map((event) => [event.number, event.createOrg, event.useOrgs]).sort()).toEqual(
      [...WDT_WAREHOUSES, ...WDT_NEW_WAREHOUSES].map((warehouse) => [warehouse.warehouse_no, warehouse.org, [warehouse.org]]).sort(),
    );
  }, 120_000);
});

describe('旺店通主数据 → 金蝶 (F2, 多组织自动分配): in Kingdee', () => {
  it('each spec new today is a material created in org 100 and allocated to 101: one audited copy per use-org', async () => {
    const rows = await kingdee.queryAll({
      formId: 'BD_MATERIAL',
      // The base unit and batch flag travel inside SubHeadEntity / SubHeadEntity1 (§6.3) and query by their field keys.
      fieldKeys: ['FNumber', 'FName', 'FSpecification', 'FBaseUnitId.FNumber', 'FIsBatchManage', 'FCreateOrgId.FNumber', 'FUseOrgId.FNumber', 'FDocumentStatus'],
      filter: `FNumber in (${WDT_NEW_SPECS.map((spec) => `'${spec}'`).join(',')})`,
      orderBy: 'FNumber',
    });
    expect(rows.map((row) => [row.FNumber, row.FName, row.FSpecification, row['FBaseUnitId.FNumber'], row.FIsBatchManage, row['FCreateOrgId.FNumber'], row['FUseOrgId.FNumber'], row.FDocumentStatus]).sort()).toEqual([
      ['G200101', '收纳盒', '小号', 'Pcs', false, '100', '100', 'C'],
      ['G200101', '收纳盒', '小号', 'Pcs', false, '100', '101', 'C'],
      ['G200102', '收纳盒', '大号', 'Pcs', false, '100', '100', 'C'],
      ['G200102', '收纳盒', '大号', 'Pcs', false, '100', '101', 'C'],
    ]);
  });

  it('the warehouse new in WDT is created as an audited BD_STOCK in its org; the ones Kingdee already had are adopted, never created twice', async () => {
    const all = [...WDT_WAREHOUSES, ...WDT_NEW_WAREHOUSES];
    const rows = await kingdee.queryAll({
      formId: 'BD_STOCK',
      fieldKeys: ['FNumber', 'FName', 'FCreateOrgId.FNumber', 'FUseOrgId.FNumber', 'FAllowMinusQty', 'FDocumentStatus'],
      filter: `FNumber in (${all.map((warehouse) => `'${warehouse.warehouse_no}'`).join(',')})`,
      orderBy: 'FNumber',
    });
    expect(rows.map((row) => [row.FNumber, row.FName, row['FCreateOrgId.FNumber'], row['FUseOrgId.FNumber'], row.FAllowMinusQty, row.FDocumentStatus]).sort()).toEqual(
      all.map((warehouse) => [warehouse.warehouse_no, warehouse.name, warehouse.org, warehouse.org, false, 'C']).sort(),
    );
  });

  it('shops Kingdee already has as customers in both orgs are adopted, never created twice', async () => {
    const rows = await kingdee.queryAll({ formId: 'BD_Customer', fieldKeys: ['FNumber', 'FUseOrgId.FNumber'], filter: "FNumber in ('tm-001','jd-001')", orderBy: 'FNumber' });
    expect(rows.map((row) => [row.FNumber, row['FUseOrgId.FNumber']]).sort()).toEqual([
      ['jd-001', '100'],
      ['jd-001', '101'],
      ['tm-001', '100'],
      ['tm-001', '101'],
    ]);
  });
});
