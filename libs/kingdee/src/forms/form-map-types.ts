/** The canonical event as plain JSON (decimals as strings, as stored in the ledger). */
export type CanonicalJson = Record<string, unknown>;

/** One Kingdee Save to make for a canonical document: the form, its number (the idempotency key) and the model. */
export interface SaveDraft {
  formId: string;
  billNo: string;
  model: Record<string, unknown>;
}

/** Flow settings conversion reads (the sink's flow config). */
export interface ConvertOptions {
  billNumberPattern: string;
  billType?: string | undefined;
  customFields: { logisticsNumber: string; onlineOrderNumber: string };
}
