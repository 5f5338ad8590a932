/**
 * One canonical event (a JST sales out-stock; a purchase return; a Saihu receivable and the payout's receipt), consumed from the same topic by sink-kingdee and
 * sink-yonyou: the document read back from the YonSuite emulator carries the business content of the bill read back
 * from the Kingdee emulator (the Jushuitan project's table: org, customer/supplier, currency, lines, lot, remark),
 * field by field.
 */
import type { StoredValue } from '@yecai/emulator-kingdee/src/state';
import { startEmulator as startKingdeeEmulator } from '@yecai/sink-kingdee/test/fixtures';
import { startSinkUnderTest, useUniqueTopicPrefix } from '@yecai/sink-kingdee/test/sink-under-test';
import { canonical, RECEIPT_FLOW, startEmulator, startSink, writeOffOf } from '../test/fixtures';

/** A Kingdee stored value as text: a reference by its number, a decimal exactly. */
const text = (value: StoredValue | undefined): string | null =>
  value === null || value === undefined
    ? null
    : typeof value === 'object' && 'number' in value
      ? value.number
      : String(value);
const decimal = (value: unknown): string => String(Number(value)); // '2' and '2.0000000000' are the same quantity

type Emulators = {
  kingdee: Awaited<ReturnType<typeof startKingdeeEmulator>>;
  yonyou: Awaited<ReturnType<typeof startEmulator>>;
};
type Sinks = {
  kingdeeSink: Awaited<ReturnType<typeof startSinkUnderTest>>;
  yonyouSink: Awaited<ReturnType<typeof startSink>>;
};

/** Both emulators and both sinks on one topic prefix (one flow each, of the same type), stopped whatever happens. */
async function onBoth(
  flows: { kingdee?: Parameters<typeof startSinkUnderTest>[1]; yonyou?: Parameters<typeof startSink>[1] },
  run: (emulators: Emulators, sinks: Sinks) => Promise<void>,
): Promise<void> {
  useUniqueTopicPrefix();
  const kingdee = await startKingdeeEmulator();
  const yonyou = await startEmulator();
  const kingdeeSink = await startSinkUnderTest(kingdee, flows.kingdee);
  const yonyouSink = await startSink(yonyou, flows.yonyou);
  try {
    await run({ kingdee, yonyou }, { kingdeeSink, yonyouSink });
  } finally {
    await yonyouSink.stop();
    await kingdeeSink.stop();
    await yonyou.close();
    await kingdee.close();
  }
}

