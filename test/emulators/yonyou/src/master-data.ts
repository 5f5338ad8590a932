/**
 * The YonSuite master-data APIs (yonyou-api.md §3.5.9): 物料 `product/idempotent/save` (MDD, upsert by code), 客户
 * `merchant/idempotent/newinsert` (MDD; failures answer `{"code":0,…}`), 供应商 `vendor/batchSaveV2` (`_status`
 * InsertUpdate; a refused row stays inside `code 200` as `failCount`/`messages`), 仓库 `warehouse/batchSave`
 * (`matchRule` code, `unmatchedStrategy` add), the 多组织分配 endpoints (`product/assignOrg`, `merchant/batchDo`,
 * `vendor/addvendorsuitorg`; an org already assigned is no error), and a read-back by code per API. A saved record
 * joins the tenant's reference tables, so documents that name it resolve.
 */
import type { Refusal, RefType, YonyouState } from './state';

export type MasterType = 'product' | 'merchant' | 'vendor' | 'warehouse';

export interface MasterRecord {
  id: bigint;
  type: MasterType;
  code: string;
  name: string;
  /** 管理组织 / 创建组织 (code). */
  createOrg: string;
  /** Orgs the record was assigned to (codes), besides its create org. */
  assignedOrgs: string[];
  /** Assign calls that added at least one org (a test sees "assigned once"). */
  assignCalls: number;
  /** The record as last saved. */
  fields: Record<string, unknown>;
}

/** The reference table a saved record joins (documents name products, customers, vendors, warehouses by code). */
const REF_OF: Record<MasterType, RefType> = {
  product: 'product',
  merchant: 'customer',
  vendor: 'vendor',
  warehouse: 'warehouse',
};

/** 物料分类 / 客户分类 / 供应商分类 codes the emulator tenant holds. */
export const DEFAULT_CLASSES: Record<'product' | 'merchant' | 'vendor', string[]> = {
  product: ['WL01', 'WL02'],
  merchant: ['KH01'],
  vendor: ['GYS01'],
};

type Answer = Record<string, unknown>;
/** One route: answers the parsed body. `write` routes are subject to the lost-answer fault. */
export interface MasterRoute {
  path: string;
  /** MDD save: the server's resubmitCheckKey cache wraps it. */
  mdd?: true;
  write: boolean;
  handle(body: Record<string, unknown>): Answer;
}

export class MasterDataStore {
  private readonly records = new Map<MasterType, Map<string, MasterRecord>>();
  /** Called after each record is saved, before the answer leaves (a test arms a fault for the next call here). */
  onSaved: ((saved: MasterRecord) => void) | undefined;
  /**
   * 客户 newinsert refuses a known code (`客户编码[…]已存在`) instead of updating it: whether the real API upserts is
   * unconfirmed (docs/yonyou.md §6 item 10); a test sets this to see the sink adopt the record.
   */
  merchantInsertOnly = false;

  constructor(
    private readonly state: YonyouState,
    readonly classes: Record<'product' | 'merchant' | 'vendor', string[]> = DEFAULT_CLASSES,
  ) {
    for (const type of Object.keys(REF_OF) as MasterType[]) this.records.set(type, new Map());
  }

  /** A record by code. */
  get(type: MasterType, code: string): MasterRecord | undefined {
    return this.records.get(type)!.get(code);
  }

  all(type: MasterType): MasterRecord[] {
    return [...this.records.get(type)!.values()];
  }

