/**
 * The YonSuite adapter's master-data half (yonyou-target.ts routes 物料 / 客户 / 供应商 / 仓库 here): a save is an
 * upsert by code (so a re-send after a lost answer is harmless, and a newer version is the same call), then 多组织分配
 * to the orgs the record still lacks — the ledger's `allocatedOrgs` says which are done, and after a lost answer or a
 * restart the read-back by code says which the record already has, so each org is assigned once. An org already
 * assigned is no error on YonSuite either.
 */
import type { TargetState, WorkItem, WriteContext } from '@yecai/sink-kit';
import { isMasterDataType, type MasterDataType } from '@yecai/sink-kit';
import { errorFromEnvelope, levelOfMessage, YonyouError, type YonyouClient } from '@yecai/yonyou';
import type { FlowConfig } from './config';
import { MASTER_FORMS } from './master-data-forms';
import { assignTargets } from './master-data-map';
import { callRecord, problemOf, resubmitCheckKey } from './yonyou-target';

type Item = WorkItem<FlowConfig>;
type Row = Record<string, unknown>;

/** The MDD duplicate: the key was used over an hour ago, the record exists (its id alone comes back). */
const DUPLICATE = new Set(['100004', '10004']);
/** The code is taken (an insert-only save, e.g. a real tenant's 客户 newinsert): the record is adopted as it is. */
const CODE_EXISTS = /编码.*已存在/;

export class MasterDataWriter {
  constructor(private readonly client: YonyouClient) {}

  static isMaster(item: Item): boolean {
    return isMasterDataType(item.request.documentType);
  }

  /** Complete = assigned to every org it must be (documents: always). */
  isComplete(item: Item): boolean {
    return !MasterDataWriter.isMaster(item) || this.missingOrgs(item).length === 0;
  }

  /** One read-back by code per record: its id and the orgs it is assigned to. */
  async lookup(items: Item[]): Promise<Map<string, TargetState>> {
    const result = new Map<string, TargetState>();
    for (const item of items) {
      const form = MASTER_FORMS[typeOf(item)];
      const code = item.draft.billNo;
      const { data } = await this.client.post(
        `${form.base}/${form.query}`,
        { pageIndex: 1, pageSize: 10, code },
        { write: false },
      );
      const rows = Array.isArray(data) ? (data as Row[]) : ((asRecord(data).recordList as Row[] | undefined) ?? []);
      const row = rows.find((one) => String(one.code) === code);
      if (!row) continue;
      result.set(item.id, {
        fid: String(row.id),
        stage: 'SAVED',
        ...(form.assign ? { allocatedOrgs: orgCodes(row.assignedOrgCodes) } : {}),
      });
    }
    return result;
  }

  /** Save (plans save / update: the same upsert), then assign what is missing. */
  async write(items: Item[], ctx: WriteContext): Promise<void> {
    for (const item of items.filter((one) => !one.done && (one.plan === 'save' || one.plan === 'update')))
      await this.save(item, ctx);
    for (const item of items.filter(
      (one) => !one.done && one.entry.stage === 'SAVED' && one.entry.fid !== null && this.missingOrgs(one).length > 0,
    ))
      await this.assign(item, ctx);
  }

  private missingOrgs(item: Item): string[] {
    const done = new Set(item.entry.allocatedOrgs ?? []);
    return assignTargets(typeOf(item), item.request.canonical, item.flow).filter((org) => !done.has(org));
  }

  private async save(item: Item, ctx: WriteContext): Promise<void> {
    const type = typeOf(item);
    const form = MASTER_FORMS[type];
    const path = `${form.base}/${form.save}`;
    const body =
      form.saveShape === 'mdd'
        ? { data: { ...item.draft.model, resubmitCheckKey: resubmitCheckKey(item) } }
        : // 仓库 matches by code and adds what it does not find; 供应商 rows carry _status InsertUpdate themselves.
          {
            ...(type === 'warehouse' ? { matchRule: 'code', unmatchedStrategy: 'add' } : {}),
            data: [item.draft.model],
          };
    let id: string | undefined;
    try {
      const answer = await this.client.post(path, body, { write: true, acceptDuplicate: form.mdd });
      id = savedId(path, answer.code, answer.data);
      ctx.recordCall([callRecord(item, 'save', body, DUPLICATE.has(answer.code) ? 'duplicate' : 'saved', {})]);
    } catch (error) {
      if (!(error instanceof YonyouError)) throw error;
      ctx.recordCall([callRecord(item, 'save', body, error.kind, { messages: [error.message] })]);
      if (error.kind === 'indeterminate' || error.kind === 'in_progress') {
        ctx.setEntry(item, { state: 'IN_DOUBT' }, 'write_in_doubt', error.message);
        throw error;
      }
      if (error.level === 3) throw error;
      if (!CODE_EXISTS.test(error.message)) {
        ctx.fail(item, problemOf(error));
        return;
      }
    }
    // The MDD duplicate, or a batch answer without the row's id: the record is there, read its id back by code.
    const found = id ?? (await this.lookup([item])).get(item.id)?.fid;
    if (found === undefined) {
      ctx.fail(item, {
        level: 2,
        code: 'YONYOU_SAVED_NOT_FOUND',
        message: `用友应答该编码已保存或已存在，但按编码 ${item.draft.billNo} 查不到档案；请核对后重推 YonSuite answered the code as saved or taken but the read-back does not find it; check, then re-push`,
      });
      return;
    }
    ctx.setEntry(
      item,
      { fid: String(found), stage: 'SAVED', postedVersion: item.version, problem: null },
      id === undefined ? 'adopted_existing' : item.plan === 'update' ? 'updated' : 'saved',
      `id ${String(found)}`,
    );
  }

