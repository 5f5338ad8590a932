/**
 * Configuration of aggregated (汇总) posting for one flow: documents grouped by a key into summary bills.
 * See docs/sink.md "Aggregated posting".
 */
import { z } from 'zod';

/** Placeholders every summary bill number has (uniqueness: the group and the sequence). */
const REQUIRED_PLACEHOLDERS = ['{keyHash}', '{seq}'];

export const AggregationConfigSchema = z.object({
  /**
   * Group key: canonical head fields (`customer` = shop, `date` = business date) and line fields (`lines.warehouse`,
   * `lines.material` for SKU level). A document whose lines differ in a line field goes into several groups (one
   * slice each). Members of one summary bill also always agree on every other head field (orgs, owner, currency):
   * a bill has one head, so those are part of the key implicitly.
   */
  groupBy: z
    .array(z.string().regex(/^(lines\.)?[A-Za-z][A-Za-z0-9]*$/, 'a canonical field name, e.g. customer, date or lines.warehouse'))
    .min(1)
    .default(['customer', 'lines.warehouse', 'date']),
  /** `sum`: lines that are the same item (material, unit, warehouse, lot, price…) become one entry with summed quantity; `list`: one entry per source line. */
  entries: z.enum(['sum', 'list']).default('sum'),
  /** Entries per summary bill; a group with more is split into several bills (one source document is never split). */
  maxEntries: z.number().int().min(1).max(10_000).default(500),
  /** Source documents per summary bill (bounds the bill's trace record; with `sum` many documents share entries). */
  maxMembers: z.number().int().min(1).max(20_000).default(2_000),
  /**
   * Summary bill number (the flow's billNumberPattern is applied on top with it as {billNumber}: use the default
   * `{billNumber}` there). Placeholders: {keyHash} (required), {seq} (required, 3 digits), {date} (business date,
   * yyyyMMdd), {documentType} and the last part of each groupBy field, e.g. {customer}, {warehouse}.
   */
  billNumberPattern: z.string().min(1).default('HZ-{date}-{keyHash}-{seq}'),
  /** When a group closes by itself: `afterDays` after its business date at `at` Beijing time (default T+1 02:00). */
  close: z
    .object({
      afterDays: z.number().int().min(0).max(36_500).default(1),
      at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:mm Beijing time, e.g. 02:00').default('02:00'),
    })
    .prefault({}),
  /** How often due groups are closed and unfinished summary bills posted. */
  checkIntervalMs: z.number().int().positive().default(60_000),
});
export type AggregationConfig = z.infer<typeof AggregationConfigSchema>;

/** Document types whose bills have one entry table of `lines` (stock count writes two forms, assembly has products). */
export const AGGREGATABLE_TYPES = ['sales_outstock', 'sales_return', 'purchase_instock', 'purchase_return', 'other_instock', 'other_outstock', 'transfer'];

export function placeholderName(field: string): string {
  return field.split('.').pop()!;
}

/** Cross-field checks for one flow (called from the sink config's superRefine); issues name the field. */
export function checkAggregation(
  flow: { documentType: string; aggregation?: AggregationConfig | undefined },
  index: number,
  addIssue: (path: (string | number)[], message: string) => void,
): void {
  const aggregation = flow.aggregation;
  if (!aggregation) return;
  const at = ['flows', index, 'aggregation'];
  if (!AGGREGATABLE_TYPES.includes(flow.documentType)) {
    addIssue([...at], `${flow.documentType} cannot be aggregated (only ${AGGREGATABLE_TYPES.join(', ')})`);
  }
  const names = aggregation.groupBy.map(placeholderName);
  names.forEach((name, at) => {
    if (names.indexOf(name) !== at) addIssue([...['flows', index, 'aggregation'], 'groupBy', at], `two groupBy fields are both named "${name}"`);
  });
  const known = new Set(['keyHash', 'seq', 'date', 'documentType', ...aggregation.groupBy.map(placeholderName)]);
  for (const required of REQUIRED_PLACEHOLDERS) {
    if (!aggregation.billNumberPattern.includes(required)) addIssue([...at, 'billNumberPattern'], `must contain ${required} (the number must be unique per group and sequence)`);
  }
  for (const [, name] of aggregation.billNumberPattern.matchAll(/\{(\w+)\}/g)) {
    if (!known.has(name!)) addIssue([...at, 'billNumberPattern'], `unknown placeholder {${name}} (use ${[...known].map((k) => `{${k}}`).join(', ')})`);
  }
}

/** The checks every sink's flow list needs: one flow per document type, and each flow's aggregation settings. */
export function checkKitFlows(flows: { documentType: string; aggregation?: AggregationConfig | undefined }[], addIssue: (path: (string | number)[], message: string) => void): void {
  flows.forEach((flow, index) => {
    if (flows.findIndex((other) => other.documentType === flow.documentType) !== index) addIssue(['flows', index, 'documentType'], `flow ${flow.documentType} is configured twice`);
    checkAggregation(flow, index, addIssue);
  });
}
