/**
 * Writes canonical documents to Kingdee with exactly-once effect (kingdee-webapi.md §9):
 * claim in the ledger (PENDING) → resolve anything in flight by ExecuteBillQuery on FBillNo → BatchSave →
 * Submit → Audit, recording every outcome in the ledger before the caller may commit the Kafka offset.
 * Level 1 parks, level 2 goes to the retry ladder, level 3 stops the chunk with `SinkPausedError`.
 */
import { ValidationError, errorMessage, type Logger } from '@yecai/common';
import {
  KingdeeError,
  KingdeeIndeterminateError,
  KingdeeProtocolError,
  type BatchSaveOutcome,
  type KingdeeClient,
  type KingdeeErrorDetail,
} from '@yecai/kingdee';
import type { FlowConfig } from './config';
import { isStaleVersion, sourceIdentity, type BillDraft, type CanonicalJson } from './convert';
import { allocationTargets, createOrgOf, draftsOf, formsOf, isMasterDataType, masterPkField, type SinkDocumentType } from './master-data';
import { ledgerId, type BillStage, type KingdeeCallRecord, type Ledger, type LedgerChange, type LedgerEntry, type LedgerProblem, type LedgerStep, type LedgerUpdate } from './ledger';
import type { SinkMetrics } from './metrics';

export type PostOrigin = 'kafka' | 'scheduler' | 'repush';

export interface PostRequest {
  documentType: SinkDocumentType;
  /** The canonical event as plain JSON (decimals as strings). */
  canonical: CanonicalJson;
  origin: PostOrigin;
  actor?: string | undefined;
}

/** Level 3: Kingdee is unreachable, overloaded or answering nonsense. The caller pauses and probes. */
export class SinkPausedError extends Error {
  constructor(
    override readonly cause: unknown,
    /** Requests (in input order) whose outcome is in the ledger; the rest must be redelivered. */
    readonly completed: number,
  ) {
    super(`Kingdee unavailable, sink pauses: ${errorMessage(cause)}`);
    this.name = 'SinkPausedError';
  }
}

export interface PosterDeps {
  client: KingdeeClient;
  ledger: Ledger;
  acctId: string;
  flows: Map<string, FlowConfig>;
  batchSize: number;
  /** Chunks (BatchSave groups) in flight at once across all callers; keeps Kingdee calls overlapping ledger writes. */
  chunksInFlight?: number;
  level2RetryDelaysMs: number[];
  metrics: SinkMetrics;
  logger: Logger;
  now?: () => Date;
}

type Plan = 'none' | 'save' | 'reconcile' | 'update' | 'unaudit-update';

interface WorkItem {
  request: PostRequest;
  /** Kingdee calls of this item's chunk, written with the chunk's outcomes. */
  calls: KingdeeCallRecord[][];
  flow: FlowConfig;
  draft: BillDraft;
  id: string;
  version: string;
  modifiedAt: number;
  documentKey: string;
  /** The entry as this chunk sees it: the last written revision plus the changes in `steps`, not yet written. */
  entry: LedgerEntry;
  /** The last written revision (the compare-and-set base of the next write). */
  written: LedgerEntry;
  steps: LedgerStep[];
  /** Run once the steps are written (metrics count what the ledger holds). */
  afterWrite: (() => void)[];
  plan: Plan;
  /** Version the bill in Kingdee holds, when it exists. */
  kingdeeVersion: string | null;
  done: boolean;
}

type ItemBase = Omit<WorkItem, 'entry' | 'written' | 'steps' | 'afterWrite' | 'plan' | 'kingdeeVersion' | 'done' | 'calls'>;

export interface PostOptions {
  /** Called (in order, awaited before the next call) when more requests at the front have their outcome. */
  onProgress?: (completed: number) => Promise<void> | void;
}

interface KingdeeBillState {
  fid: number;
  stage: BillStage;
  /** Master data: use orgs holding an allocated copy (besides the create org). */
  allocatedOrgs?: string[];
}

