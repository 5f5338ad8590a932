/**
 * The Kingdee K/3 Cloud target adapter of the posting kit: a canonical document becomes Save model(s) of its forms
 * (convert.ts, master-data.ts); a key is looked up by ExecuteBillQuery on FBillNo (master data: FNumber per use org);
 * a chunk is written by BatchSave, then Submit, Audit and — for master data — Allocate, with UnAudit first when an
 * audited bill is reversed and re-posted (kingdee-webapi.md §9). Everything exactly-once needs is the kit's
 * (@yecai/sink-kit posting engine); this file only speaks Kingdee.
 */
import {
  KingdeeError,
  KingdeeIndeterminateError,
  KingdeeProtocolError,
  type BatchSaveOutcome,
  type KingdeeClient,
} from '@yecai/kingdee';
import { ledgerId, stageReached, type BillStage, type CanonicalJson, type TargetAdapter, type TargetDraft, type TargetState, type WorkItem, type WriteContext } from '@yecai/sink-kit';
import type { FlowConfig } from './config';
import { allocationTargets, createOrgOf, draftsOf, formsOf, isMasterDataType, masterPkField, type SinkDocumentType } from './master-data';
import { STAGE_OF_STATUS, callRecord, groupBy, problemOf, recordCalls } from './kingdee-calls';
import type { KingdeeMetrics } from './metrics';
import { PushDown } from './push-down';

type Item = WorkItem<FlowConfig>;

const DUPLICATE_NUMBER = /唯一性|已经被使用/;

export interface KingdeeTargetDeps {
  client: KingdeeClient;
  acctId: string;
  metrics: KingdeeMetrics;
}

export class KingdeeTarget implements TargetAdapter<FlowConfig> {
  readonly name = 'kingdee';
  readonly label = '金蝶';
  readonly account: string;
  private readonly client: KingdeeClient;
  private readonly metrics: KingdeeMetrics;
  private readonly orgIdCache = new Map<string, number>();
  private readonly pushDown: PushDown;

  constructor(deps: KingdeeTargetDeps) {
    this.client = deps.client;
    this.account = deps.acctId;
    this.metrics = deps.metrics;
    this.pushDown = new PushDown(deps.client, deps.metrics);
  }

  formsOf(documentType: string): string[] {
    return formsOf(documentType as SinkDocumentType);
  }

  draftsOf(documentType: string, canonical: CanonicalJson, flow: FlowConfig): TargetDraft[] {
    return draftsOf(documentType as SinkDocumentType, canonical, flow);
  }

  wantedStage(flow: FlowConfig): BillStage {
    return flow.audit ? 'AUDITED' : flow.submit ? 'SUBMITTED' : 'SAVED';
  }

  isComplete(item: Item): boolean {
    return this.missingAllocations(item).length === 0 && this.pushDown.isComplete(item);
  }

  isUnavailable(error: unknown): boolean {
    return error instanceof KingdeeError && error.level === 3;
  }

  async probe(): Promise<void> {
    await this.client.check();
  }

  /** UnAudit (reverse and re-post) → BatchSave → Submit → Audit → Allocate → 下推, each for the items that need it. */
  async write(items: Item[], ctx: WriteContext): Promise<void> {
    const active = () => items.filter((item) => !item.done);
    await this.unAudit(active().filter((item) => item.plan === 'reverse-update'), ctx);
    await this.save(active().filter((item) => item.plan === 'save' || item.plan === 'update'), ctx);
    await this.statusStep('Submit', active().filter((item) => item.flow.submit && item.entry.stage === 'SAVED'), ctx);
    await this.statusStep('Audit', active().filter((item) => item.flow.audit && item.entry.stage === 'SUBMITTED'), ctx);
    await this.allocate(active().filter((item) => item.entry.stage === 'AUDITED' && this.missingAllocations(item).length > 0), ctx);
    await this.pushDown.write(active(), ctx);
  }

