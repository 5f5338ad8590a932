import { ZodError } from 'zod';
import { ENTITY_SCHEMAS, keyOf, type EntityName } from './entities';
import type { MasterDataStore, StoredRecord } from './store';

/**
 * What the pull needs from Kingdee: paged ExecuteBillQuery. `KingdeeClient` from @yecai/kingdee satisfies it (its
 * `queryPages` moves StartRow until a short page); tests may pass anything with the same shape.
 */
export interface KingdeeBaseDataReader {
  queryPages(query: { formId: string; fieldKeys: string[]; filter?: string; orderBy?: string }, pageSize?: number): AsyncIterable<Record<string, unknown>[]>;
}

/** A row of one Kingdee base-data form, already reduced to the master-data record it becomes. */
interface BaseDataForm {
  formId: string;
  entity: EntityName;
  label: string;
  /** Primary key first (a unique, stable order for paging), then what the record needs. */
  fieldKeys: string[];
  /** Audited and not forbidden: only those can be used on a bill. */
  filter?: string;
  toRecord(row: Record<string, unknown>): Record<string, unknown>;
}

const USABLE = "FDocumentStatus = 'C' and FForbidStatus = 'A'";
const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value).trim());

/**
 * Kingdee base data as master-data records of the source system `kingdee`, keyed by the Kingdee number
 * (`kingdee/<number>`): what exists in the 账套, beside the mappings people keep per source system. Records that need
 * an org (a warehouse's stock org, a customer's delivery org) take the record's create org, its owner.
 */
export const KINGDEE_BASE_DATA: BaseDataForm[] = [
  {
    formId: 'ORG_Organizations',
    entity: 'org',
    label: '组织 organisations',
    fieldKeys: ['FOrgID', 'FNumber', 'FName'],
    toRecord: (row) => ({ number: text(row.FNumber), name: text(row.FName) }),
  },
  {
    formId: 'BD_MATERIAL',
    entity: 'sku',
    label: '物料 materials',
    fieldKeys: ['FMATERIALID', 'FNumber', 'FName', 'FBaseUnitId.FNumber', 'FIsBatchManage', 'FCreateOrgId.FNumber', 'FUseOrgId.FNumber'],
    filter: USABLE,
    toRecord: (row) => ({
      sourceSystem: 'kingdee',
      skuCode: text(row.FNumber),
      materialNumber: text(row.FNumber),
      unit: text(row['FBaseUnitId.FNumber']),
      // Batch-managed materials take the flow's batch rule; the others never carry a batch.
      batchRule: row.FIsBatchManage === true ? 'flow' : 'none',
    }),
  },
  {
    formId: 'BD_Customer',
    entity: 'shop',
    label: '客户 customers',
    fieldKeys: ['FCUSTID', 'FNumber', 'FName', 'FCreateOrgId.FNumber', 'FUseOrgId.FNumber'],
    filter: USABLE,
    toRecord: (row) => ({
      sourceSystem: 'kingdee',
      shopCode: text(row.FNumber),
      shopName: text(row.FName),
      customerNumber: text(row.FNumber),
      deliveryOrg: text(row['FCreateOrgId.FNumber']),
    }),
  },
  {
    formId: 'BD_Supplier',
    entity: 'supplier',
    label: '供应商 suppliers',
    fieldKeys: ['FSupplierId', 'FNumber', 'FName', 'FCreateOrgId.FNumber', 'FUseOrgId.FNumber'],
    filter: USABLE,
    toRecord: (row) => ({ sourceSystem: 'kingdee', sourceCode: text(row.FNumber), name: text(row.FName), kingdeeSupplierNumber: text(row.FNumber) }),
  },
  {
    formId: 'BD_STOCK',
    entity: 'warehouse',
    label: '仓库 warehouses',
    fieldKeys: ['FStockId', 'FNumber', 'FName', 'FCreateOrgId.FNumber', 'FUseOrgId.FNumber'],
    filter: USABLE,
    toRecord: (row) => ({
      sourceSystem: 'kingdee',
      sourceCode: text(row.FNumber),
      name: text(row.FName),
      kingdeeStockNumber: text(row.FNumber),
      stockOrg: text(row['FCreateOrgId.FNumber']),
    }),
  },
];

/** Which field of a source-system mapping names a Kingdee record, and the form it must exist in. */
const MAPPING_REFERENCES: { entity: EntityName; field: string; formId: string }[] = [
  { entity: 'warehouse', field: 'kingdeeStockNumber', formId: 'BD_STOCK' },
  { entity: 'warehouse', field: 'stockOrg', formId: 'ORG_Organizations' },
  { entity: 'shop', field: 'customerNumber', formId: 'BD_Customer' },
  { entity: 'shop', field: 'deliveryOrg', formId: 'ORG_Organizations' },
  { entity: 'sku', field: 'materialNumber', formId: 'BD_MATERIAL' },
  { entity: 'supplier', field: 'kingdeeSupplierNumber', formId: 'BD_Supplier' },
];

export interface PulledForm {
  formId: string;
  entity: EntityName;
  label: string;
  /** Usable records in Kingdee (one per number; use-org copies of a record count once). */
  records: number;
  added: string[];
  changed: string[];
  unchanged: number;
  /** Rows that do not make a valid record (e.g. a material without a base unit): not stored, named here. */
  invalid: { number: string; field: string; message: string }[];
  /** `kingdee/…` records stored by an earlier pull that Kingdee no longer has (deleted, forbidden, un-audited); kept. */
  goneFromKingdee: string[];
}

export interface KingdeePullReport {
  forms: PulledForm[];
  /** Source-system mappings naming a Kingdee number that Kingdee does not have (they would fail at the sink). */
  unknownInKingdee: { entity: EntityName; key: string; field: string; number: string }[];
}

