/**
 * flows.md §2 end to end: 聚水潭 documents → source → Kafka → mapping → Kafka → sink → 金蝶, on the real broker,
 * registry and MongoDB-wire server, asserting the exact fields of the bills as Kingdee answers a query for them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '@yecai/common';
import type { JstDocumentType } from '@yecai/emulator-jushuitan';
import { KingdeeClient } from '@yecai/kingdee';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { MATERIAL_MISSING_SKU, Pipeline, type PipelineSummary, UNMAPPED_WAREHOUSE, waitUntilSettled } from '@yecai/demo';

type JstLine = { sku_id: string; i_id: string; qty: number; sale_price: number; r_qty?: number; price?: number };
type JstDoc = Record<string, unknown> & { items: JstLine[] };

let pipeline: Pipeline;
let kingdee: KingdeeClient;
let summary: PipelineSummary;

function jstDocuments(type: JstDocumentType): JstDoc[] {
  return pipeline.jst.store.versions(type).map((version) => pipeline.jst.store.render(pipeline.jst.store.get(type, version.id)!) as JstDoc);
}

function expectedBatch(iId: string): string {
  return iId.includes('A') ? '0' : '';
}

beforeAll(async () => {
  pipeline = await Pipeline.start({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-e2e-')),
    documents: 80,
    topicPrefix: uniqueTopicPrefix('e2e'),
    mongoDb: uniqueName('e2e').replace(/-/g, '_'),
    jstRateLimits: { perSecond: 50, perMinute: 3000 },
    logLevel: 'warn',
  });
  const settledRun = await waitUntilSettled(pipeline, { timeoutMs: 300_000 });
  summary = settledRun.summary;
  if (!settledRun.settled) throw new Error(`pipeline did not settle: ${JSON.stringify(summary.flows)}`);
  const app = pipeline.world.kingdeeFixture.apps[0]!;
  process.env.YECAI_E2E_KINGDEE_SECRET = app.appSecret;
  kingdee = KingdeeClient.fromConfig({
    name: 'e2e-check',
    serverUrl: pipeline.kingdee.url,
    acctId: app.acctIds[0],
    userName: app.users[0],
    auth: { mode: 'signature', appId: app.appId, appSecret: 'env:YECAI_E2E_KINGDEE_SECRET' },
  });
}, 600_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('聚水潭销售出库单 → 金蝶销售出库单 (flows.md §2)', () => {
  const fieldKeys = [
    'FBillNo',
    'FDate',
    'FSaleOrgId.FNumber',
    'FStockOrgId.FNumber',
    'FCustomerID.FNumber',
    'FSettleCurrID.FNumber',
    'FNote',
    'F_YC_LogisticsNo',
    'F_YC_OnlineOrderNo',
    'FMaterialID.FNumber',
    'FLot.FNumber',
    'FRealQty',
    'FTaxPrice',
    'FOwnerID.FNumber',
    'FStockID.FNumber',
  ];

  it('posts every shipped document from a mapped warehouse, with the fields the table prescribes', async () => {
    const shipped = jstDocuments('sales_outstock').filter((doc) => doc.status === 'Confirmed');
    const postable = shipped.filter(
      (doc) => doc.wms_co_id !== UNMAPPED_WAREHOUSE && !doc.items.some((line) => line.sku_id === MATERIAL_MISSING_SKU),
    );
    expect(postable.length).toBeGreaterThan(10);
    const rows = await kingdee.queryAll({ formId: 'SAL_OUTSTOCK', fieldKeys, filter: "FBillNo <> ''", orderBy: 'FBillNo' });
    const byBill = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) byBill.set(String(row.FBillNo), [...(byBill.get(String(row.FBillNo)) ?? []), row]);

    for (const doc of postable) {
      const bill = byBill.get(String(doc.io_id));
      expect({ io_id: doc.io_id, found: bill !== undefined }).toEqual({ io_id: doc.io_id, found: true });
      const header = bill![0]!;
      expect(header['FSaleOrgId.FNumber']).toBe('100'); // 销售组织 fixed 100
      expect(header['FStockOrgId.FNumber']).toBe('100'); // 发货组织 from the shop
      expect(header['FCustomerID.FNumber']).toBe(String(doc.shop_id)); // 客户 = the shop (code = code)
      expect(header['FSettleCurrID.FNumber']).toBe('PRE001'); // 结算币别 RMB
      expect(String(header.FDate).slice(0, 10)).toBe(String(doc.io_date).slice(0, 10)); // 日期 ← 发货日期
      expect(header.FNote).toBe(`聚水潭${doc.so_id}`); // 备注 = 聚水潭 + platform order number
      expect(header.F_YC_LogisticsNo).toBe(doc.l_id); // 物流单号 ← 快递单号
      expect(header.F_YC_OnlineOrderNo).toBe(doc.so_id); // 线上订单号
      expect(bill).toHaveLength(doc.items.length);
      for (const [index, line] of doc.items.entries()) {
        const entry = bill![index]!;
        expect(entry['FMaterialID.FNumber']).toBe(line.sku_id); // 物料编码 ← 商品编码
        expect(entry['FLot.FNumber'] ?? '').toBe(expectedBatch(line.i_id)); // A → 0, G → empty
        expect(new Decimal(String(entry.FRealQty)).equals(new Decimal(String(line.qty)))).toBe(true);
        expect(new Decimal(String(entry.FTaxPrice)).equals(new Decimal(String(line.sale_price)))).toBe(true); // 含税单价 ← 单价
        expect(entry['FOwnerID.FNumber']).toBe('100'); // 货主 fixed 100
        expect(entry['FStockID.FNumber']).toBe(String(doc.wms_co_id));
      }
    }
    // Nothing else was posted: no bill without a source document, none twice (FBillNo is the source id).
    expect([...byBill.keys()].sort()).toEqual(postable.map((doc) => String(doc.io_id)).sort());
  });

  it('parks documents of an unmapped warehouse naming the warehouse, and posts none of them', async () => {
    const reasons = summary.reasons.filter((reason) => reason.stage === 'mapping').map((reason) => reason.example);
    expect(reasons.some((reason) => reason.includes(`仓库 ${UNMAPPED_WAREHOUSE}`))).toBe(true);
  });
});

describe('聚水潭退货单 → 金蝶销售退货单 (flows.md §2)', () => {
  it('posts one return per confirmed 实际收货 dated on its 入库日期, lines with 实退数量 > 0, fixed orgs, RMB, the remark and A/G batches', async () => {
    const receipts = jstDocuments('aftersale_received');
    const received = receipts.filter(
      (doc) =>
        doc.status === 'Confirmed' &&
        doc.wms_co_id !== UNMAPPED_WAREHOUSE &&
        doc.items.some((line) => Number(line.qty) > 0) &&
        !doc.items.some((line) => line.sku_id === MATERIAL_MISSING_SKU && Number(line.qty) > 0),
    );
    const rows = await kingdee.queryAll({
      formId: 'SAL_RETURNSTOCK',
      fieldKeys: ['FBillNo', 'FDate', 'FSaleOrgId.FNumber', 'FStockOrgId.FNumber', 'FRetcustId.FNumber', 'FHeadNote', 'FMaterialId.FNumber', 'FLot.FNumber', 'FRealQty'],
      filter: "FBillNo <> ''",
      orderBy: 'FBillNo',
    });
    const bills = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) bills.set(String(row.FBillNo), [...(bills.get(String(row.FBillNo)) ?? []), row]);
    expect([...bills.keys()].sort()).toEqual(received.map((doc) => String(doc.io_id)).sort()); // FBillNo = 退仓单号
    for (const doc of received) {
      const bill = bills.get(String(doc.io_id))!;
      expect(String(bill[0]!.FDate).slice(0, 10)).toBe(String(doc.io_date).slice(0, 10)); // 日期 ← 入库日期
      expect(bill[0]!['FSaleOrgId.FNumber']).toBe('100');
      expect(bill[0]!['FStockOrgId.FNumber']).toBe('100');
      expect(bill[0]!['FRetcustId.FNumber']).toBe(String(doc.shop_id));
      expect(bill[0]!.FHeadNote).toBe(`聚水潭${doc.so_id}`); // SAL_RETURNSTOCK's header remark is FHeadNote
      const returnedLines = doc.items.filter((line) => Number(line.qty) > 0);
      expect(bill).toHaveLength(returnedLines.length); // zero-quantity lines skipped
      for (const [index, line] of returnedLines.entries()) {
        expect(bill[index]!['FMaterialId.FNumber']).toBe(line.sku_id);
        expect(bill[index]!['FLot.FNumber'] ?? '').toBe(expectedBatch(line.i_id));
        expect(new Decimal(String(bill[index]!.FRealQty)).equals(new Decimal(String(line.qty)))).toBe(true);
      }
    }
    // Receipts not confirmed, or with nothing actually returned, are filtered, not posted.
    const flow = summary.flows.find((f) => f.label.startsWith('销售退货'))!;
    expect(flow.filtered).toBeGreaterThan(0);
  });
});

describe('every service exposes clean Prometheus metrics', () => {
  const secrets = ['sk_test', 'at_test', 'rt_test', 'demo-operator-token'];
  const expected: Record<'source' | 'mapping' | 'sink', string[]> = {
    source: ['yecai_source_documents_total', 'yecai_source_api_calls_total', 'yecai_source_cursor_lag_seconds'],
    mapping: ['yecai_mapping_documents_total', 'yecai_mapping_filtered_total', 'yecai_mapping_parked_total'],
    sink: ['yecai_sink_documents_total', 'yecai_sink_kingdee_call_seconds', 'yecai_sink_ledger_entries'],
  };

  it.each(['source', 'mapping', 'sink'] as const)('%s: expected names present, no secret and no unbounded label value', async (name) => {
    const text = await pipeline.services[name].metrics();
    for (const metric of expected[name]) expect(text).toContain(`\n${metric}`);
    for (const secret of [...secrets, pipeline.world.kingdeeFixture.apps[0]!.appSecret]) expect(text).not.toContain(secret);
    // Unbounded values would be document or bill numbers: every JST id is 8 digits, and bill numbers equal them.
    const labelValues = [...text.matchAll(/="([^"]*)"/g)].map((match) => match[1]!);
    expect(labelValues.filter((value) => /^\d{8,}$/.test(value))).toEqual([]);
    const distinct = new Set(labelValues);
    expect(distinct.size).toBeLessThan(400);
  });
});
