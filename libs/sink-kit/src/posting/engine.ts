/**
 * The posting engine: writes canonical documents to a target with exactly-once effect. Per chunk: claim each
 * document in the ledger (PENDING) → resolve anything in flight by looking its key up on the target → let the
 * adapter write and drive the documents to their wanted stage → record every outcome in the ledger, before the caller
 * may commit the Kafka offset. Level 1 parks, level 2 goes to the retry ladder, level 3 stops the chunk with
 * `SinkPausedError`. What depends on the target is behind `TargetAdapter` (adapter.ts).
 */
import { ValidationError, errorMessage, type Logger } from '@yecai/common';
import { documentKeyOf, isStaleVersion, sourceIdentity, type CanonicalJson } from '../canonical';
import type { KitFlow } from '../config';
import type { Ledger } from '../ledger/ledger';
import { ledgerId, stageReached, type BillStage, type LedgerChange, type LedgerEntry, type LedgerProblem, type LedgerStep, type LedgerUpdate, type TargetCallRecord } from '../ledger/model';
import type { PostOrigin, PostRequest, TargetAdapter, TargetDraft, WorkItem, WriteContext, WritePlan } from './adapter';
import { KeyLocks, Slots } from './locks';

export type { PostOrigin, PostRequest };

/** Problem code of a document that was written but is gone from the target (deleted by a person). */
export const DELETED_ON_TARGET = 'DELETED_ON_TARGET';
/** The same problem as recorded before the kit named it (Kingdee ledgers): re-push treats both alike. */
export const DELETED_ON_TARGET_CODES = [DELETED_ON_TARGET, 'DELETED_IN_KINGDEE'];

/** Level 3: the target is unreachable, overloaded or answering nonsense. The caller pauses and probes. */
export class SinkPausedError extends Error {
  constructor(
    override readonly cause: unknown,
    /** Requests (in input order) whose outcome is in the ledger; the rest must be redelivered. */
    readonly completed: number,
  ) {
    super(`target unavailable, sink pauses: ${errorMessage(cause)}`);
    this.name = 'SinkPausedError';
  }
}

/** Outcome counts the engine reports (the service's metrics). */
export interface OutcomeMetrics {
  outcome(form: string, outcome: string, level: number): void;
}

export interface PostingEngineDeps<F extends KitFlow> {
  adapter: TargetAdapter<F>;
  ledger: Ledger;
  flows: Map<string, F>;
  batchSize: number;
  /** Chunks (write groups) in flight at once across all callers; keeps target calls overlapping ledger writes. */
  chunksInFlight?: number;
  level2RetryDelaysMs: number[];
  metrics: OutcomeMetrics;
  logger: Logger;
  now?: () => Date;
}

/** 'reconcile': look the key up on the target first (the engine turns it into a WritePlan). */
type Plan = WritePlan | 'reconcile';

/** A chunk's item: the adapter's view plus what the engine keeps. */
interface Item<F extends KitFlow> extends WorkItem<F> {
  /** Set at the claim when the target must be asked first (a write may have landed, or the document changed). */
  needsLookup: boolean;
  /** Target calls of this item's chunk, written with the chunk's outcomes. */
  calls: TargetCallRecord[][];
  modifiedAt: number;
  documentKey: string;
  entry: LedgerEntry;
  /** The last written revision (the compare-and-set base of the next write). */
  written: LedgerEntry;
  steps: LedgerStep[];
  /** Run once the steps are written (metrics count what the ledger holds). */
  afterWrite: (() => void)[];
  /** Version the document on the target holds, when it exists. */
  targetVersion: string | null;
  done: boolean;
}

type ItemBase<F extends KitFlow> = Pick<Item<F>, 'request' | 'flow' | 'draft' | 'id' | 'version' | 'modifiedAt' | 'documentKey'>;

export interface PostOptions {
  /** Called (in order, awaited before the next call) when more requests at the front have their outcome. */
  onProgress?: (completed: number) => Promise<void> | void;
}

/** The posting entry point every stage offers (the engine itself, aggregation in front of it). */
export interface PostingStage {
  post(requests: PostRequest[], options?: PostOptions): Promise<void>;
}

export class PostingEngine<F extends KitFlow = KitFlow> implements PostingStage {
  private readonly now: () => Date;
  private readonly slots: Slots;
  private readonly locks = new KeyLocks();

  constructor(private readonly deps: PostingEngineDeps<F>) {
    this.now = deps.now ?? (() => new Date());
    this.slots = new Slots(deps.chunksInFlight ?? 1);
  }

