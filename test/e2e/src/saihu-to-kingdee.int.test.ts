/**
 * 赛狐 finance end to end: the Saihu emulator → source-saihu → Kafka → mapping → Kafka → sink → 金蝶 emulator, on the
 * real broker, registry and MongoDB-wire server. Shipped Amazon orders become receivables (order currency, the month
 * rate of the order); a payout (settlement) becomes ONE receipt that Kingdee writes off (核销) against exactly the
 * receivables of the orders it settles — read back from the emulator; a partial refund becomes a red receivable for
 * the refunded part; a USD order of last month paid this month carries each month's rate; the payout's fees become
 * ONE payable to the platform through the fee-type table, the shop fee allocated to the SKUs by sales (parts sum
 * exactly), VAT on its own line; a payout naming an order without a receivable is parked for a person with the order
 * named. Inventory levels (F17): one snapshot per warehouse kind (own, third-party overseas, FBA) on the canonical
 * topic, quantities and batch as the emulator serves them, and none for an FBA warehouse's row of the warehouse list.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal, formatBeijingTime } from '@yecai/common';
import { KingdeeClient } from '@yecai/kingdee';
import { Ledger } from '@yecai/sink-kingdee';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { canonicalEvents } from './canonical-events';
import { SaihuPipeline, customerOf, monthOf, monthRate, previousMonth, saihuFeeTypes } from './saihu-pipeline';

type Row = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API records, read field by field
type Order = Record<string, any>;

let pipeline: SaihuPipeline;
let kingdee: KingdeeClient;
/** A: paid in full; B: paid, then partly refunded; C: ordered last month, paid this month; X: never shipped. */
let A: Order, B: Order, C: Order, X: Order;
/** P1 pays A, B and C; P2 pays X only (no receivable: parked). Ids of the summaries the test adds. */
let P1 = '';
let P2 = '';
const REFUND = '-5.00';
let postedAt = '';
let topicPrefix = '';
/** The warehouse-inventory rows the test sets: own (批次 kept), third-party overseas (its own lot), FBA (filtered). */
const WAREHOUSE_ROWS = [
  { warehouseId: '101', warehouseType: '1', batchNo: 'B2026-OWN-07' },
  { warehouseId: '301', warehouseType: '3', batchNo: 'GC-LOT/2026-11' },
  { warehouseId: '201', warehouseType: '2', batchNo: '' },
];

async function bills(formId: string, fieldKeys: string[]): Promise<Map<string, Row[]>> {
  const rows = await kingdee.queryAll({ formId, fieldKeys: ['FBillNo', ...fieldKeys], filter: "FBillNo <> ''", orderBy: 'FBillNo' });
  const byBill = new Map<string, Row[]>();
  for (const row of rows) byBill.set(String(row.FBillNo), [...(byBill.get(String(row.FBillNo)) ?? []), row]);
  return byBill;
}
const same = (kingdeeValue: unknown, text: string) => new Decimal(String(kingdeeValue)).equals(new Decimal(text));
const orders = () => pipeline.records('sales_order') as Order[];
const shipped = () => orders().filter((order) => order.orderStatus === 'Shipped');
const sum = (values: unknown[]) => values.reduce<Decimal>((total, value) => total.plus(String(value)), new Decimal(0));

