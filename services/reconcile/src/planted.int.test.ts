/**
 * The planted-differences test (issue #21's "done when"): documents go through the real sink into the Kingdee
 * emulator over real Kafka and FerretDB; then each difference class is planted on purpose — in Kingdee through its
 * WebAPI where the API can do it, in the emulator's state where Kingdee's UI would (a person's edit) — and the
 * report must name exactly those, each with class and cause, and nothing else. With none planted: 一致, rate 0.
 * The workbook is read back with exceljs and every sheet's figures checked against the JSON.
 */
import { Decimal } from '@yecai/common';
import { kingdeeModifyDate, type KingdeeEmulator } from '@yecai/emulator-kingdee';
import { KingdeeClient, resolveKingdeeConnection } from '@yecai/kingdee';
import { MasterDataStore } from '@yecai/master-data';
import { FilteredStore } from '@yecai/parking';
import { convertDocument } from '@yecai/sink-kingdee';
import { canonical, kingdeeConfig, startEmulator } from '@yecai/sink-kingdee/test/fixtures';
import { startSinkUnderTest, useUniqueTopicPrefix, type SinkUnderTest } from '@yecai/sink-kingdee/test/sink-under-test';
import { testKafka, uniqueName } from '@yecai/test-harness';
import { reconcile, type ReconcileDeps } from './reconcile';
import { readWorkbookBack } from '../test/workbook-reader';
import { DIFFERENCE_CLASS_NAMES } from './classes';
import { UNKNOWN_ORG } from './compare';
import {
  classSheet,
  DIFFERENCE_COLUMNS,
  NOTES_SHEET,
  rulesOf,
  SUMMARY_COLUMNS,
  SUMMARY_SHEET,
  writeWorkbook,
  type ReconciliationReport,
} from './report';

jest.setTimeout(240_000);

const FORM = 'SAL_OUTSTOCK';
const CONVERT = {
  billNumberPattern: '{billNumber}',
  customFields: { logisticsNumber: 'F_YC_LogisticsNo', onlineOrderNumber: 'F_YC_OnlineOrderNo' },
};

