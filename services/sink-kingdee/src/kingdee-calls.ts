/**
 * What every Kingdee step of the sink shares: the document stage a FDocumentStatus means, the ledger's record of each
 * call, a failed answer as a ledger problem.
 */
import type { KingdeeError, KingdeeErrorDetail } from '@yecai/kingdee';
import type { BillStage, LedgerProblem, TargetCallRecord, WorkItem, WriteContext } from '@yecai/sink-kit';

export const STAGE_OF_STATUS: Record<string, BillStage> = { Z: 'SAVED', A: 'SAVED', D: 'SAVED', B: 'SUBMITTED', C: 'AUDITED' };

/** Notes one Kingdee call for `group` (written with the chunk's outcomes); `request` may be per item. */
export function recordCalls(ctx: WriteContext, group: WorkItem[], operation: string, request: unknown, outcome: string, error?: KingdeeError): void {
  const answer = error ? { msgCode: error.msgCode, messages: error.details.length > 0 ? error.details.map((d) => d.message) : [error.message] } : { msgCode: 0 };
  ctx.recordCall(group.map((item, index) => callRecord(item.id, operation, typeof request === 'function' ? (request as (item: WorkItem, index: number) => unknown)(item, index) : request, outcome, answer)));
}

export function callRecord(ledgerIdValue: string, operation: string, request: unknown, outcome: string, extra: Partial<TargetCallRecord>): TargetCallRecord {
  // The ledger stores the request as plain JSON (decimals as exact strings) when it writes the call.
  return { ledgerId: ledgerIdValue, at: new Date(), operation, request, outcome, ...extra };
}

export function problemOf(error: KingdeeError, details: KingdeeErrorDetail[]): LedgerProblem {
  const message = details.length > 0 ? details.map((detail) => detail.message).join('；') : error.userMessage;
  return { level: error.level, code: error.code, message, field: details.find((detail) => detail.field)?.field ?? error.field, msgCode: error.msgCode };
}

export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k) ?? [];
    list.push(item);
    groups.set(k, list);
  }
  return groups;
}
