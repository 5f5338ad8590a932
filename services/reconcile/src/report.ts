/**
 * The 业财一致性报告: the same data as JSON (exact decimal text) and as the Excel workbook finance signs
 * (finance-flows §3.6): 汇总, one sheet per difference class with both sides side by side and the cause, 期间差异,
 * and 说明 with the 口径. exceljs is the repository's xlsx library (libs/master-data reads and writes .xlsx with it);
 * it is loaded only when a workbook is written.
 */
import type ExcelJS from 'exceljs';
import { Decimal } from '@yecai/common';
import { DIFFERENCE_CLASSES, DIFFERENCE_CLASS_NAMES, type DifferenceClass } from './classes';
import type { Comparison, Difference, PartitionSummary, Verdict } from './compare';
import { financeText, type FinanceSystem } from './finance-side';

export interface ReconciliationReport extends Comparison {
  title: '业财一致性报告';
  /** The finance system reconciled (absent in reports written before YonSuite: Kingdee). */
  financeSystem?: FinanceSystem;
  period: string;
  flows: string[];
  org: string | null;
  generatedAt: string;
  durationMs: number;
  /** Difference-rate threshold as a fraction (0.0001 = 0.01 %). */
  threshold: string;
  /** Largest line amount difference still 尾差 (yuan). */
  tolerance: string;
  verdict: Verdict;
  dataVersions: {
    sourceDocuments: number;
    sourceMessagesRead: number;
    /** Canonical topic partitions (`topic|partition`) not read to their end: the source side may be incomplete. */
    sourceUnread: string[];
    mirrorBills: number;
    mirrorChanged: number;
    periodSwept: boolean;
    sinkEntries: number;
  };
}

export const overallVerdict = (summaries: PartitionSummary[]): Verdict =>
  summaries.every((summary) => summary.verdict === '一致') ? '一致' : '有差异';
export const percent = (fraction: string): string => `${new Decimal(fraction).mul(100).toDecimalPlaces(4).toString()}%`;

export const SUMMARY_SHEET = '汇总';
export const NOTES_SHEET = '说明';
/** The sheet of each class is its zh-CN label (TIMING's is 期间差异). */
export const classSheet = (name: DifferenceClass): string => DIFFERENCE_CLASSES[name].zh;

export const SUMMARY_COLUMNS: {
  header: string;
  key: keyof PartitionSummary | `class:${DifferenceClass}`;
  kind: 'text' | 'count' | 'money' | 'qty' | 'rate';
}[] = [
  { header: '流程 flow', key: 'flow', kind: 'text' },
  { header: '组织 org', key: 'org', kind: 'text' },
  { header: '期间 period', key: 'period', kind: 'text' },
  { header: '源单数 source docs', key: 'sourceDocuments', kind: 'count' },
  { header: '金蝶单数 Kingdee bills', key: 'kingdeeDocuments', kind: 'count' },
  { header: '源行数 source lines', key: 'sourceLines', kind: 'count' },
  { header: '金蝶行数 Kingdee lines', key: 'kingdeeLines', kind: 'count' },
  { header: '源基本数量 source base qty', key: 'sourceQty', kind: 'qty' },
  { header: '金蝶基本数量 Kingdee base qty', key: 'kingdeeQty', kind: 'qty' },
  { header: '源金额 source amount', key: 'sourceAmount', kind: 'money' },
  { header: '金蝶金额 Kingdee amount', key: 'kingdeeAmount', kind: 'money' },
  { header: '差异金额 amount difference', key: 'amountDifference', kind: 'money' },
  { header: '金额差异率 amount rate', key: 'amountRate', kind: 'rate' },
  { header: '单据差异率 document rate', key: 'documentRate', kind: 'rate' },
  { header: '结论 verdict', key: 'verdict', kind: 'text' },
  ...DIFFERENCE_CLASS_NAMES.map((name) => ({
    header: `${DIFFERENCE_CLASSES[name].zh} ${name}`,
    key: `class:${name}` as const,
    kind: 'count' as const,
  })),
];

export const DIFFERENCE_COLUMNS: { header: string; key: keyof Difference; kind: 'text' | 'money' | 'bool' | 'list' }[] =
  [
    { header: '流程 flow', key: 'flow', kind: 'text' },
    { header: '组织 org', key: 'org', kind: 'text' },
    { header: '源单号 source id', key: 'ref', kind: 'text' },
    { header: '金蝶单号 Kingdee bill', key: 'billNos', kind: 'list' },
    { header: '源日期 source date', key: 'sourceDate', kind: 'text' },
    { header: '金蝶日期 Kingdee date', key: 'kingdeeDate', kind: 'text' },
    { header: '客户 shop', key: 'shop', kind: 'text' },
    { header: '字段 field', key: 'field', kind: 'text' },
    { header: '源值 source value', key: 'sourceValue', kind: 'text' },
    { header: '金蝶值 Kingdee value', key: 'kingdeeValue', kind: 'text' },
    { header: '差异金额 amount difference', key: 'amountDelta', kind: 'money' },
    { header: '计入差异率 counted', key: 'counted', kind: 'bool' },
    { header: '原因 cause', key: 'cause', kind: 'text' },
    { header: '处理 action', key: 'action', kind: 'text' },
    { header: '追溯 trace (document key)', key: 'documentKey', kind: 'text' },
  ];

/** The 口径 (what is compared and how), one line each: the 说明 sheet and the docs say the same. */
export function rulesOf(report: Pick<ReconciliationReport, 'period' | 'threshold' | 'tolerance' | 'financeSystem'>): string[] {
  return rulesInKingdeeTerms(report).map((rule) => financeText(rule, report.financeSystem));
}

