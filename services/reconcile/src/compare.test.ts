import { Decimal } from '@yecai/common';
import { compare, type CompareInput } from './compare';
import { differingKeys, digestsBy, l0Key, prepare, toUnits } from './digest';
import type { MirrorBill, SinkFacts, SourceDocument } from './model';

const line = (qty = '2', amount = '226', material = 'A1001-BLK') => ({
  seq: 1,
  sku: material,
  material,
  warehouse: 'CK001',
  lot: '',
  qty,
  amount,
});

function sourceDoc(ref: string, overrides: Partial<SourceDocument> = {}): SourceDocument {
  return {
    _id: `jushuitan/demo/sales_outstock/${ref}`,
    flow: 'sales_outstock',
    ref,
    billNo: ref,
    org: '100',
    date: '2026-11-20',
    shop: 'TM-YS01',
    lines: [line()],
    sourceSystem: 'jushuitan',
    mark: 'SYNCED',
    markReason: null,
    sourceModifiedAt: 1,
    contentHash: `h-${ref}`,
    versions: 1,
    ...overrides,
  };
}

let fid = 100;
function bill(ref: string, overrides: Partial<MirrorBill> = {}): MirrorBill {
  fid += 1;
  const { sku: _sku, ...kingdeeLine } = line();
  return {
    _id: `SAL_OUTSTOCK|${fid}`,
    formId: 'SAL_OUTSTOCK',
    fid: String(fid),
    flow: 'sales_outstock',
    ref,
    billNo: ref,
    org: '100',
    date: '2026-11-20',
    shop: 'TM-YS01',
    lines: [kingdeeLine],
    status: 'C',
    cancelStatus: 'A',
    modifyDate: '2026-11-20T10:00:00',
    ...overrides,
  };
}

const posted = (ref: string): SinkFacts => ({
  billNo: ref,
  state: 'POSTED',
  stage: 'AUDITED',
  postedVersion: `h-${ref}`,
  problem: null,
  skipped: null,
});
const options = {
  period: '2026-11',
  flows: ['sales_outstock'],
  tolerance: new Decimal('0.01'),
  threshold: new Decimal('0.0001'),
};

function run(
  source: SourceDocument[],
  kingdee: MirrorBill[],
  sink: Map<string, SinkFacts> = new Map(
    source.map((document) => [`sales_outstock|${document.ref}`, posted(document.ref)]),
  ),
  currentMaterial: CompareInput['currentMaterial'] = () => undefined,
) {
  return compare({ source, kingdee, sink, currentMaterial }, options);
}

