import { Decimal, formatBeijingTime } from '@yecai/common';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Fixture } from './fixture';
import { computeBaseQuantities, computeEntryAmounts, missingLotErrors } from './entry-rules';
import { applyWriteOff, initReceivable, writeOffErrors } from './write-off';
import { downstreamProblem, releasePushed } from './push';
import { normaliseDate } from './filter';
import {
  BASE_FORMS,
  allHeaderFields,
  baseForm,
  billForm,
  findField,
  type BaseFormId,
  type BillFormDef,
  type FieldDef,
} from './forms';

/** A resolved base-data reference as stored on a bill. */
export interface StoredRef {
  ref: BaseFormId;
  id: number;
  number: string;
  name: string;
}
export type StoredValue = string | Decimal | boolean | StoredRef | null;

export interface StoredRow {
  entryId: number;
  seq: number;
  fields: Record<string, StoredValue>;
  sub: { entryId: number; seq: number; fields: Record<string, StoredValue> }[];
}

export type DocumentStatus = 'Z' | 'A' | 'B' | 'C' | 'D';

export interface StoredBill {
  id: number;
  formId: string;
  billNo: string;
  status: DocumentStatus;
  header: Record<string, StoredValue>;
  entries: StoredRow[];
  createDate: string;
  modifyDate: string;
  approveDate: string | null;
  /** Rows of the form's second entry table (收款单 源单明细), when it has one. */
  second?: StoredRow[];
  /** 作废状态: A normal, B cancelled. */
  cancelStatus?: 'A' | 'B';
}

export interface BaseRecord {
  id: number;
  masterId: number;
  formId: BaseFormId;
  number: string;
  name: string;
  createOrgId: number;
  useOrgId: number;
  status: DocumentStatus;
  forbidStatus: 'A' | 'B';
  fields: Record<string, StoredValue>;
  createDate: string;
  /** Drives incremental master-data sync (Kingdee → OMS by last-modified time). */
  modifyDate: string;
}

/** One error line of a ResponseStatus. */
export interface ErrorLine {
  FieldName: string | null;
  Message: string;
  DIndex: number;
}

export class OperationError extends Error {
  constructor(
    readonly msgCode: number,
    readonly errors: ErrorLine[],
  ) {
    super(errors.map((error) => error.Message).join('; '));
  }
}

export interface SaveParams {
  isVerifyBaseDataField: boolean;
  interactionFlags: string[];
  needReturnFields: string[];
}

export type SaveOutcome = { ok: true; id: number; number: string; returnData: Record<string, unknown> } | { ok: false; errors: ErrorLine[] };

/** A date-time as Kingdee writes FModifyDate and FCreateDate: server time (Beijing), yyyy-MM-ddTHH:mm:ss. */
export const kingdeeDateTime = (ms: number): string => formatBeijingTime(Math.floor(ms / 1000) * 1000).replace(' ', 'T');
const nowIso = () => kingdeeDateTime(Date.now());

function inventoryKey(orgId: number, material: string, stock: string, lot: string): string {
  return `${orgId}|${material}|${stock}|${lot}`;
}

/** The in-memory database of an emulated Kingdee site. */
export class KingdeeState {
  bills = new Map<string, Map<number, StoredBill>>();
  base: BaseRecord[] = [];
  inventory = new Map<string, Decimal>();
  closedThrough = new Map<number, string>();
  private sequences = new Map<string, number>();
  /** `formId|FBillNo` → FID: FBillNo is unique per form, and lookups by number must stay O(1) for benchmarks. */
  private billNumbers = new Map<string, number>();

  constructor(readonly fixture: Fixture) {
    this.seed(fixture);
  }

  // ------------------------------------------------------------------ seeding and snapshots

  private nextId(sequence: string, start = 100001): number {
    const next = (this.sequences.get(sequence) ?? start - 1) + 1;
    this.sequences.set(sequence, next);
    return next;
  }

