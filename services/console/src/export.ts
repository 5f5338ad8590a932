/**
 * The exception list as filtered, as an Excel workbook: sheet 异常 exceptions holds every row the filters match (up to
 * the cap, 50,000 by default), one column per field with its Chinese header and English beside; sheet 说明 notes names
 * the filters, when it was exported, by whom, how many rows — and, when the cap stopped it, that more rows match.
 */
import type ExcelJS from 'exceljs';
import { z } from 'zod';
import { ExceptionQuerySchema, KIND_LABELS, type ExceptionItem, type ExceptionQueue } from './exceptions';

export const EXPORT_CAP = 50_000;
export const EXPORT_SHEET = '异常 exceptions';
export const NOTES_SHEET = '说明 notes';

export const ExceptionExportSchema = ExceptionQuerySchema.omit({ page: true, pageSize: true }).extend({
  /** At most this many rows (default and ceiling: EXPORT_CAP). */
  limit: z.coerce.number().int().min(1).max(EXPORT_CAP).default(EXPORT_CAP),
});
export type ExceptionExport = z.infer<typeof ExceptionExportSchema>;

export const EXPORT_COLUMNS: { header: string; key: keyof ExceptionItem | 'kindLabel'; width: number }[] = [
  { header: '类型 Kind', key: 'kindLabel', width: 22 },
  { header: '流程 Flow', key: 'flow', width: 18 },
  { header: '级别 Level', key: 'level', width: 8 },
  { header: '原因代码 Reason code', key: 'code', width: 24 },
  { header: '原因 Reason (中文)', key: 'reasonZh', width: 40 },
  { header: '原因 Reason (English)', key: 'reasonEn', width: 40 },
  { header: '单据键 Document key', key: 'key', width: 44 },
  { header: '单号 Bill no.', key: 'billNo', width: 18 },
  { header: '字段 Field', key: 'field', width: 16 },
  { header: '时间 At (UTC)', key: 'at', width: 24 },
  { header: '状态 Status', key: 'status', width: 10 },
  { header: '编号 ID', key: 'id', width: 44 },
];

/** The filters as one line of text, for the notes sheet and the audit record. */
export function describeFilters(query: ExceptionExport): string {
  const parts = (['kind', 'flow', 'level', 'code', 'from', 'to', 'q'] as const)
    .filter((name) => query[name] !== undefined && query[name] !== '')
    .map((name) => `${name}=${String(query[name])}`);
  if (query.limit < EXPORT_CAP) parts.push(`limit=${query.limit}`);
  return parts.length > 0 ? parts.join(' ') : '全部 all';
}

export async function exportExceptions(
  queue: ExceptionQueue,
  query: ExceptionExport,
  by: string,
): Promise<{ workbook: Buffer; rows: number; capped: boolean }> {
  const Excel = (await import('exceljs')).default;
  const workbook = new Excel.Workbook();
  workbook.creator = 'yecai console';
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(EXPORT_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = EXPORT_COLUMNS.map(({ header, key, width }) => ({ header, key, width }));
  sheet.getRow(1).font = { bold: true };
  let rows = 0;
  let capped = false;
  for await (const item of queue.scan(query)) {
    if (rows >= query.limit) {
      capped = true;
      break;
    }
    sheet.addRow({ ...item, kindLabel: KIND_LABELS[item.kind] });
    rows += 1;
  }
  addNotes(workbook, query, by, rows, capped);
  return { workbook: Buffer.from(await workbook.xlsx.writeBuffer()), rows, capped };
}

function addNotes(workbook: ExcelJS.Workbook, query: ExceptionExport, by: string, rows: number, capped: boolean) {
  const notes = workbook.addWorksheet(NOTES_SHEET);
  notes.columns = [
    { header: '项目 Item', key: 'item', width: 24 },
    { header: '内容 Value', key: 'value', width: 90 },
  ];
  notes.getRow(1).font = { bold: true };
  notes.addRows([
    { item: '筛选条件 Filters', value: describeFilters(query) },
    { item: '导出时间 Exported at (UTC)', value: new Date().toISOString() },
    { item: '导出人 Exported by', value: by },
    { item: '行数 Rows', value: rows },
    {
      item: '是否完整 Complete',
      value: capped
        ? `否：已达上限 ${query.limit} 行，还有更多符合条件的异常，请缩小筛选条件后再导出 no: the cap of ${query.limit} rows was reached and more exceptions match — narrow the filters and export again`
        : '是：包含全部符合条件的异常 yes: every exception the filters match',
    },
  ]);
}
