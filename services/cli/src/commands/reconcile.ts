/** `yecai reconcile`: the 业财一致性报告 of one period — Excel workbook, JSON, a summary table, metrics for Prometheus. */
import { writeFileSync } from 'node:fs';
import { AvroSerde } from '@yecai/kafka';
import { KingdeeClient } from '@yecai/kingdee';
import { YonyouClient } from '@yecai/yonyou';
import {
  financeText,
  DIFFERENCE_CLASSES,
  DIFFERENCE_CLASS_NAMES,
  PERIOD_PATTERN,
  metricsExposition,
  percent,
  reconcile,
  renderHtml,
  writeWorkbook,
  type ReconciliationReport,
} from '@yecai/reconcile';
import { UsageError } from '../errors';
import { connectionFile } from './master-data';
import {
  acceptOnly,
  applyPrefixFlag,
  registryEndpoint,
  stringFlag,
  table,
  withKafka,
  withMongo,
  type OperatorFlags,
  type Print,
} from './operator-context';

export const RECONCILE_OPTIONS = {
  period: { type: 'string' },
  org: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  tolerance: { type: 'string' },
  threshold: { type: 'string' },
  'no-sweep': { type: 'boolean' },
  'metrics-file': { type: 'string' },
  'registry-url': { type: 'string' },
  'yonyou-config': { type: 'string' },
} as const;

export const RECONCILE_USAGE = `yecai reconcile --period 2026-11 (--kingdee-config <file> | --yonyou-config <file>) [--flow sales_outstock,…] [--org 100] [--out report.xlsx]
    [--json report.json] [--html report.html] [--tolerance 0.01] [--threshold 0.0001] [--no-sweep] [--metrics-file reconcile.prom]
  业财一致性报告：源账本（规范化主题）、sink 台账与金蝶镜像逐级比对（期间→日/店铺/仓库→单据→行），列出差异类别、原因与处理；
  --out 写 Excel，--json / --html 写同样的数据（JSON / 网页）；--threshold 差异率阈值（默认 0.0001 = 0.01%）；--tolerance 每行尾差容差（元）；
  --no-sweep 不全量重扫本期金蝶单据（只按修改时间增量）；--metrics-file 写 Prometheus 文本（node_exporter textfile）；
  财务系统为用友 YonSuite 时给 --yonyou-config（用友连接或 sink-yonyou 的配置文件），报告中的“金蝶”即为“用友”
  the business–finance reconciliation of one period: source ledger, sink ledger and Kingdee mirror compared level by
  level; differences by class with cause and action; exit code 1 when the verdict is 有差异 (differences)`;

/** The summary table and the classes found, as the command prints them (also `yecai run --reconcile`). */
export function formatReconciliation(report: ReconciliationReport): string[] {
  const words = (text: string) => financeText(text, report.financeSystem);
  const lines = [
    `${report.title} ${report.period} — 结论 verdict: ${report.verdict === '一致' ? '一致 consistent' : '有差异 differences'}`,
  ];
  lines.push(
    ...table([
      [
        '流程 flow',
        '组织 org',
        '源单 source',
        words('金蝶 Kingdee'),
        '源金额 source amt',
        words('金蝶金额 Kingdee amt'),
        '金额差异率 amt rate',
        '单据差异率 doc rate',
        '结论 verdict',
      ],
      ...report.summaries.map((row) => [
        row.flow,
        row.org,
        String(row.sourceDocuments),
        String(row.kingdeeDocuments),
        row.sourceAmount,
        row.kingdeeAmount,
        percent(row.amountRate),
        percent(row.documentRate),
        row.verdict,
      ]),
    ]),
  );
  const counts = DIFFERENCE_CLASS_NAMES.map(
    (name) => [name, report.differences.filter((difference) => difference.class === name).length] as const,
  ).filter(([, count]) => count > 0);
  if (counts.length > 0) {
    lines.push('差异 differences:');
    lines.push(
      ...table([
        ['类别 class', '数量 count', '处理 action'],
        ...counts.map(([name, count]) => [
          `${words(DIFFERENCE_CLASSES[name].zh)} ${name}`,
          String(count),
          words(DIFFERENCE_CLASSES[name].action),
        ]),
      ]),
    );
  }
  lines.push(
    `阈值 threshold ${percent(report.threshold)} · 容差 tolerance ${report.tolerance} · 比对分区 partitions L0 ${report.levels.l0Differing}/${report.levels.l0Partitions} L1 ${report.levels.l1Differing}/${report.levels.l1Partitions} · 检查单据 documents examined ${report.levels.documentsExamined} · ${report.durationMs} ms`,
  );
  if (report.dataVersions.sourceUnread.length > 0)
    lines.push(
      `警告：源主题未读完，源方可能不全 warning: source topics not read to the end, the source side may be incomplete: ${report.dataVersions.sourceUnread.join(', ')}`,
    );
  return lines;
}

