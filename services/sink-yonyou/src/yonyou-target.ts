/**
 * The 用友 YonSuite target adapter of the posting kit: a canonical document becomes the `data` of its YonSuite
 * single save (form-maps.ts), keyed by the flow's deterministic document code. Each write carries a
 * `resubmitCheckKey` derived from the ledger id, version and plan, so a repeat within the gateway's hour is replayed
 * rather than applied twice; beyond the hour (and after any lost answer) the code is looked up by the list API —
 * the business key YonSuite keeps unique (for the EFI 应收单: extSystemCode + extVouchCode, EFI numbers its own code). 审核 (batchaudit) and 弃审 (batchunaudit) are not idempotent: the ledger's
 * stage guards them and a failed row is confirmed by query before it is reported. Everything exactly-once needs is
 * the kit's (@yecai/sink-kit posting engine); this file only speaks YonSuite.
 */
import { createHash } from 'node:crypto';
import {
  isMasterDataType,
  ledgerId,
  type BillStage,
  type CanonicalJson,
  type LedgerProblem,
  type TargetAdapter,
  type TargetCallRecord,
  type TargetDraft,
  type TargetState,
  type WorkItem,
  type WriteContext,
} from '@yecai/sink-kit';
import { renderBillNumber } from '@yecai/sink-kit';
import { YonyouError, type SaveOutcome, type YonyouClient } from '@yecai/yonyou';
import type { FlowConfig } from './config';
import { FORM_OF, formOfId, yonyouModel, type YonyouDocumentType, type YonyouForm } from './form-maps';
import { RECEIVABLE_KEY } from './receipt-map';
import { masterCode } from './master-data-map';
import { MasterDataWriter } from './master-data-target';
import { EXT_SYSTEM_CODE } from './receivable-map';

type Item = WorkItem<FlowConfig>;

/** 单据编号 taken: our own earlier write landed unseen (the emulator's and, we assume, YonSuite's words). */
const CODE_TAKEN = /单据编号.*已存在|外部系统单号.*已存在|业务唯一标识.*已存在/;
/** Codes per list query (simpleVOs `in`). */
const LOOKUP_CHUNK = 100;

export interface YonyouTargetDeps {
  client: YonyouClient;
  /** The tenant id: the first part of every ledger id. */
  tenantId: string;
}

export class YonyouTarget implements TargetAdapter<FlowConfig> {
  readonly name = 'yonyou';
  readonly label = '用友';
  readonly account: string;
  private readonly client: YonyouClient;
  /** 物料 / 客户 / 供应商 / 仓库: upsert by code, then 多组织分配. */
  private readonly masterData: MasterDataWriter;

  constructor(deps: YonyouTargetDeps) {
    this.client = deps.client;
    this.account = deps.tenantId;
    this.masterData = new MasterDataWriter(deps.client);
  }

  formsOf(documentType: string): string[] {
    return [FORM_OF[documentType as YonyouDocumentType].formId];
  }

  draftsOf(documentType: string, canonical: CanonicalJson, flow: FlowConfig): TargetDraft[] {
    // Master data: the canonical number is the code (no bill number pattern).
    const code = isMasterDataType(documentType)
      ? masterCode(canonical)
      : renderBillNumber(flow.billNumberPattern, canonical);
    return [
      {
        formId: FORM_OF[documentType as YonyouDocumentType].formId,
        billNo: code,
        model: yonyouModel(documentType as YonyouDocumentType, canonical, flow, code),
      },
    ];
  }

  wantedStage(flow: FlowConfig): BillStage {
    return flow.audit && FORM_OF[flow.documentType].batchActions !== false ? 'AUDITED' : 'SAVED';
  }

  isComplete(item: Item): boolean {
    return this.masterData.isComplete(item);
  }

  isUnavailable(error: unknown): boolean {
    return error instanceof YonyouError && error.level === 3;
  }

  async probe(): Promise<void> {
    await this.client.check();
  }