  /** The routes the gateway serves, in the server's route table. */
  routes(): MasterRoute[] {
    const base = '/yonbip/digitalModel';
    return [
      { path: `${base}/product/idempotent/save`, mdd: true, write: true, handle: (body) => this.saveProduct(body) },
      {
        path: `${base}/merchant/idempotent/newinsert`,
        mdd: true,
        write: true,
        handle: (body) => this.saveMerchant(body),
      },
      { path: `${base}/vendor/batchSaveV2`, write: true, handle: (body) => this.saveVendors(body) },
      { path: `${base}/warehouse/batchSave`, write: true, handle: (body) => this.saveWarehouses(body) },
      {
        path: `${base}/product/assignOrg`,
        write: true,
        handle: (body) => this.assign('product', 'productId', body, true),
      },
      {
        path: `${base}/merchant/batchDo`,
        write: true,
        handle: (body) => this.assign('merchant', 'merchantId', body, true),
      },
      {
        path: `${base}/vendor/addvendorsuitorg`,
        write: true,
        handle: (body) => this.assign('vendor', 'vendorId', body, false),
      },
      // Read-back by code (the emulator's choice of filter: `code`; shapes per yonyou-api.md §3.6: the customer list
      // answers a bare array, the warehouse query too).
      {
        path: `${base}/product/listproductbycondition`,
        write: false,
        handle: (body) => this.list('product', body, true),
      },
      { path: `${base}/merchant/newlist`, write: false, handle: (body) => this.list('merchant', body, false) },
      { path: `${base}/vendor/list`, write: false, handle: (body) => this.list('vendor', body, true) },
      {
        path: `${base}/warehouse/batchQueryDetail`,
        write: false,
        handle: (body) => this.list('warehouse', body, false),
      },
    ];
  }

  private saveProduct(body: Record<string, unknown>): Answer {
    const data = record(body.data);
    const refusal =
      need(data.code, '物料编码(code)') ??
      need(record(data.name).simplifiedName, '物料名称(name.simplifiedName)') ??
      this.ref('org', data.orgId ?? data.orgCode, '管理组织(orgCode)') ??
      this.cls('product', data.manageClass ?? data.manageClassCode, '物料分类(manageClassCode)') ??
      this.ref('unit', data.unitCode, '主计量单位(unitCode)') ??
      this.optionalRef('unit', record(data.detail).purchaseUnitCode, '采购单位(detail.purchaseUnitCode)') ??
      this.optionalRef('unit', record(data.detail).stockUnitCode, '库存单位(detail.stockUnitCode)');
    if (refusal) return { code: '999', message: refusal.message };
    const saved = this.upsert(
      'product',
      data,
      String(record(data.name).simplifiedName),
      String(data.orgId ?? data.orgCode),
    );
    if ('ok' in saved) return { code: '999', message: saved.message };
    return { code: '200', message: '操作成功', data: this.view(saved) };
  }

  private saveMerchant(body: Record<string, unknown>): Answer {
    const data = record(body.data);
    // The customer API answers its failures as code 0 (yonyou-api.md §3.7), with the message's own punctuation.
    const refusal =
      need(data.code, '客户编码') ??
      need(record(data.name).simplifiedName, '客户名称') ??
      this.ref('org', data.createOrg ?? data.createOrgCode, '管理组织(createOrgCode)') ??
      this.cls('merchant', data.customerClass ?? data.customerClassCode, '客户分类(customerClassCode)', true);
    if (refusal) return { code: 0, message: refusal.message.replace(/^保存失败：/, ''), data: null };
    if (this.merchantInsertOnly && this.get('merchant', String(data.code)))
      return { code: 0, message: `客户编码[${String(data.code)}]已存在`, data: null };
    const saved = this.upsert(
      'merchant',
      data,
      String(record(data.name).simplifiedName),
      String(data.createOrg ?? data.createOrgCode),
    );
    if ('ok' in saved) return { code: 0, message: saved.message, data: null };
    return { code: '200', success: true, message: '操作成功', data: [{ id: saved.id, code: saved.code }] };
  }

  private saveVendors(body: Record<string, unknown>): Answer {
    return this.batch(body, (row) => {
      if (!['InsertUpdate', 'Insert', 'Update'].includes(String(row._status ?? '')))
        return { ok: false, message: `_status[${String(row._status ?? '')}]只能是Insert、Update或InsertUpdate` };
      const refusal =
        need(row.code, '供应商编码(code)') ??
        need(record(row.name).zh_CN, '供应商名称(name.zh_CN)') ??
        this.ref('org', row.org ?? row.org_code, '管理组织(org_code)') ??
        this.cls('vendor', row.vendorclass ?? row.vendorclass_code, '供应商分类(vendorclass_code)');
      if (refusal) return refusal;
      const exists = this.get('vendor', String(row.code)) !== undefined;
      if (row._status === 'Insert' && exists) return { ok: false, message: `供应商编码[${String(row.code)}]已存在` };
      if (row._status === 'Update' && !exists) return { ok: false, message: `供应商编码[${String(row.code)}]不存在` };
      return this.upsert('vendor', row, String(record(row.name).zh_CN), String(row.org ?? row.org_code));
    });
  }

