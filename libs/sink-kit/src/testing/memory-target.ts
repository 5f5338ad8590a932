/**
 * A target with no Kingdee in it: documents live in memory, keyed by the idempotency key the target keeps unique.
 * It proves the posting kit's exactly-once machinery is the kit's, not Kingdee's: the shared exactly-once suite runs
 * against it with the same assertions as against the Kingdee emulator. Faults are injected the way real targets fail:
 * an answer lost after the write landed, an outage, a refusal of the data (level 1: a name with '#').
 */
import { ValidationError } from '@yecai/common';
import type { CanonicalJson } from '../canonical';
import { renderBillNumber } from '../canonical';
import type { KitFlow } from '../config';
import { ledgerId, type BillStage, type TargetCallRecord } from '../ledger/model';
import type { TargetAdapter, TargetDraft, TargetState, WorkItem, WriteContext } from '../posting/adapter';

/** One document the memory target holds. */
export interface MemoryDocument {
  id: number;
  formId: string;
  key: string;
  model: Record<string, unknown>;
  /** Times the document was written (created + updated). */
  writes: number;
}

/** The target's own errors: what its client would throw. */
export class MemoryTargetError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'answer_lost' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'MemoryTargetError';
  }
}

export interface MemoryFaults {
  /** The next N writes land, and then their answer is lost. */
  loseAnswers: number;
  /** Every call fails (the target is down) while set. */
  down: boolean;
}

/** The in-memory target system (the "server"); `MemoryTarget` is its adapter. */
export class MemoryTargetSystem {
  readonly documents = new Map<string, MemoryDocument>();
  readonly faults: MemoryFaults = { loseAnswers: 0, down: false };
  /** Write calls received (landed or not). */
  writeCalls = 0;
  private nextId = 1;

  /** Saves documents by key; a key that exists is refused (the target keeps keys unique), unless `id` is given. */
  write(formId: string, batch: { key: string; model: Record<string, unknown>; id?: number | undefined }[]): ({ ok: true; id: number } | { ok: false; error: MemoryTargetError })[] {
    this.guard();
    this.writeCalls++;
    const results = batch.map((one) => {
      // The target's own data rule (level 1): a name may not contain '#'.
      if (String(one.model.name).includes('#')) return { ok: false as const, error: new MemoryTargetError('refused', `名称不能包含 # (key ${one.key}): field "name" refused by the target`) };
      const existing = this.documents.get(`${formId}|${one.key}`);
      if (existing && one.id === undefined) return { ok: false as const, error: new MemoryTargetError('refused', `duplicate key ${one.key}`) };
      if (existing) {
        existing.model = one.model;
        existing.writes++;
        return { ok: true as const, id: existing.id };
      }
      const document: MemoryDocument = { id: this.nextId++, formId, key: one.key, model: one.model, writes: 1 };
      this.documents.set(`${formId}|${one.key}`, document);
      return { ok: true as const, id: document.id };
    });
    if (this.faults.loseAnswers > 0) {
      this.faults.loseAnswers--;
      throw new MemoryTargetError('answer_lost', 'connection reset after the write was sent');
    }
    return results;
  }

  lookup(formId: string, keys: string[]): Map<string, MemoryDocument> {
    this.guard();
    return new Map(keys.flatMap((key) => {
      const found = this.documents.get(`${formId}|${key}`);
      return found ? [[key, found] as const] : [];
    }));
  }

  check(): void {
    this.guard();
  }

  private guard(): void {
    if (this.faults.down) throw new MemoryTargetError('unavailable', 'target is down (503)');
  }
}

/** The adapter: flows write one document per canonical event to form `MEMORY_<documentType>`, keyed by the pattern. */
export class MemoryTarget implements TargetAdapter<KitFlow> {
  readonly name = 'memory';
  readonly label = '内存目标';

  constructor(
    readonly system: MemoryTargetSystem,
    readonly account = 'memory-account',
  ) {}

  formsOf(documentType: string): string[] {
    return [`MEMORY_${documentType}`];
  }

  draftsOf(documentType: string, canonical: CanonicalJson, flow: KitFlow): TargetDraft[] {
    const name = canonical.name;
    if (typeof name !== 'string' || name.trim() === '') throw new ValidationError('name: required text is missing', 'name');
    return [{ formId: this.formsOf(documentType)[0]!, billNo: renderBillNumber(flow.billNumberPattern, canonical), model: { name } }];
  }

  async lookup(items: WorkItem[]): Promise<Map<string, TargetState>> {
    const result = new Map<string, TargetState>();
    for (const item of items) {
      const found = this.system.lookup(item.draft.formId, [item.draft.billNo]).get(item.draft.billNo);
      if (found) result.set(ledgerId(this.account, found.formId, found.key), { fid: found.id, stage: 'SAVED' });
    }
    return result;
  }

  async write(items: WorkItem[], context: WriteContext): Promise<void> {
    const writing = items.filter((item) => item.plan === 'save' || item.plan === 'update');
    for (const formId of new Set(writing.map((item) => item.draft.formId))) {
      const group = writing.filter((item) => item.draft.formId === formId);
      const batch = group.map((item) => ({ key: item.draft.billNo, model: item.draft.model, id: item.plan === 'update' ? Number(item.entry.fid) : undefined }));
      let results;
      try {
        results = this.system.write(formId, batch);
      } catch (error) {
        // Sent without an answer: the documents may exist. IN_DOUBT until a lookup says otherwise.
        if (error instanceof MemoryTargetError && error.kind === 'answer_lost') for (const item of group) context.setEntry(item, { state: 'IN_DOUBT' }, 'write_in_doubt', error.message);
        throw error;
      }
      context.recordCall(group.map((item, index): TargetCallRecord => ({ ledgerId: item.id, at: new Date(), operation: 'Write', request: batch[index], outcome: results[index]!.ok ? 'saved' : 'failed' })));
      for (const [index, item] of group.entries()) {
        const result = results[index]!;
        if (result.ok) {
          context.setEntry(item, { fid: result.id, stage: 'SAVED', postedVersion: item.version, problem: null }, item.plan === 'update' ? 'updated' : 'saved', `id ${result.id}`);
          continue;
        }
        if (item.plan === 'save' && /duplicate key/.test(result.error.message)) {
          // Our own earlier write landed (an answer lost before the ledger knew): adopt it.
          const found = this.system.lookup(formId, [item.draft.billNo]).get(item.draft.billNo);
          if (found) {
            context.setEntry(item, { fid: found.id, stage: 'SAVED', postedVersion: item.version }, 'adopted_existing', `key already on the target as id ${found.id}`);
            continue;
          }
        }
        context.fail(item, { level: 1, code: 'TARGET_REFUSED', message: result.error.message, field: 'name' });
      }
    }
  }

  wantedStage(): BillStage {
    return 'SAVED';
  }

  isUnavailable(error: unknown): boolean {
    return error instanceof MemoryTargetError && (error.kind === 'unavailable' || error.kind === 'answer_lost');
  }

  async probe(): Promise<void> {
    this.system.check();
  }
}