describe('reconciliation comparison', () => {
  it('reports 一致 with rate 0 and expands no partition when both sides hold the same documents', () => {
    const refs = ['D1', 'D2', 'D3'];
    const result = run(
      refs.map((ref) => sourceDoc(ref)),
      refs.map((ref) => bill(ref)),
    );
    expect(result.differences).toEqual([]);
    expect(result.levels).toMatchObject({ l0Partitions: 1, l0Differing: 0, l1Partitions: 0, documentsExamined: 0 });
    expect(result.summaries).toEqual([
      expect.objectContaining({
        flow: 'sales_outstock',
        org: '100',
        sourceDocuments: 3,
        kingdeeDocuments: 3,
        amountRate: '0.00000000',
        documentRate: '0.00000000',
        verdict: '一致',
      }),
    ]);
  });

  it('classifies each kind of difference with its cause, and only the differing day is expanded', () => {
    const source = [
      sourceDoc('OK'),
      sourceDoc('OTHER-DAY', { date: '2026-11-03' }),
      sourceDoc('GONE'),
      sourceDoc('QTY'),
      sourceDoc('AMT'),
      sourceDoc('DUP'),
      sourceDoc('LATE', { date: '2026-11-30' }),
      sourceDoc('ROUND', { lines: [line('1', '10.004')] }),
      sourceDoc('MAP', { lines: [{ ...line(), sku: 'SKU-9' }] }),
      sourceDoc('UNAUDITED'),
      sourceDoc('FILTERED', { mark: 'FILTERED', markReason: 'shipped: 未发货不同步', lines: [] }),
    ];
    const kingdee = [
      bill('OK'),
      bill('OTHER-DAY', { date: '2026-11-03' }),
      bill('QTY', { lines: [{ ...line('3', '339'), sku: undefined }] }),
      bill('AMT', { lines: [{ ...line('2', '250'), sku: undefined }] }),
      bill('DUP'),
      bill('DUP', { billNo: 'DUP-COPY' }),
      bill('LATE', { date: '2026-12-01' }),
      bill('ROUND', { lines: [{ ...line('1', '10.00'), sku: undefined }] }),
      bill('MAP'),
      bill('UNAUDITED', { status: 'B' }),
      bill('', { billNo: 'MANUAL-1' }),
    ];
    const sink = new Map(source.map((document) => [`sales_outstock|${document.ref}`, posted(document.ref)]));
    sink.set('sales_outstock|UNAUDITED', {
      ...posted('UNAUDITED'),
      state: 'REJECTED',
      stage: 'SUBMITTED',
      problem: '审核失败 audit failed',
    });
    const result = run(source, kingdee, sink, (_system, sku) => (sku === 'SKU-9' ? 'G2001' : undefined));

    expect(
      result.differences.map((difference) => [difference.class, difference.ref || difference.billNos.join()]),
    ).toEqual([
      ['MISSING_IN_KINGDEE', 'FILTERED'],
      ['MISSING_IN_KINGDEE', 'GONE'],
      ['EXTRA_IN_KINGDEE', 'MANUAL-1'],
      ['DUPLICATE', 'DUP'],
      ['AMOUNT_MISMATCH', 'AMT'],
      ['QTY_MISMATCH', 'QTY'],
      ['STATUS_MISMATCH', 'UNAUDITED'],
      ['TIMING', 'LATE'],
      ['MAPPING', 'MAP'],
      ['TOLERATED', 'ROUND'],
    ]);
    const byRef = new Map(
      result.differences.map((difference) => [difference.ref || difference.billNos[0], difference]),
    );
    expect(byRef.get('GONE')).toMatchObject({ counted: true, cause: expect.stringContaining('deleted there') });
    expect(byRef.get('FILTERED')).toMatchObject({ counted: false, cause: expect.stringContaining('未发货不同步') });
    expect(byRef.get('MANUAL-1')).toMatchObject({ cause: expect.stringContaining('no source reference') });
    expect(byRef.get('DUP')).toMatchObject({ billNos: ['DUP', 'DUP-COPY'], amountDelta: '226.00' });
    expect(byRef.get('QTY')).toMatchObject({
      sourceValue: '2 (226.00)',
      kingdeeValue: '3 (339.00)',
      amountDelta: '113.00',
    });
    expect(byRef.get('UNAUDITED')).toMatchObject({ cause: expect.stringContaining('审核失败 audit failed') });
    expect(byRef.get('LATE')).toMatchObject({ counted: false, sourceDate: '2026-11-30', kingdeeDate: '2026-12-01' });
    expect(byRef.get('MAP')).toMatchObject({
      sourceValue: 'G2001',
      kingdeeValue: 'A1001-BLK',
      cause: expect.stringContaining('map changed after posting'),
    });
    expect(byRef.get('ROUND')).toMatchObject({ counted: false, sourceValue: '10.0040', kingdeeValue: '10.0000' });
    // The day 2026-11-03 matches on both sides: its partition is never expanded.
    expect(result.differences.some((difference) => difference.ref === 'OTHER-DAY')).toBe(false);
    expect(result.levels.l1Differing).toBeLessThan(result.levels.l1Partitions);

    const [summary] = result.summaries;
    // Σ|differences| = GONE 226 + MANUAL 226 + DUP copy 226 + AMT 24 + QTY 113; source amount = 9 × 226 + 10.004.
    expect(summary).toMatchObject({
      amountDifference: '815.00',
      documentDifferences: 3,
      duplicates: 1,
      verdict: '有差异',
    });
    expect(new Decimal(summary!.amountRate).toFixed(6)).toBe(
      new Decimal(815).div(new Decimal(226).mul(9).plus('10.004')).toFixed(6),
    );
  });

  it('digests do not depend on document order and change with any document', () => {
    const documents = ['A', 'B', 'C'].map((ref) => sourceDoc(ref));
    const rows = (list: SourceDocument[]) => list.map((facts) => prepare(facts, true));
    expect(
      differingKeys(digestsBy(rows(documents), l0Key), digestsBy(rows([...documents].reverse()), l0Key)).size,
    ).toBe(0);
    const edited = [documents[0]!, documents[1]!, { ...documents[2]!, lines: [line('2', '226.0001')] }];
    expect([...differingKeys(digestsBy(rows(documents), l0Key), digestsBy(rows(edited), l0Key))]).toEqual([
      'sales_outstock|100|2026-11',
    ]);
  });

  it('reads decimal text into integer units exactly, rounding half away from zero', () => {
    expect(toUnits('10.004', 4)).toBe(100040n);
    expect(toUnits('-0.00005', 4)).toBe(-1n);
    expect(toUnits('0.00004', 4)).toBe(0n);
    expect(toUnits('123456789012345678.9999', 4)).toBe(1234567890123456789999n);
    expect(toUnits('1e-3', 4)).toBe(10n);
    expect(toUnits('', 4)).toBe(0n);
  });
});