  private seed(fixture: Fixture): void {
    fixture.organisations.forEach((org, index) => {
      const id = index === 0 ? 1 : this.nextId('org');
      const now = nowIso();
      this.base.push({ id, masterId: id, formId: 'ORG_Organizations', number: org.number, name: org.name, createOrgId: id, useOrgId: id, status: 'C', forbidStatus: 'A', fields: {}, createDate: now, modifyDate: now });
    });
    const rootOrg = fixture.organisations[0]!.number;
    for (const unit of fixture.units) this.addGlobal('BD_UNIT', unit.number, unit.name, {});
    for (const currency of fixture.currencies) this.addGlobal('BD_Currency', currency.number, currency.name, { FCode: currency.code ?? '' });
    const allocated = (
      formId: BaseFormId,
      item: { number: string; name: string; createOrg?: string | undefined; useOrgs?: string[] | undefined },
      fields: Record<string, StoredValue>,
    ) => {
      const createOrg = this.orgByNumber(item.createOrg ?? rootOrg);
      if (!createOrg) throw new Error(`fixture: ${formId} ${item.number}: unknown createOrg ${item.createOrg}`);
      const master = this.addBase(formId, item.number, item.name, createOrg.id, createOrg.id, fields, 'C');
      for (const orgNumber of item.useOrgs ?? []) {
        const org = this.orgByNumber(orgNumber);
        if (!org) throw new Error(`fixture: ${formId} ${item.number}: unknown use org ${orgNumber}`);
        if (org.id !== createOrg.id) this.allocateRecord(master, org.id, 'C');
      }
    };
    for (const material of fixture.materials) {
      const unit = material.baseUnit ? this.findBase('BD_UNIT', material.baseUnit, 0) : undefined;
      allocated('BD_MATERIAL', material, {
        FSpecification: material.specification ?? '',
        FIsBatchManage: material.batchManaged,
        F_YC_IsOnline: material.onlineSale,
        FBaseUnitId: unit ? { ref: 'BD_UNIT', id: unit.id, number: unit.number, name: unit.name } : null,
      });
    }
    for (const customer of fixture.customers) allocated('BD_Customer', customer, {});
    for (const supplier of fixture.suppliers) allocated('BD_Supplier', supplier, {});
    for (const warehouse of fixture.warehouses) allocated('BD_STOCK', warehouse, { FAllowMinusQty: warehouse.allowNegative, FStockProperty: '1' });
    for (const line of fixture.stock) this.addStock(line.org, line.material, line.warehouse, line.lot, new Decimal(line.qty));
    for (const [orgNumber, date] of Object.entries(fixture.closedThrough)) this.closePeriod(orgNumber, date);
  }

  private addGlobal(formId: BaseFormId, number: string, name: string, fields: Record<string, StoredValue>): void {
    this.addBase(formId, number, name, 1, 0, fields, 'C');
  }

  private addBase(formId: BaseFormId, number: string, name: string, createOrgId: number, useOrgId: number, fields: Record<string, StoredValue>, status: DocumentStatus): BaseRecord {
    const id = this.nextId(`base:${formId}`, 100100);
    const now = nowIso();
    const record: BaseRecord = { id, masterId: id, formId, number, name, createOrgId, useOrgId, status, forbidStatus: 'A', fields, createDate: now, modifyDate: now };
    this.base.push(record);
    return record;
  }

  private allocateRecord(master: BaseRecord, orgId: number, status: DocumentStatus): BaseRecord {
    const copy: BaseRecord = { ...master, id: this.nextId(`base:${master.formId}`, 100100), useOrgId: orgId, status, fields: { ...master.fields }, modifyDate: nowIso() };
    this.base.push(copy);
    return copy;
  }

  toSnapshot(): string {
    return JSON.stringify(
      {
        bills: [...this.bills.values()].flatMap((byId) => [...byId.values()]),
        base: this.base,
        inventory: [...this.inventory],
        closedThrough: [...this.closedThrough],
        sequences: [...this.sequences],
      },
      function (this: Record<string, unknown>, key: string, value: unknown) {
        const original = this[key];
        return original instanceof Decimal ? { $decimal: original.toFixed() } : value;
      },
    );
  }

  loadSnapshot(text: string): void {
    const data = JSON.parse(text, (_key, value: unknown) =>
      value && typeof value === 'object' && '$decimal' in value ? new Decimal((value as { $decimal: string }).$decimal) : value,
    ) as { bills: StoredBill[]; base: BaseRecord[]; inventory: [string, Decimal][]; closedThrough: [number, string][]; sequences: [string, number][] };
    this.bills.clear();
    this.billNumbers.clear();
    for (const bill of data.bills) this.putBill(bill);
    this.base = data.base;
    this.inventory = new Map(data.inventory);
    this.closedThrough = new Map(data.closedThrough);
    this.sequences = new Map(data.sequences);
  }

  saveSnapshotFile(path: string): void {
    writeFileSync(path, this.toSnapshot());
  }

  loadSnapshotFile(path: string): void {
    this.loadSnapshot(readFileSync(path, 'utf8'));
  }

  // ------------------------------------------------------------------ lookups

  private putBill(bill: StoredBill): void {
    this.billsOf(bill.formId).set(bill.id, bill);
    this.billNumbers.set(`${bill.formId}|${bill.billNo}`, bill.id);
  }

  billsOf(formId: string): Map<number, StoredBill> {
    let map = this.bills.get(formId);
    if (!map) {
      map = new Map();
      this.bills.set(formId, map);
    }
    return map;
  }

  orgByNumber(number: string): BaseRecord | undefined {
    return this.base.find((record) => record.formId === 'ORG_Organizations' && record.number === number);
  }

  orgById(id: number): BaseRecord | undefined {
    return this.base.find((record) => record.formId === 'ORG_Organizations' && record.id === id);
  }

  /** Base data visible in an org: the copy allocated to it, audited and not forbidden. */
  findBase(formId: BaseFormId, number: string, useOrgId: number, by: 'number' | 'name' | 'id' = 'number'): BaseRecord | undefined {
    const def = baseForm(formId)!;
    return this.base.find(
      (record) =>
        record.formId === formId &&
        (by === 'number' ? record.number === number : by === 'name' ? record.name === number : String(record.id) === number) &&
        (!def.orgScoped || record.useOrgId === useOrgId) &&
        record.status === 'C' &&
        record.forbidStatus === 'A',
    );
  }