  /**
   * Posts `requests`, `batchSize` documents per chunk. Chunks run concurrently (up to `chunksInFlight` across
   * every caller), so one chunk's target calls overlap another's ledger writes; two chunks never work on the same
   * source document at once (a later version waits for the earlier chunk). Resolves once every request has its
   * outcome in the ledger; throws SinkPausedError (level 3) naming how many requests at the front are complete.
   */
  async post(requests: PostRequest[], options: PostOptions = {}): Promise<void> {
    const chunks: { start: number; requests: PostRequest[] }[] = [];
    for (let start = 0; start < requests.length; start += this.deps.batchSize) chunks.push({ start, requests: requests.slice(start, start + this.deps.batchSize) });
    const failures = new Map<number, unknown>();
    const finished = new Set<number>();
    let reported = 0;
    let progress: Promise<void> = Promise.resolve();
    const advance = () => {
      let front = reported;
      while (finished.has(front)) front++;
      if (front === reported) return;
      reported = front;
      const completed = front < chunks.length ? chunks[front]!.start : requests.length;
      if (options.onProgress) progress = progress.then(() => options.onProgress!(completed));
    };
    const running: Promise<void>[] = [];
    for (const [index, chunk] of chunks.entries()) {
      if (failures.size > 0) break;
      await this.slots.acquire();
      let release: () => void;
      try {
        release = await this.locks.acquire(this.keysOf(chunk.requests));
      } catch (error) {
        this.slots.release();
        throw error;
      }
      running.push(
        this.postChunk(chunk.requests)
          .then(
            () => {
              this.slots.succeeded();
              finished.add(index);
              advance();
            },
            (error: unknown) => {
              if (error instanceof SinkPausedError) this.slots.failed();
              failures.set(index, error);
            },
          )
          .finally(() => {
            release();
            this.slots.release();
          }),
      );
    }
    await Promise.all(running);
    await progress;
    if (failures.size === 0) return;
    const first = Math.min(...failures.keys());
    const error = failures.get(first);
    if (error instanceof SinkPausedError) throw new SinkPausedError(error.cause, chunks[first]!.start);
    throw error;
  }

