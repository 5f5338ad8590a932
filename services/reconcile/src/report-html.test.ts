import { Decimal } from '@yecai/common';
import { compare } from './compare';
import { overallVerdict, type ReconciliationReport } from './report';
import { renderHtml } from './report-html';
import type { MirrorBill, SourceDocument } from './model';

describe('the report as an HTML page', () => {
  it('shows the verdict, the summary and each difference with its cause, escaping what the data holds', () => {
    const source: SourceDocument = {
      _id: 'j/a/sales_outstock/<b>X',
      flow: 'sales_outstock',
      ref: '<b>X',
      billNo: '<b>X',
      org: '100',
      date: '2026-11-02',
      shop: 'S1',
      lines: [{ seq: 1, material: 'M', warehouse: 'W', lot: '', qty: '1', amount: '10' }],
      sourceSystem: 'j',
      mark: 'SYNCED',
      markReason: null,
      sourceModifiedAt: 1,
      contentHash: 'h',
      versions: 1,
    };
    const manual: MirrorBill = {
      ...source,
      _id: 'SAL|1',
      formId: 'SAL_OUTSTOCK',
      fid: '1',
      ref: '',
      billNo: 'HAND<script>',
      status: 'C',
      cancelStatus: 'A',
      modifyDate: '',
    };
    const comparison = compare(
      { source: [source], kingdee: [manual], sink: new Map(), currentMaterial: () => undefined },
      {
        period: '2026-11',
        flows: ['sales_outstock'],
        tolerance: new Decimal('0.01'),
        threshold: new Decimal('0.0001'),
      },
    );
    const report: ReconciliationReport = {
      title: '业财一致性报告',
      period: '2026-11',
      flows: ['sales_outstock'],
      org: null,
      generatedAt: '2026-12-01T02:30:00.000Z',
      durationMs: 5,
      threshold: '0.0001',
      tolerance: '0.01',
      verdict: overallVerdict(comparison.summaries),
      dataVersions: {
        sourceDocuments: 1,
        sourceMessagesRead: 1,
        sourceUnread: [],
        mirrorBills: 1,
        mirrorChanged: 1,
        periodSwept: true,
        sinkEntries: 0,
      },
      ...comparison,
    };
    const html = renderHtml(report);
    expect(html).toContain('<h1>业财一致性报告 2026-11 — <span class="有差异">有差异</span></h1>');
    expect(html).toContain('<h2 id="MISSING_IN_KINGDEE">金蝶缺单 MISSING_IN_KINGDEE (1)</h2>');
    expect(html).toContain('<h2 id="EXTRA_IN_KINGDEE">金蝶多单 EXTRA_IN_KINGDEE (1)</h2>');
    expect(html).toContain('<td>HAND&lt;script&gt;</td>');
    expect(html).toContain('<td>&lt;b&gt;X</td>');
    expect(html).not.toMatch(/<script>|<b>X/);
    expect(html).toContain('接收端尚未处理 · not yet seen by the sink');
    // Missing 10.00 + extra 10.00 against 10.00 of source: 200 %.
    expect(html).toContain('<td>200%</td>');
  });
});