  /** 多组织分配 of the orgs the record lacks; a refusal is confirmed by a read-back before it is reported. */
  private async assign(item: Item, ctx: WriteContext): Promise<void> {
    const form = MASTER_FORMS[typeOf(item)];
    const assign = form.assign!;
    const orgs = this.missingOrgs(item);
    const path = `${form.base}/${assign.path}`;
    const row = {
      [assign.idField]: String(item.entry.fid),
      orgIds: orgs,
      ...(assign.createOrg ? { createOrgId: String(item.request.canonical.createOrg) } : {}),
    };
    let refusal: string | undefined;
    try {
      const { data } = await this.client.post(path, { data: [row] }, { write: true });
      refusal = rowFailure(data);
    } catch (error) {
      // Level 3 (a lost answer too): the chunk runs again and the read-back says what is assigned.
      if (!(error instanceof YonyouError) || error.level === 3) throw error;
      refusal = error.userMessage;
    }
    ctx.recordCall([
      callRecord(item, 'assign', { data: [row] }, refusal ? 'failed' : 'ok', refusal ? { messages: [refusal] } : {}),
    ]);
    const merge = (held: string[]) => [...new Set([...(item.entry.allocatedOrgs ?? []), ...held])].sort();
    if (!refusal) {
      ctx.setEntry(item, { allocatedOrgs: merge(orgs) }, 'assigned', `orgs ${orgs.join(',')}`);
      return;
    }
    const held = (await this.lookup([item])).get(item.id)?.allocatedOrgs ?? [];
    if (held.length > 0)
      ctx.setEntry(item, { allocatedOrgs: merge(held) }, 'assigned', `orgs ${held.join(',')} (confirmed by query)`);
    if (this.missingOrgs(item).length === 0) return;
    ctx.fail(item, {
      level: levelOfMessage(refusal),
      code: 'YONYOU_ASSIGN_ORG',
      field: 'assignToOrgs',
      message: `用友分配组织失败 YonSuite refused to assign ${item.draft.billNo} to orgs ${this.missingOrgs(item).join(',')}: ${refusal}`,
    });
  }
}

function typeOf(item: Item): MasterDataType {
  return item.request.documentType as MasterDataType;
}

/** The saved record's id from the answer, or undefined (then it is read back); a refused row throws. */
function savedId(path: string, code: string, data: unknown): string | undefined {
  if (Array.isArray(data)) return text(asRecord(data[0]).id); // 客户: data: [{id, code}]
  const record = asRecord(data);
  const failure = rowFailure(data);
  // A batch save answers code 200 with the refusal inside: the same error as a refused single save.
  if (failure) throw errorFromEnvelope('ROW_FAILED', failure, path, true);
  if (DUPLICATE.has(code)) return undefined;
  return text(record.id) ?? text(asRecord((record.infos as unknown[] | undefined)?.[0]).id);
}

/** The refusal inside a `code 200` batch answer (failCount > 0), or undefined. */
function rowFailure(data: unknown): string | undefined {
  const record = asRecord(data);
  if (Number(record.failCount ?? 0) === 0) return undefined;
  const messages = [
    ...((record.messages as unknown[] | undefined) ?? []),
    ...((record.failInfos as Row[] | undefined) ?? []).map((one) => one.message),
  ].map(String);
  return [...new Set(messages)].join('；') || 'failCount > 0';
}

function orgCodes(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String).sort() : [];
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function asRecord(value: unknown): Row {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Row) : {};
}