function sameRecord(stored: StoredRecord, record: Record<string, unknown>): boolean {
  const { _id, updatedAt, ...rest } = stored;
  const keys = new Set([...Object.keys(rest), ...Object.keys(record)]);
  return [...keys].every((key) => JSON.stringify(rest[key] ?? null) === JSON.stringify(record[key] ?? null));
}

async function readAll(store: MasterDataStore, entity: EntityName): Promise<StoredRecord[]> {
  return store.collection(entity).find({}).sort({ _id: 1 }).toArray();
}

async function pullForm(reader: KingdeeBaseDataReader, store: MasterDataStore, form: BaseDataForm, pageSize: number): Promise<{ report: PulledForm; numbers: Set<string> }> {
  const byNumber = new Map<string, Record<string, unknown>>();
  const query = { formId: form.formId, fieldKeys: form.fieldKeys, orderBy: form.fieldKeys[0]!, ...(form.filter ? { filter: form.filter } : {}) };
  for await (const page of reader.queryPages(query, pageSize)) {
    for (const row of page) {
      const number = text(row.FNumber);
      const owned = !row['FUseOrgId.FNumber'] || row['FUseOrgId.FNumber'] === row['FCreateOrgId.FNumber'];
      // One record per number: the create org's own copy wins over copies allocated to other use orgs.
      if (number && (!byNumber.has(number) || owned)) byNumber.set(number, row);
    }
  }
  const report: PulledForm = { formId: form.formId, entity: form.entity, label: form.label, records: byNumber.size, added: [], changed: [], unchanged: 0, invalid: [], goneFromKingdee: [] };
  const stored = new Map((await readAll(store, form.entity)).map((record) => [record._id, record]));
  const pulledKeys = new Set<string>();
  for (const [number, row] of byNumber) {
    const parsed = ENTITY_SCHEMAS[form.entity].safeParse(form.toRecord(row));
    if (!parsed.success) {
      const issue = (parsed.error as ZodError).issues[0]!;
      report.invalid.push({ number, field: issue.path.join('.'), message: issue.message });
      continue;
    }
    const record = parsed.data as Record<string, unknown>;
    const _id = keyOf(form.entity, record);
    pulledKeys.add(_id);
    const existing = stored.get(_id);
    if (existing && sameRecord(existing, record)) {
      report.unchanged += 1;
      continue;
    }
    await store.write(form.entity, _id, record, existing);
    (existing ? report.changed : report.added).push(_id);
  }
  const own = (record: StoredRecord) => form.entity === 'org' || record.sourceSystem === 'kingdee';
  report.goneFromKingdee = [...stored.values()].filter((record) => own(record) && !pulledKeys.has(record._id)).map((record) => record._id);
  return { report, numbers: new Set(byNumber.keys()) };
}

/**
 * Pulls Kingdee base data — organisations, materials, customers, suppliers, warehouses (audited, not forbidden) —
 * into master data as `kingdee/<number>` records (orgs by number), and reports what was added, changed and is gone,
 * plus the source-system mappings whose Kingdee number Kingdee does not have. Re-running it is safe: unchanged
 * records are not written, and nothing is ever deleted by the pull.
 */
export async function pullFromKingdee(reader: KingdeeBaseDataReader, store: MasterDataStore, pageSize = 2000): Promise<KingdeePullReport> {
  const forms: PulledForm[] = [];
  const numbersByForm = new Map<string, Set<string>>();
  for (const form of KINGDEE_BASE_DATA) {
    const { report, numbers } = await pullForm(reader, store, form, pageSize);
    forms.push(report);
    numbersByForm.set(form.formId, numbers);
  }
  const unknownInKingdee: KingdeePullReport['unknownInKingdee'] = [];
  for (const entity of new Set(MAPPING_REFERENCES.map((reference) => reference.entity))) {
    for (const record of await readAll(store, entity)) {
      if (record.sourceSystem === 'kingdee') continue;
      for (const reference of MAPPING_REFERENCES.filter((candidate) => candidate.entity === entity)) {
        const number = record[reference.field];
        if (typeof number === 'string' && number !== '' && !numbersByForm.get(reference.formId)!.has(number)) {
          unknownInKingdee.push({ entity, key: record._id, field: reference.field, number });
        }
      }
    }
  }
  return { forms, unknownInKingdee };
}

/** The report as the lines a person reads (Chinese with English beside). */
export function formatKingdeePullReport(report: KingdeePullReport): string[] {
  const lines: string[] = [];
  for (const form of report.forms) {
    lines.push(
      `${form.label} (${form.formId}): 金蝶 ${form.records} 条 in Kingdee — 新增 added ${form.added.length}, 变更 changed ${form.changed.length}, 未变 unchanged ${form.unchanged}, 无效 invalid ${form.invalid.length}, 金蝶已无 gone ${form.goneFromKingdee.length}`,
    );
    for (const key of form.added) lines.push(`  + ${key}`);
    for (const key of form.changed) lines.push(`  ~ ${key}`);
    for (const row of form.invalid) lines.push(`  ! ${row.number}: ${row.field} ${row.message}（未写入 not stored）`);
    for (const key of form.goneFromKingdee) lines.push(`  - ${key}（金蝶中已不存在或已禁用，主数据保留 no longer usable in Kingdee, kept）`);
  }
  if (report.unknownInKingdee.length > 0) {
    lines.push(`映射指向金蝶中不存在的资料 mappings naming a Kingdee number Kingdee does not have: ${report.unknownInKingdee.length}`);
    for (const item of report.unknownInKingdee) lines.push(`  ? ${item.entity} ${item.key}: ${item.field} = ${item.number}`);
  }
  return lines;
}