describe('reconciliation against the sink and the Kingdee emulator (real Kafka + FerretDB)', () => {
  let emulator: KingdeeEmulator;
  let sink: SinkUnderTest;
  let deps: ReconcileDeps;
  let kingdee: KingdeeClient;
  let planted: ReconciliationReport;
  const groupId = uniqueName('yecai-reconcile');

  beforeAll(async () => {
    useUniqueTopicPrefix();
    emulator = await startEmulator();
    sink = await startSinkUnderTest(emulator);
    kingdee = new KingdeeClient(resolveKingdeeConnection(kingdeeConfig(emulator)));
    deps = { db: sink.db, kafka: testKafka(), serde: sink.serde, kingdee };
  });
  afterAll(async () => {
    await sink?.stop();
    await deps?.kafka.disconnect();
    await emulator?.close();
  });

  const billOf = (billNo: string) => [...emulator.state.billsOf(FORM).values()].find((bill) => bill.billNo === billNo)!;
  /** A person's edit in Kingdee's UI: the bill changes and its FModifyDate moves. */
  const editInKingdee = (billNo: string, edit: (bill: ReturnType<typeof billOf>) => void) => {
    const bill = billOf(billNo);
    edit(bill);
    bill.modifyDate = kingdeeModifyDate(Date.now()); // Kingdee's server time (Beijing), as Kingdee stamps it
  };

  it('with nothing planted: 一致, difference rate 0, no difference listed', async () => {
    const ids = ['C-1', 'C-2', 'C-3'];
    await sink.produce(
      'sales_outstock',
      ids.map((id, index) => canonical('sales_outstock', id, { date: `2026-10-0${index + 1}` })),
    );
    await sink.waitForStates({ POSTED: 3 }, 'the October documents posted');

    const report = await reconcile(deps, { period: '2026-10', groupId });
    expect(report.differences).toEqual([]);
    expect(report.verdict).toBe('一致');
    expect(report.summaries).toEqual([
      expect.objectContaining({
        flow: 'sales_outstock',
        org: '100',
        sourceDocuments: 3,
        kingdeeDocuments: 3,
        sourceAmount: '678.00',
        kingdeeAmount: '678.00',
        amountRate: '0.00000000',
        documentRate: '0.00000000',
        verdict: '一致',
      }),
    ]);
    expect(report.levels.l0Differing).toBe(0);
  });

  it('names exactly the planted differences, each with its class and cause, and nothing else', async () => {
    const november = (id: string, options: Parameters<typeof canonical>[2] = {}) =>
      canonical('sales_outstock', id, { date: '2026-11-20', ...options });
    const mapped = november('P-MAP');
    (mapped.lines as Record<string, unknown>[])[0]!.sku = 'SKU-MAP';
    const documents = [
      november('P-OK1'),
      november('P-OK2'),
      november('P-DEL'),
      november('P-QTY'),
      november('P-AMT'),
      november('P-UNAUD'),
      november('P-DUP'),
      november('P-LATE', { date: '2026-11-30' }),
      mapped,
      november('P-ROUND', { lines: [{ qty: '1', price: '10.004' }] }),
      november('P-PARK', { lines: [{ material: 'NEW-MAT-1' }] }),
    ];
    await sink.produce('sales_outstock', documents);
    await sink.waitForStates({ POSTED: 3 + 10, PARKED: 1 }, 'the November documents posted or parked');

    // Kingdee side: deleted, edited, un-audited, copied, booked in December, plus a bill entered by hand.
    for (const op of ['UnAudit', 'Delete'] as const) await kingdee.operateEach(op, FORM, { numbers: ['P-DEL'] });
    await kingdee.operateEach('UnAudit', FORM, { numbers: ['P-UNAUD'] });
    editInKingdee('P-QTY', (bill) =>
      Object.assign(bill.entries[0]!.fields, {
        FRealQty: new Decimal(3),
        FBaseUnitQty: new Decimal(3),
        FAllAmount: new Decimal('339.00'),
      }),
    );
    editInKingdee('P-AMT', (bill) => Object.assign(bill.entries[0]!.fields, { FAllAmount: new Decimal('250.00') }));
    editInKingdee('P-LATE', (bill) => (bill.header.FDate = '2026-12-01T00:00:00'));
    const [copy] = convertDocument('sales_outstock', documents[6]!, CONVERT);
    await kingdee.save(FORM, { ...copy!.model, FBillNo: 'P-DUP-COPY' } as never);
    const [manual] = convertDocument('sales_outstock', november('P-MANUAL', { date: '2026-11-15' }), CONVERT);
    const { SubHeadEntity: subHead, ...manualModel } = manual!.model as { SubHeadEntity: Record<string, unknown> };
    await kingdee.save(FORM, {
      ...manualModel,
      FBillNo: 'HAND-001',
      SubHeadEntity: { ...subHead, FThirdBillNo: '' },
    } as never);
    // Source side: a filter left one document out; the SKU map changed after P-MAP was posted.
    await new FilteredStore(sink.db).record([
      {
        sourceSystem: 'jushuitan',
        account: 'demo',
        documentType: 'sales_outstock',
        sourceId: 'P-FILT',
        sourceModifiedAt: Date.parse('2026-11-21T02:00:00Z'),
        contentHash: 'filtered-1',
        flow: 'jushuitan/sales_outstock',
        ruleVersion: 'test',
        key: 'jushuitan/demo/sales_outstock/P-FILT',
        filter: 'shipped',
        description: '未发货的出库单不同步 not shipped yet',
        scope: 'document',
        source: { topic: 'raw', partition: 0, offset: '1' },
      },
    ]);
    await new MasterDataStore(sink.db).upsert('sku', [
      { sourceSystem: 'jushuitan', skuCode: 'SKU-MAP', materialNumber: 'G2001', unit: 'Pcs' },
    ]);

    planted = await reconcile(deps, { period: '2026-11', groupId });
    const named = planted.differences
      .map((difference) => `${difference.class} ${difference.ref || difference.billNos.join(',')}`)
      .sort();
    expect(named).toEqual(
      [
        'MISSING_IN_KINGDEE P-DEL',
        'MISSING_IN_KINGDEE P-PARK',
        'MISSING_IN_KINGDEE P-FILT',
        'EXTRA_IN_KINGDEE HAND-001',
        'DUPLICATE P-DUP',
        'AMOUNT_MISMATCH P-AMT',
        'QTY_MISMATCH P-QTY',
        'STATUS_MISMATCH P-UNAUD',
        'TIMING P-LATE',
        'MAPPING P-MAP',
        'TOLERATED P-ROUND',
      ].sort(),
    );
    const of = (name: string) =>
      planted.differences.find((difference) => difference.ref === name || difference.billNos.includes(name))!;
    expect(of('P-DEL').cause).toMatch(/posted as P-DEL, no longer in Kingdee/);
    expect(of('P-PARK').cause).toMatch(/^已挂起 · parked: .*物料/);
    expect(of('P-FILT')).toMatchObject({ counted: false, cause: expect.stringContaining('未发货的出库单不同步') });
    expect(of('HAND-001')).toMatchObject({ label: '金蝶多单', cause: expect.stringContaining('no source reference') });
    expect(of('P-DUP')).toMatchObject({ billNos: ['P-DUP', 'P-DUP-COPY'], label: '重复' });
    expect(of('P-AMT')).toMatchObject({
      sourceValue: '226.0000',
      kingdeeValue: '250.0000',
      amountDelta: '24.00',
      cause: expect.stringContaining('edited in Kingdee after posting'),
    });
    expect(of('P-QTY')).toMatchObject({ sourceValue: '2 (226.00)', kingdeeValue: '3 (339.00)', amountDelta: '113.00' });
    expect(of('P-UNAUD')).toMatchObject({
      kingdeeValue: '重新审核 re-audit',
      cause: expect.stringContaining('un-audited in Kingdee'),
    });
    expect(of('P-LATE')).toMatchObject({
      counted: false,
      sourceDate: '2026-11-30',
      kingdeeDate: '2026-12-01',
      cause: expect.stringContaining('period 2026-12'),
    });
    expect(of('P-MAP')).toMatchObject({
      sourceValue: 'G2001',
      kingdeeValue: 'A1001-BLK',
      cause: expect.stringContaining('map changed after posting'),
    });
    expect(of('P-ROUND')).toMatchObject({ counted: false, sourceValue: '10.0040', kingdeeValue: '10.0000' });

    // Counted: P-DEL 226 + P-PARK 226 + HAND-001 226 + the copy of P-DUP 226 + P-AMT 24 + P-QTY 113. The filtered
    // document has no org (mapping never resolved one): its own row, not counted; the flow's total row adds both.
    expect(planted.summaries.map((row) => row.org)).toEqual(['100', UNKNOWN_ORG, '合计']);
    const [org100, unknownOrg, total] = planted.summaries;
    expect(org100).toMatchObject({
      flow: 'sales_outstock',
      period: '2026-11',
      sourceDocuments: 11,
      kingdeeDocuments: 10,
      documentDifferences: 4,
      duplicates: 1,
      amountDifference: '1041.00',
      verdict: '有差异',
    });
    expect(unknownOrg).toMatchObject({
      sourceDocuments: 0,
      documentDifferences: 0,
      verdict: '一致',
      classes: expect.objectContaining({ MISSING_IN_KINGDEE: 1 }),
    });
    expect(total).toMatchObject({ documentDifferences: 4, amountDifference: '1041.00', verdict: '有差异' });
    expect(planted.verdict).toBe('有差异');
  });

  it('writes a workbook whose every sheet, read back with exceljs, shows the JSON figures', async () => {
    expect(planted).toBeDefined();
    const sheets = await readWorkbookBack(await writeWorkbook(planted));
    expect(Object.keys(sheets)).toEqual([SUMMARY_SHEET, ...DIFFERENCE_CLASS_NAMES.map(classSheet), NOTES_SHEET]);

    const summaryRows = sheets[SUMMARY_SHEET]!.slice(1, 1 + planted.summaries.length);
    expect(sheets[SUMMARY_SHEET]![0]).toEqual(SUMMARY_COLUMNS.map((column) => column.header));
    planted.summaries.forEach((summary, index) => {
      const row = Object.fromEntries(
        SUMMARY_COLUMNS.map((column, position) => [column.key, summaryRows[index]![position]]),
      );
      for (const column of SUMMARY_COLUMNS) {
        const expected = column.key.startsWith('class:')
          ? summary.classes[column.key.slice(6) as keyof typeof summary.classes]
          : summary[column.key as keyof typeof summary];
        if (column.kind === 'money') expect(new Decimal(String(row[column.key])).toFixed(2)).toBe(expected);
        else if (column.kind === 'rate' || column.kind === 'qty')
          expect(new Decimal(String(row[column.key])).eq(String(expected))).toBe(true);
        else expect(row[column.key]).toEqual(expected);
      }
    });

    for (const name of DIFFERENCE_CLASS_NAMES) {
      const [header, ...rows] = sheets[classSheet(name)]!;
      expect(header).toEqual(DIFFERENCE_COLUMNS.map((column) => column.header));
      const expected = planted.differences.filter((difference) => difference.class === name);
      expect(rows).toHaveLength(expected.length);
      expected.forEach((difference, index) => {
        const row = Object.fromEntries(
          DIFFERENCE_COLUMNS.map((column, position) => [column.key, rows[index]![position] ?? '']),
        );
        expect(row).toMatchObject({
          flow: difference.flow,
          ref: difference.ref,
          billNos: difference.billNos.join(', '),
          field: difference.field,
          sourceValue: difference.sourceValue,
          kingdeeValue: difference.kingdeeValue,
          cause: difference.cause,
          action: difference.action,
        });
        expect(new Decimal(String(row.amountDelta)).toFixed(2)).toBe(difference.amountDelta);
      });
    }
    expect(sheets[NOTES_SHEET]!.slice(1).map((row) => row[0])).toEqual(rulesOf(planted));
  });
});