export async function reconcileCommand(
  args: string[],
  flags: OperatorFlags,
  print: Print = console.log,
): Promise<void> {
  acceptOnly('reconcile', flags, [
    'period',
    'flow',
    'org',
    'out',
    'json',
    'html',
    'tolerance',
    'threshold',
    'no-sweep',
    'metrics-file',
    'kingdee-config',
    'yonyou-config',
    'brokers',
    'registry-url',
    'mongodb-uri',
    'db',
    'prefix',
    'group',
  ]);
  if (args.length) throw new UsageError(`reconcile 不接受位置参数 takes no positional arguments: ${args.join(' ')}`);
  const period = stringFlag(flags, 'period');
  if (!period) throw new UsageError('--period: 需要对账期间 the period is required, e.g. --period 2026-11');
  if (!PERIOD_PATTERN.test(period)) throw new UsageError(`--period: 应为 YYYY-MM expected YYYY-MM, got "${period}"`);
  const kingdeePath = stringFlag(flags, 'kingdee-config');
  const yonyouPath = stringFlag(flags, 'yonyou-config');
  if (!kingdeePath === !yonyouPath)
    throw new UsageError('--kingdee-config / --yonyou-config: 需要且只能给一个财务系统连接文件 give the connection file of exactly one finance system');
  applyPrefixFlag(flags);
  const finance = yonyouPath
    ? (({ config, source }) => ({ yonyou: YonyouClient.fromConfig(config, {}, source) }))(connectionFile(yonyouPath, 'yonyou'))
    : (({ config, source }) => ({ kingdee: KingdeeClient.fromConfig(config, {}, source) }))(connectionFile(kingdeePath!, 'kingdee'));
  const serde = new AvroSerde(registryEndpoint(flags));
  const report = await withKafka(
    flags,
    (kafka) =>
      withMongo(
        flags,
        (db) =>
          reconcile(
            { db, kafka, serde, ...finance },
            {
              period,
              flows: stringFlag(flags, 'flow')
                ?.split(',')
                .map((flow) => flow.trim())
                .filter(Boolean),
              org: stringFlag(flags, 'org'),
              tolerance: stringFlag(flags, 'tolerance'),
              threshold: stringFlag(flags, 'threshold'),
              sweep: flags['no-sweep'] !== true,
              groupId: stringFlag(flags, 'group'),
            },
          ),
        print,
      ),
    // After `yecai run`, its topic prefix and database, like status / parked / pending.
    { print, useCurrentRun: true },
  );
  for (const line of formatReconciliation(report)) print(line);
  await writeReportFiles(report, flags, print);
  if (report.verdict !== '一致') process.exitCode = 1;
}

/** --out (workbook), --json, --html and --metrics-file, each when given. */
export async function writeReportFiles(
  report: ReconciliationReport,
  flags: OperatorFlags,
  print: Print,
): Promise<void> {
  const out = stringFlag(flags, 'out');
  if (out) {
    writeFileSync(out, await writeWorkbook(report));
    print(`已写 Excel wrote ${out}`);
  }
  const json = stringFlag(flags, 'json');
  if (json) {
    writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    print(`已写 JSON wrote ${json}`);
  }
  const html = stringFlag(flags, 'html');
  if (html) {
    writeFileSync(html, renderHtml(report));
    print(`已写网页 wrote ${html}`);
  }
  const metricsFile = stringFlag(flags, 'metrics-file');
  if (metricsFile) {
    writeFileSync(metricsFile, await metricsExposition(report));
    print(`已写指标 wrote metrics ${metricsFile}`);
  }
}