async function waitUntil(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** A paid-out settlement (summary) of shop 8 (USD), transferred an hour before the end of the day; its id. */
function addSettlement(): string {
  const store = pipeline.saihu.store;
  const ref = store.add('settlement_summary', Date.now() - 61_000);
  store.modifyDocument('settlement_summary', ref.id, ref.modifiedMs, {
    shopId: '8',
    marketplaceId: 'ATVPDKIKX0DER',
    currency: 'USD',
    settlementEndTime: postedAt,
    transferTime: postedAt,
  });
  return ref.id;
}

/** One settlement detail row of a payout, for shop 8 (USD), posted yesterday. */
function addRow(settlementId: string, overrides: Row): void {
  const store = pipeline.saihu.store;
  const ref = store.add('settlement_detail', Date.now() - 61_000);
  store.modifyDocument('settlement_detail', ref.id, ref.modifiedMs, {
    settlementId,
    shopId: '8',
    marketplaceId: 'ATVPDKIKX0DER',
    currency: 'USD',
    postedDateTimeStr: postedAt,
    isDel: '0',
    ...overrides,
  });
}

beforeAll(async () => {
  topicPrefix = uniqueTopicPrefix('e2e-sh');
  pipeline = await SaihuPipeline.start({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-e2e-saihu-')),
    topicPrefix,
    mongoDb: uniqueName('e2e_sh').replace(/-/g, '_'),
    logLevel: 'warn',
    perType: { sales_order: 40, warehouse_inventory: WAREHOUSE_ROWS.length, fba_inventory: 1 },
    prepare: (saihu, day) => {
      saihu.store.versions('warehouse_inventory').forEach((version, n) => saihu.store.modifyDocument('warehouse_inventory', version.id, version.modifiedMs, WAREHOUSE_ROWS[n]));
      const usd = saihu.store.query('sales_order', null).filter((order) => order.shopId === '8') as Order[];
      const paid = usd.filter((order) => order.orderStatus === 'Shipped').sort((a, b) => String(a.amazonOrderId).localeCompare(String(b.amazonOrderId)));
      if (paid.length < 3) throw new Error(`seed 19 gives ${paid.length} shipped USD orders, the test needs 3`);
      A = paid[0]!;
      B = paid[1]!;
      X = usd.find((order) => order.orderStatus !== 'Shipped')!;
      // C was ordered on the 28th of last month (its receivable takes last month's rate).
      const c = paid[2]!;
      const version = saihu.store.versions('sales_order').find((candidate) => candidate.id === c.amazonOrderId)!;
      saihu.store.modifyDocument('sales_order', version.id, version.modifiedMs, { purchaseDate: `${previousMonth(monthOf(day.toMs))}-28 10:00:00` });
      C = saihu.store.query('sales_order', null).find((order) => order.amazonOrderId === c.amazonOrderId) as Order;
      postedAt = formatBeijingTime(day.toMs - 3_600_000);
    },
  });
  const app = pipeline.kingdeeFixture.apps[0]!;
  process.env.YECAI_E2E_SH_KINGDEE_SECRET = app.appSecret;
  kingdee = KingdeeClient.fromConfig({
    name: 'e2e-saihu-check',
    serverUrl: pipeline.kingdee.url,
    acctId: app.acctIds[0],
    userName: app.users[0],
    auth: { mode: 'signature', appId: app.appId, appSecret: 'env:YECAI_E2E_SH_KINGDEE_SECRET' },
  });
  // 1. Every shipped order's receivable, audited, before the payout arrives (a payout names posted receivables).
  await waitUntil('the receivables', async () => (await bills('AR_receivable', ['FDocumentStatus'])).size === shipped().length, 120_000);

  // 2. The payouts, added in one synchronous step (the source never sees a settlement half written). P1: A, B and C
  // paid in full, B partly refunded, fees with VAT and a shop fee. P2: X (never shipped) only.
  P1 = addSettlement();
  for (const order of [A, B, C]) addRow(P1, { orderId: order.amazonOrderId, sellerSku: order.orderItemVoList[0].sellerSku, transactionType: 'Order', amountType: 'ItemPrice', amount: order.orderTotalAmount });
  addRow(P1, { orderId: B.amazonOrderId, sellerSku: B.orderItemVoList[0].sellerSku, transactionType: 'Refund', amountType: 'ItemPrice', amount: REFUND });
  addRow(P1, { orderId: A.amazonOrderId, sellerSku: A.orderItemVoList[0].sellerSku, transactionType: 'Order', amountType: 'Commission', amount: '-4.49' });
  addRow(P1, { orderId: A.amazonOrderId, sellerSku: A.orderItemVoList[0].sellerSku, transactionType: 'Order', amountType: 'MarketplaceFacilitatorVAT-Principal', amount: '-1.37' });
  addRow(P1, { orderId: '', sellerSku: '', transactionType: 'ServiceFee', amountType: 'Subscription', amount: '-39.99' });
  P2 = addSettlement();
  addRow(P2, { orderId: X.amazonOrderId, sellerSku: X.orderItemVoList[0].sellerSku, transactionType: 'Order', amountType: 'ItemPrice', amount: X.orderTotalAmount });
  const ledger = new Ledger(pipeline.db);
  await waitUntil(
    'the payout',
    async () => {
      const [receipts, fees, receivables, entries] = await Promise.all([bills('AR_RECEIVEBILL', []), bills('AP_Payable', []), bills('AR_receivable', []), ledger.list({}, 10_000, 0)]);
      return receipts.size === 1 && fees.size === 1 && receivables.size === shipped().length + 1 && entries.some((entry) => entry.state === 'PARKED');
    },
    150_000,
  );
}, 330_000);

afterAll(async () => {
  await pipeline?.stop();
});

it('receivables: one per shipped order, customer = the marketplace, order currency with the order month’s rate, lines per SKU', async () => {
  const posted = await bills('AR_receivable', ['FCUSTOMERID.FNumber', 'FCURRENCYID.FNumber', 'FExchangeRate', 'FSETTLEORGID.FNumber', 'FDocumentStatus', 'F_YC_OnlineOrderNo', 'FMATERIALID.FNumber', 'FPriceQty', 'FTaxPrice', 'FALLAMOUNT']);
  for (const order of shipped()) {
    const rows = posted.get(String(order.amazonOrderId));
    expect(rows).toHaveLength(order.orderItemVoList.length);
    const head = rows![0]!;
    const month = String(order.purchaseDate).slice(0, 7);
    expect([head['FCUSTOMERID.FNumber'], head.FDocumentStatus, head.F_YC_OnlineOrderNo, head['FSETTLEORGID.FNumber']]).toEqual([customerOf(String(order.shopId)), 'C', order.amazonOrderId, '100']);
    expect(same(head.FExchangeRate, monthRate(month, String(order.orderTotalCurrency)))).toBe(true);
    expect(rows!.map((row) => [row['FMATERIALID.FNumber'], String(row.FPriceQty)])).toEqual(order.orderItemVoList.map((item: Order) => [item.commoditySku, item.quantityOrdered]));
    expect(sum(rows!.map((row) => row.FALLAMOUNT)).equals(new Decimal(order.orderTotalAmount))).toBe(true);
  }
  // Orders not shipped have none.
  for (const order of orders().filter((candidate) => candidate.orderStatus !== 'Shipped')) expect(posted.has(String(order.amazonOrderId))).toBe(false);
});

it('the payout: ONE receipt written off against exactly the receivables of the orders it settles, read back from Kingdee', async () => {
  const sources = await kingdee.queryAll({ formId: 'AR_RECEIVEBILL', fieldKeys: ['FBillNo', 'FCONTACTUNIT.FNumber', 'FCURRENCYID.FNumber', 'FEXCHANGERATE', 'FDocumentStatus', 'FSRCBILLNO', 'FREALRECAMOUNT', 'FSRCWRITTENOFFAMOUNTFOR'], filter: "FBillNo <> ''" });
  expect(sources.map((row) => row.FSRCBILLNO).sort()).toEqual([A, B, C].map((order) => order.amazonOrderId).sort());
  for (const row of sources) {
    const order = [A, B, C].find((candidate) => candidate.amazonOrderId === row.FSRCBILLNO)!;
    expect(row.FBillNo).toBe(`SK-${P1}`);
    expect([row['FCONTACTUNIT.FNumber'], row['FCURRENCYID.FNumber'], row.FDocumentStatus]).toEqual(['AMZ-8', 'PRE007', 'C']);
    expect(same(row.FREALRECAMOUNT, order.orderTotalAmount) && same(row.FSRCWRITTENOFFAMOUNTFOR, order.orderTotalAmount)).toBe(true);
  }
  const written = await bills('AR_receivable', ['FPAYAMOUNTFOR', 'FWRITTENOFFAMOUNTFOR', 'FWRITTENOFFSTATUS']);
  for (const [billNo, [row]] of written) {
    const settled = [A, B, C].some((order) => order.amazonOrderId === billNo);
    if (settled) expect([row!.FWRITTENOFFSTATUS, same(row!.FWRITTENOFFAMOUNTFOR, String(row!.FPAYAMOUNTFOR))]).toEqual(['C', true]);
    else expect([billNo, row!.FWRITTENOFFSTATUS, String(row!.FWRITTENOFFAMOUNTFOR)]).toEqual([billNo, 'A', '0']);
  }
});

it('a payout naming an order without a receivable is parked whole (level 1) with the order named, never guessed', async () => {
  const parked = (await new Ledger(pipeline.db).list({}, 10_000, 0)).filter((entry) => entry.state === 'PARKED');
  expect(parked).toHaveLength(1);
  expect([parked[0]!.formId, parked[0]!.billNo, parked[0]!.problem?.level]).toEqual(['AR_RECEIVEBILL', `SK-${P2}`, 1]);
  expect(parked[0]!.problem?.message).toContain(`源单编号为“${X.amazonOrderId}”的应收单不存在`);
  expect((await bills('AR_receivable', [])).has(String(X.amazonOrderId))).toBe(false);
});

it('a partial refund: a red receivable for the refunded part only, reversing the order’s receivable', async () => {
  const red = [...(await bills('AR_receivable', ['F_YC_RedOf', 'FCUSTOMERID.FNumber', 'FPriceQty', 'FALLAMOUNT', 'FPAYAMOUNTFOR', 'FMATERIALID.FNumber'])).entries()].filter(([billNo]) => billNo.startsWith(`${B.amazonOrderId}-R-`));
  expect(red).toHaveLength(1);
  const [row] = red[0]![1];
  expect([row!.F_YC_RedOf, row!['FCUSTOMERID.FNumber'], String(row!.FPriceQty), row!['FMATERIALID.FNumber']]).toEqual([B.amazonOrderId, 'AMZ-8', '-1', B.orderItemVoList[0].commoditySku]);
  expect(same(row!.FALLAMOUNT, REFUND) && same(row!.FPAYAMOUNTFOR, REFUND)).toBe(true);
});

it('a USD order of last month paid this month: the receivable has last month’s rate, the receipt this month’s, the write-off in USD', async () => {
  const lastMonth = String(C.purchaseDate).slice(0, 7);
  const thisMonth = postedAt.slice(0, 7);
  expect(lastMonth).not.toBe(thisMonth);
  const [receivable] = (await bills('AR_receivable', ['FExchangeRate', 'FWRITTENOFFAMOUNTFOR'])).get(String(C.amazonOrderId))!;
  const receipt = (await kingdee.queryAll({ formId: 'AR_RECEIVEBILL', fieldKeys: ['FEXCHANGERATE', 'FREALRECAMOUNT'], filter: `FSRCBILLNO = '${String(C.amazonOrderId)}'` }))[0]!;
  expect(same(receivable!.FExchangeRate, monthRate(lastMonth, 'USD'))).toBe(true);
  expect(same(receipt.FEXCHANGERATE, monthRate(thisMonth, 'USD'))).toBe(true);
  expect(monthRate(lastMonth, 'USD')).not.toBe(monthRate(thisMonth, 'USD'));
  expect(same(receipt.FREALRECAMOUNT, C.orderTotalAmount) && same(receivable!.FWRITTENOFFAMOUNTFOR, C.orderTotalAmount)).toBe(true);
});

it('fees: ONE payable per payout to the platform through the fee-type table, the shop fee allocated to the SKUs by sales, VAT apart, amounts exact', async () => {
  const posted = await bills('AP_Payable', ['FSUPPLIERID.FNumber', 'FCURRENCYID.FNumber', 'F_YC_FeeType', 'F_YC_Account', 'FCOSTID', 'FMATERIALID.FNumber', 'FTaxPrice', 'F_YC_OrderNo', 'F_YC_AllocBasis', 'F_YC_AllocWeight']);
  expect([...posted.keys()]).toEqual([`SHF-${P1}`]);
  const table = new Map(saihuFeeTypes().map((type) => [type.feeType, type]));
  const lines = [...posted.values()].flat();
  for (const line of lines) {
    const type = table.get(String(line.F_YC_FeeType))!;
    expect([line['FSUPPLIERID.FNumber'], line['FCURRENCYID.FNumber'], line.F_YC_Account, line.FCOSTID]).toEqual(['AMZ-8', 'PRE007', type.accountNumber, type.expenseItem]);
  }
  const ofType = (feeType: string) => lines.filter((line) => line.F_YC_FeeType === feeType);
  expect(ofType('Order/MarketplaceFacilitatorVAT-Principal').map((line) => [line.F_YC_Account, line.F_YC_AllocBasis])).toEqual([['2221.08', 'direct']]);
  expect(ofType('Order/Commission').map((line) => [line['FMATERIALID.FNumber'], line.F_YC_OrderNo, line.F_YC_AllocBasis])).toEqual([[A.orderItemVoList[0].commoditySku, A.amazonOrderId, 'direct']]);
  // The subscription: one part per SKU paid in the payout, weighted by its sales, summing to the fee exactly.
  const sales = new Map<string, Decimal>();
  for (const order of [A, B, C]) sales.set(order.orderItemVoList[0].commoditySku, (sales.get(order.orderItemVoList[0].commoditySku) ?? new Decimal(0)).plus(order.orderTotalAmount));
  const parts = ofType('ServiceFee/Subscription');
  expect(parts.map((line) => [line['FMATERIALID.FNumber'], line.F_YC_AllocBasis]).sort()).toEqual([...sales.keys()].map((sku) => [sku, 'sales_amount']).sort());
  for (const line of parts) expect(same(line.F_YC_AllocWeight, sales.get(String(line['FMATERIALID.FNumber']))!.toFixed())).toBe(true);
  expect(sum(parts.map((line) => line.FTaxPrice)).equals(new Decimal('39.99'))).toBe(true);
  expect(sum(lines.map((line) => line.FTaxPrice)).equals(new Decimal('45.85'))).toBe(true); // 4.49 + 1.37 + 39.99
});

it('L1 fixed by a person: X ships (its receivable posts), the parked receipt is re-pushed and posts once, writing X off', async () => {
  const ledger = new Ledger(pipeline.db);
  const [parked] = (await ledger.list({}, 10_000, 0)).filter((entry) => entry.state === 'PARKED');
  // The cause fixed at the source: the order ships (a new version the source reads), so its receivable posts.
  const version = pipeline.saihu.store.versions('sales_order').find((candidate) => candidate.id === X.amazonOrderId)!;
  pipeline.saihu.store.modifyDocument('sales_order', version.id, Date.now() - 61_000, { orderStatus: 'Shipped' });
  await waitUntil('X’s receivable', async () => (await bills('AR_receivable', [])).has(String(X.amazonOrderId)), 90_000);
  const sinkPort = pipeline.services.sink.options.opsPort!;
  const answer = await fetch(`http://127.0.0.1:${sinkPort}/admin/documents/${encodeURIComponent(parked!._id)}/repush`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-operator-token' },
    body: JSON.stringify({ note: 'order shipped, receivable posted' }),
  });
  expect(answer.status).toBe(200);
  await waitUntil('the re-pushed receipt', async () => (await bills('AR_RECEIVEBILL', [])).has(`SK-${P2}`), 60_000);
  const receipts = await kingdee.queryAll({ formId: 'AR_RECEIVEBILL', fieldKeys: ['FBillNo', 'FSRCBILLNO', 'FDocumentStatus'], filter: `FBillNo = 'SK-${P2}'` });
  expect(receipts.map((row) => [row.FSRCBILLNO, row.FDocumentStatus])).toEqual([[X.amazonOrderId, 'C']]);
  const [receivable] = (await bills('AR_receivable', ['FWRITTENOFFSTATUS', 'FWRITTENOFFAMOUNTFOR'])).get(String(X.amazonOrderId))!;
  expect([receivable!.FWRITTENOFFSTATUS, same(receivable!.FWRITTENOFFAMOUNTFOR, X.orderTotalAmount)]).toEqual(['C', true]);
  expect((await ledger.list({}, 10_000, 0)).filter((entry) => entry.state === 'PARKED')).toEqual([]);
  expect([...(await bills('AR_RECEIVEBILL', [])).keys()].sort()).toEqual([`SK-${P1}`, `SK-${P2}`].sort());
}, 180_000);