function rulesInKingdeeTerms(report: Pick<ReconciliationReport, 'period' | 'threshold' | 'tolerance'>): string[] {
  return [
    `期间 period: ${report.period}，按单据日期（源单 date = 金蝶 FDate）归属 · by business date`,
    '源方 source side: 通过同步条件的规范化单据（每单最新版本），被过滤/映射挂起的单据单独标注 · canonical documents that passed the sync condition (latest version); filtered and mapping-parked ones marked',
    '金蝶方 Kingdee side: 本地镜像（按 FModifyDate 增量刷新，本期全量重扫），只有已审核且未作废的单据计入 · the local mirror (incremental by FModifyDate, this period fully re-swept); only audited, not cancelled bills count',
    '匹配 matching: 源单号 = 金蝶 第三方单据编号 (FThirdBillNo)；行按顺序对应 · source id = FThirdBillNo; lines by sequence',
    '数量 quantity: 基本单位数量 base-unit quantity (FBaseUnitQty)',
    `金额 amount: 价税合计 tax-inclusive (FAllAmount)，按 4 位小数比较，显示 2 位；正数 = 出/入库金额，差异取绝对值 · compared at 4 dp, shown at 2 dp; differences as absolute values`,
    `尾差容差 tolerance: 每行 ≤ ${report.tolerance} 元计为尾差，不计入差异率 · per line, counted as 尾差, not in the rate`,
    `差异率 rate: 金额差异率 = Σ|差异金额| / Σ|源金额|；单据差异率 = (缺单+多单+重复) / 源单数；两者均 < ${percent(report.threshold)} 且无重复为「一致」 · both under the threshold and no duplicate = 一致`,
    '不计入差异率 not counted: 期间差异、尾差、被规则过滤、人工跳过、已汇总过账 · timing, tolerated rounding, filtered, skipped by a person, carried by an aggregated bill',
    ...DIFFERENCE_CLASS_NAMES.map(
      (name) =>
        `${DIFFERENCE_CLASSES[name].zh} ${name} (${DIFFERENCE_CLASSES[name].en}): ${DIFFERENCE_CLASSES[name].action}`,
    ),
  ];
}

const MONEY_FORMAT = '#,##0.00';
const RATE_FORMAT = '0.0000%';

/** Excel shows numbers: exact decimal text becomes the cell's number only here, formatted to 2 dp (money) or as a percentage. */
function cellValue(value: unknown, kind: string): ExcelJS.CellValue {
  if (kind === 'money' || kind === 'rate' || kind === 'qty') return new Decimal(String(value)).toNumber();
  if (kind === 'bool') return value ? '是 yes' : '否 no';
  if (kind === 'list') return (value as string[]).join(', ');
  return value === null || value === undefined ? '' : (value as ExcelJS.CellValue);
}

export async function writeWorkbook(report: ReconciliationReport): Promise<Buffer> {
  const Excel = (await import('exceljs')).default;
  const workbook = new Excel.Workbook();
  workbook.creator = 'yecai reconcile';
  workbook.created = new Date(report.generatedAt);

  const words = (text: string) => financeText(text, report.financeSystem);
  const summary = workbook.addWorksheet(SUMMARY_SHEET);
  summary.columns = SUMMARY_COLUMNS.map((column) => ({
    header: words(column.header),
    key: column.key,
    width: column.kind === 'text' ? 16 : 14,
    style: column.kind === 'money' ? { numFmt: MONEY_FORMAT } : column.kind === 'rate' ? { numFmt: RATE_FORMAT } : {},
  }));
  for (const row of report.summaries) {
    summary.addRow(
      Object.fromEntries(
        SUMMARY_COLUMNS.map((column) => [
          column.key,
          column.key.startsWith('class:')
            ? row.classes[column.key.slice(6) as DifferenceClass]
            : cellValue(row[column.key as keyof PartitionSummary], column.kind),
        ]),
      ),
    );
  }
  summary.addRow([]);
  summary.addRow([`${report.title} ${report.period}`, `结论 verdict: ${report.verdict}`]);
  summary.addRow(['生成时间 generated', report.generatedAt, '耗时 duration ms', report.durationMs]);
  summary.addRow([
    '数据版本 data',
    `源单 ${report.dataVersions.sourceDocuments}`,
    words(`金蝶镜像 ${report.dataVersions.mirrorBills}`),
    `本期重扫 swept: ${report.dataVersions.periodSwept ? '是 yes' : '否 no'}`,
    `sink 台账 ${report.dataVersions.sinkEntries}`,
  ]);
  if (report.dataVersions.sourceUnread.length > 0)
    summary.addRow([
      '警告 warning',
      `源主题未读完 source topics not read to the end: ${report.dataVersions.sourceUnread.join(', ')}`,
    ]);
  summary.getRow(1).font = { bold: true };

  for (const name of DIFFERENCE_CLASS_NAMES) {
    const sheet = workbook.addWorksheet(words(classSheet(name)));
    sheet.columns = DIFFERENCE_COLUMNS.map((column) => ({
      header: words(column.header),
      key: column.key,
      width: column.key === 'cause' || column.key === 'action' ? 48 : 18,
      style: column.kind === 'money' ? { numFmt: MONEY_FORMAT } : {},
    }));
    for (const difference of report.differences.filter((candidate) => candidate.class === name)) {
      sheet.addRow(
        Object.fromEntries(
          DIFFERENCE_COLUMNS.map((column) => [column.key, cellValue(difference[column.key], column.kind)]),
        ),
      );
    }
    sheet.getRow(1).font = { bold: true };
  }

  const notes = workbook.addWorksheet(NOTES_SHEET);
  notes.columns = [{ header: '口径 rules', key: 'rule', width: 140 }];
  for (const rule of rulesOf(report)) notes.addRow({ rule });
  notes.getRow(1).font = { bold: true };

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
