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
import { FORMS_OF, convertDocument, sourceIdentity, type BillDraft, type CanonicalJson, type SupportedDocumentType } from './convert';
import { ledgerId, type BillStage, type KingdeeCallRecord, type Ledger, type LedgerEntry, type LedgerProblem, type LedgerUpdate } from './ledger';
import type { SinkMetrics } from './metrics';

export type PostOrigin = 'kafka' | 'scheduler' | 'repush';

export interface PostRequest {
  documentType: SupportedDocumentType;
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
  level2RetryDelaysMs: number[];
  metrics: SinkMetrics;
  logger: Logger;
  now?: () => Date;
}

type Plan = 'none' | 'save' | 'reconcile' | 'update' | 'unaudit-update';

interface WorkItem {
  request: PostRequest;
  flow: FlowConfig;
  draft: BillDraft;
  id: string;
  version: string;
  modifiedAt: number;
  documentKey: string;
  entry: LedgerEntry;
  plan: Plan;
  /** Version the bill in Kingdee holds, when it exists. */
  kingdeeVersion: string | null;
  done: boolean;
}

interface KingdeeBillState {
  fid: number;
  stage: BillStage;
}

const STAGE_OF_STATUS: Record<string, BillStage> = { Z: 'SAVED', A: 'SAVED', D: 'SAVED', B: 'SUBMITTED', C: 'AUDITED' };
const DUPLICATE_NUMBER = /唯一性|已经被使用/;

export class Poster {
  private readonly now: () => Date;

  constructor(private readonly deps: PosterDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Posts `requests` in order, `batchSize` documents per BatchSave. Resolves once every request has its outcome
   * in the ledger; throws SinkPausedError (level 3) naming how many requests are complete.
   */
  async post(requests: PostRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += this.deps.batchSize) {
      const chunk = requests.slice(start, start + this.deps.batchSize);
      try {
        await this.postChunk(chunk);
      } catch (error) {
        if (error instanceof SinkPausedError) throw new SinkPausedError(error.cause, start);
        throw error;
      }
    }
  }

  // ---------------------------------------------------------------- one chunk

  private async postChunk(requests: PostRequest[]): Promise<void> {
    const items = await this.prepare(requests);
    const active = () => items.filter((item) => !item.done);
    try {
      await this.reconcile(active().filter((item) => item.plan === 'reconcile'));
      await this.unAudit(active().filter((item) => item.plan === 'unaudit-update'));
      await this.save(active().filter((item) => item.plan === 'save' || item.plan === 'update'));
      await this.statusStep('Submit', active().filter((item) => item.flow.submit && item.entry.stage === 'SAVED'));
      await this.statusStep('Audit', active().filter((item) => item.flow.audit && item.entry.stage === 'SUBMITTED'));
      await Promise.all(active().map((item) => this.finish(item)));
    } catch (error) {
      if (error instanceof KingdeeError && error.level === 3) throw new SinkPausedError(error, 0);
      throw error;
    }
  }

  /** Converts, claims in the ledger and decides what each bill needs. */
  private async prepare(requests: PostRequest[]): Promise<WorkItem[]> {
    const byId = new Map<string, Omit<WorkItem, 'entry' | 'plan' | 'kingdeeVersion' | 'done'>>();
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
        drafts = convertDocument(request.documentType, request.canonical, flow);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // Unusable canonical data is a level-1 problem: park it under a key derived from the source identity.
        const formId = FORMS_OF[request.documentType][0]!;
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
    const existing = await this.deps.ledger.getMany([...byId.keys()]);
    // Distinct bills: their claims are independent single-document writes, sent together.
    const claimed = await Promise.all([...byId.values()].map((base) => this.claim(base, existing.get(base.id) ?? null)));
    return claimed.filter((item): item is WorkItem => item !== null);
  }

  private async parkInvalid(base: Omit<WorkItem, 'entry' | 'plan' | 'kingdeeVersion' | 'done'>, error: ValidationError): Promise<void> {
    const problem: LedgerProblem = { level: 1, code: 'CANONICAL_INVALID', message: `规范事件数据不完整 canonical event unusable: ${error.message}`, field: error.field };
    const current = await this.deps.ledger.get(base.id);
    if (current && current.version === base.version) return;
    const fields = this.newEntryFields(base, 'PARKED', problem);
    if (!current) await this.deps.ledger.insert(fields, 'converted_invalid');
    else await this.deps.ledger.transition(current, { ...fields, state: 'PARKED' }, 'converted_invalid', { detail: error.message });
    this.deps.metrics.outcome(base.draft.formId, 'parked', 1);
  }

