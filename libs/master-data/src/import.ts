import { parse } from 'csv-parse/sync';
import { ENTITY_SCHEMAS, type EntityName, type EntityRecord } from './entities';
import type { MasterDataStore, UpsertResult } from './store';

export interface RowError {
  /** 1-based data row (CSV: the header is row 0) or array index + 1 for JSON. */
  row: number;
  field: string;
  message: string;
}

export interface ImportReport extends Partial<UpsertResult> {
  entity: EntityName;
  rows: number;
  valid: number;
  errors: RowError[];
  /** False when nothing was written (errors present and partial import not asked for). */
  written: boolean;
}

export type ImportFormat = 'csv' | 'json';

/** Parses CSV (header row = field names) or a JSON array into raw rows; a syntax error is reported as row 0. */
export function parseRows(text: string, format: ImportFormat): { rows: Record<string, unknown>[]; error?: RowError } {
  try {
    if (format === 'csv') {
      const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
      // Empty CSV cells mean "not given", so optional fields stay optional.
      return { rows: rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== ''))) };
    }
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return { rows: [], error: { row: 0, field: '(root)', message: 'expected a JSON array of records' } };
    return { rows: parsed as Record<string, unknown>[] };
  } catch (error) {
    return { rows: [], error: { row: 0, field: '(file)', message: error instanceof Error ? error.message : String(error) } };
  }
}

export function validateRows<E extends EntityName>(entity: E, rows: unknown[]): { valid: EntityRecord<E>[]; errors: RowError[] } {
  const valid: EntityRecord<E>[] = [];
  const errors: RowError[] = [];
  rows.forEach((row, index) => {
    const result = ENTITY_SCHEMAS[entity].safeParse(row);
    if (result.success) valid.push(result.data as EntityRecord<E>);
    else
      for (const issue of result.error.issues) {
        errors.push({ row: index + 1, field: issue.path.join('.') || '(row)', message: issue.message });
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
  text: string,
  format: ImportFormat,
  options: { partial?: boolean } = {},
): Promise<ImportReport> {
  const { rows, error } = parseRows(text, format);
  if (error) return { entity, rows: 0, valid: 0, errors: [error], written: false };
  const { valid, errors } = validateRows(entity, rows);
  const report: ImportReport = { entity, rows: rows.length, valid: valid.length, errors, written: false };
  if (errors.length > 0 && !options.partial) return report;
  return { ...report, ...(await store.upsertValid(entity, valid)), written: true };
}
