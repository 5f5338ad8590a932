/**
 * Canonical document → Kingdee Save model(s) of its form(s). The forms (registry) and the field-by-field maps live
 * in @yecai/kingdee (libs/kingdee/src/forms); this module names the bill types the sink posts and keeps the
 * signatures the poster and aggregation call.
 * Input is the canonical event as plain JSON (decimals as strings, as stored in the ledger); output models hold
 * decimal.js values, which the Kingdee client writes as exact JSON numbers.
 */
import { documentMap, formsPostedFrom, runDocumentMap, type CanonicalJson, type ConvertOptions, type SaveDraft } from '@yecai/kingdee';

export { renderBillNumber, sourceIdentity, type CanonicalJson, type ConvertOptions, type SourceIdentity } from '@yecai/kingdee';

/** Bill types the sink posts (flows may name them); each has a form map in @yecai/kingdee. */
export const SUPPORTED_DOCUMENT_TYPES = [
  'sales_outstock',
  'sales_return',
  'purchase_instock',
  'purchase_return',
  'other_instock',
  'other_outstock',
  'transfer',
  'stock_count',
  'assembly',
  'sales_order',
  'first_leg_shipment',
  'fee_settlement',
  'receivable',
  'receipt',
] as const;
export type SupportedDocumentType = (typeof SUPPORTED_DOCUMENT_TYPES)[number];

/** Kingdee forms each canonical type is written to (from the form registry). */
export const FORMS_OF = Object.fromEntries(SUPPORTED_DOCUMENT_TYPES.map((type) => [type, formsPostedFrom(type).map((form) => form.formId)])) as Record<SupportedDocumentType, string[]>;

/** One Kingdee bill to write for a canonical document. */
export type BillDraft = SaveDraft;

/** The bill(s) a canonical document becomes. Throws ValidationError naming the field when the event is unusable. */
export function convertDocument(documentType: SupportedDocumentType, document: CanonicalJson, options: ConvertOptions): BillDraft[] {
  return runDocumentMap(documentMap(documentType), document, options);
}