  findBill(formId: string, key: { number?: string; id?: number }): StoredBill | undefined {
    const bills = this.billsOf(formId);
    if (key.id !== undefined) return bills.get(key.id);
    const id = this.billNumbers.get(`${formId}|${key.number}`);
    return id === undefined ? undefined : bills.get(id);
  }

  // ------------------------------------------------------------------ stock and periods

  addStock(orgNumber: string, material: string, warehouse: string, lot: string, qty: Decimal): Decimal {
    const org = this.orgByNumber(orgNumber);
    if (!org) throw new Error(`unknown org ${orgNumber}`);
    const key = inventoryKey(org.id, material, warehouse, lot);
    const next = (this.inventory.get(key) ?? new Decimal(0)).plus(qty);
    this.inventory.set(key, next);
    return next;
  }

  stockOf(orgNumber: string, material: string, warehouse: string, lot = ''): Decimal {
    const org = this.orgByNumber(orgNumber);
    return (org && this.inventory.get(inventoryKey(org.id, material, warehouse, lot))) || new Decimal(0);
  }

  closePeriod(orgNumber: string, through: string): void {
    const org = this.orgByNumber(orgNumber);
    if (!org) throw new Error(`unknown org ${orgNumber}`);
    this.closedThrough.set(org.id, through);
  }

  openPeriod(orgNumber: string): void {
    const org = this.orgByNumber(orgNumber);
    if (!org) throw new Error(`unknown org ${orgNumber}`);
    this.closedThrough.delete(org.id);
  }

  // ------------------------------------------------------------------ bill save

  /** Saves one package (create or update); never throws for data problems — returns the error lines. */
  saveBill(form: BillFormDef, model: unknown, index: number, params: SaveParams): SaveOutcome {
    if (!model || typeof model !== 'object' || Array.isArray(model)) {
      return { ok: false, errors: [{ FieldName: 'Model', Message: '数据包格式错误：Model 必须是对象', DIndex: index }] };
    }
    const errors: ErrorLine[] = [];
    const input = model as Record<string, unknown>;
    const fidRaw = pick(input, 'FID');
    const fid = fidRaw === undefined || fidRaw === null || fidRaw === '' ? 0 : Number(fidRaw);
    const existing = fid ? this.billsOf(form.formId).get(fid) : undefined;
    if (fid && !existing) {
      return { ok: false, errors: [{ FieldName: 'FID', Message: `单据内码为“${fid}”的${form.caption}不存在，可能已被删除`, DIndex: index }] };
    }
    if (existing && (existing.status === 'B' || existing.status === 'C')) {
      const state = existing.status === 'C' ? '已审核' : '审核中';
      return { ok: false, errors: [{ FieldName: null, Message: `单据编号为“${existing.billNo}”的${form.caption}，当前状态为${state}，不允许修改！`, DIndex: index }] };
    }

    // The org the references resolve in comes first (like a user picking it first in the UI).
    const header: Record<string, StoredValue> = existing ? { ...existing.header } : {};
    const orgFieldDef = findField(form.header, form.orgField)!;
    const orgValue = pick(input, form.orgField);
    if (orgValue !== undefined) header[orgFieldDef.key] = this.resolveValue(orgFieldDef, orgValue, 0, params, errors, index, null);
    const mainOrg = header[orgFieldDef.key] as StoredRef | null | undefined;
    const orgId = mainOrg?.id ?? -1;

    for (const field of form.header) {
      if (field === orgFieldDef) continue;
      const value = pick(input, field.key);
      if (value !== undefined) header[field.key] = this.resolveValue(field, value, orgId, params, errors, index, null);
    }
    for (const subHead of form.subHeads) {
      const sub = pick(input, subHead.key);
      if (sub && typeof sub === 'object' && !Array.isArray(sub)) {
        for (const field of subHead.fields) {
          const value = pick(sub as Record<string, unknown>, field.key);
          if (value !== undefined) header[field.key] = this.resolveValue(field, value, orgId, params, errors, index, null);
        }
      }
    }
    for (const field of allHeaderFields(form)) {
      if (field.required && isEmpty(header[field.key])) errors.push({ FieldName: field.key, Message: `字段“${field.caption}”是必填项`, DIndex: index });
    }

    const rawEntries = pick(input, form.entry.key) ?? pick(input, `${form.formId}__${form.entry.key}`);
    let entries: StoredRow[] = existing ? existing.entries : [];
    if (rawEntries !== undefined) {
      if (!Array.isArray(rawEntries)) {
        errors.push({ FieldName: form.entry.key, Message: `单据体【${form.entry.caption}】的数据格式错误，应为数组`, DIndex: index });
      } else {
        // Some entry fields resolve in another org (the destination warehouse of a cross-org transfer).
        const orgOf = (fieldKey: string): number => {
          const orgField = form.fieldOrg?.[fieldKey];
          const ref = orgField ? (header[findField(form.header, orgField)!.key] as StoredRef | null | undefined) : undefined;
          return ref?.id ?? orgId;
        };
        entries = rawEntries.map((row, rowIndex) => this.resolveEntry(form, row, rowIndex, existing, orgOf, params, errors, index));
      }
    }
    if (entries.length === 0) {
      errors.push({ FieldName: form.entry.key, Message: `单据体实体【${form.entry.caption}】至少需要录入一行分录`, DIndex: index });
    }
    let second = existing?.second ?? [];
    const rawSecond = form.secondEntry ? pick(input, form.secondEntry.key) : undefined;
    if (form.secondEntry && rawSecond !== undefined) {
      if (!Array.isArray(rawSecond)) errors.push({ FieldName: form.secondEntry.key, Message: `单据体【${form.secondEntry.caption}】的数据格式错误，应为数组`, DIndex: index });
      else second = rawSecond.map((row, rowIndex) => this.resolveEntry({ ...form, entry: form.secondEntry!, subEntry: undefined }, row, rowIndex, existing && { ...existing, entries: existing.second ?? [] }, () => orgId, params, errors, index));
    }
    errors.push(...writeOffErrors(this, form, header, second, index));

    const dateField = allHeaderFields(form).find((field) => field.type === 'date' && field.required);
    const date = dateField ? (header[dateField.key] as string | null) : null;
    const closed = this.periodClosedFor(form, header, date);
    if (closed) errors.push({ FieldName: dateField?.key ?? null, Message: closed, DIndex: index });

    let billNo = typeof header.FBillNo === 'string' && header.FBillNo !== '' ? header.FBillNo : existing?.billNo;
    if (billNo) {
      const clash = this.findBill(form.formId, { number: billNo });
      if (clash && clash.id !== existing?.id) {
        errors.push({ FieldName: 'FBillNo', Message: `违反字段唯一性要求：编码唯一。[${billNo}]在当前系统中已经被使用。`, DIndex: index });
      }
    }
    errors.push(...missingLotErrors(form, plainHeader(header), entries, (ref) => this.base.find((record) => record.id === ref.id && record.formId === ref.ref), index));
    if (errors.length > 0) return { ok: false, errors };

    billNo ??= `${form.billNoPrefix}${String(this.nextId(`billno:${form.formId}`, 1)).padStart(6, '0')}`;
    header.FBillNo = billNo;
    if (isEmpty(header.FBillTypeID)) header.FBillTypeID = form.defaultBillType;
    computeEntryAmounts(form, entries);
    computeBaseQuantities(form, entries);
    const now = nowIso();
    const bill: StoredBill = existing
      ? { ...existing, billNo, header, entries, modifyDate: now, status: existing.status }
      : { id: this.nextId(`fid:${form.formId}`), formId: form.formId, billNo, status: 'A', header, entries, createDate: now, modifyDate: now, approveDate: null };
    if (form.secondEntry) bill.second = second;
    initReceivable(form, bill);
    if (existing && existing.billNo !== bill.billNo) this.billNumbers.delete(`${form.formId}|${existing.billNo}`);
    this.putBill(bill);
    return { ok: true, id: bill.id, number: bill.billNo, returnData: this.returnData(form, bill, params.needReturnFields) };
  }

