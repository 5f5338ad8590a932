/**
 * The go-live stress test (`yecai run --reconcile`, `yecai golive`) on the real broker, registry and MongoDB-wire
 * server: a business day through libs/demo's pipeline, then its period reconciled against the Kingdee emulator. The
 * reconciliation must agree with what the pipeline itself says happened: every posted document is a bill, and every
 * document the demo world parks on purpose shows up as 金蝶缺单 *with its cause* — never as a loss nobody explains.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JST_FLOWS, Pipeline, waitUntilSettled, yesterdayInBeijing, type PipelineSummary } from '@yecai/demo';
import type { ReconciliationReport } from '@yecai/reconcile';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { periodOfDay, printGoLiveReports, reconcileRun } from './golive';

jest.setTimeout(600_000);

const DOCUMENTS = 100;
let pipeline: Pipeline;
let summary: PipelineSummary;
let settled: boolean;
let report: ReconciliationReport;
let printed: string[];
const day = yesterdayInBeijing();

beforeAll(async () => {
  const topicPrefix = uniqueTopicPrefix('golive');
  pipeline = await Pipeline.start({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-golive-')),
    documents: DOCUMENTS,
    day,
    topicPrefix,
    mongoDb: uniqueName('golive').replace(/-/g, '_'),
    jstRateLimits: { perSecond: 50, perMinute: 3000 },
  });
  const started = Date.now();
  ({ summary, settled } = await waitUntilSettled(pipeline, { timeoutMs: 300_000 }));
  report = await reconcileRun(pipeline, { period: periodOfDay(day.fromMs), topicPrefix });
  printed = [];
  printGoLiveReports({ documents: DOCUMENTS, durationMs: Date.now() - started, settled, summary }, report, (line) =>
    printed.push(line),
  );
  console.log(printed.join('\n'));
}, 600_000);

afterAll(async () => {
  await pipeline?.stop();
});

/** The pipeline's own counts for a reconciled flow (a canonical document type). */
function pipelineRow(flow: string) {
  const label = JST_FLOWS.find((candidate) => candidate.canonicals.includes(flow))!.label;
  return summary.flows.find((row) => row.label === label)!;
}
const orgRows = (flow: string) => report.summaries.filter((row) => row.flow === flow && row.org !== '合计');
const total = (
  rows: { sourceDocuments: number; kingdeeDocuments: number }[],
  key: 'sourceDocuments' | 'kingdeeDocuments',
) => rows.reduce((sum, row) => sum + row[key], 0);

describe(`the go-live stress test, ${DOCUMENTS} documents`, () => {
  it('reconciles the period the run synced, every source topic read to its end', () => {
    expect(settled).toBe(true);
    expect(report.period).toBe(periodOfDay(day.fromMs));
    expect(report.dataVersions.sourceUnread).toEqual([]);
    expect(report.flows).toEqual(['sales_outstock', 'sales_return']);
  });

  it.each(['sales_outstock', 'sales_return'])(
    '%s: Kingdee holds a bill for every posted document, the source side every document that passed its sync condition',
    (flow) => {
      const row = pipelineRow(flow);
      expect({
        flow,
        kingdee: total(orgRows(flow), 'kingdeeDocuments'),
        source: total(orgRows(flow), 'sourceDocuments'),
      }).toEqual({
        flow,
        kingdee: row.posted,
        // Parked at mapping is a source document too (it counts in the document rate); filtered ones are not.
        source: row.posted + row.parkedInSink + row.pending + row.parkedInMapping,
      });
    },
  );

  it.each(['sales_outstock', 'sales_return'])(
    '%s: every document not posted is 金蝶缺单 with its cause from the pipeline (parked, filtered)',
    (flow) => {
      const row = pipelineRow(flow);
      const missing = report.differences.filter((difference) => difference.flow === flow);
      const byCause = (prefix: string) => missing.filter((difference) => difference.cause.startsWith(prefix)).length;
      expect({
        flow,
        classes: [...new Set(missing.map((difference) => difference.class))].filter(
          (name) => name !== 'MISSING_IN_KINGDEE',
        ),
        parkedAtSink: byCause('已挂起 · parked:'),
        parkedAtMapping: byCause('映射时挂起 · parked at mapping:'),
        filtered: byCause('已被规则过滤'),
        unexplained:
          missing.length -
          byCause('已挂起 · parked:') -
          byCause('映射时挂起 · parked at mapping:') -
          byCause('已被规则过滤'),
      }).toEqual({
        flow,
        classes: [],
        parkedAtSink: row.parkedInSink,
        parkedAtMapping: row.parkedInMapping,
        filtered: row.filtered,
        unexplained: 0,
      });
    },
  );

  it('the demo day parks documents on purpose, so the verdict is 有差异 and both reports say so', () => {
    const parked = ['sales_outstock', 'sales_return'].reduce(
      (sum, flow) => sum + pipelineRow(flow).parkedInSink + pipelineRow(flow).parkedInMapping,
      0,
    );
    expect(parked).toBeGreaterThan(0);
    expect(report.verdict).toBe('有差异');
    const text = printed.join('\n');
    const posted = summary.flows.reduce((sum, flow) => sum + flow.posted, 0);
    expect(text).toContain('压力测试报告 stress test report');
    expect(text).toMatch(new RegExp(`已过账 posted\\s+${posted}\\n`));
    expect(text).toMatch(/吞吐 throughput\s+\d+\.\d\d 单\/秒 docs\/s/);
    expect(text).toContain(`业财一致性报告 ${report.period} — 结论 verdict: 有差异 differences`);
    expect(text).toMatch(/金蝶缺单 MISSING_IN_KINGDEE ×\d+ — (映射时挂起 · parked at mapping|已挂起 · parked): /);
  });
});
