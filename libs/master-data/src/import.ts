import { parse } from 'csv-parse/sync';
import { fieldOfColumn } from './columns';
import { ENTITY_KEYS, ENTITY_SCHEMAS, keyOf, type EntityName, type EntityRecord } from './entities';
import { readXlsx } from './spreadsheet';
import type { ChangeAudit, MasterDataStore, UpsertResult } from './store';

export interface RowError {
  /** 1-based data row (the header is row 0, so the sheet row is row + 1) or array index + 1 for JSON. */
  row: number;
  field: string;
  message: string;
  /** zod's issue code (invalid_type, too_small, invalid_value, …) or unknown_column. */
  code?: string;
}

export interface ImportReport extends Partial<UpsertResult> {
  entity: EntityName;
  rows: number;
  valid: number;
  errors: RowError[];
  /** False when nothing was written (errors present and partial import not asked for). */
  written: boolean;
}

export type ImportFormat = 'csv' | 'json' | 'xlsx';

export interface ParsedRows {
  rows: Record<string, unknown>[];
  /** The header row of a CSV or .xlsx file. */
  columns?: string[];
  error?: RowError;
}

/**
 * Parses CSV or an .xlsx workbook's first sheet (header row = columns, see columns.ts) or a JSON array into raw rows;
 * a file that cannot be read is reported as row 0.
 */
export async function parseFile(content: string | Buffer, format: ImportFormat): Promise<ParsedRows> {
  if (format !== 'xlsx') return parseRows(typeof content === 'string' ? content : content.toString('utf8'), format);
  try {
    return await readXlsx(typeof content === 'string' ? Buffer.from(content) : content);
  } catch (error) {
    return { rows: [], error: { row: 0, field: '(file)', message: `not a readable .xlsx workbook: ${error instanceof Error ? error.message : String(error)}` } };
  }
}

/** Parses CSV (header row = columns) or a JSON array into raw rows; a syntax error is reported as row 0. */
export function parseRows(text: string, format: Exclude<ImportFormat, 'xlsx'>): ParsedRows {
  try {
    if (format === 'csv') {
      let columns: string[] = [];
      const rows = parse(text, { columns: (header: string[]) => (columns = header), skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
      // Empty CSV cells mean "not given", so optional fields stay optional.
      return { columns, rows: rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== ''))) };
    }
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return { rows: [], error: { row: 0, field: '(root)', message: 'expected a JSON array of records' } };
    return { rows: parsed as Record<string, unknown>[] };
  } catch (error) {
    return { rows: [], error: { row: 0, field: '(file)', message: error instanceof Error ? error.message : String(error) } };
  }
}

/**
 * Renames columns to field names (`仓库编码 sourceCode` → sourceCode); a column naming no field of the entity is
 * one error on the header (row 0) instead of one per row.
 */
export function normalizeColumns(entity: EntityName, rows: Record<string, unknown>[], header: string[] = []): { rows: Record<string, unknown>[]; errors: RowError[] } {
  const unknown = new Set(header.filter((column) => column.trim() !== '' && fieldOfColumn(entity, column) === undefined));
  const renamed = rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).flatMap(([column, value]) => {
        const field = fieldOfColumn(entity, column);
        if (field === undefined) unknown.add(column);
        return field === undefined ? [] : [[field, value]];
      }),
    ),
  );
  const errors = [...unknown].map((column) => ({ row: 0, field: column, message: 'unknown column', code: 'unknown_column' }));
  return { rows: renamed, errors };
}

/** A natural key given twice in one file: which row should win is a person's call, so the second is an error. */
function duplicateKeys(entity: EntityName, rows: Record<string, unknown>[]): RowError[] {
  const firstRow = new Map<string, number>();
  const errors: RowError[] = [];
  rows.forEach((row, index) => {
    if (ENTITY_KEYS[entity].some((field) => row[field] === undefined)) return;
    const key = keyOf(entity, row);
    const first = firstRow.get(key);
    if (first === undefined) firstRow.set(key, index + 1);
    else errors.push({ row: index + 1, field: ENTITY_KEYS[entity].at(-1)!, message: `duplicate key ${key}, also in data row ${first}`, code: 'duplicate_key' });
  });
  return errors;
}

export function validateRows<E extends EntityName>(entity: E, rows: unknown[]): { valid: EntityRecord<E>[]; errors: RowError[] } {
  const valid: EntityRecord<E>[] = [];
  const errors: RowError[] = [];
  rows.forEach((row, index) => {
    const result = ENTITY_SCHEMAS[entity].safeParse(row);
    if (result.success) valid.push(result.data as EntityRecord<E>);
    else
      for (const issue of result.error.issues) {
        errors.push({ row: index + 1, field: issue.path.join('.') || '(row)', message: issue.message, code: issue.code });
      }
  });
  return { valid, errors };
}

/**
 * Imports a file into one entity. All-or-nothing by default, so a file with a bad row never leaves half the
 * master data loaded; `partial` writes the valid rows and still reports every bad one.
 */
export async function importMasterData(
  store: MasterDataStore,
  entity: EntityName,
  content: string | Buffer,
  format: ImportFormat,
  options: { partial?: boolean; dryRun?: boolean; audit?: ChangeAudit } = {},
): Promise<ImportReport> {
  const parsed = await parseFile(content, format);
  if (parsed.error) return { entity, rows: 0, valid: 0, errors: [parsed.error], written: false };
  const columns = normalizeColumns(entity, parsed.rows, parsed.columns);
  const { valid, errors } = validateRows(entity, columns.rows);
  const report: ImportReport = {
    entity,
    rows: columns.rows.length,
    valid: valid.length,
    errors: [...columns.errors, ...errors, ...duplicateKeys(entity, columns.rows)],
    written: false,
  };
  if ((report.errors.length > 0 && !options.partial) || options.dryRun) return report;
  return { ...report, ...(await store.upsertValid(entity, valid, options.audit)), written: true };
}