  private resolveEntry(form: BillFormDef, row: unknown, rowIndex: number, existing: StoredBill | undefined, orgOf: (fieldKey: string) => number, params: SaveParams, errors: ErrorLine[], index: number): StoredRow {
    const input = row && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : {};
    const entryIdRaw = Number(pick(input, 'FEntryID') ?? 0);
    const previous = entryIdRaw ? existing?.entries.find((entry) => entry.entryId === entryIdRaw) : undefined;
    const fields: Record<string, StoredValue> = previous ? { ...previous.fields } : {};
    const position = { entity: form.entry.caption, row: rowIndex + 1 };
    for (const field of form.entry.fields) {
      const value = pick(input, field.key);
      if (value !== undefined) fields[field.key] = this.resolveValue(field, value, orgOf(field.key), params, errors, index, position);
    }
    for (const field of form.entry.fields) {
      if (field.required && isEmpty(fields[field.key])) {
        errors.push({ FieldName: field.key, Message: `单据体实体【${form.entry.caption}】第【${rowIndex + 1}】行分录，【${field.caption}】字段必录`, DIndex: index });
      }
    }
    const sub: StoredRow['sub'] = [];
    if (form.subEntry) {
      const rawSub = pick(input, form.subEntry.key);
      (Array.isArray(rawSub) ? rawSub : []).forEach((subRow, subIndex) => {
        const subInput = subRow && typeof subRow === 'object' ? (subRow as Record<string, unknown>) : {};
        const subFields: Record<string, StoredValue> = {};
        const subPosition = { entity: form.subEntry!.caption, row: subIndex + 1 };
        for (const field of form.subEntry!.fields) {
          const value = pick(subInput, field.key);
          if (value !== undefined) subFields[field.key] = this.resolveValue(field, value, orgOf(field.key), params, errors, index, subPosition);
        }
        for (const field of form.subEntry!.fields) {
          if (field.required && isEmpty(subFields[field.key])) {
            errors.push({ FieldName: field.key, Message: `单据体实体【${form.subEntry!.caption}】第【${subIndex + 1}】行分录，【${field.caption}】字段必录`, DIndex: index });
          }
        }
        sub.push({ entryId: this.nextId(`entry:${form.formId}:sub`), seq: subIndex + 1, fields: subFields });
      });
    }
    return { entryId: previous?.entryId ?? this.nextId(`entry:${form.formId}`), seq: rowIndex + 1, fields, sub };
  }

