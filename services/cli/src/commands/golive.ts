/**
 * The go-live stress test (the WDT project's 1,000-document acceptance, issue #21 point 5) as `yecai run --reconcile`:
 * once the run's business day is accounted for, the day's period is reconciled against the finance emulator (Kingdee, or
 * YonSuite with --target yonyou) and two reports are printed — 压力测试报告 (what the pipeline did, how fast) and
 * 业财一致性报告 (what the finance system holds against
 * what the source said). The pipeline is libs/demo's and the comparison @yecai/reconcile's; this file only joins them.
 */
import type { Pipeline, PipelineSummary } from '@yecai/demo';
import { DEMO_KINGDEE_SECRET_ENV, DEMO_YONYOU_SECRET_ENV, demoKingdeeConnection, demoYonyouAppSecret, demoYonyouConnection } from '@yecai/demo';
import { AvroSerde, KafkaClient } from '@yecai/kafka';
import { KingdeeClient } from '@yecai/kingdee';
import { financeText, reconcile, type FinanceSystem, type ReconciliationReport } from '@yecai/reconcile';
import { YonyouClient } from '@yecai/yonyou';
import { formatReconciliation } from './reconcile';
import { table, type Print } from './operator-context';

/** The reconciliation period (YYYY-MM) of a business day starting at `fromMs`: its Beijing calendar month. */
export function periodOfDay(fromMs: number): string {
  return new Date(fromMs + 8 * 3_600_000).toISOString().slice(0, 7);
}

export interface StressRun {
  /** Documents asked for (the business day's size). */
  documents: number;
  /** From the services' start to the last sample. */
  durationMs: number;
  settled: boolean;
  summary: PipelineSummary;
}

const sum = (
  summary: PipelineSummary,
  key: 'fetched' | 'mapped' | 'filtered' | 'parkedInMapping' | 'posted' | 'parkedInSink' | 'pending',
) => summary.flows.reduce((total, flow) => total + flow[key], 0);

/** 压力测试报告: documents and their outcomes, throughput and latency. */
export function formatStressReport(run: StressRun, system?: FinanceSystem): string[] {
  const words = (text: string) => financeText(text, system);
  const { summary } = run;
  const seconds = run.durationMs / 1000;
  const fetched = sum(summary, 'fetched');
  const parked = sum(summary, 'parkedInMapping') + sum(summary, 'parkedInSink');
  const rows = [
    ['单据数 documents', `${run.documents} 请求 asked · ${fetched} 已拉取 fetched`],
    ['已过账 posted', String(sum(summary, 'posted'))],
    [
      '已搁置 parked',
      words(`${parked} (映射 mapping ${sum(summary, 'parkedInMapping')} · 金蝶 Kingdee ${sum(summary, 'parkedInSink')})`),
    ],
    ['待处理 pending', String(sum(summary, 'pending'))],
    ['已过滤 filtered', String(sum(summary, 'filtered'))],
    ['用时 duration', `${seconds.toFixed(1)} s`],
    ['吞吐 throughput', `${seconds > 0 ? (fetched / seconds).toFixed(2) : '—'} 单/秒 docs/s`],
    [
      '过账延迟 latency',
      summary.latency
        ? words(`p50 ${summary.latency.p50} ms · p99 ${summary.latency.p99} ms (映射→金蝶 mapping→Kingdee, ${summary.latency.samples} 张 bills)`)
        : '— (没有已过账单据 no posted bill)',
    ],
    [
      '结果 outcome',
      run.settled
        ? '全部单据有结果 every document accounted for'
        : '未全部有结果 NOT every document accounted for (超时或中断 timed out or interrupted)',
    ],
  ];
  return ['压力测试报告 stress test report', ...table([['项目 item', '值 value'], ...rows])];
}

/**
 * Reconciles the run's period in-process: the run's database and topics, a consumer group of its own, the finance
 * emulator (the mirror reads it as it would read a tenant).
 */
export async function reconcileRun(
  pipeline: Pipeline,
  options: { period: string; topicPrefix: string; threshold?: string | undefined; tolerance?: string | undefined },
): Promise<ReconciliationReport> {
  const { endpoints } = pipeline.options;
  // Topic names honour YECAI_TOPIC_PREFIX at call time: the run's topics, not the default ones.
  process.env.YECAI_TOPIC_PREFIX = options.topicPrefix;
  const kafka = new KafkaClient({ brokers: endpoints.kafkaBrokers.split(','), clientId: 'yecai-golive' });
  try {
    return await reconcile(
      { db: pipeline.db, kafka, serde: new AvroSerde(endpoints.schemaRegistryUrl), ...financeClientOf(pipeline) },
      {
        period: options.period,
        threshold: options.threshold,
        tolerance: options.tolerance,
        groupId: `yecai-reconcile-${options.topicPrefix.replace(/[^A-Za-z0-9_-]/g, '')}`,
      },
    );
  } finally {
    await kafka.disconnect();
  }
}

/**
 * The client of the run's finance emulator, as a tenant's would be configured. The emulator's secret reaches this
 * process as it reaches the sink: through the variable its config references.
 */
function financeClientOf(pipeline: Pipeline): { kingdee: KingdeeClient } | { yonyou: YonyouClient } {
  if (pipeline.target === 'yonyou') {
    process.env[DEMO_YONYOU_SECRET_ENV] = demoYonyouAppSecret();
    const callsPerMinute = pipeline.options.yonyouCallsPerMinute ?? 60;
    return { yonyou: YonyouClient.fromConfig(demoYonyouConnection(pipeline.yonyou.url, callsPerMinute), {}, 'YonSuite emulator') };
  }
  process.env[DEMO_KINGDEE_SECRET_ENV] = pipeline.world.kingdeeFixture.apps[0]!.appSecret;
  return { kingdee: KingdeeClient.fromConfig(demoKingdeeConnection(pipeline.kingdee.url, pipeline.world.kingdeeFixture), {}, 'Kingdee emulator') };
}

/** Both reports, as `yecai run --reconcile` prints them. */
export function printGoLiveReports(run: StressRun, report: ReconciliationReport, print: Print): void {
  for (const line of formatStressReport(run, report.financeSystem)) print(line);
  print('');
  for (const line of formatReconciliation(report)) print(line);
  for (const line of formatCauses(report)) print(line);
}

/** Differences by class and cause: a go-live signs off only when every difference has one it can act on. */
export function formatCauses(report: ReconciliationReport): string[] {
  const groups = new Map<string, { label: string; cause: string; action: string; count: number }>();
  for (const difference of report.differences) {
    const key = `${difference.class}|${difference.cause}`;
    const group = groups.get(key) ?? {
      label: `${difference.label} ${difference.class}`,
      cause: difference.cause,
      action: difference.action,
      count: 0,
    };
    group.count += 1;
    groups.set(key, group);
  }
  if (groups.size === 0) return [];
  const lines = ['差异原因 differences by cause:'];
  for (const group of [...groups.values()].sort((a, b) => b.count - a.count)) {
    lines.push(`  ${group.label} ×${group.count} — ${group.cause}`);
    lines.push(`    处理 action: ${group.action}`);
  }
  return lines;
}
