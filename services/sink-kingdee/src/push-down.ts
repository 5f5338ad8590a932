/**
 * 下推 as the last step of a flow (config `pushDown`, finance-flows.md §1.2 option A): once the bill is audited,
 * Kingdee's own conversion rule makes the downstream bill from it (销售出库单 → 应收单, 采购入库单 → 应付单), linked to
 * it and written back to it (反写); yecai then submits and audits that bill. Exactly once without a key of our own
 * (Kingdee numbers the pushed bill): Kingdee is asked first — the downstream lines carry the source bill number — so a
 * push that landed before a crash or whose answer was lost is adopted, never repeated; a refusal ("already fully
 * pushed") is checked the same way. The ledger entry records the downstream bill; the document is POSTED when it has
 * reached its stage.
 */
import { KingdeeError, conversionRule, type ConversionRule, type KingdeeClient } from '@yecai/kingdee';
import { stageReached, type BillStage, type DownstreamDocument, type WorkItem, type WriteContext } from '@yecai/sink-kit';
import type { FlowConfig } from './config';
import { STAGE_OF_STATUS, groupBy, problemOf, recordCalls } from './kingdee-calls';
import type { KingdeeMetrics } from './metrics';

type Item = WorkItem<FlowConfig>;

export class PushDown {
  constructor(
    private readonly client: KingdeeClient,
    private readonly metrics: KingdeeMetrics,
  ) {}

  /** The stage the flow wants its downstream bill at. */
  private wanted(item: Item): BillStage {
    return item.flow.pushDown?.audit === false ? 'SAVED' : 'AUDITED';
  }

  /** Nothing to push, or the downstream bill exists at its wanted stage. */
  isComplete(item: Item): boolean {
    if (!item.flow.pushDown) return true;
    const downstream = item.entry.downstream;
    return downstream !== undefined && stageReached(downstream.stage, this.wanted(item));
  }

  /** The downstream bill of each item, found by the source bill number on its lines (keyed by ledger id). */
  async lookup(items: Item[]): Promise<Map<string, DownstreamDocument>> {
    const found = new Map<string, DownstreamDocument>();
    for (const group of groupBy(items.filter((item) => item.flow.pushDown), (item) => item.flow.pushDown!.ruleId).values()) {
      const rule = ruleOf(group[0]!);
      const quoted = group.map((item) => `'${item.draft.billNo.replace(/'/g, "''")}'`).join(',');
      const rows = await this.client.executeBillQuery({
        formId: rule.targetFormId,
        fieldKeys: ['FID', 'FBillNo', 'FDocumentStatus', rule.sourceBillNoField],
        filter: `${rule.sourceBillNoField} in (${quoted})`,
        topRowCount: 0,
        limit: 2000,
      });
      for (const item of group) {
        const row = rows.find((candidate) => String(candidate[rule.sourceBillNoField]) === item.draft.billNo);
        if (row) found.set(item.id, { formId: rule.targetFormId, fid: Number(String(row.FID)), billNo: String(row.FBillNo), stage: STAGE_OF_STATUS[String(row.FDocumentStatus)] ?? 'SAVED' });
      }
    }
    return found;
  }

  /** Pushes what has no downstream bill yet, then submits and audits the downstream bills behind their stage. */
  async write(items: Item[], ctx: WriteContext): Promise<void> {
    const due = items.filter((item) => item.flow.pushDown && item.entry.stage === 'AUDITED' && !this.isComplete(item));
    if (due.length === 0) return;
    const unknown = due.filter((item) => !item.entry.downstream);
    if (unknown.length > 0) {
      const found = await this.lookup(unknown);
      for (const item of unknown) {
        const downstream = found.get(item.id);
        if (downstream) ctx.setEntry(item, { downstream }, 'downstream_found', `${downstream.formId} ${downstream.billNo} already pushed from it`);
      }
    }
    for (const item of due.filter((candidate) => !candidate.entry.downstream && !candidate.done)) await this.push(item, ctx);
    const behind = (item: Item, stage: BillStage) => !item.done && item.entry.downstream !== undefined && !stageReached(item.entry.downstream.stage, stage);
    await this.step('Submit', due.filter((item) => behind(item, 'SUBMITTED') && this.wanted(item) === 'AUDITED' && item.entry.downstream!.stage === 'SAVED'), ctx);
    await this.step('Audit', due.filter((item) => behind(item, 'AUDITED') && this.wanted(item) === 'AUDITED' && item.entry.downstream!.stage === 'SUBMITTED'), ctx);
  }