  /** Converts one Model value to its stored form; bad values add an error line. */
  resolveValue(field: FieldDef, value: unknown, orgId: number, params: SaveParams, errors: ErrorLine[], index: number, position: { entity: string; row: number } | null): StoredValue {
    const where = position ? `单据体实体【${position.entity}】第【${position.row}】行分录，字段“${field.caption}”` : `字段“${field.caption}”`;
    if (value === null) return null;
    const type = field.type;
    if (type === 'text' || type === 'enum') {
      if (typeof value === 'object') {
        // Assistant-data enums may be objects ({"FNumber":"…"}); keep the number.
        const number = refKey(value as Record<string, unknown>);
        return number ? number.value : '';
      }
      return String(value);
    }
    if (type === 'lot') {
      if (typeof value === 'object') return refKey(value as Record<string, unknown>)?.value ?? '';
      return String(value);
    }
    if (type === 'decimal') {
      try {
        if (value === '') return null;
        return new Decimal(typeof value === 'number' ? value.toString() : String(value));
      } catch {
        errors.push({ FieldName: field.key, Message: `${where}的值“${String(value)}”不是有效的数值`, DIndex: index });
        return null;
      }
    }
    if (type === 'bool') return value === true || value === 1 || String(value).toLowerCase() === 'true' || value === '1';
    if (type === 'date') {
      const iso = typeof value === 'string' ? normaliseDate(value) : undefined;
      if (!iso) {
        errors.push({ FieldName: field.key, Message: `${where}的值“${String(value)}”不是有效的日期`, DIndex: index });
        return null;
      }
      return iso;
    }
    // Base-data reference: {"FNumber":…} / {"FNUMBER":…} / {"FName":…} / {"FOrgID":…}.
    const refForm = type.ref;
    const key = value && typeof value === 'object' && !Array.isArray(value) ? refKey(value as Record<string, unknown>) : undefined;
    let record: BaseRecord | undefined;
    if (key) {
      const def = baseForm(refForm)!;
      record = this.findBase(refForm, key.value, def.orgScoped ? orgId : 0, key.by);
    }
    if (!record) {
      const shown = key?.value ?? JSON.stringify(value);
      if (params.isVerifyBaseDataField && key) {
        const org = this.orgById(orgId);
        errors.push({
          FieldName: field.key,
          Message: `${where}的基础资料值“${shown}”不存在、未审核、已禁用或未分配到组织【${org?.number ?? '?'}】`,
          DIndex: index,
        });
      }
      // With NumberSearch an unknown number resolves to empty: required fields then fail as 必填项.
      return null;
    }
    return { ref: refForm, id: record.id, number: record.number, name: record.name };
  }

  private periodClosedFor(form: BillFormDef, header: Record<string, StoredValue>, date: string | null): string | undefined {
    if (!date) return undefined;
    const org = header[findField(form.header, form.orgField)!.key] as StoredRef | null;
    if (!org) return undefined;
    const through = this.closedThrough.get(org.id);
    if (through && date.slice(0, 10) <= through) {
      return `单据日期校验不通过：组织【${org.number}】已关账至${through}，单据日期${date.slice(0, 10)}所在期间已关闭，不允许保存、审核或反审核。`;
    }
    return undefined;
  }

