/**
 * What targets that upsert by key (OMS goods / products: 聚水潭 sku_id, 领星 sku) share: the lookup that resolves a
 * write in doubt by reading the rows back, and the call record of one work item.
 */
import type { KitFlow } from '../config';
import type { TargetCallRecord } from '../ledger/model';
import type { TargetState, WorkItem } from './adapter';

export interface UpsertLookup {
  /** Keys (the drafts' billNo) per read. */
  keysPerRead: number;
  /** Fields of the row compared with what was sent (the fields the write sets). */
  compared: readonly string[];
  /** The target's rows by key for up to `keysPerRead` keys; a key without a row is absent. */
  read(keys: string[]): Promise<Map<string, Record<string, unknown>>>;
}

/**
 * A document never written (ledger stage NONE) counts as on the target only when the row holds what was sent —
 * otherwise the row predates our write, and writing again (an upsert) is what lands it; a document written before is
 * on the target whatever the row holds now (its newer version is then written as an update). Stage SAVED, fid = key.
 */
export async function lookupUpserted<F extends KitFlow>(items: WorkItem<F>[], lookup: UpsertLookup): Promise<Map<string, TargetState>> {
  const result = new Map<string, TargetState>();
  for (let start = 0; start < items.length; start += lookup.keysPerRead) {
    const chunk = items.slice(start, start + lookup.keysPerRead);
    const found = await lookup.read(chunk.map((item) => item.draft.billNo));
    for (const item of chunk) {
      const row = found.get(item.draft.billNo);
      if (!row) continue;
      if (item.entry.stage === 'NONE' && !holdsSent(row, item.draft.model, lookup.compared)) continue;
      result.set(item.id, { fid: item.draft.billNo, stage: 'SAVED' });
    }
  }
  return result;
}

/** Whether the target's row holds every compared field that was sent (as text). */
export function holdsSent(row: Record<string, unknown>, sent: Record<string, unknown>, compared: readonly string[]): boolean {
  return compared.every((field) => sent[field] === undefined || String(row[field] ?? '') === String(sent[field]));
}

/** The record of one target call made for a work item (the ledger's call log). */
export function itemCallRecord(item: WorkItem, operation: string, request: unknown, outcome: string, extra: Partial<TargetCallRecord>): TargetCallRecord {
  return { ledgerId: item.id, at: new Date(), operation, request, outcome, ...extra };
}