  private newEntryFields(base: Omit<WorkItem, 'entry' | 'plan' | 'kingdeeVersion' | 'done'>, state: LedgerEntry['state'], problem: LedgerProblem | null) {
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

  /** Decides the plan for one bill and claims it (PENDING) with a compare-and-set; null = nothing to do. */
  private async claim(base: Omit<WorkItem, 'entry' | 'plan' | 'kingdeeVersion' | 'done'>, found: LedgerEntry | null): Promise<WorkItem | null> {
    const { ledger } = this.deps;
    let entry = found;
    for (let round = 0; round < 3; round++) {
      if (!entry) {
        const inserted = await ledger.insert(this.newEntryFields(base, 'PENDING', null), `claimed:${base.request.origin}`);
        if (inserted) return { ...base, entry: inserted, plan: 'save', kingdeeVersion: null, done: false };
        entry = await ledger.get(base.id);
        continue;
      }
      const decision = this.decide(base, entry);
      if (decision.plan === 'none') {
        if (decision.note) await ledger.transition(entry, {}, decision.note, { detail: `version ${base.version}` });
        if (decision.note === 'modified_ignored') this.deps.metrics.outcome(entry.formId, 'modified_ignored', 0);
        return null;
      }
      const isNewVersion = entry.version !== base.version;
      const update: LedgerUpdate = {
        state: 'PENDING',
        attempts: entry.attempts + 1,
        nextRetryAt: null,
        ...(isNewVersion ? { version: base.version, sourceModifiedAt: base.modifiedAt, canonical: base.request.canonical } : {}),
        ...(base.request.origin === 'repush' ? { level2Retries: 0 } : {}),
        ...(entry.state === 'SKIPPED' ? { skipped: null } : {}),
      };
      // The version in Kingdee: what was posted, or — for a write that may have landed — what was being written.
      const kingdeeVersion = entry.postedVersion ?? (entry.state === 'PENDING' || entry.state === 'IN_DOUBT' ? entry.version : null);
      const claimed = await ledger.transition(entry, update, isNewVersion ? `new_version:${base.request.origin}` : `claimed:${base.request.origin}`, { actor: base.request.actor });
      if (claimed) return { ...base, entry: claimed, plan: decision.plan, kingdeeVersion, done: false };
      entry = await ledger.get(base.id);
    }
    this.deps.logger.warn({ id: base.id }, 'ledger entry kept changing under us; leaving it to its current owner');
    return null;
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
    if (base.modifiedAt < entry.sourceModifiedAt) return { plan: 'none', note: 'stale_version_ignored' };
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
          await this.fail(item, { level: 1, code: 'DELETED_IN_KINGDEE', message: `金蝶中已找不到单据 ${item.draft.billNo}（可能被人工删除），重推将重新生成 bill no longer exists in Kingdee; re-push creates it again` });
          continue;
        }
        item.plan = 'save';
        continue;
      }
      const adopted = await this.setEntry(item, { fid: inKingdee.fid, stage: inKingdee.stage, postedVersion: item.kingdeeVersion ?? item.version }, 'reconciled', `FID ${inKingdee.fid} stage ${inKingdee.stage}`);
      if (!adopted) continue;
      const kingdeeVersion = item.kingdeeVersion ?? item.version;
      if (kingdeeVersion === item.version) {
        item.plan = 'none';
        continue;
      }
      // The bill holds an older version: the flow's policy decides.
      const policy = item.flow.onModified;
      if (policy === 'ignore') {
        await this.setEntry(item, { version: kingdeeVersion }, 'modified_ignored', `version ${item.version} not posted (policy ignore)`);
        item.plan = 'none';
        continue;
      }
      if (inKingdee.stage === 'SAVED') item.plan = 'update';
      else if (inKingdee.stage === 'AUDITED' && policy === 'reverse_and_repost') item.plan = 'unaudit-update';
      else {
        await this.fail(item, {
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
      const filter = `FBillNo in (${numbers.map((number) => `'${number.replace(/'/g, "''")}'`).join(',')})`;
      const rows = await this.deps.client.executeBillQuery({ formId, fieldKeys: ['FID', 'FBillNo', 'FDocumentStatus'], filter, topRowCount: 0, limit: 2000 });
      for (const row of rows) {
        const number = String(row.FBillNo);
        const stage = STAGE_OF_STATUS[String(row.FDocumentStatus)] ?? 'SAVED';
        result.set(ledgerId(this.deps.acctId, formId, number), { fid: Number(String(row.FID)), stage });
      }
    }
    return result;
  }

  private async unAudit(items: WorkItem[]): Promise<void> {
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const numbers = group.map((item) => item.draft.billNo);
      try {
        await this.deps.client.unAudit(formId, { numbers }, { interactionFlags: group[0]!.flow.interactionFlags });
        await this.recordCalls(group, 'UnAudit', () => ({ Numbers: numbers }), 'ok');
        for (const item of group) {
          await this.setEntry(item, { stage: 'SAVED' }, 'unaudited', 'reverse_and_repost: Kingdee reversed the audited bill');
          item.plan = 'update';
        }
      } catch (error) {
        if (!(error instanceof KingdeeError) || error.level === 3) throw error;
        await this.recordCalls(group, 'UnAudit', () => ({ Numbers: numbers }), error.code, error);
        await this.afterStatusFailure(group, error, 'SAVED');
      }
    }
  }

  private async save(items: WorkItem[]): Promise<void> {
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const models = group.map((item) => (item.plan === 'update' ? { ...item.draft.model, FID: item.entry.fid } : item.draft.model));
      let outcomes: BatchSaveOutcome[];
      const started = Date.now();
      try {
        outcomes = await this.deps.client.batchSave(formId, models, {
          needReturnFields: ['FID', 'FBillNo'],
          ...(group[0]!.flow.interactionFlags.length > 0 ? { interactionFlags: group[0]!.flow.interactionFlags } : {}),
        });
      } catch (error) {
        if (error instanceof KingdeeIndeterminateError || error instanceof KingdeeProtocolError) {
          // Sent, no usable answer: the bills may exist. IN_DOUBT until a query says otherwise.
          await this.recordCalls(group, 'BatchSave', (item, i) => models[i] ?? item.draft.model, 'indeterminate', error as KingdeeError);
          for (const item of group) await this.setEntry(item, { state: 'IN_DOUBT' }, 'write_in_doubt', (error as Error).message);
        } else if (error instanceof KingdeeError) {
          await this.recordCalls(group, 'BatchSave', (item, i) => models[i] ?? item.draft.model, error.code, error);
        }
        throw error;
      } finally {
        this.deps.metrics.batchSize.observe(group.length);
        this.deps.metrics.batchSeconds.observe((Date.now() - started) / 1000);
      }
      await this.deps.ledger.recordCalls(
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
      await this.setEntry(item, { fid: outcome.id, stage: 'SAVED', postedVersion: item.version, problem: null }, item.plan === 'update' ? 'updated' : 'saved', `FID ${outcome.id}`);
      this.deps.metrics.msgCode('BatchSave', 0);
      return;
    }
    this.deps.metrics.msgCode('BatchSave', outcome.error.msgCode);
    if (item.plan === 'save' && outcome.details.some((detail) => DUPLICATE_NUMBER.test(detail.message))) {
      // FBillNo taken: our own earlier write landed (e.g. an answer lost before the ledger knew). Adopt it.
      const found = (await this.queryBills([item])).get(item.id);
      if (found) {
        await this.setEntry(item, { fid: found.fid, stage: found.stage, postedVersion: item.version }, 'adopted_existing', `FBillNo already in Kingdee as FID ${found.fid}`);
        return;
      }
    }
    await this.fail(item, problemOf(outcome.error, outcome.details));
  }

  /** Submit or Audit for bills at the previous stage; per-bill outcomes are confirmed by query on failure. */
  private async statusStep(op: 'Submit' | 'Audit', items: WorkItem[]): Promise<void> {
    const target: BillStage = op === 'Submit' ? 'SUBMITTED' : 'AUDITED';
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const numbers = group.map((item) => item.draft.billNo);
      const options = op === 'Audit' && group[0]!.flow.interactionFlags.length > 0 ? { interactionFlags: group[0]!.flow.interactionFlags } : {};
      try {
        if (op === 'Submit') await this.deps.client.submit(formId, { numbers }, options);
        else await this.deps.client.audit(formId, { numbers }, options);
        this.deps.metrics.msgCode(op, 0);
        await this.recordCalls(group, op, () => ({ Numbers: numbers }), 'ok');
        // Kept in memory and written with the next transition (POSTED or a problem): after a crash the stage is
        // re-read from Kingdee anyway, so a ledger write per step would only cost time.
        for (const item of group) item.entry = { ...item.entry, stage: target };
      } catch (error) {
        if (!(error instanceof KingdeeError) || error.level === 3) throw error;
        this.deps.metrics.msgCode(op, error.msgCode);
        await this.recordCalls(group, op, () => ({ Numbers: numbers }), error.code, error);
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
      await this.fail(item, problemOf(error, own.length > 0 ? own : error.details));
    }
  }

  private async finish(item: WorkItem): Promise<void> {
    const wanted: BillStage = item.flow.audit ? 'AUDITED' : item.flow.submit ? 'SUBMITTED' : 'SAVED';
    const order: BillStage[] = ['NONE', 'SAVED', 'SUBMITTED', 'AUDITED'];
    if (order.indexOf(item.entry.stage) < order.indexOf(wanted)) return; // stopped earlier with a recorded problem
    const posted = await this.setEntry(item, { state: 'POSTED', problem: null, nextRetryAt: null }, 'posted', `FID ${item.entry.fid}`);
    if (posted) this.deps.metrics.outcome(item.draft.formId, 'posted', 0);
    item.done = true;
  }

  // ---------------------------------------------------------------- ledger helpers

  private async fail(item: WorkItem, problem: LedgerProblem, ladder = true): Promise<void> {
    item.done = true;
    if (problem.level === 1 || !ladder) {
      await this.setEntry(item, { state: 'PARKED', problem, nextRetryAt: null }, 'parked', problem.message);
      this.deps.metrics.outcome(item.draft.formId, 'parked', problem.level);
      return;
    }
    const delays = this.deps.level2RetryDelaysMs;
    const used = item.entry.level2Retries;
    const delay = delays[used];
    const nextRetryAt = delay === undefined ? null : new Date(this.now().getTime() + delay);
    await this.setEntry(
      item,
      { state: 'REJECTED', problem, nextRetryAt, level2Retries: delay === undefined ? used : used + 1 },
      'rejected',
      `${problem.message}${nextRetryAt ? ` — retry at ${nextRetryAt.toISOString()}` : ' — retries used up, waiting for a person'}`,
    );
    this.deps.metrics.outcome(item.draft.formId, 'rejected', 2);
  }

  private async setEntry(item: WorkItem, update: LedgerUpdate, event: string, detail?: string): Promise<LedgerEntry | null> {
    const next = await this.deps.ledger.transition(item.entry, update, event, detail === undefined ? {} : { detail });
    if (!next) {
      this.deps.logger.warn({ id: item.id, event }, 'ledger entry changed by another writer; dropping this attempt');
      item.done = true;
      return null;
    }
    item.entry = next;
    return next;
  }

  private async recordCalls(group: WorkItem[], operation: string, request: (item: WorkItem, index: number) => unknown, outcome: string, error?: KingdeeError): Promise<void> {
    await this.deps.ledger.recordCalls(
      group.map((item, index) =>
        callRecord(item.id, operation, request(item, index), outcome, error ? { msgCode: error.msgCode, messages: error.details.length > 0 ? error.details.map((d) => d.message) : [error.message] } : { msgCode: 0 }),
      ),
    );
  }
}

function callRecord(ledgerIdValue: string, operation: string, request: unknown, outcome: string, extra: Partial<KingdeeCallRecord>): KingdeeCallRecord {
  // JSON round trip: decimals become exact strings (BSON would store Decimal internals).
  return { ledgerId: ledgerIdValue, at: new Date(), operation, request: JSON.parse(JSON.stringify(request ?? null)) as unknown, outcome, ...extra };
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