  private async push(item: Item, ctx: WriteContext): Promise<void> {
    const rule = ruleOf(item);
    const request = { Numbers: [item.draft.billNo], RuleId: rule.ruleId, TargetFormId: rule.targetFormId };
    try {
      const result = await this.client.push(item.draft.formId, { numbers: [item.draft.billNo], ruleId: rule.ruleId, targetFormId: rule.targetFormId });
      this.metrics.msgCode('Push', 0);
      recordCalls(ctx, [item], 'Push', request, 'ok');
      const target = result.successes[0];
      if (target) {
        ctx.setEntry(item, { downstream: { formId: rule.targetFormId, fid: target.id, billNo: target.number, stage: 'SAVED' } }, 'pushed_down', `${rule.caption}: ${rule.targetFormId} ${target.number}`);
        return;
      }
    } catch (error) {
      if (!(error instanceof KingdeeError)) throw error;
      this.metrics.msgCode('Push', error.msgCode);
      recordCalls(ctx, [item], 'Push', request, error.code, error);
      // A lost answer or a refusal such as "already fully pushed": Kingdee says whether the bill exists.
      const found = (await this.lookup([item])).get(item.id);
      if (found) {
        ctx.setEntry(item, { downstream: found }, 'pushed_down', `${rule.targetFormId} ${found.billNo} (confirmed by query after: ${error.message})`);
        return;
      }
      if (error.level === 3) throw error; // unreachable or in doubt: the engine pauses; the retry asks Kingdee first
      ctx.fail(item, problemOf(error, error.details));
      return;
    }
    ctx.fail(item, { level: 2, code: 'PUSH_DOWN_NO_TARGET', message: `金蝶下推${rule.caption}成功但未返回目标单据，将重试（重试前先查询）Kingdee Push answered without a target bill; retried after a query` });
  }

  /** Submit or Audit of downstream bills; on a refusal Kingdee is asked where each one is, only those behind fail. */
  private async step(op: 'Submit' | 'Audit', items: Item[], ctx: WriteContext): Promise<void> {
    const reached: BillStage = op === 'Submit' ? 'SUBMITTED' : 'AUDITED';
    for (const group of groupBy(items, (item) => item.entry.downstream!.formId).values()) {
      const formId = group[0]!.entry.downstream!.formId;
      const numbers = group.map((item) => item.entry.downstream!.billNo);
      try {
        if (op === 'Submit') await this.client.submit(formId, { numbers });
        else await this.client.audit(formId, { numbers });
        this.metrics.msgCode(op, 0);
        recordCalls(ctx, group, `${op} ${formId}`, { Numbers: numbers }, 'ok');
        for (const item of group) ctx.setEntry(item, { downstream: { ...item.entry.downstream!, stage: reached } }, `downstream_${reached.toLowerCase()}`, `${formId} ${item.entry.downstream!.billNo}`);
      } catch (error) {
        if (!(error instanceof KingdeeError) || error.level === 3) throw error;
        this.metrics.msgCode(op, error.msgCode);
        recordCalls(ctx, group, `${op} ${formId}`, { Numbers: numbers }, error.code, error);
        const now = await this.lookup(group);
        for (const [index, item] of group.entries()) {
          const found = now.get(item.id);
          if (found && stageReached(found.stage, reached)) {
            ctx.setEntry(item, { downstream: found }, `downstream_${reached.toLowerCase()}`, `${formId} ${found.billNo} (confirmed by query)`);
            continue;
          }
          const own = error.details.filter((detail) => detail.index === index);
          ctx.fail(item, problemOf(error, own.length > 0 ? own : error.details));
        }
      }
    }
  }
}

function ruleOf(item: Item): ConversionRule {
  const rule = conversionRule(item.flow.pushDown!.ruleId);
  if (!rule) throw new Error(`flow ${item.flow.documentType}: unknown conversion rule ${item.flow.pushDown!.ruleId} (the config check lets none through)`);
  return rule;
}