describe('the same canonical document on Kingdee and on YonSuite (real Kafka + MongoDB-wire + schema registry)', () => {
  it('a sales out-stock: reproduces org, customer, currency, lines, lot and remark field by field', async () => {
    await onBoth({}, async ({ kingdee, yonyou }, { kingdeeSink, yonyouSink }) => {
      const event = canonical('sales_outstock', 'JST-SO-0001', {
        lines: [
          { qty: '3', price: '99.50' },
          { material: 'G2001', qty: '1', batch: null, price: '0.00' },
        ],
      });
      await kingdeeSink.produce('sales_outstock', [event]); // one produce: both sinks read the same topic
      await kingdeeSink.waitForStates({ POSTED: 1 }, 'posted on Kingdee');
      await yonyouSink.waitForStates({ POSTED: 1 }, 'posted on YonSuite');

      const bill = [...kingdee.state.billsOf('SAL_OUTSTOCK').values()].find((one) => one.billNo === 'JST-SO-0001')!;
      const listed = (await (await fetch(`${yonyou.url}/__admin/documents/salesout`)).json()) as Record<
        string,
        unknown
      >[];
      expect(listed).toHaveLength(1);
      const doc = listed[0]!;
      const lines = doc.details as Record<string, unknown>[];

      expect(doc.code).toBe(bill.billNo);
      expect(doc.status).toBe(1); // audited, as the Kingdee bill
      expect(bill.status).toBe('C');
      // Org, customer, remark: the same codes.
      expect(doc.salesOrg).toBe(text(bill.header.FSaleOrgId));
      expect(doc.org).toBe(text(bill.header.FStockOrgId));
      expect(doc.cust).toBe(text(bill.header.FCustomerID));
      expect(doc.memo).toBe(text(bill.header.FNote));
      expect(doc.memo).toBe('聚水潭 JST-SO-0001');
      // Currency: each target's own code of the event's currency (Kingdee PRE001 from master data, YonSuite CNY from the flow's currencyCodes).
      expect(text(bill.header.FSettleCurrID)).toBe(event.currencyNumber);
      expect([doc.currency, doc.natCurrency]).toEqual(['CNY', 'CNY']);
      // Lines, in order: material, quantity, unit, tax-inclusive price, tax rate, warehouse, lot, gift flag.
      expect(lines).toHaveLength(bill.entries.length);
      bill.entries.forEach((entry, index) => {
        const line = lines[index]!;
        expect(line.product).toBe(text(entry.fields.FMaterialID));
        expect(decimal(line.qty)).toBe(decimal(text(entry.fields.FRealQty)));
        expect(line.stockUnit).toBe(text(entry.fields.FUnitID));
        expect(decimal(line.oriTaxUnitPrice)).toBe(decimal(text(entry.fields.FTaxPrice)));
        expect(decimal(line.taxRate)).toBe(decimal(text(entry.fields.FEntryTaxRate)));
        expect(line.warehouse).toBe(text(entry.fields.FStockID));
        expect(line.batchno ?? null).toBe(text(entry.fields.FLot) || null);
        expect(line.saleStyle === 'GIFT').toBe(entry.fields.FIsFree === true);
      });
      expect(lines.map((line) => [line.product, line.qty, line.batchno ?? null])).toEqual([
        ['A1001-BLK', '3', '0'],
        ['G2001', '1', null],
      ]);
    });
  });

  it('a purchase return: the red 采购入库 carries PUR_MRB’s orgs, supplier, lines and lot, posted once, stock down', async () => {
    const flows = {
      kingdee: { flows: [{ documentType: 'purchase_return' as const }] },
      yonyou: {
        flows: [{ documentType: 'purchase_return' as const, bustype: 'CGTH01', currencyCodes: { RMB: 'CNY' } }],
      },
    };
    await onBoth(flows, async ({ kingdee, yonyou }, { kingdeeSink, yonyouSink }) => {
      const event = canonical('purchase_return', 'JST-PR-0001', {
        lines: [
          { qty: '3.5', price: '42.125' },
          { material: 'G2001', qty: '1', batch: null, price: '0.50' },
        ],
      });
      await kingdeeSink.produce('purchase_return', [event]);
      await kingdeeSink.waitForStates({ POSTED: 1 }, 'posted on Kingdee');
      await yonyouSink.waitForStates({ POSTED: 1 }, 'posted on YonSuite');

      const bill = [...kingdee.state.billsOf('PUR_MRB').values()].find((one) => one.billNo === 'JST-PR-0001')!;
      const documents = yonyou.state.documentsOf('purinrecord');
      expect(documents).toHaveLength(1);
      const doc = yonyou.state.view(documents[0]!);
      const lines = doc.purInRecords as Record<string, unknown>[];
      expect([doc.code, doc.out_sys_code, doc.bustype, doc.status]).toEqual([bill.billNo, bill.billNo, 'CGTH01', 1]);
      expect(doc.org).toBe(text(bill.header.FStockOrgId));
      expect(doc.purchaseOrg).toBe(text(bill.header.FPurchaseOrgId));
      expect([doc.vendor, doc.invoiceVendor]).toEqual([text(bill.header.FSupplierID), text(bill.header.FSupplierID)]);
      expect([doc.currency, doc.natCurrency]).toEqual(['CNY', 'CNY']);
      expect(lines).toHaveLength(bill.entries.length);
      bill.entries.forEach((entry, index) => {
        const line = lines[index]!;
        expect(line.product).toBe(text(entry.fields.FMATERIALID));
        // Red: the 实退数量 with a minus sign (the flow's default returnQuantities).
        expect(decimal(line.qty)).toBe(decimal(`-${text(entry.fields.FRMREALQTY)}`));
        expect(line.stockUnit).toBe(text(entry.fields.FUnitID));
        expect(decimal(line.oriTaxUnitPrice)).toBe(decimal(text(entry.fields.FTAXPRICE)));
        expect(decimal(line.taxRate)).toBe(decimal(text(entry.fields.FENTRYTAXRATE)));
        expect(line.warehouse).toBe(text(entry.fields.FStockId));
        expect(line.batchno ?? null).toBe(text(entry.fields.FLot) || null);
      });
      // Exact decimal text as the canonical event decodes it (Avro decimal: 0.50 arrives as 0.5).
      expect(lines.map((line) => [line.product, line.qty, line.oriTaxUnitPrice, line.batchno ?? null])).toEqual([
        ['A1001-BLK', '-3.5', '42.125', '0'],
        ['G2001', '-1', '0.5', null],
      ]);
      // The goods went back to the supplier: out of CK001 (the emulator's opening stock is 100 000).
      expect([yonyou.state.balance('CK001', 'A1001-BLK'), yonyou.state.balance('CK001', 'G2001')]).toEqual([
        99_996.5, 99_999,
      ]);
    });
  });
  it('a receivable: the EFI 应收单 carries AR_receivable’s customer, orgs, currency, rate, lines and amounts', async () => {
    const flows = {
      kingdee: { flows: [{ documentType: 'receivable' as const }] },
      yonyou: { flows: [{ documentType: 'receivable' as const, bustype: 'ar_colsale' }] },
    };
    await onBoth(flows, async ({ kingdee, yonyou }, { kingdeeSink, yonyouSink }) => {
      const event = canonical('receivable', 'SH-AR-0001', { lines: [{}, { material: 'G2001', qty: '1', price: '0' }] });
      const second = (event.lines as Record<string, unknown>[])[1]!;
      Object.assign(second, { amount: '0', taxAmount: '0' });
      await kingdeeSink.produce('receivable', [event]);
      await kingdeeSink.waitForStates({ POSTED: 1 }, 'posted on Kingdee');
      await yonyouSink.waitForStates({ POSTED: 1 }, 'posted on YonSuite');

      const bill = [...kingdee.state.billsOf('AR_receivable').values()].find((one) => one.billNo === 'SH-AR-0001')!;
      const documents = yonyou.state.documentsOf('receivable');
      expect(documents).toHaveLength(1);
      const doc = yonyou.state.view(documents[0]!);
      const lines = doc.bodyItem as Record<string, unknown>[];
      // The Kingdee bill number is the EFI business key; both audited.
      expect([doc.extSystemCode, doc.extVouchCode, doc.direction, doc.status]).toEqual(['yecai', bill.billNo, '1', 1]);
      expect(bill.status).toBe('C');
      expect(doc.customerCode).toBe(text(bill.header.FCUSTOMERID));
      expect(doc.financeOrgCode).toBe(text(bill.header.FSETTLEORGID));
      expect(doc.orgCode).toBe(text(bill.header.FSALEORGID));
      // Currency: Kingdee's number from master data (PRE007), YonSuite's code (USD, not in currencyCodes: as it is).
      expect([text(bill.header.FCURRENCYID), doc.oriCurrencyCode]).toEqual([event.currencyNumber, event.currency]);
      expect(decimal(doc.exchangeRate)).toBe(decimal(text(bill.header.FExchangeRate)));
      expect(lines).toHaveLength(bill.entries.length);
      bill.entries.forEach((entry, index) => {
        const line = lines[index]!;
        expect(line.materialCode).toBe(text(entry.fields.FMATERIALID));
        expect(decimal(line.quantity)).toBe(decimal(text(entry.fields.FPriceQty)));
        expect(decimal(line.oriTaxIncludedPrice)).toBe(decimal(text(entry.fields.FTaxPrice)));
        expect(decimal(line.taxRate)).toBe(decimal(text(entry.fields.FEntryTaxRate)));
      });
      // Amounts as exact text: 2 × 19.99 = 39.98 and a zero line; the header total is their sum.
      expect(lines.map((line) => [line.materialCode, line.quantity, line.oriTaxIncludedAmount])).toEqual([
        ['A1001-BLK', '2', '39.98'],
        ['G2001', '1', '0.00'],
      ]);
      expect([doc.exchangeRate, doc.oriTaxIncludedAmount]).toEqual(['7.1884', '39.98']);
    });
  });

  it('a receipt: the EFI 收款单 carries AR_RECEIVEBILL’s customer, orgs, currency, rate and write-offs, and both write the receivable off', async () => {
    const flows = {
      kingdee: { flows: [{ documentType: 'receivable' as const }, { documentType: 'receipt' as const }] },
      yonyou: { flows: [{ documentType: 'receivable' as const, bustype: 'ar_colsale' }, RECEIPT_FLOW] },
    };
    await onBoth(flows, async ({ kingdee, yonyou }, { kingdeeSink, yonyouSink }) => {
      await kingdeeSink.produce('receivable', [canonical('receivable', 'SH-AR-0002')]);
      await kingdeeSink.waitForStates({ POSTED: 1 }, 'the receivable posted on Kingdee');
      await yonyouSink.waitForStates({ POSTED: 1 }, 'the receivable posted on YonSuite');
      // A payout settling 30.00 of the 39.98: exact decimals, part of the receivable stays open on both.
      const event = canonical('receipt', 'SK-24000000009', { lines: [{ material: 'SH-AR-0002', price: '30.00' }] });
      await kingdeeSink.produce('receipt', [event]);
      await kingdeeSink.waitForStates({ POSTED: 2 }, 'the receipt posted on Kingdee');
      await yonyouSink.waitForStates({ POSTED: 2 }, 'the receipt posted on YonSuite');

      const bill = [...kingdee.state.billsOf('AR_RECEIVEBILL').values()].find(
        (one) => one.billNo === 'SK-24000000009',
      )!;
      const documents = yonyou.state.documentsOf('collection');
      expect(documents).toHaveLength(1);
      const doc = yonyou.state.view(documents[0]!);
      expect([doc.extSystemCode, doc.extVouchCode, doc.status, bill.status]).toEqual(['yecai', bill.billNo, 1, 'C']);
      expect(doc.customerCode).toBe(text(bill.header.FCONTACTUNIT));
      expect(doc.financeOrgCode).toBe(text(bill.header.FPAYORGID));
      expect(doc.orgCode).toBe(text(bill.header.FSETTLEORGID));
      expect([text(bill.header.FCURRENCYID), doc.oriCurrencyCode]).toEqual([event.currencyNumber, event.currency]);
      expect(decimal(doc.exchangeRate)).toBe(decimal(text(bill.header.FEXCHANGERATE)));
      // One 源单明细 row per written-off receivable on Kingdee, one bodyItem linked to the 应收单 on YonSuite.
      const rows = doc.bodyItem as Record<string, unknown>[];
      const receivable = yonyou.state.documentsOf('receivable')[0]!;
      expect(rows.map((row) => [row.srcBillId, row.oriTaxIncludedAmount])).toEqual([
        [receivable.id.toString(), '30.00'],
      ]);
      expect((bill.second ?? []).map((row) => [text(row.fields.FSRCBILLNO), text(row.fields.FREALRECAMOUNT)])).toEqual([
        [receivable.header.extVouchCode, '30'],
      ]);
      // Both audited, both wrote the receivable off by the same amount.
      const arBill = [...kingdee.state.billsOf('AR_receivable').values()].find((one) => one.billNo === 'SH-AR-0002')!;
      expect(decimal(text(arBill.header.FWRITTENOFFAMOUNTFOR))).toBe('30');
      expect(writeOffOf(yonyou, 'SH-AR-0002')).toEqual({ written: '30', balance: '9.98' });
    });
  });
});