  /** Runs `task` while no chunk works on these source documents (operator actions outside a post). */
  async exclusive<T>(canonicals: CanonicalJson[], task: () => Promise<T>): Promise<T> {
    const release = await this.locks.acquire(canonicals.map(keyOf));
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** Resolves when no chunk is in flight. */
  async idle(): Promise<void> {
    await this.slots.drain();
  }

  private keysOf(requests: PostRequest[]): string[] {
    return requests.map((request) => keyOf(request.canonical));
  }

  // ---------------------------------------------------------------- one chunk

  private async postChunk(requests: PostRequest[]): Promise<void> {
    const calls: TargetCallRecord[][] = [];
    const items = await this.prepare(requests, calls);
    const active = () => items.filter((item) => !item.done);
    try {
      await this.reconcile(active().filter((item) => item.needsLookup));
      const writing = active();
      if (writing.length > 0) await this.deps.adapter.write(writing, this.contextOf(calls));
      for (const item of active()) this.finish(item);
    } catch (error) {
      if (this.deps.adapter.isUnavailable(error)) throw new SinkPausedError(error, 0);
      throw error;
    } finally {
      // Outcomes (and whatever happened before a level-3 stop, e.g. IN_DOUBT) in one write, calls beside them.
      await Promise.all([this.flush(items), this.deps.ledger.recordCallBatches(calls)]);
    }
  }

  /** What the adapter may do to this chunk's items. */
  private contextOf(calls: TargetCallRecord[][]): WriteContext {
    const own = (item: WorkItem) => item as Item<F>;
    return {
      setEntry: (item, update, event, detail) => this.setEntry(own(item), update, event, detail),
      assume: (item, update) => {
        own(item).entry = { ...own(item).entry, ...update };
      },
      fail: (item, problem, ladder) => this.fail(own(item), problem, ladder),
      recordCall: (records) => {
        if (records.length > 0) calls.push(records);
      },
      afterWrite: (item, after) => own(item).afterWrite.push(after),
      steps: (item) => own(item).steps,
    };
  }

  /** Writes every item's unwritten steps as one revision per item, in one round trip. */
  private async flush(items: Item<F>[]): Promise<void> {
    const dirty = items.filter((item) => item.steps.length > 0);
    if (dirty.length === 0) return;
    const results = await this.deps.ledger.apply(dirty.map((item) => ({ current: item.written, entry: item.entry, steps: item.steps })));
    for (const [index, item] of dirty.entries()) {
      const written = results[index];
      if (!written) {
        this.deps.logger.warn({ id: item.id, events: item.steps.map((step) => step.event) }, 'ledger entry changed by another writer; its current owner resolves it by query');
      } else {
        item.written = written;
        item.entry = written;
        for (const after of item.afterWrite) after();
      }
      item.steps = [];
      item.afterWrite = [];
    }
  }

  /**
   * Converts, decides what each bill needs and claims it (PENDING) — all claims of the chunk in one write. Entries
   * this process knows are decided from its cache; unknown ones are claimed by inserting revision 1; a lost
   * compare-and-set (duplicate key) reloads those entries and decides again.
   */
  private async prepare(requests: PostRequest[], calls: TargetCallRecord[][]): Promise<Item<F>[]> {
    const byId = new Map<string, ItemBase<F>>();
    for (const request of requests) {
      const flow = this.deps.flows.get(request.documentType);
      if (!flow) throw new Error(`no flow configured for ${request.documentType}`);
      let source;
      let drafts: TargetDraft[];
      try {
        source = sourceIdentity(request.canonical);
      } catch (error) {
        this.deps.logger.error({ err: errorMessage(error), documentType: request.documentType }, 'canonical event without source identity; cannot be keyed');
        throw error;
      }
      const documentKey = documentKeyOf(request.canonical);
      try {
        drafts = this.deps.adapter.draftsOf(request.documentType, request.canonical, flow);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // Unusable canonical data is a level-1 problem: park it under a key derived from the source identity.
        const formId = this.deps.adapter.formsOf(request.documentType)[0]!;
        const billNo = `INVALID:${documentKey}`;
        const draft: TargetDraft = { formId, billNo, model: {} };
        const id = ledgerId(this.deps.adapter.account, formId, billNo);
        await this.parkInvalid({ request, flow, draft, id, version: source.contentHash, modifiedAt: source.sourceModifiedAt, documentKey }, error);
        continue;
      }
      for (const draft of drafts) {
        const id = ledgerId(this.deps.adapter.account, draft.formId, draft.billNo);
        // Two versions of one document in a chunk: the later one wins (both are acknowledged together).
        byId.delete(id);
        byId.set(id, { request, flow, draft, id, version: source.contentHash, modifiedAt: source.sourceModifiedAt, documentKey });
      }
    }
    const items: Item<F>[] = [];
    let open = [...byId.values()];
    let loaded = new Map<string, LedgerEntry>();
    for (let round = 0; round < 3 && open.length > 0; round++) {
      const changes: LedgerChange[] = [];
      const planned: { base: ItemBase<F>; plan: Plan; targetVersion: string | null; note?: string | undefined }[] = [];
      for (const base of open) {
        const entry = round === 0 ? (this.deps.ledger.peek(base.id) ?? null) : (loaded.get(base.id) ?? null);
        const claim = this.claimOf(base, entry);
        if (!claim) continue;
        changes.push(claim.change);
        planned.push({ base, plan: claim.plan, targetVersion: claim.targetVersion, note: claim.note });
      }
      const results = await this.deps.ledger.apply(changes);
      const lost: ItemBase<F>[] = [];
      for (const [index, { base, plan, targetVersion, note }] of planned.entries()) {
        const written = results[index];
        if (!written) {
          lost.push(base);
          continue;
        }
        if (note === 'modified_ignored') this.deps.metrics.outcome(written.formId, 'modified_ignored', 0);
        if (plan !== 'none') items.push({ ...base, calls, entry: written, written, steps: [], afterWrite: [], plan: plan === 'reconcile' ? 'none' : plan, needsLookup: plan === 'reconcile', targetVersion, done: false });
      }
      open = lost;
      if (open.length > 0) loaded = await this.deps.ledger.getMany(open.map((base) => base.id));
    }
    for (const base of open) this.deps.logger.warn({ id: base.id }, 'ledger entry kept changing under us; leaving it to its current owner');
    return items;
  }

  /** The claim (or the note) for one bill given its current entry; null = nothing to write. */
  private claimOf(base: ItemBase<F>, entry: LedgerEntry | null): { change: LedgerChange; plan: Plan; targetVersion: string | null; note?: string | undefined } | null {
    const at = this.now();
    const origin = base.request.origin;
    if (!entry) {
      const fresh = this.newEntryFields(base, 'PENDING', null);
      return { change: { current: null, entry: fresh, steps: [{ at, from: null, to: 'PENDING', event: `claimed:${origin}`, version: base.version, ...(base.request.actor ? { actor: base.request.actor } : {}) }] }, plan: 'save', targetVersion: null };
    }
    const decision = this.decide(base, entry);
    if (decision.plan === 'none') {
      if (!decision.note) return null;
      return { change: { current: entry, entry, steps: [{ at, from: entry.state, to: entry.state, event: decision.note, version: entry.version, detail: `version ${base.version}` }] }, plan: 'none', targetVersion: null, note: decision.note };
    }
    const isNewVersion = entry.version !== base.version;
    const update: LedgerUpdate = {
      state: 'PENDING',
      attempts: entry.attempts + 1,
      nextRetryAt: null,
      ...(isNewVersion ? { version: base.version, sourceModifiedAt: base.modifiedAt, canonical: base.request.canonical } : {}),
      ...(origin === 'repush' ? { level2Retries: 0 } : {}),
      ...(entry.state === 'SKIPPED' ? { skipped: null } : {}),
    };
    // The version on the target: what was posted, or — for a write that may have landed — what was being written.
    const targetVersion = entry.postedVersion ?? (entry.state === 'PENDING' || entry.state === 'IN_DOUBT' ? entry.version : null);
    const next = { ...entry, ...update };
    const step: LedgerStep = { at, from: entry.state, to: 'PENDING', event: isNewVersion ? `new_version:${origin}` : `claimed:${origin}`, version: next.version, ...(base.request.actor ? { actor: base.request.actor } : {}) };
    return { change: { current: entry, entry: next, steps: [step] }, plan: decision.plan, targetVersion };
  }

  private async parkInvalid(base: ItemBase<F>, error: ValidationError): Promise<void> {
    const problem: LedgerProblem = { level: 1, code: 'CANONICAL_INVALID', message: `规范事件数据不完整 canonical event unusable: ${error.message}`, field: error.field };
    const current = await this.deps.ledger.get(base.id);
    if (current && current.version === base.version) return;
    const fields = this.newEntryFields(base, 'PARKED', problem);
    if (!current) await this.deps.ledger.insert(fields, 'converted_invalid');
    else await this.deps.ledger.transition(current, { ...fields, state: 'PARKED' }, 'converted_invalid', { detail: error.message });
    this.deps.metrics.outcome(base.draft.formId, 'parked', 1);
  }

  private newEntryFields(base: ItemBase<F>, state: LedgerEntry['state'], problem: LedgerProblem | null) {
    return {
      _id: base.id,
      acctId: this.deps.adapter.account,
      formId: base.draft.formId,
      billNo: base.draft.billNo,
      documentType: base.request.documentType,
      documentKey: base.documentKey,
      state,
      stage: 'NONE' as BillStage,
      fid: null,
      version: base.version,
      sourceModifiedAt: base.modifiedAt,
      postedVersion: null,
      canonical: base.request.canonical,
      problem,
      attempts: state === 'PENDING' ? 1 : 0,
      level2Retries: 0,
      nextRetryAt: null,
      skipped: null,
    };
  }

  private decide(base: { version: string; modifiedAt: number; request: PostRequest; flow: F }, entry: LedgerEntry): { plan: Plan; note?: string } {
    const origin = base.request.origin;
    const inFlight = entry.state === 'PENDING' || entry.state === 'IN_DOUBT';
    if (entry.version === base.version) {
      if (inFlight) return { plan: 'reconcile' };
      if (origin === 'kafka') return { plan: 'none' };
      if (entry.state === 'POSTED' || entry.state === 'SKIPPED') return { plan: 'none' };
      return { plan: entry.stage === 'NONE' ? 'save' : 'reconcile' };
    }
    if (isStaleVersion(base.modifiedAt, entry.sourceModifiedAt)) return { plan: 'none', note: 'stale_version_ignored' };
    if (inFlight) return { plan: 'reconcile' };
    if (entry.stage === 'NONE') return { plan: 'save' };
    if (base.flow.onModified === 'ignore') return { plan: 'none', note: 'modified_ignored' };
    return { plan: 'reconcile' };
  }

  // ---------------------------------------------------------------- reconcile

  /** Asks the target what exists for each document (by its key) and turns 'reconcile' into a concrete plan. */
  private async reconcile(items: Item<F>[]): Promise<void> {
    if (items.length === 0) return;
    const states = await this.deps.adapter.lookup(items);
    for (const item of items) {
      const onTarget = states.get(item.id);
      if (!onTarget) {
        if (item.entry.stage !== 'NONE') {
          this.fail(item, { level: 1, code: DELETED_ON_TARGET, message: `${this.deps.adapter.label}中已找不到单据 ${item.draft.billNo}（可能被人工删除），重推将重新生成 document no longer exists on the target; re-push creates it again` });
          continue;
        }
        item.plan = 'save';
        continue;
      }
      this.setEntry(
        item,
        {
          fid: onTarget.fid,
          stage: onTarget.stage,
          postedVersion: item.targetVersion ?? item.version,
          ...(onTarget.allocatedOrgs ? { allocatedOrgs: onTarget.allocatedOrgs } : {}),
          ...(onTarget.downstream ? { downstream: onTarget.downstream } : {}),
        },
        'reconciled',
        `FID ${onTarget.fid} stage ${onTarget.stage}${onTarget.allocatedOrgs?.length ? ` allocated to ${onTarget.allocatedOrgs.join(',')}` : ''}${onTarget.downstream ? ` downstream ${onTarget.downstream.formId} ${onTarget.downstream.billNo} ${onTarget.downstream.stage}` : ''}`,
      );
      const targetVersion = item.targetVersion ?? item.version;
      if (targetVersion === item.version) {
        item.plan = 'none';
        continue;
      }
      // The bill holds an older version: the flow's policy decides.
      const policy = item.flow.onModified;
      if (policy === 'ignore') {
        this.setEntry(item, { version: targetVersion }, 'modified_ignored', `version ${item.version} not posted (policy ignore)`);
        item.plan = 'none';
        continue;
      }
      if (onTarget.stage === 'SAVED') item.plan = 'update';
      else if (onTarget.stage === 'AUDITED' && policy === 'reverse_and_repost') item.plan = 'reverse-update';
      else {
        this.fail(item, {
          level: 2,
          code: 'MODIFIED_AFTER_AUDIT',
          message: `源单据在${this.deps.adapter.label}单据${onTarget.stage === 'AUDITED' ? '已审核' : '审核中'}后被修改，未自动更新；请在${this.deps.adapter.label}反审核后重推，或跳过 source document changed after the bill was ${onTarget.stage.toLowerCase()}; un-audit it on the target and re-push, or skip`,
        }, false);
      }
    }
  }

  // ---------------------------------------------------------------- outcomes

  private finish(item: Item<F>): void {
    const wanted = this.deps.adapter.wantedStage(item.flow);
    if (!stageReached(item.entry.stage, wanted)) return; // stopped earlier with a recorded problem
    if (this.deps.adapter.isComplete && !this.deps.adapter.isComplete(item)) return; // e.g. an allocation failed with a recorded problem
    this.setEntry(item, { state: 'POSTED', problem: null, nextRetryAt: null }, 'posted', `FID ${item.entry.fid}`);
    item.afterWrite.push(() => this.deps.metrics.outcome(item.draft.formId, 'posted', 0));
    item.done = true;
  }

  // ---------------------------------------------------------------- ledger helpers

  private fail(item: Item<F>, problem: LedgerProblem, ladder = true): void {
    item.done = true;
    if (problem.level === 1 || !ladder) {
      this.setEntry(item, { state: 'PARKED', problem, nextRetryAt: null }, 'parked', problem.message);
      item.afterWrite.push(() => this.deps.metrics.outcome(item.draft.formId, 'parked', problem.level));
      return;
    }
    const delays = this.deps.level2RetryDelaysMs;
    const used = item.entry.level2Retries;
    const delay = delays[used];
    const nextRetryAt = delay === undefined ? null : new Date(this.now().getTime() + delay);
    this.setEntry(
      item,
      { state: 'REJECTED', problem, nextRetryAt, level2Retries: delay === undefined ? used : used + 1 },
      'rejected',
      `${problem.message}${nextRetryAt ? ` — retry at ${nextRetryAt.toISOString()}` : ' — retries used up, waiting for a person'}`,
    );
    item.afterWrite.push(() => this.deps.metrics.outcome(item.draft.formId, 'rejected', 2));
  }

  /**
   * Applies a change to the chunk's view of the entry and notes the step; the chunk writes it with its outcome
   * (flush). Only the claim must be in the ledger before the target is called: after a crash a PENDING entry is
   * resolved by query, so intermediate steps (reconciled, saved, submitted) need no write of their own.
   */
  private setEntry(item: Item<F>, update: LedgerUpdate, event: string, detail?: string): void {
    const from = item.entry.state;
    item.entry = { ...item.entry, ...update };
    item.steps.push({ at: this.now(), from, to: item.entry.state, event, version: item.entry.version, ...(detail !== undefined ? { detail } : {}) });
  }
}

/** The lock key of a request: its source document (all target documents of one source document share it). */
function keyOf(canonical: CanonicalJson): string {
  try {
    return documentKeyOf(canonical);
  } catch {
    return `unkeyed:${JSON.stringify(canonical).slice(0, 200)}`;
  }
}