  async lookup(items: Item[]): Promise<Map<string, TargetState>> {
    const result = new Map<string, TargetState>();
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const numbers = group.map((item) => item.draft.billNo);
      const pkField = masterPkField(formId);
      const quoted = numbers.map((number) => `'${number.replace(/'/g, "''")}'`).join(',');
      if (pkField) {
        // Master data: one row per use org holding the number; the create org's row is the record itself.
        const rows = await this.client.executeBillQuery({ formId, fieldKeys: [pkField, 'FNumber', 'FDocumentStatus', 'FCreateOrgId.FNumber', 'FUseOrgId.FNumber'], filter: `FNumber in (${quoted})`, topRowCount: 0, limit: 2000 });
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
      const rows = await this.client.executeBillQuery({ formId, fieldKeys: ['FID', 'FBillNo', 'FDocumentStatus'], filter: `FBillNo in (${quoted})`, topRowCount: 0, limit: 2000 });
      for (const row of rows) {
        const number = String(row.FBillNo);
        const stage = STAGE_OF_STATUS[String(row.FDocumentStatus)] ?? 'SAVED';
        result.set(ledgerId(this.account, formId, number), { fid: Number(String(row.FID)), stage });
      }
    }
    // 下推 flows: the downstream bill Kingdee made from an audited bill (after a crash the ledger may not know it).
    const pushed = items.filter((item) => item.flow.pushDown && result.get(item.id)?.stage === 'AUDITED');
    if (pushed.length > 0) for (const [id, downstream] of await this.pushDown.lookup(pushed)) result.set(id, { ...result.get(id)!, downstream });
    return result;
  }

  /** Submit/Audit/UnAudit target: bills by number; master data by internal id (a number may exist in several orgs). */
  private targetOf(formId: string, group: Item[]): { target: { numbers: string[] } | { ids: number[] }; request: Record<string, unknown> } {
    if (masterPkField(formId)) {
      const ids = group.map((item) => Number(item.entry.fid ?? 0));
      return { target: { ids }, request: { Ids: ids.join(',') } };
    }
    const numbers = group.map((item) => item.draft.billNo);
    return { target: { numbers }, request: { Numbers: numbers } };
  }

  /** Master data: use orgs still to allocate the record to. */
  private missingAllocations(item: Item): string[] {
    if (!isMasterDataType(item.request.documentType)) return [];
    const done = new Set(item.entry.allocatedOrgs ?? []);
    return allocationTargets(item.request.canonical, item.flow.allocateToOrgs).filter((org) => !done.has(org));
  }

  /**
   * 分配: copies each audited master record into the use orgs it still lacks (audited copies). An org that already
   * holds it is fine; after a refusal Kingdee is asked which orgs hold the record, and only what is missing fails.
   */
  private async allocate(items: Item[], ctx: WriteContext): Promise<void> {
    for (const group of groupBy(items, (item) => `${item.draft.formId}|${this.missingAllocations(item).join(',')}`).values()) {
      const formId = group[0]!.draft.formId;
      const orgs = this.missingAllocations(group[0]!);
      const orgIds = await this.orgIds(orgs);
      const unknown = orgs.filter((org) => !orgIds.has(org));
      if (unknown.length > 0) {
        for (const item of group) {
          ctx.fail(item, { level: 1, code: 'ORG_NOT_FOUND', field: 'allocateToOrgs', message: `使用组织 ${unknown.join(',')} 在金蝶中不存在，无法分配 use org(s) ${unknown.join(',')} not found in Kingdee; fix the flow's allocateToOrgs or the event's useOrgs and re-push` });
        }
        continue;
      }
      const request = { PkIds: group.map((item) => item.entry.fid).join(','), TOrgIds: orgs.map((org) => orgIds.get(org)).join(','), IsAutoSubmitAndAudit: true };
      try {
        await this.client.allocate(formId, { pkIds: group.map((item) => Number(item.entry.fid ?? 0)), targetOrgIds: orgs.map((org) => orgIds.get(org)!), autoSubmitAndAudit: true });
        this.metrics.msgCode('Allocate', 0);
        recordCalls(ctx, group, 'Allocate', request, 'ok');
        for (const item of group) ctx.setEntry(item, { allocatedOrgs: [...new Set([...(item.entry.allocatedOrgs ?? []), ...orgs])].sort() }, 'allocated', `use orgs ${orgs.join(',')}`);
      } catch (error) {
        if (!(error instanceof KingdeeError) || error.level === 3) throw error;
        this.metrics.msgCode('Allocate', error.msgCode);
        recordCalls(ctx, group, 'Allocate', request, error.code, error);
        const states = await this.lookup(group);
        for (const [index, item] of group.entries()) {
          const held = states.get(item.id)?.allocatedOrgs ?? item.entry.allocatedOrgs ?? [];
          const allocated = orgs.filter((org) => held.includes(org));
          if (allocated.length > 0 || held.length > 0) ctx.setEntry(item, { allocatedOrgs: [...new Set([...(item.entry.allocatedOrgs ?? []), ...held])].sort() }, 'allocated', `use orgs ${held.join(',')} (confirmed by query)`);
          if (this.missingAllocations(item).length === 0) continue;
          const own = error.details.filter((detail) => detail.index === index);
          ctx.fail(item, problemOf(error, own.length > 0 ? own : error.details));
        }
      }
    }
  }