  private saveWarehouses(body: Record<string, unknown>): Answer {
    if (body.matchRule !== 'code' && body.matchRule !== 'id')
      return { code: '999', message: `保存失败：匹配规则(matchRule)[${String(body.matchRule ?? '')}]只能是id或code` };
    return this.batch(body, (row) => {
      const refusal =
        need(row.code, '仓库编码(code)') ??
        need(record(row.name).zh_CN, '仓库名称(name.zh_CN)') ??
        this.ref('org', row.org ?? row.org___code, '库存组织(org___code)');
      if (refusal) return refusal;
      const existing =
        body.matchRule === 'id' ? this.byId('warehouse', row.id) : this.get('warehouse', String(row.code));
      if (!existing && body.unmatchedStrategy !== 'add')
        return { ok: false, message: `仓库[${String(row.code)}]不存在，且未匹配策略(unmatchedStrategy)不是add` };
      return this.upsert('warehouse', row, String(record(row.name).zh_CN), String(row.org ?? row.org___code));
    });
  }

  /** A batch save: every row on its own; refused rows are counted inside `code 200` (yonyou-api.md §3.7). */
  private batch(body: Record<string, unknown>, save: (row: Record<string, unknown>) => MasterRecord | Refusal): Answer {
    const rows = Array.isArray(body.data) ? (body.data as unknown[]).map(record) : [];
    if (rows.length === 0) return { code: '999', message: '保存失败：请求参数data不能为空' };
    const infos: Answer[] = [];
    const failInfos: { message: string }[] = [];
    for (const [index, row] of rows.entries()) {
      const outcome = save(row);
      if ('ok' in outcome)
        failInfos.push({ message: `第${index + 1}行：${outcome.message.replace(/^保存失败：/, '')}` });
      else infos.push({ id: outcome.id, code: outcome.code });
    }
    return batchAnswer(rows.length, failInfos, infos);
  }

  /** 分配: adds orgs to each record; an org it already has (or its create org) is no error. */
  private assign(type: MasterType, idField: string, body: Record<string, unknown>, needsCreateOrg: boolean): Answer {
    const rows = Array.isArray(body.data) ? (body.data as unknown[]).map(record) : [];
    if (rows.length === 0) return { code: '999', message: '分配失败：请求参数data不能为空' };
    const failInfos: { id: string; message: string }[] = [];
    for (const row of rows) {
      const target = this.byId(type, row[idField]) ?? this.get(type, String(row[idField] ?? ''));
      const orgs = Array.isArray(row.orgIds) ? row.orgIds.map(String) : [];
      const unknown = orgs.filter((org) => !this.state.resolve('org', org));
      const createOrg = this.state.resolve('org', row.createOrgId);
      const reason = !target
        ? `${idField}[${String(row[idField] ?? '')}]对应的档案不存在`
        : orgs.length === 0
          ? '分配组织(orgIds)不能为空'
          : unknown.length > 0
            ? `组织[${unknown.join(',')}]不存在`
            : needsCreateOrg && createOrg?.code !== target.createOrg
              ? `创建组织(createOrgId)[${String(row.createOrgId ?? '')}]与档案的管理组织[${target.createOrg}]不一致`
              : undefined;
      if (reason || !target) {
        failInfos.push({ id: String(row[idField] ?? ''), message: reason ?? '' });
        continue;
      }
      const codes = orgs.map((org) => this.state.resolve('org', org)!.code);
      const added = codes.filter((org) => org !== target.createOrg && !target.assignedOrgs.includes(org));
      if (added.length > 0) {
        target.assignedOrgs = [...target.assignedOrgs, ...added].sort();
        target.assignCalls += 1;
      }
    }
    return batchAnswer(rows.length, failInfos);
  }

