/**
 * The go-live stress test with YonSuite as the finance system (`yecai run --target yonyou --reconcile`) on the real
 * broker, registry and MongoDB-wire server: a business day through libs/demo's pipeline into the YonSuite emulator,
 * then its period reconciled against YonSuite's own lists (the YonSuite mirror). As on Kingdee, the reconciliation
 * must agree with what the pipeline says happened: every posted document is one YonSuite document, matched line by
 * line, and every document not posted is 用友缺单 with its cause.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, waitUntilSettled, yesterdayInBeijing, type PipelineSummary } from '@yecai/demo';
import type { ReconciliationReport } from '@yecai/reconcile';
import { testEndpoints, uniqueName, uniqueTopicPrefix } from '@yecai/test-harness';
import { periodOfDay, printGoLiveReports, reconcileRun } from './golive';

jest.setTimeout(600_000);

const DOCUMENTS = 60;
const FLOWS = ['sales_outstock', 'sales_return'];
let pipeline: Pipeline;
let summary: PipelineSummary;
let settled: boolean;
let report: ReconciliationReport;
let printed: string[];
const day = yesterdayInBeijing();

beforeAll(async () => {
  const topicPrefix = uniqueTopicPrefix('golive-ys');
  pipeline = await Pipeline.start({
    endpoints: testEndpoints(),
    workDir: mkdtempSync(join(tmpdir(), 'yecai-golive-ys-')),
    documents: DOCUMENTS,
    day,
    topicPrefix,
    mongoDb: uniqueName('golive_ys').replace(/-/g, '_'),
    target: 'yonyou',
    yonyouCallsPerMinute: 600,
    jstRateLimits: { perSecond: 50, perMinute: 3000 },
  });
  const started = Date.now();
  ({ summary, settled } = await waitUntilSettled(pipeline, { timeoutMs: 300_000 }));
  report = await reconcileRun(pipeline, { period: periodOfDay(day.fromMs), topicPrefix });
  printed = [];
  printGoLiveReports({ documents: DOCUMENTS, durationMs: Date.now() - started, settled, summary }, report, (line) => printed.push(line));
  console.log(printed.join('\n'));
}, 600_000);

afterAll(async () => {
  await pipeline?.stop();
});

const pipelineRow = (flow: string) => summary.flows.find((row) => pipeline.flows.find((candidate) => candidate.label === row.label)?.canonicals.includes(flow))!;
const totalOf = (flow: string, key: 'sourceDocuments' | 'kingdeeDocuments') =>
  report.summaries.filter((row) => row.flow === flow && row.org !== '合计').reduce((sum, row) => sum + row[key], 0);

describe(`the go-live stress test on YonSuite, ${DOCUMENTS} documents`, () => {
  it('reconciles against YonSuite: the report is YonSuite’s, every source topic read to its end', () => {
    expect(settled).toBe(true);
    expect(report.financeSystem).toBe('yonyou');
    expect(report.dataVersions.sourceUnread).toEqual([]);
    expect(report.flows).toEqual(FLOWS);
    expect(report.dataVersions.mirrorBills).toBeGreaterThan(0);
  });

  it.each(FLOWS)('%s: YonSuite holds a document for every posted one, the source side every document that passed its sync condition', (flow) => {
    const row = pipelineRow(flow);
    expect(row.posted).toBeGreaterThan(0);
    expect({ flow, yonyou: totalOf(flow, 'kingdeeDocuments'), source: totalOf(flow, 'sourceDocuments') }).toEqual({
      flow,
      yonyou: row.posted,
      source: row.posted + row.parkedInSink + row.pending + row.parkedInMapping,
    });
  });

  it.each(FLOWS)('%s: posted documents match line by line (no amount, quantity, mapping or status difference); the rest is 用友缺单 with its cause', (flow) => {
    const row = pipelineRow(flow);
    const differences = report.differences.filter((difference) => difference.flow === flow);
    const explained = (difference: (typeof differences)[number]) =>
      ['已挂起 · parked:', '映射时挂起 · parked at mapping:', '已被规则过滤'].some((prefix) => difference.cause.startsWith(prefix));
    expect({
      flow,
      classes: [...new Set(differences.map((difference) => difference.class))].filter((name) => name !== 'MISSING_IN_KINGDEE'),
      labels: [...new Set(differences.map((difference) => difference.label))],
      unexplained: differences.filter((difference) => !explained(difference)).map((difference) => `${difference.ref}: ${difference.cause}`),
      missing: differences.length,
    }).toEqual({
      flow,
      classes: [],
      labels: differences.length ? ['用友缺单'] : [],
      unexplained: [],
      missing: row.parkedInSink + row.parkedInMapping + row.filtered + row.pending,
    });
  });

  it('both reports speak of YonSuite, never of Kingdee', () => {
    const text = printed.join('\n');
    expect(text).toContain(`业财一致性报告 ${report.period}`);
    expect(text).toMatch(/用友缺单 MISSING_IN_KINGDEE ×\d+ — /);
    expect(text.split('\n').filter((line) => /金蝶|Kingdee/.test(line) && !line.includes('MISSING_IN_KINGDEE'))).toEqual([]);
  });
});
