/**
 * The facts reconciliation compares, the same shape on both sides: a document (source) or bill (Kingdee) with its
 * lines. Quantities and amounts are exact decimal text (decimal.js when computed, never float).
 */

export interface LineFacts {
  /** Line position (1-based): source line order = Kingdee entry sequence, as the sink posts them. */
  seq: number;
  /** Source item code (source side only: the SKU the mapping resolved). */
  sku?: string | undefined;
  material: string;
  warehouse: string;
  lot: string;
  /** Base-unit quantity. */
  qty: string;
  /** Tax-inclusive line amount (价税合计). */
  amount: string;
}

export interface DocumentFacts {
  /** documentType, e.g. sales_outstock. */
  flow: string;
  /** The source document id: what the bill's FThirdBillNo carries, the key both sides are matched by. */
  ref: string;
  billNo: string;
  org: string;
  /** Business date YYYY-MM-DD. */
  date: string;
  /** Shop = Kingdee customer. */
  shop: string;
  lines: LineFacts[];
}

/** SYNCED passed the sync condition (on the canonical topic); FILTERED left out by a rule's filter; PARKED at mapping. */
export type SourceMark = 'SYNCED' | 'FILTERED' | 'PARKED';

export interface SourceDocument extends DocumentFacts {
  /** Document key `<system>/<account>/<type>/<id>`. */
  _id: string;
  sourceSystem: string;
  mark: SourceMark;
  /** Why it was filtered or parked (Chinese as recorded), else null. */
  markReason: string | null;
  sourceModifiedAt: number;
  contentHash: string;
  /** Canonical versions seen for this document. */
  versions: number;
}

export interface MirrorBill extends DocumentFacts {
  /** `<formId>|<id>`. */
  _id: string;
  formId: string;
  /** The bill's id in the finance system as decimal digits (Kingdee FID; YonSuite ids pass 2^53, so never a number). */
  fid: string;
  /** Kingdee's FDocumentStatus letters (YonSuite's 0 开立 / 1 已审核 become A / C): A created, B submitted, C audited, D re-audit. */
  status: string;
  /** FCancelStatus: A normal, B cancelled. */
  cancelStatus: string;
  modifyDate: string;
}

/** What the sink ledger says about one source document (read-only view of libs/sink-kit's ledger). */
export interface SinkFacts {
  billNo: string;
  state: string;
  stage: string;
  /** The version (source content hash) now on Kingdee. */
  postedVersion: string | null;
  problem: string | null;
  skipped: { by: string; reason: string } | null;
}

export const periodOf = (date: string): string => date.slice(0, 7);
export const refKey = (flow: string, ref: string): string => `${flow}|${ref}`;
