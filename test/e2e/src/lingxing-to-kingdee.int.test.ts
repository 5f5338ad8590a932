/**
 * 领星 end to end: the LingXing emulator → source-lingxing → Kafka → mapping → Kafka → sink → 金蝶 emulator, on the
 * real broker, registry and MongoDB-wire server. Bills are checked field by field as Kingdee answers a query for
 * them: a USD order with its month rate, an FBA first-leg shipment whose freight is allocated to its lines to the
 * cent, a closed settlement's fees posted to the platform with shop-level fees allocated to SKUs, summing exactly,
 * and a refund after shipment.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '@yecai/common';
import { CURRENCY_RATES, renderRecord } from '@yecai/emulator-lingxing';
import { KingdeeClient } from '@yecai/kingdee';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { FEE_ACCOUNTS, LingxingPipeline, customerOf, stockOf, type LxRecord } from './lingxing-pipeline';

type Row = Record<string, unknown>;

let pipeline: LingxingPipeline;
let kingdee: KingdeeClient;
let refundedOrder = '';

const records = (type: string) => pipeline.records(type);

async function bills(formId: string, fieldKeys: string[]): Promise<Map<string, Row[]>> {
  const rows = await kingdee.queryAll({
    formId,
    fieldKeys: ['FBillNo', ...fieldKeys],
    filter: "FBillNo <> ''",
    orderBy: 'FBillNo',
  });
  const byBill = new Map<string, Row[]>();
  for (const row of rows) byBill.set(String(row.FBillNo), [...(byBill.get(String(row.FBillNo)) ?? []), row]);
  return byBill;
}

const rateOf = (code: string) => CURRENCY_RATES.find((rate) => rate.code === code)!.my_rate;
const same = (kingdeeValue: unknown, text: string) => new Decimal(String(kingdeeValue)).equals(new Decimal(text));
const shipped = () => records('sales_order').filter((order) => order.order_status === 'Shipped');
const shipments = () => records('first_leg_shipment').filter((shipment) => shipment.status === 2);
beforeAll(async () => {
  pipeline = await LingxingPipeline.start({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-e2e-lingxing-')),
    topicPrefix: uniqueTopicPrefix('e2e-lx'),
    mongoDb: uniqueName('e2e_lx').replace(/-/g, '_'),
    logLevel: 'warn',
    perType: {
      sales_order: 30,
      first_leg_shipment: 8,
      fee_settlement: 50, // settlements of 20 rows: two Closed, one Open
      mp_sales_order: 6,
      sales_outstock: 6,
      sales_return: 6,
      purchase_instock: 5,
      other_instock: 5,
      other_outstock: 5,
      transfer: 6,
      purchase_return: 5,
      stock_count: 5,
    },
    // A shipped one-line order is refunded later in the day: the order list shows it again, refunded.
    prepare: (lingxing, day) => {
      const candidates = lingxing.store
        .versions('sales_order')
        .map((version) => renderRecord(lingxing.store.seed, lingxing.store.get('sales_order', version.id)!))
        .filter((order) => order.order_status === 'Shipped' && (order.item_list as unknown[]).length === 1);
      refundedOrder = String(candidates[0]!.amazon_order_id);
      lingxing.store.refundAfterShipment('sales_order', refundedOrder, day.toMs - 60_000);
    },
  });
  const app = pipeline.kingdeeFixture.apps[0]!;
  process.env.YECAI_E2E_LX_KINGDEE_SECRET = app.appSecret;
  kingdee = KingdeeClient.fromConfig({
    name: 'e2e-lingxing-check',
    serverUrl: pipeline.kingdee.url,
    acctId: app.acctIds[0],
    userName: app.users[0],
    auth: { mode: 'signature', appId: app.appId, appSecret: 'env:YECAI_E2E_LX_KINGDEE_SECRET' },
  });
  // Every expected bill in Kingdee, or the deadline.
  const expected = () => pipeline.expectedBills();
  const deadline = Date.now() + 110_000;
  for (;;) {
    const counts = Object.fromEntries(
      await Promise.all(Object.keys(expected()).map(async (formId) => [formId, (await bills(formId, [])).size])),
    );
    if (JSON.stringify(counts) === JSON.stringify(expected())) break;
    if (Date.now() > deadline)
      throw new Error(`Kingdee has ${JSON.stringify(counts)}, expected ${JSON.stringify(expected())}`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}, 240_000);

afterAll(async () => {
  await pipeline?.stop();
});

it('every LingXing flow posts: nothing is parked, each finished document is one bill of its form', async () => {
  expect(await pipeline.db.collection('parked_documents').find({}).toArray()).toEqual([]);
  const forms = Object.keys(pipeline.expectedBills());
  const counts = Object.fromEntries(
    await Promise.all(forms.map(async (formId) => [formId, (await bills(formId, [])).size])),
  );
  expect(counts).toEqual(pipeline.expectedBills());
  expect(forms.filter((formId) => counts[formId] === 0)).toEqual([]);
  expect(shipped().length).toBeGreaterThan(3);
  expect(shipments().length).toBeGreaterThan(0);
});

it('a USD order: SAL_SaleOrder in USD (PRE007) with the month rate, customer = the marketplace, exact prices', async () => {
  const posted = await bills('SAL_SaleOrder', [
    'FCustId.FNumber',
    'FSaleOrgId.FNumber',
    'FSettleCurrId.FNumber',
    'FExchangeRate',
    'FMaterialId.FNumber',
    'FQty',
    'FTaxPrice',
    'F_YC_OnlineOrderNo',
  ]);
  const usd = shipped().filter((order) => order.order_total_currency_code === 'USD');
  expect(usd.length).toBeGreaterThan(0);
  for (const order of shipped()) {
    const rows = posted.get(order.amazon_order_id)!;
    expect(rows.map((row) => row['FMaterialId.FNumber'])).toEqual(
      order.item_list.map((item: LxRecord) => item.local_sku),
    );
    const head = rows[0]!;
    expect([head['FCustId.FNumber'], head['FSaleOrgId.FNumber'], head.F_YC_OnlineOrderNo]).toEqual([
      customerOf(order.sid),
      '100',
      order.amazon_order_id,
    ]);
    expect(head['FSettleCurrId.FNumber']).toBe(
      { USD: 'PRE007', CAD: 'PRE008', GBP: 'PRE005', EUR: 'PRE003', JPY: 'PRE004' }[
        order.order_total_currency_code as string
      ],
    );
    expect(same(head.FExchangeRate, rateOf(order.order_total_currency_code))).toBe(true);
    order.item_list.forEach((item: LxRecord, i: number) => {
      expect(same(rows[i]!.FQty, String(item.quantity_ordered))).toBe(true);
      expect(
        same(
          rows[i]!.FTaxPrice,
          new Decimal(item.item_price_amount)
            .div(item.quantity_ordered)
            .toDecimalPlaces(6, Decimal.ROUND_HALF_UP)
            .toFixed(),
        ),
      ).toBe(true);
    });
  }
  expect(same(posted.get(usd[0]!.amazon_order_id)![0]!.FExchangeRate, '7.2000')).toBe(true);
});

it('an FBA first-leg shipment: a transfer into the shop’s FBA warehouse, the freight allocated to lines summing exactly', async () => {
  const posted = await bills('STK_TransferDirect', [
    'FStockOutOrgId.FNumber',
    'FStockOrgId.FNumber',
    'FSrcStockId.FNumber',
    'FDestStockId.FNumber',
    'FMaterialId.FNumber',
    'FQty',
    'F_YC_FirstLegCost',
  ]);
  for (const shipment of shipments()) {
    const rows = posted.get(shipment.shipment_sn)!;
    expect(
      rows.map((row) => [
        row['FSrcStockId.FNumber'],
        row['FDestStockId.FNumber'],
        row['FMaterialId.FNumber'],
        Number(row.FQty),
      ]),
    ).toEqual(
      shipment.relate_list.map((line: LxRecord) => [
        stockOf(shipment.wid),
        stockOf(shipment.to_wid),
        line.sku,
        line.quantity_shipped,
      ]),
    );
    const total = rows.reduce((sum, row) => sum.plus(new Decimal(String(row.F_YC_FirstLegCost))), new Decimal(0));
    expect(total.toFixed(2)).toBe(new Decimal(shipment.logistics_fee).toFixed(2));
    // Each line's share follows its quantity to within a cent.
    const units = shipment.relate_list.reduce((sum: number, line: LxRecord) => sum + line.quantity_shipped, 0);
    rows.forEach((row, i) => {
      const exact = new Decimal(shipment.logistics_fee).times(shipment.relate_list[i].quantity_shipped).div(units);
      expect(new Decimal(String(row.F_YC_FirstLegCost)).minus(exact).abs().lessThan('0.01')).toBe(true);
    });
  }
});

it('a closed settlement: one 费用应付单 to the platform at the month rate; SKU fees direct, shop-level fees allocated to SKUs by sales, summing exactly; VAT apart', async () => {
  const posted = await bills('AP_Payable', [
    'FSUPPLIERID.FNumber',
    'FCURRENCYID.FNumber',
    'FExchangeRate',
    'FCOSTID',
    'FMATERIALID.FNumber',
    'FTaxPrice',
    'F_YC_FeeType',
    'F_YC_Account',
    'F_YC_AllocBasis',
    'F_YC_AllocWeight',
    'FRemark',
  ]);
  const closed = pipeline.closedSettlements();
  expect(closed.length).toBeGreaterThanOrEqual(2);
  let allocatedFees = 0;
  let vatLines = 0;
  for (const rows of closed) {
    const settlementId = String(rows[0]!.settlementId);
    const billed = posted.get(`LXS-${settlementId}`) ?? [];
    expect(billed.length).toBeGreaterThan(0);
    const sales = new Map<string, Decimal>();
    for (const row of rows.filter((r) => r.type === 'Principal' && r.localSku))
      sales.set(row.localSku, (sales.get(row.localSku) ?? new Decimal(0)).plus(row.currencyAmount));
    const skus = [...sales].filter(([, amount]) => amount.greaterThan(0)).map(([sku]) => sku);
    for (const fee of rows.filter((r) => r.type !== 'Principal')) {
      const feeType = `${fee.eventType}/${fee.type}`;
      const charged = new Decimal(fee.currencyAmount).negated();
      const lines = fee.localSku
        ? billed.filter(
            (line) =>
              line.F_YC_FeeType === feeType &&
              line.F_YC_AllocBasis === 'direct' &&
              same(line.FTaxPrice, charged.toFixed()) &&
              line['FMATERIALID.FNumber'] === fee.localSku,
          )
        : billed.filter((line) => line.F_YC_FeeType === feeType && line.F_YC_AllocBasis === 'sales_amount');
      expect(lines.length).toBeGreaterThan(0);
      if (feeType.includes('VAT')) vatLines += lines.filter((line) => line.F_YC_Account === '2221.08').length;
      for (const line of lines) {
        expect([line['FSUPPLIERID.FNumber'], line.FCOSTID, line.F_YC_Account, line['FCURRENCYID.FNumber']]).toEqual([
          customerOf(fee.sid),
          FEE_ACCOUNTS[feeType]!.expenseItem,
          FEE_ACCOUNTS[feeType]!.accountNumber,
          pipeline.currencyNumber(fee.currencyCode),
        ]);
        expect(same(line.FExchangeRate, rateOf(fee.currencyCode))).toBe(true);
      }
      if (!fee.localSku) {
        // Each shop-level fee of this type became one line per SKU with positive sales, weighted by its sales, and
        // the lines of the type sum exactly to those fees (each fee's own split is exact: largest remainder).
        const sameType = rows.filter((r) => !r.localSku && `${r.eventType}/${r.type}` === feeType);
        const expectedSkus = sameType.flatMap(() => skus).sort();
        expect(lines.map((line) => line['FMATERIALID.FNumber']).sort()).toEqual(expectedSkus);
        for (const line of lines)
          expect(same(line.F_YC_AllocWeight, sales.get(String(line['FMATERIALID.FNumber']))!.toFixed())).toBe(true);
        const parts = lines.reduce((sum, line) => sum.plus(String(line.FTaxPrice)), new Decimal(0));
        const typeTotal = sameType.reduce<Decimal>((sum, r) => sum.minus(String(r.currencyAmount)), new Decimal(0));
        expect(parts.equals(typeTotal)).toBe(true);
        allocatedFees += 1;
      }
    }
    const feeTotal = rows
      .filter((r) => r.type !== 'Principal')
      .reduce<Decimal>((sum, r) => sum.minus(String(r.currencyAmount)), new Decimal(0));
    const billedTotal = billed.reduce((sum, line) => sum.plus(String(line.FTaxPrice)), new Decimal(0));
    expect(billedTotal.equals(feeTotal)).toBe(true);
  }
  expect(allocatedFees).toBeGreaterThan(0);
  // Marketplace-facilitator VAT on its own lines and tax account, never inside an expense account.
  expect(vatLines).toBeGreaterThan(0);
  expect(
    [...posted.values()]
      .flat()
      .filter((line) => String(line.F_YC_FeeType).includes('VAT') && line.F_YC_Account !== '2221.08'),
  ).toEqual([]);
  // An open settlement is not posted yet.
  const openIds = new Set(records('fee_settlement').map((row) => String(row.settlementId)));
  for (const rows of closed) openIds.delete(String(rows[0]!.settlementId));
  for (const id of openIds) expect(posted.has(`LXS-${id}`)).toBe(false);
});

it('a refund after shipment: the order stays posted and a 销售退货单 <order>-R returns its lines into the FBA or return warehouse', async () => {
  const order = records('sales_order').find((candidate) => candidate.amazon_order_id === refundedOrder)!;
  expect([order.is_return, order.order_status]).toEqual([1, 'Shipped']);
  const returns = await bills('SAL_RETURNSTOCK', [
    'FRetcustId.FNumber',
    'FMaterialId.FNumber',
    'FRealQty',
    'FTaxPrice',
    'FStockId.FNumber',
  ]);
  const rows = returns.get(`${refundedOrder}-R`)!;
  const item = order.item_list[0];
  expect(rows.map((row) => [row['FMaterialId.FNumber'], Number(row.FRealQty), row['FStockId.FNumber']])).toEqual([
    [
      item.local_sku,
      item.quantity_ordered,
      order.fulfillment_channel === 'AFN' ? stockOf(1000 + order.sid) : stockOf(2),
    ],
  ]);
  expect(
    same(
      rows[0]!.FTaxPrice,
      new Decimal(item.item_price_amount)
        .div(item.quantity_ordered)
        .toDecimalPlaces(6, Decimal.ROUND_HALF_UP)
        .toFixed(),
    ),
  ).toBe(true);
  expect((await bills('SAL_SaleOrder', [])).has(refundedOrder)).toBe(true);
});