  private returnData(form: BillFormDef, bill: StoredBill, fieldsWanted: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const wanted of fieldsWanted) {
      if (wanted.toLowerCase() === 'fbillno') out.FBillNo = bill.billNo;
      else if (wanted.toLowerCase() === 'fid') out.FID = bill.id;
      else {
        const field = findField(allHeaderFields(form), wanted);
        if (field) out[field.key] = plainValue(bill.header[field.key] ?? null);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ status operations

  /** Submit/Audit/UnAudit/Delete on bills picked by numbers or ids; per-item success or error. */
  billOperation(form: BillFormDef, op: 'Submit' | 'Audit' | 'UnAudit' | 'Delete', keys: { numbers: string[]; ids: number[] }, interactionFlags: string[]) {
    const successes: { Id: number; Number: string; DIndex: number }[] = [];
    const messages: ErrorLine[] = [];
    const errors: ErrorLine[] = [];
    const targets = keys.numbers.length > 0 ? keys.numbers.map((number) => ({ number })) : keys.ids.map((id) => ({ id }));
    let found = 0;
    targets.forEach((key, index) => {
      const bill = this.findBill(form.formId, key);
      if (!bill) return;
      found++;
      const label = `单据编号为“${bill.billNo}”的${form.caption}`;
      const fail = (message: string) => errors.push({ FieldName: '', Message: `${label}，${message}`, DIndex: index });
      switch (op) {
        case 'Submit':
          if (bill.status === 'B') return fail('单据已经提交，不能重复提交！');
          if (bill.status === 'C') return fail('单据已经审核！');
          bill.status = 'B';
          break;
        case 'Audit': {
          if (bill.status === 'C') return fail('单据已经审核！');
          if (bill.status !== 'B') return fail('单据状态不是审核中，不能审核！');
          const problem = this.periodClosedFor(form, bill.header, dateOf(form, bill)) ?? this.applyStock(form, bill, 1, interactionFlags) ?? applyWriteOff(this, form, bill, 1);
          if (problem) return fail(problem);
          bill.status = 'C';
          bill.approveDate = nowIso();
          messages.push({ FieldName: null, Message: `${label}，审核成功！`, DIndex: index });
          break;
        }
        case 'UnAudit': {
          if (bill.status !== 'C') return fail('单据未审核，不能反审核！');
          const problem = downstreamProblem(this, form, bill) ?? this.periodClosedFor(form, bill.header, dateOf(form, bill)) ?? applyWriteOff(this, form, bill, -1) ?? this.applyStock(form, bill, -1, interactionFlags);
          if (problem) return fail(problem);
          bill.status = 'D';
          bill.approveDate = null;
          break;
        }
        case 'Delete':
          if (bill.status === 'B' || bill.status === 'C') return fail('单据状态为审核中或已审核，不能删除！');
          releasePushed(this, form, bill);
          this.billsOf(form.formId).delete(bill.id);
          this.billNumbers.delete(`${form.formId}|${bill.billNo}`);
          break;
      }
      bill.modifyDate = nowIso();
      successes.push({ Id: bill.id, Number: bill.billNo, DIndex: index });
    });
    if (found === 0) {
      const shown = keys.numbers.length > 0 ? keys.numbers.join(',') : keys.ids.join(',');
      throw new OperationError(10, [{ FieldName: null, Message: `未找到编号或内码为“${shown}”的${form.caption}，请检查是否已被删除`, DIndex: 0 }]);
    }
    return { successes, errors, messages };
  }

  /** Applies (direction 1) or reverses (-1) a bill's stock moves; returns the 库存不足 message when short. */
  private applyStock(form: BillFormDef, bill: StoredBill, direction: 1 | -1, interactionFlags: string[]): string | undefined {
    const deltas = new Map<string, { delta: Decimal; material: string; stock: string; lot: string; stockRecord: BaseRecord | undefined }>();
    for (const move of form.stockMoves(plainHeader(bill.header))) {
      const org = bill.header[findField(form.header, move.orgField)!.key] as StoredRef | null;
      if (!org) continue;
      const rows = move.entity === 'entry' ? bill.entries.map((entry) => entry.fields) : bill.entries.flatMap((entry) => entry.sub.map((sub) => sub.fields));
      for (const row of rows) {
        const qty = row[move.qtyField];
        const material = row[move.materialField] as StoredRef | null;
        const stock = row[move.stockField] as StoredRef | null;
        if (!(qty instanceof Decimal) || !material || !stock) continue;
        const lot = typeof row[move.lotField] === 'string' ? (row[move.lotField] as string) : '';
        const key = inventoryKey(org.id, material.number, stock.number, lot);
        const current = deltas.get(key) ?? { delta: new Decimal(0), material: material.number, stock: stock.number, lot, stockRecord: this.base.find((record) => record.formId === 'BD_STOCK' && record.id === stock.id) };
        current.delta = current.delta.plus(qty.mul(move.sign * direction));
        deltas.set(key, current);
      }
    }
    const allowNegativeFlag = interactionFlags.some((flag) => flag.toUpperCase() === 'STK_INVCHECKRESULT');
    for (const [key, change] of deltas) {
      const after = (this.inventory.get(key) ?? new Decimal(0)).plus(change.delta);
      const warehouseAllows = change.stockRecord?.fields.FAllowMinusQty === true;
      if (after.isNegative() && change.delta.isNegative() && !(warehouseAllows && allowNegativeFlag)) {
        return `更新库存出现异常情况，更新库存不成功！出现负库存（库存不足），库存更新不成功。负库存 = ${after.toFixed()},物料 = ${change.material},仓库 = ${change.stock},批号 = ${change.lot}`;
      }
    }
    for (const [key, change] of deltas) this.inventory.set(key, (this.inventory.get(key) ?? new Decimal(0)).plus(change.delta));
    return undefined;
  }

  // ------------------------------------------------------------------ base data

  saveBase(formId: BaseFormId, model: unknown, index: number, params: SaveParams): SaveOutcome {
    const def = baseForm(formId)!;
    const input = model && typeof model === 'object' && !Array.isArray(model) ? (model as Record<string, unknown>) : {};
    const errors: ErrorLine[] = [];
    const pk = Number(pick(input, def.pkField) ?? 0);
    const existing = pk ? this.base.find((record) => record.formId === formId && record.id === pk) : undefined;
    if (pk && !existing) return { ok: false, errors: [{ FieldName: def.pkField, Message: `内码为“${pk}”的${def.caption}不存在`, DIndex: index }] };
    const orgField: FieldDef = { key: 'FCreateOrgId', caption: '创建组织', type: { ref: 'ORG_Organizations' }, required: true };
    const createOrgRef = pick(input, 'FCreateOrgId');
    const createOrg = existing
      ? this.orgById(existing.createOrgId)
      : createOrgRef !== undefined
        ? (() => {
            const resolved = this.resolveValue(orgField, createOrgRef, 0, params, errors, index, null) as StoredRef | null;
            return resolved ? this.orgById(resolved.id) : undefined;
          })()
        : def.orgScoped
          ? undefined
          : this.orgById(1);
    const number = String(pick(input, 'FNumber') ?? existing?.number ?? '');
    const nameRaw = pick(input, 'FName');
    const name = typeof nameRaw === 'string' ? nameRaw : Array.isArray(nameRaw) ? String((nameRaw[0] as { Value?: unknown })?.Value ?? '') : (existing?.name ?? '');
    if (!createOrg) errors.push({ FieldName: 'FCreateOrgId', Message: '字段“创建组织”是必填项', DIndex: index });
    if (!number) errors.push({ FieldName: 'FNumber', Message: '字段“编码”是必填项', DIndex: index });
    if (!name) errors.push({ FieldName: 'FName', Message: '字段“名称”是必填项', DIndex: index });
    const clash = this.base.find((record) => record.formId === formId && record.number === number && record.createOrgId === createOrg?.id && record.masterId !== existing?.masterId);
    if (number && clash) errors.push({ FieldName: 'FNumber', Message: `违反字段唯一性要求：编码唯一。[${number}]在当前系统中已经被使用。`, DIndex: index });
    const fields: Record<string, StoredValue> = existing ? { ...existing.fields } : {};
    // Top-level fields from the Model, sub-header fields from their objects (FBaseUnitId inside SubHeadEntity).
    const sources: [Record<string, unknown>, FieldDef[]][] = [[input, def.extra]];
    for (const subHead of def.subHeads) {
      const sub = pick(input, subHead.key);
      if (sub && typeof sub === 'object' && !Array.isArray(sub)) sources.push([sub as Record<string, unknown>, subHead.fields]);
    }
    for (const [source, list] of sources) {
      for (const field of list) {
        const value = pick(source, field.key);
        if (value !== undefined) fields[field.key] = this.resolveValue(field, value, createOrg?.id ?? 0, params, errors, index, null);
      }
    }
    if (errors.length > 0) return { ok: false, errors };
    if (existing) {
      Object.assign(existing, { number, name, fields, modifyDate: nowIso() });
      return { ok: true, id: existing.id, number, returnData: {} };
    }
    const record = this.addBase(formId, number, name, createOrg!.id, def.orgScoped ? createOrg!.id : 0, fields, 'A');
    return { ok: true, id: record.id, number, returnData: {} };
  }

  baseOperation(formId: BaseFormId, op: 'Submit' | 'Audit' | 'UnAudit' | 'Delete', keys: { numbers: string[]; ids: number[] }, createOrgId: number) {
    const def = baseForm(formId)!;
    const successes: { Id: number; Number: string; DIndex: number }[] = [];
    const errors: ErrorLine[] = [];
    const targets = keys.numbers.length > 0 ? keys.numbers.map((number) => ({ number })) : keys.ids.map((id) => ({ id: String(id) }));
    let found = 0;
    targets.forEach((key, index) => {
      const record = this.base.find(
        (candidate) =>
          candidate.formId === formId &&
          ('id' in key ? String(candidate.id) === key.id : candidate.number === key.number && candidate.useOrgId === candidate.createOrgId && (!createOrgId || candidate.createOrgId === createOrgId)),
      );
      if (!record) return;
      found++;
      const fail = (message: string) => errors.push({ FieldName: '', Message: `编码为“${record.number}”的${def.caption}，${message}`, DIndex: index });
      if (op === 'Submit') {
        if (record.status === 'B' || record.status === 'C') return fail('数据已经提交或审核！');
        record.status = 'B';
        record.modifyDate = nowIso();
      } else if (op === 'Audit') {
        if (record.status === 'C') return fail('数据已经审核！');
        if (record.status !== 'B') return fail('数据状态不是审核中，不能审核！');
        record.status = 'C';
        record.modifyDate = nowIso();
      } else if (op === 'UnAudit') {
        if (record.status !== 'C') return fail('数据未审核，不能反审核！');
        record.status = 'D';
        record.modifyDate = nowIso();
      } else {
        if (record.status === 'B' || record.status === 'C') return fail('数据已审核，不能删除！');
        this.base = this.base.filter((candidate) => candidate !== record);
      }
      successes.push({ Id: record.id, Number: record.number, DIndex: index });
    });
    if (found === 0) throw new OperationError(10, [{ FieldName: null, Message: `未找到对应的${def.caption}数据`, DIndex: 0 }]);
    return { successes, errors, messages: [] as ErrorLine[] };
  }

  /** ExcuteOperation Forbid/Enable on base data (all use-org copies of the given records). */
  setForbidden(formId: BaseFormId, keys: { numbers: string[]; ids: number[] }, forbidden: boolean) {
    const def = baseForm(formId)!;
    const successes: { Id: number; Number: string; DIndex: number }[] = [];
    const errors: ErrorLine[] = [];
    const targets = keys.numbers.length > 0 ? keys.numbers.map((number) => ({ number })) : keys.ids.map((id) => ({ id }));
    targets.forEach((key, index) => {
      const master = this.base.find((record) => record.formId === formId && ('id' in key ? record.id === key.id : record.number === key.number && record.useOrgId === record.createOrgId));
      if (!master) {
        errors.push({ FieldName: null, Message: `未找到${'id' in key ? `内码为“${key.id}”` : `编码为“${key.number}”`}的${def.caption}`, DIndex: index });
        return;
      }
      const status = forbidden ? 'B' : 'A';
      if (master.forbidStatus === status) {
        errors.push({ FieldName: null, Message: `编码为“${master.number}”的${def.caption}，数据已经${forbidden ? '禁用' : '启用'}！`, DIndex: index });
        return;
      }
      for (const record of this.base) {
        if (record.formId === formId && record.masterId === master.masterId) {
          record.forbidStatus = status;
          record.modifyDate = nowIso();
        }
      }
      successes.push({ Id: master.id, Number: master.number, DIndex: index });
    });
    return { successes, errors };
  }

  /** ExcuteOperation Cancel/UnCancel (作废) on bills: only unaudited bills can be cancelled. */
  setCancelled(form: BillFormDef, keys: { numbers: string[]; ids: number[] }, cancelled: boolean) {
    const successes: { Id: number; Number: string; DIndex: number }[] = [];
    const errors: ErrorLine[] = [];
    const targets = keys.numbers.length > 0 ? keys.numbers.map((number) => ({ number })) : keys.ids.map((id) => ({ id }));
    targets.forEach((key, index) => {
      const bill = this.findBill(form.formId, key);
      if (!bill) {
        errors.push({ FieldName: null, Message: `未找到对应的${form.caption}`, DIndex: index });
        return;
      }
      const label = `单据编号为“${bill.billNo}”的${form.caption}`;
      if (cancelled && (bill.status === 'B' || bill.status === 'C')) {
        errors.push({ FieldName: null, Message: `${label}，单据状态为审核中或已审核，不能作废！`, DIndex: index });
        return;
      }
      if ((bill.cancelStatus ?? 'A') === (cancelled ? 'B' : 'A')) {
        errors.push({ FieldName: null, Message: `${label}，${cancelled ? '单据已经作废' : '单据未作废'}！`, DIndex: index });
        return;
      }
      bill.cancelStatus = cancelled ? 'B' : 'A';
      bill.modifyDate = nowIso();
      successes.push({ Id: bill.id, Number: bill.billNo, DIndex: index });
    });
    return { successes, errors };
  }

  /** Allocate: one copy per (record, target org) with a new internal id, same number and master id. */
  allocate(formId: BaseFormId, pkIds: number[], targetOrgIds: number[], autoAudit: boolean) {
    const def = baseForm(formId)!;
    const successes: { Id: number; Number: string; DIndex: number }[] = [];
    const errors: ErrorLine[] = [];
    pkIds.forEach((pkId, index) => {
      const master = this.base.find((record) => record.formId === formId && record.id === pkId);
      if (!master) {
        errors.push({ FieldName: 'PkIds', Message: `内码为“${pkId}”的${def.caption}不存在`, DIndex: index });
        return;
      }
      for (const orgId of targetOrgIds) {
        const org = this.orgById(orgId);
        if (!org) {
          errors.push({ FieldName: 'TOrgIds', Message: `内码为“${orgId}”的组织不存在`, DIndex: index });
          continue;
        }
        if (this.base.some((record) => record.formId === formId && record.masterId === master.masterId && record.useOrgId === orgId)) {
          errors.push({ FieldName: null, Message: `编码为“${master.number}”的${def.caption}已分配到组织【${org.number}】，不能重复分配`, DIndex: index });
          continue;
        }
        const copy = this.allocateRecord(master, orgId, autoAudit ? 'C' : 'A');
        successes.push({ Id: copy.id, Number: copy.number, DIndex: index });
      }
    });
    return { successes, errors };
  }
}

// ------------------------------------------------------------------ helpers

/** Case-insensitive property read of a Model object. */
export function pick(input: Record<string, unknown>, key: string): unknown {
  if (key in input) return input[key];
  const lower = key.toLowerCase();
  for (const [candidate, value] of Object.entries(input)) if (candidate.toLowerCase() === lower) return value;
  return undefined;
}

function refKey(value: Record<string, unknown>): { by: 'number' | 'name' | 'id'; value: string } | undefined {
  for (const [key, raw] of Object.entries(value)) {
    if (raw === null || raw === undefined || raw === '') continue;
    const lower = key.toLowerCase();
    if (lower === 'fnumber' || lower === 'fcode') return { by: 'number', value: String(raw) };
    if (lower === 'fname') return { by: 'name', value: String(raw) };
    if (lower === 'forgid' || lower === 'fid' || lower === 'id') return { by: 'id', value: String(raw) };
  }
  return undefined;
}

export function isEmpty(value: StoredValue | undefined): boolean {
  return value === undefined || value === null || value === '';
}

function plainValue(value: StoredValue): unknown {
  if (value instanceof Decimal) return value.toNumber();
  if (value && typeof value === 'object') return { Id: value.id, Number: value.number };
  return value;
}

function plainHeader(header: Record<string, StoredValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(header).map(([key, value]) => [key, value && typeof value === 'object' && !(value instanceof Decimal) ? value.number : value]));
}

function dateOf(form: BillFormDef, bill: StoredBill): string | null {
  const field = allHeaderFields(form).find((candidate) => candidate.type === 'date' && candidate.required);
  return field ? ((bill.header[field.key] as string | null) ?? null) : null;
}

export { BASE_FORMS, billForm, baseForm };
