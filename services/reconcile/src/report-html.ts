/**
 * The report as one self-contained HTML page (no scripts, no external assets): the same sheets as the workbook —
 * 汇总, one section per difference class, 说明 — for a browser or the console. Every value is escaped.
 */
import { DIFFERENCE_CLASSES, DIFFERENCE_CLASS_NAMES } from './classes';
import type { Difference, PartitionSummary } from './compare';
import { financeText } from './finance-side';
import { DIFFERENCE_COLUMNS, SUMMARY_COLUMNS, classSheet, percent, rulesOf, type ReconciliationReport } from './report';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (char) => ESCAPES[char]!);

function summaryCell(row: PartitionSummary, key: (typeof SUMMARY_COLUMNS)[number]['key'], kind: string): string {
  if (key.startsWith('class:')) return String(row.classes[key.slice(6) as keyof PartitionSummary['classes']]);
  const value = row[key as keyof PartitionSummary];
  return kind === 'rate' ? percent(String(value)) : String(value);
}

function differenceCell(difference: Difference, key: keyof Difference): string {
  const value = difference[key];
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? '是 yes' : '否 no';
  return String(value ?? '');
}

const table = (headers: string[], rows: string[][]) =>
  `<table><thead><tr>${headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

export function renderHtml(report: ReconciliationReport): string {
  const words = (text: string) => financeText(text, report.financeSystem);
  const sections = DIFFERENCE_CLASS_NAMES.map((name) => {
    const rows = report.differences.filter((difference) => difference.class === name);
    const body =
      rows.length === 0
        ? '<p>无 none</p>'
        : table(
            DIFFERENCE_COLUMNS.map((column) => words(column.header)),
            rows.map((difference) => DIFFERENCE_COLUMNS.map((column) => differenceCell(difference, column.key))),
          );
    return `<h2 id="${name}">${escapeHtml(words(classSheet(name)))} ${name} (${rows.length})</h2><p>${escapeHtml(words(DIFFERENCE_CLASSES[name].action))}</p>${body}`;
  });
  return [
    '<!doctype html>',
    '<html lang="zh-CN"><head><meta charset="utf-8">',
    `<title>${escapeHtml(`${report.title} ${report.period}`)}</title>`,
    '<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}.有差异{color:#b00}.一致{color:#070}</style>',
    '</head><body>',
    `<h1>${escapeHtml(report.title)} ${escapeHtml(report.period)} — <span class="${escapeHtml(report.verdict)}">${escapeHtml(report.verdict)}</span></h1>`,
    `<p>${escapeHtml(`生成 generated ${report.generatedAt} · 耗时 ${report.durationMs} ms · 阈值 threshold ${percent(report.threshold)} · 容差 tolerance ${report.tolerance}`)}</p>`,
    `<h2>汇总 summary</h2>`,
    table(
      SUMMARY_COLUMNS.map((column) => words(column.header)),
      report.summaries.map((row) => SUMMARY_COLUMNS.map((column) => summaryCell(row, column.key, column.kind))),
    ),
    ...sections,
    `<h2>说明 rules</h2><ul>${rulesOf(report)
      .map((rule) => `<li>${escapeHtml(rule)}</li>`)
      .join('')}</ul>`,
    '</body></html>',
  ].join('\n');
}