  /** Internal ids of orgs by number (TOrgIds of Allocate take ids), cached for the process's life. */
  private async orgIds(numbers: string[]): Promise<Map<string, number>> {
    const missing = numbers.filter((number) => !this.orgIdCache.has(number));
    if (missing.length > 0) {
      const rows = await this.client.executeBillQuery({ formId: 'ORG_Organizations', fieldKeys: ['FOrgID', 'FNumber'], filter: `FNumber in (${missing.map((number) => `'${number.replace(/'/g, "''")}'`).join(',')})`, topRowCount: 0, limit: 2000 });
      for (const row of rows) this.orgIdCache.set(String(row.FNumber), Number(String(row.FOrgID)));
    }
    return new Map(numbers.flatMap((number) => (this.orgIdCache.has(number) ? [[number, this.orgIdCache.get(number)!] as const] : [])));
  }

  private async unAudit(items: Item[], ctx: WriteContext): Promise<void> {
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const { target, request } = this.targetOf(formId, group);
      try {
        await this.client.unAudit(formId, target, { interactionFlags: group[0]!.flow.interactionFlags });
        recordCalls(ctx, group, 'UnAudit', request, 'ok');
        for (const item of group) {
          ctx.setEntry(item, { stage: 'SAVED' }, 'unaudited', 'reverse_and_repost: Kingdee reversed the audited bill');
          item.plan = 'update';
        }
      } catch (error) {
        if (!(error instanceof KingdeeError) || error.level === 3) throw error;
        recordCalls(ctx, group, 'UnAudit', request, error.code, error);
        await this.afterStatusFailure(group, error, 'SAVED', ctx);
      }
    }
  }

  private async save(items: Item[], ctx: WriteContext): Promise<void> {
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const pkField = masterPkField(formId) ?? 'FID';
      const models = group.map((item) => (item.plan === 'update' ? { ...item.draft.model, [pkField]: item.entry.fid } : item.draft.model));
      let outcomes: BatchSaveOutcome[];
      const started = Date.now();
      try {
        outcomes = await this.client.batchSave(formId, models, {
          needReturnFields: masterPkField(formId) ? [] : ['FID', 'FBillNo'],
          ...(group[0]!.flow.interactionFlags.length > 0 ? { interactionFlags: group[0]!.flow.interactionFlags } : {}),
        });
      } catch (error) {
        if (error instanceof KingdeeIndeterminateError || error instanceof KingdeeProtocolError) {
          // Sent, no usable answer: the bills may exist. IN_DOUBT until a query says otherwise.
          recordCalls(ctx, group, 'BatchSave', (item: Item, i: number) => models[i] ?? item.draft.model, 'indeterminate', error as KingdeeError);
          for (const item of group) ctx.setEntry(item, { state: 'IN_DOUBT' }, 'write_in_doubt', (error as Error).message);
        } else if (error instanceof KingdeeError) {
          recordCalls(ctx, group, 'BatchSave', (item: Item, i: number) => models[i] ?? item.draft.model, error.code, error);
        }
        throw error;
      } finally {
        this.metrics.batchSize.observe(group.length);
        this.metrics.batchSeconds.observe((Date.now() - started) / 1000);
      }
      ctx.recordCall(
        outcomes.map((outcome) =>
          outcome.status === 'saved'
            ? callRecord(group[outcome.index]!.id, 'BatchSave', models[outcome.index], 'saved', { fid: outcome.id, msgCode: 0 })
            : callRecord(group[outcome.index]!.id, 'BatchSave', models[outcome.index], 'failed', { msgCode: outcome.error.msgCode, messages: outcome.details.map((d) => d.message) }),
        ),
      );
      await Promise.all(outcomes.map((outcome) => this.afterSave(group[outcome.index]!, outcome, ctx)));
    }
  }

  private async afterSave(item: Item, outcome: BatchSaveOutcome, ctx: WriteContext): Promise<void> {
    if (outcome.status === 'saved') {
      ctx.setEntry(item, { fid: outcome.id, stage: 'SAVED', postedVersion: item.version, problem: null }, item.plan === 'update' ? 'updated' : 'saved', `FID ${outcome.id}`);
      this.metrics.msgCode('BatchSave', 0);
      return;
    }
    this.metrics.msgCode('BatchSave', outcome.error.msgCode);
    if (item.plan === 'save' && outcome.details.some((detail) => DUPLICATE_NUMBER.test(detail.message))) {
      // FBillNo taken: our own earlier write landed (e.g. an answer lost before the ledger knew). Adopt it.
      const found = (await this.lookup([item])).get(item.id);
      if (found) {
        ctx.setEntry(item, { fid: found.fid, stage: found.stage, postedVersion: item.version, ...(found.allocatedOrgs ? { allocatedOrgs: found.allocatedOrgs } : {}), ...(found.downstream ? { downstream: found.downstream } : {}) }, 'adopted_existing', `FBillNo already in Kingdee as FID ${found.fid}`);
        return;
      }
    }
    ctx.fail(item, problemOf(outcome.error, outcome.details));
  }

  /** Submit or Audit for bills at the previous stage; per-bill outcomes are confirmed by query on failure. */
  private async statusStep(op: 'Submit' | 'Audit', items: Item[], ctx: WriteContext): Promise<void> {
    const target: BillStage = op === 'Submit' ? 'SUBMITTED' : 'AUDITED';
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const { target: targets, request } = this.targetOf(formId, group);
      const options = op === 'Audit' && group[0]!.flow.interactionFlags.length > 0 ? { interactionFlags: group[0]!.flow.interactionFlags } : {};
      try {
        if (op === 'Submit') await this.client.submit(formId, targets, options);
        else await this.client.audit(formId, targets, options);
        this.metrics.msgCode(op, 0);
        recordCalls(ctx, group, op, request, 'ok');
        // Kept in memory and written with the next transition (POSTED or a problem): after a crash the stage is
        // re-read from Kingdee anyway, so a ledger write per step would only cost time.
        for (const item of group) ctx.assume(item, { stage: target });
      } catch (error) {
        if (!(error instanceof KingdeeError) || error.level === 3) throw error;
        this.metrics.msgCode(op, error.msgCode);
        recordCalls(ctx, group, op, request, error.code, error);
        await this.afterStatusFailure(group, error, target, ctx);
      }
    }
  }

  /** A Submit/Audit/UnAudit call failed for some bills: ask Kingdee where each bill is, fail only the ones behind. */
  private async afterStatusFailure(group: Item[], error: KingdeeError, target: BillStage, ctx: WriteContext): Promise<void> {
    const states = await this.lookup(group);
    for (const [index, item] of group.entries()) {
      const now = states.get(item.id);
      if (now && (target === 'SAVED' ? now.stage === 'SAVED' : stageReached(now.stage, target))) {
        ctx.assume(item, { stage: now.stage });
        if (target === 'SAVED') item.plan = 'update';
        continue;
      }
      if (now) ctx.assume(item, { stage: now.stage, fid: now.fid });
      const own = error.details.filter((detail) => detail.index === index);
      ctx.fail(item, problemOf(error, own.length > 0 ? own : error.details));
    }
  }
}