it('inventory (F17): one snapshot per warehouse kind on canonical.inventory_snapshot, quantities and batch as the emulator serves them', async () => {
  const rows = [...pipeline.records('warehouse_inventory'), ...pipeline.records('fba_inventory')] as Order[];
  // The FBA warehouse's row of the warehouse list is filtered: the FBA endpoint gives that stock.
  const expected = rows.filter((row) => row.warehouseType !== '2');
  let snapshots: Order[] = [];
  await waitUntil('the inventory snapshots', async () => (snapshots = await canonicalEvents(topicPrefix, 'inventory_snapshot')).length >= expected.length, 60_000);
  expect(snapshots.map((event) => event.warehouseKind).sort()).toEqual(['FBA', 'OVERSEAS_THIRD_PARTY', 'OWN']);
  const exact = (value: unknown) => (value === null || value === undefined ? null : new Decimal(String(value)).toFixed());
  for (const row of expected) {
    const event = snapshots.find((candidate) => candidate.source.sourceId === row.id)!;
    const levels = row.warehouseType
      ? [row.stockAvailable, row.stockOccupy, row.stockDefective, row.stockWait]
      : [row.afnFulfillableQuantity, row.afnReservedQuantity, null, row.afnInboundShippedQuantity];
    expect([event.sku, event.material, event.batch, event.snapshotAt]).toEqual([row.commoditySku, row.commoditySku, row.batchNo || null, row.updateTime]);
    expect([event.available, event.reserved, event.defective, event.inTransit].map(exact)).toEqual(levels.map(exact));
    expect(exact(event.onHand)).toBe(sum(levels.slice(0, 3).filter((level) => level !== null)).toFixed());
  }
  const batchOf = (warehouseId: string) => snapshots.find((event) => event.source.sourceId === rows.find((row) => row.warehouseId === warehouseId)!.id)!.batch;
  expect([batchOf('101'), batchOf('301')]).toEqual(['B2026-OWN-07', 'GC-LOT/2026-11']);
});
