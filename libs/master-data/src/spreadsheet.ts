// exceljs (~37 MB of RSS) is loaded by the two .xlsx functions only: the mapping service imports this package too.
import type ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { EntityName } from './entities';
import { columnHeader, entityFields } from './columns';

/** Rows of the first worksheet, header row = column names; every cell as text (codes typed as numbers stay codes). */
const loadExcel = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;

export async function readXlsx(content: Buffer): Promise<{ columns: string[]; rows: Record<string, string>[] }> {
  const workbook = new (await loadExcel()).Workbook();
  await workbook.xlsx.load(content as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) return { columns: [], rows: [] };
  const headers: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (cell, column) => (headers[column] = cellText(cell.value)));
  const rows: Record<string, string>[] = [];
  for (let number = 2; number <= sheet.rowCount; number += 1) {
    const row: Record<string, string> = {};
    sheet.getRow(number).eachCell({ includeEmpty: false }, (cell, column) => {
      const header = headers[column];
      const text = cellText(cell.value);
      if (header && text !== '') row[header] = text;
    });
    // Rows stay numbered like the sheet: an empty row in the middle is kept (as {}) so later row numbers match Excel.
    rows.push(row);
  }
  while (rows.length > 0 && Object.keys(rows[rows.length - 1]!).length === 0) rows.pop();
  return { columns: headers.filter(Boolean), rows };
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if ('richText' in value) return value.richText.map((part) => part.text).join('').trim();
  if ('result' in value) return value.result === undefined ? '' : cellText(value.result as ExcelJS.CellValue);
  if ('text' in value) return String(value.text).trim();
  return String(value);
}

function exportTable(entity: EntityName, records: Record<string, unknown>[]): { headers: string[]; rows: string[][] } {
  const fields = entityFields(entity);
  return {
    headers: fields.map(columnHeader),
    rows: records.map((record) => fields.map((field) => (record[field] === undefined || record[field] === null ? '' : String(record[field])))),
  };
}

/** CSV with a UTF-8 BOM (so Excel shows the Chinese headers), columns as import reads them. */
export function writeCsv(entity: EntityName, records: Record<string, unknown>[]): string {
  const { headers, rows } = exportTable(entity, records);
  return `\ufeff${stringify([headers, ...rows])}`;
}

/** One worksheet named after the entity; every cell is text, so codes like 0001 keep their zeros. */
export async function writeXlsx(entity: EntityName, records: Record<string, unknown>[]): Promise<Buffer> {
  const { headers, rows } = exportTable(entity, records);
  const workbook = new (await loadExcel()).Workbook();
  const sheet = workbook.addWorksheet(entity);
  sheet.addRow(headers).font = { bold: true };
  for (const row of rows) sheet.addRow(row.map((cell) => (cell === '' ? null : cell)));
  sheet.columns.forEach((column) => {
    column.numFmt = '@';
    column.width = 18;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