  async lookup(all: Item[]): Promise<Map<string, TargetState>> {
    const result = await this.masterData.lookup(all.filter(MasterDataWriter.isMaster));
    const items = all.filter((item) => !MasterDataWriter.isMaster(item));
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const form = formOfId(formId);
      const codes = [...new Set(group.map((item) => item.draft.billNo))];
      // EFI lists filter one extSystemCode + extVouchCode pair at a time (vouchers one businessId); scm/sd lists take
      // a chunk of codes (`in`).
      const queries = form.keyField
        ? codes.map((code) =>
            form.keyField === 'extVouchCode'
              ? { extSystemCode: EXT_SYSTEM_CODE, extVouchCode: code }
              : { [form.keyField!]: code },
          )
        : chunks(codes, LOOKUP_CHUNK).map((chunk) => ({ simpleVOs: [{ field: 'code', op: 'in', value1: chunk }] }));
      for (const query of queries) {
        const page = await this.client.list(`${form.base}/${form.listPath ?? 'list'}`, {
          pageIndex: 1,
          pageSize: LOOKUP_CHUNK,
          isSum: true,
          ...query,
        });
        for (const row of page.recordList) {
          result.set(ledgerId(this.account, formId, String(row[form.keyField ?? 'code'])), {
            fid: String(row[form.idField ?? 'id']),
            stage: String(row.status) === '1' ? 'AUDITED' : 'SAVED',
          });
        }
      }
    }
    return result;
  }

  /** 弃审 (reverse and re-post) → single save per document → 审核, each for the items that need it. */
  async write(all: Item[], ctx: WriteContext): Promise<void> {
    await this.masterData.write(all.filter(MasterDataWriter.isMaster), ctx);
    const items = all.filter((item) => !MasterDataWriter.isMaster(item));
    const active = () => items.filter((item) => !item.done);
    for (const item of active().filter((one) => one.plan === 'update' || one.plan === 'reverse-update'))
      if (formOfId(item.draft.formId).insertOnly)
        ctx.fail(
          item,
          {
            level: 2,
            code: 'MODIFIED_AFTER_AUDIT',
            message: `用友${item.draft.formId === 'receivable' ? '应收单' : '单据'} ${item.draft.billNo} 只能新增不能修改：源单据已变更，请在用友删除该单后重推，或跳过 YonSuite cannot update this document (Insert only): delete it on YonSuite and re-push, or skip`,
          },
          false,
        );
    await this.statusStep(
      'batchunaudit',
      active().filter((item) => item.plan === 'reverse-update'),
      ctx,
    );
    for (const item of active().filter((one) => one.plan === 'save' || one.plan === 'update'))
      await this.save(item, ctx);
    await this.statusStep(
      'batchaudit',
      active().filter(
        (item) => this.wantedStage(item.flow) === 'AUDITED' && item.entry.stage === 'SAVED' && item.entry.fid !== null,
      ),
      ctx,
    );
  }

  private async save(item: Item, ctx: WriteContext): Promise<void> {
    const form = formOfId(item.draft.formId);
    const path = `${form.base}/${form.save}`;
    const update = item.plan === 'update';
    const model = form.linksReceivables ? await this.linkReceivables(item, ctx) : item.draft.model;
    if (!model) return;
    const body = update ? { ...model, _status: 'Update', id: String(item.entry.fid) } : model;
    const key = form.mdd ? resubmitCheckKey(item) : undefined;
    let outcome: SaveOutcome;
    try {
      outcome = key ? await this.client.save(path, body, key) : await this.plainSave(form, path, body);
    } catch (error) {
      if (!(error instanceof YonyouError)) throw error;
      ctx.recordCall([
        callRecord(item, 'save', { resubmitCheckKey: key, data: body }, error.kind, { messages: [error.message] }),
      ]);
      if (error.kind === 'indeterminate' || error.kind === 'in_progress') {
        // Sent, no usable answer (or still 202 after the client's retries): the document may exist. IN_DOUBT until
        // its code is looked up.
        ctx.setEntry(item, { state: 'IN_DOUBT' }, 'write_in_doubt', error.message);
        throw error;
      }
      if (error.level === 3) throw error;
      if (
        !update &&
        CODE_TAKEN.test(error.message) &&
        (await this.adopt(item, ctx, `code ${item.draft.billNo} already on YonSuite`))
      )
        return;
      ctx.fail(item, problemOf(error));
      return;
    }
    ctx.recordCall([
      callRecord(item, 'save', { resubmitCheckKey: key, data: body }, outcome.status, { fid: outcome.id }),
    ]);
    if (outcome.status === 'duplicate') {
      // The key was used over an hour ago: the first write landed. Its stage comes from the target.
      if (await this.adopt(item, ctx, `resubmitCheckKey used before (100004), id ${outcome.id}`)) return;
      ctx.fail(
        item,
        {
          level: 2,
          code: 'YONYOU_KEY_USED_DOCUMENT_GONE',
          message: `用友说该写入已执行过（100004，单据id ${outcome.id}），但按单据编号 ${item.draft.billNo} 查不到单据（可能被人工删除）；请核对后重推或跳过 YonSuite says this write was done before but the document code is not found (deleted?); check, then re-push or skip`,
        },
        false,
      );
      return;
    }
    ctx.setEntry(
      item,
      { fid: outcome.id, stage: 'SAVED', postedVersion: item.version, problem: null },
      update ? 'updated' : 'saved',
      `id ${outcome.id}`,
    );
  }

  /**
   * A 收款单's rows with their source 应收单 linked: each row's RECEIVABLE_KEY (the receivable's extVouchCode) becomes
   * its `srcBillId` / `srcBillNo`, found by the EFI business key. A receivable YonSuite does not have parks the receipt
   * (level 1, naming it); whether it is audited, in the receipt's currency and open enough, YonSuite decides at save.
   */
  private async linkReceivables(item: Item, ctx: WriteContext): Promise<Record<string, unknown> | undefined> {
    const lines = formOfId(item.draft.formId).lines;
    const rows = item.draft.model[lines] as Record<string, unknown>[];
    const keys = [...new Set(rows.map((row) => String(row[RECEIVABLE_KEY])))];
    const found = new Map<string, Record<string, unknown>>();
    for (const key of keys) {
      const page = await this.client.list(`${FORM_OF.receivable.base}/list`, {
        pageIndex: 1,
        pageSize: 10,
        isSum: true,
        extSystemCode: EXT_SYSTEM_CODE,
        extVouchCode: key,
      });
      const receivable = page.recordList.find((row) => String(row.extVouchCode) === key);
      if (receivable) found.set(key, receivable);
    }
    const missing = keys.filter((key) => !found.has(key));
    if (missing.length > 0) {
      ctx.fail(item, {
        level: 1,
        code: 'YONYOU_RECEIVABLE_NOT_FOUND',
        field: 'writeOffs[].receivableBillNumber',
        message: `用友收款单 ${item.draft.billNo} 核销的应收单 ${missing.join(', ')} 在用友不存在（按外部系统单号查询）：请先推送该应收单，再重推本收款单 the receivable(s) this receipt writes off are not on YonSuite (looked up by extVouchCode): post them first, then re-push the receipt`,
      });
      return undefined;
    }
    return {
      ...item.draft.model,
      [lines]: rows.map(({ [RECEIVABLE_KEY]: key, ...row }) => {
        const receivable = found.get(String(key))!;
        return { ...row, srcBillId: String(receivable.id), srcBillNo: String(receivable.code) };
      }),
    };
  }

  /**
   * A save without MDD idempotency (调出单; 凭证, whose body is the document itself): sent once; a lost answer is
   * resolved by the business key like any other.
   */
  private async plainSave(form: YonyouForm, path: string, data: Record<string, unknown>): Promise<SaveOutcome> {
    const document = await this.client.write(path, form.topLevelBody ? data : { data });
    const raw = document[form.idField ?? 'id'];
    const id = raw === undefined || raw === null ? '' : String(raw);
    if (id === '')
      throw new YonyouError(`YonSuite ${path}: a save answered without data.${form.idField ?? 'id'}`, {
        kind: 'protocol',
        apiCode: 'BAD_ANSWER',
        path,
      });
    return { status: 'saved', id, code: String(document.code ?? ''), document };
  }

  /** Takes over the document our own earlier write left on the target. False when the lookup does not find it. */
  private async adopt(item: Item, ctx: WriteContext, why: string): Promise<boolean> {
    const found = (await this.lookup([item])).get(item.id);
    if (!found) return false;
    ctx.setEntry(
      item,
      { fid: found.fid, stage: found.stage, postedVersion: item.version, problem: null },
      'adopted_existing',
      `${why}: id ${found.fid}`,
    );
    return true;
  }

  /** 审核 or 弃审 of a group in one call; rows that failed are confirmed by query before they are reported. */
  private async statusStep(action: 'batchaudit' | 'batchunaudit', items: Item[], ctx: WriteContext): Promise<void> {
    const wanted: BillStage = action === 'batchaudit' ? 'AUDITED' : 'SAVED';
    for (const [formId, group] of groupBy(items, (item) => item.draft.formId)) {
      const ids = group.map((item) => String(item.entry.fid));
      let failures: Map<string, string>;
      try {
        const form = formOfId(formId);
        const path = form.statusPaths?.[action === 'batchaudit' ? 'audit' : 'unaudit'] ?? action;
        const result = await this.client.batchAction(`${form.base}/${path}`, ids);
        failures = new Map(result.failures.map((failure) => [failure.id, failure.message]));
      } catch (error) {
        if (error instanceof YonyouError)
          ctx.recordCall(
            group.map((item) => callRecord(item, action, { ids }, error.kind, { messages: [error.message] })),
          );
        // Level 3 (incl. a lost answer): the stage is re-read from YonSuite when the chunk runs again.
        if (!(error instanceof YonyouError) || error.level === 3) throw error;
        failures = new Map(ids.map((id) => [id, error.userMessage]));
      }
      ctx.recordCall(
        group.map((item) =>
          callRecord(
            item,
            action,
            { ids },
            failures.has(String(item.entry.fid)) ? 'failed' : 'ok',
            failures.has(String(item.entry.fid)) ? { messages: [failures.get(String(item.entry.fid))!] } : {},
          ),
        ),
      );
      const failed = group.filter((item) => failures.has(String(item.entry.fid)));
      const states = failed.length > 0 ? await this.lookup(failed) : new Map<string, TargetState>();
      for (const item of group) {
        const message = failures.get(String(item.entry.fid));
        const now = states.get(item.id);
        if (message === undefined || now?.stage === wanted) {
          if (action === 'batchunaudit') {
            ctx.setEntry(
              item,
              { stage: 'SAVED' },
              'unaudited',
              'reverse_and_repost: YonSuite 弃审 reversed the audited document',
            );
            item.plan = 'update';
          } else ctx.assume(item, { stage: 'AUDITED' });
          continue;
        }
        ctx.fail(item, {
          level: 2,
          code: `YONYOU_${action.toUpperCase()}`,
          message: `用友${action === 'batchaudit' ? '审核' : '弃审'}失败 YonSuite ${action} refused: ${message}`,
        });
      }
    }
  }
}

/**
 * The MDD idempotency key (≤ 32 characters): the same for every repeat of one write (same document, version and
 * plan), different for a newer version or an update, so the gateway never replays an old answer for new content.
 */
export function resubmitCheckKey(item: Pick<Item, 'id' | 'version' | 'plan'>): string {
  return createHash('sha256').update(`${item.id}|${item.version}|${item.plan}`).digest('hex').slice(0, 32);
}

export function problemOf(error: YonyouError): LedgerProblem {
  return { level: error.level, code: error.code, message: error.userMessage, field: error.field };
}

export function callRecord(
  item: Item,
  operation: string,
  request: unknown,
  outcome: string,
  extra: Partial<TargetCallRecord>,
): TargetCallRecord {
  return { ledgerId: item.id, at: new Date(), operation, request, outcome, ...extra };
}

function chunks<T>(values: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(values.length / size) }, (_, index) =>
    values.slice(index * size, (index + 1) * size),
  );
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}
