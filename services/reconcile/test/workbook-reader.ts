/** Reads a workbook back with exceljs: every sheet as rows of cell values (numbers stay numbers), in sheet order. */
import ExcelJS from 'exceljs';

export type SheetRows = (string | number | boolean | null)[][];

export async function readWorkbookBack(content: Buffer): Promise<Record<string, SheetRows>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(content as unknown as ArrayBuffer);
  const sheets: Record<string, SheetRows> = {};
  for (const sheet of workbook.worksheets) {
    const rows: SheetRows = [];
    for (let number = 1; number <= sheet.rowCount; number += 1) {
      const row = sheet.getRow(number);
      const cells: SheetRows[number] = [];
      for (let column = 1; column <= sheet.columnCount; column += 1) {
        const value = row.getCell(column).value;
        cells.push(
          value === undefined || value === null ? null : typeof value === 'object' ? JSON.stringify(value) : value,
        );
      }
      rows.push(cells);
    }
    sheets[sheet.name] = rows;
  }
  return sheets;
}