const STAGE_OF_STATUS: Record<string, BillStage> = { Z: 'SAVED', A: 'SAVED', D: 'SAVED', B: 'SUBMITTED', C: 'AUDITED' };
const DUPLICATE_NUMBER = /唯一性|已经被使用/;

export class Poster {
  private readonly now: () => Date;
  private readonly slots: Slots;
  private readonly locks = new KeyLocks();
  private readonly orgIdCache = new Map<string, number>();

  constructor(private readonly deps: PosterDeps) {
    this.now = deps.now ?? (() => new Date());
    this.slots = new Slots(deps.chunksInFlight ?? 1);
  }

  /**
   * Posts `requests`, `batchSize` documents per BatchSave. Chunks run concurrently (up to `chunksInFlight` across
   * every caller), so one chunk's Kingdee calls overlap another's ledger writes; two chunks never work on the same
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
    const calls: KingdeeCallRecord[][] = [];
    const items = await this.prepare(requests, calls);
    const active = () => items.filter((item) => !item.done);
    try {
      await this.reconcile(active().filter((item) => item.plan === 'reconcile'));
      await this.unAudit(active().filter((item) => item.plan === 'unaudit-update'));
      await this.save(active().filter((item) => item.plan === 'save' || item.plan === 'update'));
      await this.statusStep('Submit', active().filter((item) => item.flow.submit && item.entry.stage === 'SAVED'));
      await this.statusStep('Audit', active().filter((item) => item.flow.audit && item.entry.stage === 'SUBMITTED'));
      await this.allocate(active().filter((item) => item.entry.stage === 'AUDITED' && this.missingAllocations(item).length > 0));
      for (const item of active()) this.finish(item);
    } catch (error) {
      if (error instanceof KingdeeError && error.level === 3) throw new SinkPausedError(error, 0);
      throw error;
    } finally {
      // Outcomes (and whatever happened before a level-3 stop, e.g. IN_DOUBT) in one write, calls beside them.
      await Promise.all([this.flush(items), this.deps.ledger.recordCallBatches(calls)]);
    }
  }

  /** Writes every item's unwritten steps as one revision per item, in one round trip. */
  private async flush(items: WorkItem[]): Promise<void> {
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
  private async prepare(requests: PostRequest[], calls: KingdeeCallRecord[][]): Promise<WorkItem[]> {
    const byId = new Map<string, ItemBase>();
    for (const request of requests) {
      const flow = this.deps.flows.get(request.documentType);
      if (!flow) throw new Error(`no flow configured for ${request.documentType}`);
      let source;
      let drafts: BillDraft[];
      try {
        source = sourceIdentity(request.canonical);
      } catch (error) {
        this.deps.logger.error({ err: errorMessage(error), documentType: request.documentType }, 'canonical event without source identity; cannot be keyed');
        throw error;
      }
      const documentKey = `${source.sourceSystem}/${source.account}/${source.documentType}/${source.sourceId}`;
      try {
        drafts = draftsOf(request.documentType, request.canonical, flow);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // Unusable canonical data is a level-1 problem: park it under a key derived from the source identity.
        const formId = formsOf(request.documentType)[0]!;
        const billNo = `INVALID:${documentKey}`;
        const draft: BillDraft = { formId, billNo, model: {} };
        const id = ledgerId(this.deps.acctId, formId, billNo);
        await this.parkInvalid({ request, flow, draft, id, version: source.contentHash, modifiedAt: source.sourceModifiedAt, documentKey }, error);
        continue;
      }
      for (const draft of drafts) {
        const id = ledgerId(this.deps.acctId, draft.formId, draft.billNo);
        // Two versions of one document in a chunk: the later one wins (both are acknowledged together).
        byId.delete(id);
        byId.set(id, { request, flow, draft, id, version: source.contentHash, modifiedAt: source.sourceModifiedAt, documentKey });
      }
    }
    const items: WorkItem[] = [];
    let open = [...byId.values()];
    let loaded = new Map<string, LedgerEntry>();
    for (let round = 0; round < 3 && open.length > 0; round++) {
      const changes: LedgerChange[] = [];
      const planned: { base: ItemBase; plan: Plan; kingdeeVersion: string | null; note?: string | undefined }[] = [];
      for (const base of open) {
        const entry = round === 0 ? (this.deps.ledger.peek(base.id) ?? null) : (loaded.get(base.id) ?? null);
        const claim = this.claimOf(base, entry);
        if (!claim) continue;
        changes.push(claim.change);
        planned.push({ base, plan: claim.plan, kingdeeVersion: claim.kingdeeVersion, note: claim.note });
      }
      const results = await this.deps.ledger.apply(changes);
      const lost: ItemBase[] = [];
      for (const [index, { base, plan, kingdeeVersion, note }] of planned.entries()) {
        const written = results[index];
        if (!written) {
          lost.push(base);
          continue;
        }
        if (note === 'modified_ignored') this.deps.metrics.outcome(written.formId, 'modified_ignored', 0);
        if (plan !== 'none') items.push({ ...base, calls, entry: written, written, steps: [], afterWrite: [], plan, kingdeeVersion, done: false });
      }
      open = lost;
      if (open.length > 0) loaded = await this.deps.ledger.getMany(open.map((base) => base.id));
    }
    for (const base of open) this.deps.logger.warn({ id: base.id }, 'ledger entry kept changing under us; leaving it to its current owner');
    return items;
  }

  /** The claim (or the note) for one bill given its current entry; null = nothing to write. */
  private claimOf(base: ItemBase, entry: LedgerEntry | null): { change: LedgerChange; plan: Plan; kingdeeVersion: string | null; note?: string | undefined } | null {
    const at = this.now();
    const origin = base.request.origin;
    if (!entry) {
      const fresh = this.newEntryFields(base, 'PENDING', null);
      return { change: { current: null, entry: fresh, steps: [{ at, from: null, to: 'PENDING', event: `claimed:${origin}`, version: base.version, ...(base.request.actor ? { actor: base.request.actor } : {}) }] }, plan: 'save', kingdeeVersion: null };
    }
    const decision = this.decide(base, entry);
    if (decision.plan === 'none') {
      if (!decision.note) return null;
      return { change: { current: entry, entry, steps: [{ at, from: entry.state, to: entry.state, event: decision.note, version: entry.version, detail: `version ${base.version}` }] }, plan: 'none', kingdeeVersion: null, note: decision.note };
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
    // The version in Kingdee: what was posted, or — for a write that may have landed — what was being written.
    const kingdeeVersion = entry.postedVersion ?? (entry.state === 'PENDING' || entry.state === 'IN_DOUBT' ? entry.version : null);
    const next = { ...entry, ...update };
    const step: LedgerStep = { at, from: entry.state, to: 'PENDING', event: isNewVersion ? `new_version:${origin}` : `claimed:${origin}`, version: next.version, ...(base.request.actor ? { actor: base.request.actor } : {}) };
    return { change: { current: entry, entry: next, steps: [step] }, plan: decision.plan, kingdeeVersion };
  }

  private async parkInvalid(base: ItemBase, error: ValidationError): Promise<void> {
    const problem: LedgerProblem = { level: 1, code: 'CANONICAL_INVALID', message: `规范事件数据不完整 canonical event unusable: ${error.message}`, field: error.field };
    const current = await this.deps.ledger.get(base.id);
    if (current && current.version === base.version) return;
    const fields = this.newEntryFields(base, 'PARKED', problem);
    if (!current) await this.deps.ledger.insert(fields, 'converted_invalid');
    else await this.deps.ledger.transition(current, { ...fields, state: 'PARKED' }, 'converted_invalid', { detail: error.message });
    this.deps.metrics.outcome(base.draft.formId, 'parked', 1);
  }

  private newEntryFields(base: ItemBase, state: LedgerEntry['state'], problem: LedgerProblem | null) {
    return {
      _id: base.id,
      acctId: this.deps.acctId,
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

  private decide(base: { version: string; modifiedAt: number; request: PostRequest; flow: FlowConfig }, entry: LedgerEntry): { plan: Plan; note?: string } {
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

  // ---------------------------------------------------------------- steps

  /** Asks Kingdee what exists for each bill (by FBillNo) and turns 'reconcile' into a concrete plan. */
  private async reconcile(items: WorkItem[]): Promise<void> {
    if (items.length === 0) return;
    const states = await this.queryBills(items);
    for (const item of items) {
      const inKingdee = states.get(item.id);
      if (!inKingdee) {
        if (item.entry.stage !== 'NONE') {
          this.fail(item, { level: 1, code: 'DELETED_IN_KINGDEE', message: `金蝶中已找不到单据 ${item.draft.billNo}（可能被人工删除），重推将重新生成 bill no longer exists in Kingdee; re-push creates it again` });
          continue;
        }
        item.plan = 'save';
        continue;
      }
      this.setEntry(
        item,
        { fid: inKingdee.fid, stage: inKingdee.stage, postedVersion: item.kingdeeVersion ?? item.version, ...(inKingdee.allocatedOrgs ? { allocatedOrgs: inKingdee.allocatedOrgs } : {}) },
        'reconciled',
        `FID ${inKingdee.fid} stage ${inKingdee.stage}${inKingdee.allocatedOrgs?.length ? ` allocated to ${inKingdee.allocatedOrgs.join(',')}` : ''}`,
      );
      const kingdeeVersion = item.kingdeeVersion ?? item.version;
      if (kingdeeVersion === item.version) {
        item.plan = 'none';
        continue;
      }
      // The bill holds an older version: the flow's policy decides.
      const policy = item.flow.onModified;
      if (policy === 'ignore') {
        this.setEntry(item, { version: kingdeeVersion }, 'modified_ignored', `version ${item.version} not posted (policy ignore)`);
        item.plan = 'none';
        continue;
      }
      if (inKingdee.stage === 'SAVED') item.plan = 'update';
      else if (inKingdee.stage === 'AUDITED' && policy === 'reverse_and_repost') item.plan = 'unaudit-update';
      else {
        this.fail(item, {
          level: 2,
          code: 'MODIFIED_AFTER_AUDIT',
          message: `源单据在金蝶单据${inKingdee.stage === 'AUDITED' ? '已审核' : '审核中'}后被修改，未自动更新；请在金蝶反审核后重推，或跳过 source document changed after the bill was ${inKingdee.stage.toLowerCase()}; un-audit it in Kingdee and re-push, or skip`,
        }, false);
      }
    }
  }

  private async queryBills(items: WorkItem[]): Promise<Map<string, KingdeeBillState>> {
    const result = new Map<string, KingdeeBillState>();
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const numbers = group.map((item) => item.draft.billNo);
      const pkField = masterPkField(formId);
      const quoted = numbers.map((number) => `'${number.replace(/'/g, "''")}'`).join(',');
      if (pkField) {
        // Master data: one row per use org holding the number; the create org's row is the record itself.
        const rows = await this.deps.client.executeBillQuery({ formId, fieldKeys: [pkField, 'FNumber', 'FDocumentStatus', 'FCreateOrgId.FNumber', 'FUseOrgId.FNumber'], filter: `FNumber in (${quoted})`, topRowCount: 0, limit: 2000 });
        for (const item of group) {
          const createOrg = createOrgOf(item.request.canonical);
          const mine = rows.filter((row) => String(row.FNumber) === item.draft.billNo && String(row['FCreateOrgId.FNumber']) === createOrg);
          const master = mine.find((row) => String(row['FUseOrgId.FNumber']) === createOrg);
          if (!master) continue;
          const allocatedOrgs = mine.map((row) => String(row['FUseOrgId.FNumber'])).filter((org) => org !== createOrg).sort();
          result.set(item.id, { fid: Number(String(master[pkField])), stage: STAGE_OF_STATUS[String(master.FDocumentStatus)] ?? 'SAVED', allocatedOrgs });
        }
        continue;
      }
      const rows = await this.deps.client.executeBillQuery({ formId, fieldKeys: ['FID', 'FBillNo', 'FDocumentStatus'], filter: `FBillNo in (${quoted})`, topRowCount: 0, limit: 2000 });
      for (const row of rows) {
        const number = String(row.FBillNo);
        const stage = STAGE_OF_STATUS[String(row.FDocumentStatus)] ?? 'SAVED';
        result.set(ledgerId(this.deps.acctId, formId, number), { fid: Number(String(row.FID)), stage });
      }
    }
    return result;
  }

  /** Submit/Audit/UnAudit target: bills by number; master data by internal id (a number may exist in several orgs). */
  private targetOf(formId: string, group: WorkItem[]): { target: { numbers: string[] } | { ids: number[] }; request: Record<string, unknown> } {
    if (masterPkField(formId)) {
      const ids = group.map((item) => item.entry.fid ?? 0);
      return { target: { ids }, request: { Ids: ids.join(',') } };
    }
    const numbers = group.map((item) => item.draft.billNo);
    return { target: { numbers }, request: { Numbers: numbers } };
  }

  /** Master data: use orgs still to allocate the record to. */
  private missingAllocations(item: WorkItem): string[] {
    if (!isMasterDataType(item.request.documentType)) return [];
    const done = new Set(item.entry.allocatedOrgs ?? []);
    return allocationTargets(item.request.canonical, item.flow.allocateToOrgs).filter((org) => !done.has(org));
  }

  /**
   * 分配: copies each audited master record into the use orgs it still lacks (audited copies). An org that already
   * holds it is fine; after a refusal Kingdee is asked which orgs hold the record, and only what is missing fails.
   */
  private async allocate(items: WorkItem[]): Promise<void> {
    for (const group of groupBy(items, (item) => `${item.draft.formId}|${this.missingAllocations(item).join(',')}`).values()) {
      const formId = group[0]!.draft.formId;
      const orgs = this.missingAllocations(group[0]!);
      const orgIds = await this.orgIds(orgs);
      const unknown = orgs.filter((org) => !orgIds.has(org));
      if (unknown.length > 0) {
        for (const item of group) {
          this.fail(item, { level: 1, code: 'ORG_NOT_FOUND', field: 'allocateToOrgs', message: `使用组织 ${unknown.join(',')} 在金蝶中不存在，无法分配 use org(s) ${unknown.join(',')} not found in Kingdee; fix the flow's allocateToOrgs or the event's useOrgs and re-push` });
        }
        continue;
      }
      const request = { PkIds: group.map((item) => item.entry.fid).join(','), TOrgIds: orgs.map((org) => orgIds.get(org)).join(','), IsAutoSubmitAndAudit: true };
      try {
        await this.deps.client.allocate(formId, { pkIds: group.map((item) => item.entry.fid ?? 0), targetOrgIds: orgs.map((org) => orgIds.get(org)!), autoSubmitAndAudit: true });
        this.deps.metrics.msgCode('Allocate', 0);
        this.recordCalls(group, 'Allocate', request, 'ok');
        for (const item of group) this.setEntry(item, { allocatedOrgs: [...new Set([...(item.entry.allocatedOrgs ?? []), ...orgs])].sort() }, 'allocated', `use orgs ${orgs.join(',')}`);
      } catch (error) {
        if (!(error instanceof KingdeeError) || error.level === 3) throw error;
        this.deps.metrics.msgCode('Allocate', error.msgCode);
        this.recordCalls(group, 'Allocate', request, error.code, error);
        const states = await this.queryBills(group);
        for (const [index, item] of group.entries()) {
          const held = states.get(item.id)?.allocatedOrgs ?? item.entry.allocatedOrgs ?? [];
          const allocated = orgs.filter((org) => held.includes(org));
          if (allocated.length > 0 || held.length > 0) this.setEntry(item, { allocatedOrgs: [...new Set([...(item.entry.allocatedOrgs ?? []), ...held])].sort() }, 'allocated', `use orgs ${held.join(',')} (confirmed by query)`);
          if (this.missingAllocations(item).length === 0) continue;
          const own = error.details.filter((detail) => detail.index === index);
          this.fail(item, problemOf(error, own.length > 0 ? own : error.details));
        }
      }
    }
  }

  /** Internal ids of orgs by number (TOrgIds of Allocate take ids), cached for the process's life. */
  private async orgIds(numbers: string[]): Promise<Map<string, number>> {
    const missing = numbers.filter((number) => !this.orgIdCache.has(number));
    if (missing.length > 0) {
      const rows = await this.deps.client.executeBillQuery({ formId: 'ORG_Organizations', fieldKeys: ['FOrgID', 'FNumber'], filter: `FNumber in (${missing.map((number) => `'${number.replace(/'/g, "''")}'`).join(',')})`, topRowCount: 0, limit: 2000 });
      for (const row of rows) this.orgIdCache.set(String(row.FNumber), Number(String(row.FOrgID)));
    }
    return new Map(numbers.flatMap((number) => (this.orgIdCache.has(number) ? [[number, this.orgIdCache.get(number)!] as const] : [])));
  }

  private async unAudit(items: WorkItem[]): Promise<void> {
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const { target, request } = this.targetOf(formId, group);
      try {
        await this.deps.client.unAudit(formId, target, { interactionFlags: group[0]!.flow.interactionFlags });
        this.recordCalls(group, 'UnAudit', request, 'ok');
        for (const item of group) {
          this.setEntry(item, { stage: 'SAVED' }, 'unaudited', 'reverse_and_repost: Kingdee reversed the audited bill');
          item.plan = 'update';
        }
      } catch (error) {
        if (!(error instanceof KingdeeError) || error.level === 3) throw error;
        this.recordCalls(group, 'UnAudit', request, error.code, error);
        await this.afterStatusFailure(group, error, 'SAVED');
      }
    }
  }

  private async save(items: WorkItem[]): Promise<void> {
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const pkField = masterPkField(formId) ?? 'FID';
      const models = group.map((item) => (item.plan === 'update' ? { ...item.draft.model, [pkField]: item.entry.fid } : item.draft.model));
      let outcomes: BatchSaveOutcome[];
      const started = Date.now();
      try {
        outcomes = await this.deps.client.batchSave(formId, models, {
          needReturnFields: masterPkField(formId) ? [] : ['FID', 'FBillNo'],
          ...(group[0]!.flow.interactionFlags.length > 0 ? { interactionFlags: group[0]!.flow.interactionFlags } : {}),
        });
      } catch (error) {
        if (error instanceof KingdeeIndeterminateError || error instanceof KingdeeProtocolError) {
          // Sent, no usable answer: the bills may exist. IN_DOUBT until a query says otherwise.
          this.recordCalls(group, 'BatchSave', (item: WorkItem, i: number) => models[i] ?? item.draft.model, 'indeterminate', error as KingdeeError);
          for (const item of group) this.setEntry(item, { state: 'IN_DOUBT' }, 'write_in_doubt', (error as Error).message);
        } else if (error instanceof KingdeeError) {
          this.recordCalls(group, 'BatchSave', (item: WorkItem, i: number) => models[i] ?? item.draft.model, error.code, error);
        }
        throw error;
      } finally {
        this.deps.metrics.batchSize.observe(group.length);
        this.deps.metrics.batchSeconds.observe((Date.now() - started) / 1000);
      }
      group[0]!.calls.push(
        outcomes.map((outcome) =>
          outcome.status === 'saved'
            ? callRecord(group[outcome.index]!.id, 'BatchSave', models[outcome.index], 'saved', { fid: outcome.id, msgCode: 0 })
            : callRecord(group[outcome.index]!.id, 'BatchSave', models[outcome.index], 'failed', { msgCode: outcome.error.msgCode, messages: outcome.details.map((d) => d.message) }),
        ),
      );
      await Promise.all(outcomes.map((outcome) => this.afterSave(group[outcome.index]!, outcome)));
    }
  }

  private async afterSave(item: WorkItem, outcome: BatchSaveOutcome): Promise<void> {
    if (outcome.status === 'saved') {
      this.setEntry(item, { fid: outcome.id, stage: 'SAVED', postedVersion: item.version, problem: null }, item.plan === 'update' ? 'updated' : 'saved', `FID ${outcome.id}`);
      this.deps.metrics.msgCode('BatchSave', 0);
      return;
    }
    this.deps.metrics.msgCode('BatchSave', outcome.error.msgCode);
    if (item.plan === 'save' && outcome.details.some((detail) => DUPLICATE_NUMBER.test(detail.message))) {
      // FBillNo taken: our own earlier write landed (e.g. an answer lost before the ledger knew). Adopt it.
      const found = (await this.queryBills([item])).get(item.id);
      if (found) {
        this.setEntry(item, { fid: found.fid, stage: found.stage, postedVersion: item.version, ...(found.allocatedOrgs ? { allocatedOrgs: found.allocatedOrgs } : {}) }, 'adopted_existing', `FBillNo already in Kingdee as FID ${found.fid}`);
        return;
      }
    }
    this.fail(item, problemOf(outcome.error, outcome.details));
  }

  /** Submit or Audit for bills at the previous stage; per-bill outcomes are confirmed by query on failure. */
  private async statusStep(op: 'Submit' | 'Audit', items: WorkItem[]): Promise<void> {
    const target: BillStage = op === 'Submit' ? 'SUBMITTED' : 'AUDITED';
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const { target: targets, request } = this.targetOf(formId, group);
      const options = op === 'Audit' && group[0]!.flow.interactionFlags.length > 0 ? { interactionFlags: group[0]!.flow.interactionFlags } : {};
      try {
        if (op === 'Submit') await this.deps.client.submit(formId, targets, options);
        else await this.deps.client.audit(formId, targets, options);
        this.deps.metrics.msgCode(op, 0);
        this.recordCalls(group, op, request, 'ok');
        // Kept in memory and written with the next transition (POSTED or a problem): after a crash the stage is
        // re-read from Kingdee anyway, so a ledger write per step would only cost time.
        for (const item of group) item.entry = { ...item.entry, stage: target };
      } catch (error) {
        if (!(error instanceof KingdeeError) || error.level === 3) throw error;
        this.deps.metrics.msgCode(op, error.msgCode);
        this.recordCalls(group, op, request, error.code, error);
        await this.afterStatusFailure(group, error, target);
      }
    }
  }

  /** A Submit/Audit/UnAudit call failed for some bills: ask Kingdee where each bill is, fail only the ones behind. */
  private async afterStatusFailure(group: WorkItem[], error: KingdeeError, target: BillStage): Promise<void> {
    const states = await this.queryBills(group);
    const order: BillStage[] = ['NONE', 'SAVED', 'SUBMITTED', 'AUDITED'];
    for (const [index, item] of group.entries()) {
      const now = states.get(item.id);
      if (now && (target === 'SAVED' ? now.stage === 'SAVED' : order.indexOf(now.stage) >= order.indexOf(target))) {
        item.entry = { ...item.entry, stage: now.stage };
        if (target === 'SAVED') item.plan = 'update';
        continue;
      }
      if (now) item.entry = { ...item.entry, stage: now.stage, fid: now.fid };
      const own = error.details.filter((detail) => detail.index === index);
      this.fail(item, problemOf(error, own.length > 0 ? own : error.details));
    }
  }

  private finish(item: WorkItem): void {
    const wanted: BillStage = item.flow.audit ? 'AUDITED' : item.flow.submit ? 'SUBMITTED' : 'SAVED';
    const order: BillStage[] = ['NONE', 'SAVED', 'SUBMITTED', 'AUDITED'];
    if (order.indexOf(item.entry.stage) < order.indexOf(wanted)) return; // stopped earlier with a recorded problem
    if (this.missingAllocations(item).length > 0) return; // an allocation failed with a recorded problem
    this.setEntry(item, { state: 'POSTED', problem: null, nextRetryAt: null }, 'posted', `FID ${item.entry.fid}`);
    item.afterWrite.push(() => this.deps.metrics.outcome(item.draft.formId, 'posted', 0));
    item.done = true;
  }

  // ---------------------------------------------------------------- ledger helpers

  private fail(item: WorkItem, problem: LedgerProblem, ladder = true): void {
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
   * (flush). Only the claim must be in the ledger before Kingdee is called: after a crash a PENDING entry is
   * resolved by query, so intermediate steps (reconciled, saved, submitted) need no write of their own.
   */
  private setEntry(item: WorkItem, update: LedgerUpdate, event: string, detail?: string): void {
    const from = item.entry.state;
    item.entry = { ...item.entry, ...update };
    item.steps.push({ at: this.now(), from, to: item.entry.state, event, version: item.entry.version, ...(detail !== undefined ? { detail } : {}) });
  }

  /** Notes one Kingdee call for `group` (written with the chunk's outcomes). */
  private recordCalls(group: WorkItem[], operation: string, request: unknown, outcome: string, error?: KingdeeError): void {
    const answer = error ? { msgCode: error.msgCode, messages: error.details.length > 0 ? error.details.map((d) => d.message) : [error.message] } : { msgCode: 0 };
    group[0]?.calls.push(
      group.map((item, index) => callRecord(item.id, operation, typeof request === 'function' ? (request as (item: WorkItem, index: number) => unknown)(item, index) : request, outcome, answer)),
    );
  }
}

function callRecord(ledgerIdValue: string, operation: string, request: unknown, outcome: string, extra: Partial<KingdeeCallRecord>): KingdeeCallRecord {
  // The ledger stores the request as plain JSON (decimals as exact strings) when it writes the call.
  return { ledgerId: ledgerIdValue, at: new Date(), operation, request, outcome, ...extra };
}

/** The lock key of a request: its source document (all bills of one document share it). */
function keyOf(canonical: CanonicalJson): string {
  try {
    const source = sourceIdentity(canonical);
    return `${source.sourceSystem}/${source.account}/${source.documentType}/${source.sourceId}`;
  } catch {
    return `unkeyed:${JSON.stringify(canonical).slice(0, 200)}`;
  }
}

/**
 * At most `limit` holders at once, waiters served in arrival order. The limit backs off to one after Kingdee
 * failed (level 3: throttled, down) and grows by one per chunk that went through, up to `size` — so a resumed
 * sink probes an overloaded Kingdee with one chunk instead of all of them at once.
 */
class Slots {
  private used = 0;
  private limit: number;
  private readonly waiting: (() => void)[] = [];
  private readonly drained: (() => void)[] = [];

  constructor(private readonly size: number) {
    this.limit = size;
  }

  async acquire(): Promise<void> {
    if (this.used < this.limit && this.waiting.length === 0) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.used--;
    this.pump();
    if (this.used === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

  succeeded(): void {
    this.limit = Math.min(this.size, this.limit + 1);
    this.pump();
  }

  failed(): void {
    this.limit = 1;
  }

  drain(): Promise<void> {
    return this.used === 0 ? Promise.resolve() : new Promise((resolve) => this.drained.push(resolve));
  }

  private pump(): void {
    while (this.used < this.limit && this.waiting.length > 0) {
      this.used++;
      this.waiting.shift()!();
    }
  }
}

/** Per-key exclusion; a holder takes all its keys at once (no hold-and-wait, so no deadlock). */
class KeyLocks {
  private readonly held = new Map<string, Promise<void>>();

  async acquire(keys: string[]): Promise<() => void> {
    const unique = [...new Set(keys)];
    for (;;) {
      const busy = unique.map((key) => this.held.get(key)).filter((held): held is Promise<void> => held !== undefined);
      if (busy.length === 0) break;
      await Promise.race(busy);
    }
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    for (const key of unique) this.held.set(key, done);
    return () => {
      for (const key of unique) if (this.held.get(key) === done) this.held.delete(key);
      release();
    };
  }
}

function problemOf(error: KingdeeError, details: KingdeeErrorDetail[]): LedgerProblem {
  const message = details.length > 0 ? details.map((detail) => detail.message).join('；') : error.userMessage;
  return { level: error.level, code: error.code, message, field: details.find((detail) => detail.field)?.field ?? error.field, msgCode: error.msgCode };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k) ?? [];
    list.push(item);
    groups.set(k, list);
  }
  return groups;
}