  /** Read-back by `code` (or every record without one): paged `recordList`, or a bare array where the API does. */
  private list(type: MasterType, body: Record<string, unknown>, paged: boolean): Answer {
    const code = typeof body.code === 'string' && body.code !== '' ? body.code : undefined;
    const rows = this.all(type)
      .filter((one) => code === undefined || one.code === code)
      .map((one) => this.view(one));
    return {
      code: '200',
      message: '操作成功',
      data: paged ? { pageIndex: 1, pageSize: rows.length, recordCount: rows.length, recordList: rows } : rows,
    };
  }

  private view(one: MasterRecord): Answer {
    return { ...one.fields, id: one.id, code: one.code, orgCode: one.createOrg, assignedOrgCodes: one.assignedOrgs };
  }

  /** Insert or update by code; a record keeps its create org (YonSuite moves no archive between orgs). */
  private upsert(type: MasterType, fields: Record<string, unknown>, name: string, org: string): MasterRecord | Refusal {
    const createOrg = this.state.resolve('org', org)!.code;
    const code = String(fields.code);
    const existing = this.get(type, code);
    if (existing && existing.createOrg !== createOrg)
      return {
        ok: false,
        message: `保存失败：档案[${code}]的管理组织是[${existing.createOrg}]，不能改为[${createOrg}]`,
      };
    const clean = Object.fromEntries(
      Object.entries(fields).filter(([key]) => key !== 'resubmitCheckKey' && key !== '_status' && key !== 'id'),
    );
    // The reference table's id: a code the tenant already knew keeps its id.
    const { id } = this.state.addReference(REF_OF[type], code, name);
    const saved: MasterRecord = existing
      ? Object.assign(existing, { name, fields: clean })
      : { id, type, code, name, createOrg, assignedOrgs: [], assignCalls: 0, fields: clean };
    this.records.get(type)!.set(code, saved);
    this.onSaved?.(saved);
    return saved;
  }

  private byId(type: MasterType, id: unknown): MasterRecord | undefined {
    return id === undefined || id === null ? undefined : this.all(type).find((one) => one.id.toString() === String(id));
  }

  private ref(type: RefType, value: unknown, caption: string): Refusal | undefined {
    return (
      need(value, caption) ??
      (this.state.resolve(type, value) ? undefined : refuse(`${caption}[${String(value)}]不存在`))
    );
  }

  private optionalRef(type: RefType, value: unknown, caption: string): Refusal | undefined {
    return value === undefined || value === null || value === '' ? undefined : this.ref(type, value, caption);
  }

  private cls(
    type: 'product' | 'merchant' | 'vendor',
    value: unknown,
    caption: string,
    optional = false,
  ): Refusal | undefined {
    if (optional && (value === undefined || value === null || value === '')) return undefined;
    return (
      need(value, caption) ??
      (this.classes[type].includes(String(value)) ? undefined : refuse(`${caption}[${String(value)}]不存在`))
    );
  }
}

/**
 * A batch call's answer (yonyou-api.md §3.7): `code 200` even when rows failed, with the counts (`sucessCount`, as
 * YonSuite spells it), the failed rows' messages and `failInfos`, and the saved rows' `infos`.
 */
export function batchAnswer(
  count: number,
  failInfos: { message: string }[],
  infos: Record<string, unknown>[] = [],
): Record<string, unknown> {
  return {
    code: '200',
    message: '操作成功',
    data: {
      count,
      sucessCount: count - failInfos.length,
      failCount: failInfos.length,
      messages: failInfos.map((one) => one.message),
      infos,
      failInfos,
    },
  };
}

function need(value: unknown, caption: string): Refusal | undefined {
  return value === undefined || value === null || String(value).trim() === ''
    ? refuse(`${caption}不能为空`)
    : undefined;
}

function refuse(reason: string): Refusal {
  return { ok: false, message: `保存失败：${reason}` };
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
