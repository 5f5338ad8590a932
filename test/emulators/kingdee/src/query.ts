import { Decimal } from '@yecai/common';
import { FilterSyntaxError, evaluateFilter, filterFields, parseFilter, type CellValue } from './filter';
import { inventoryRows, isInventoryForm, resolveInventoryKey, type InventoryRow } from './inventory';
import { allBaseFields, allHeaderFields, baseForm, billForm, findField, type BaseFormDef, type BillFormDef, type FieldDef } from './forms';
import { OperationError, type BaseRecord, type KingdeeState, type StoredBill, type StoredRef, type StoredRow, type StoredValue } from './state';

export interface BillQueryInput {
  FormId: string;
  FieldKeys: string;
  FilterString?: string;
  OrderString?: string;
  TopRowCount?: number;
  StartRow?: number;
  Limit?: number;
}

type Level = 'header' | 'entry' | 'sub' | 'second';
interface RowContext {
  bill?: StoredBill;
  entry?: StoredRow;
  sub?: StoredRow['sub'][number];
  /** A row of the form's second entry table (收款单 源单明细). */
  second?: StoredRow;
  record?: BaseRecord;
  stock?: InventoryRow;
}
interface ResolvedKey {
  level: Level;
  get: (row: RowContext) => CellValue;
}

const unknownField = (key: string) => new OperationError(9, [{ FieldName: null, Message: `元数据中标识为${key}的字段不存在`, DIndex: 0 }]);

/** Output of a stored value: ref alone → internal id, `.FNumber`/`.FName` → its number/name. */
function cell(value: StoredValue | undefined, field: FieldDef, property: string | undefined): CellValue {
  if (typeof field.type === 'object') {
    const ref = (value ?? null) as StoredRef | null;
    if (property === undefined) return ref ? ref.id : 0;
    return ref ? (property === 'fnumber' ? ref.number : ref.name) : null;
  }
  if (property !== undefined) {
    if (field.type === 'lot' && property === 'fnumber') return (value as string | null) ?? '';
    throw new Error('no property');
  }
  if (value === undefined || value === null) {
    if (field.type === 'decimal') return new Decimal(0);
    if (field.type === 'bool') return false;
    if (field.type === 'date') return null;
    return '';
  }
  return value as CellValue;
}

function resolveBillKey(form: BillFormDef, rawKey: string): ResolvedKey {
  const key = rawKey.trim();
  const lower = key.toLowerCase();
  const entryKey = form.entry.key.toLowerCase();
  const special: Record<string, ResolvedKey> = {
    fid: { level: 'header', get: (row) => row.bill!.id },
    fbillno: { level: 'header', get: (row) => row.bill!.billNo },
    fdocumentstatus: { level: 'header', get: (row) => row.bill!.status },
    fcancelstatus: { level: 'header', get: (row) => row.bill!.cancelStatus ?? 'A' },
    fcreatedate: { level: 'header', get: (row) => row.bill!.createDate },
    fmodifydate: { level: 'header', get: (row) => row.bill!.modifyDate },
    fapprovedate: { level: 'header', get: (row) => row.bill!.approveDate },
    [`${entryKey}_fentryid`]: { level: 'entry', get: (row) => row.entry!.entryId },
    [`${entryKey}_fseq`]: { level: 'entry', get: (row) => row.entry!.seq },
    fentryid: { level: 'entry', get: (row) => row.entry!.entryId },
  };
  if (form.subEntry) special[`${form.subEntry.key.toLowerCase()}_fentryid`] = { level: 'sub', get: (row) => row.sub!.entryId };
  if (form.secondEntry) special[`${form.secondEntry.key.toLowerCase()}_fentryid`] = { level: 'second', get: (row) => row.second!.entryId };
  if (form.priceField) {
    for (const computed of ['FAllAmount', 'FAmount', 'FTaxAmount']) {
      special[computed.toLowerCase()] = { level: 'entry', get: (row) => (row.entry!.fields[computed] as Decimal | undefined) ?? new Decimal(0) };
    }
  }
  if (special[lower]) return special[lower];

  let path = key.split('.');
  // Sub-header prefix (SubHeadEntity.FThirdBillNo) names the same field as FThirdBillNo.
  if (path.length > 1 && form.subHeads.some((sub) => sub.key.toLowerCase() === path[0]!.toLowerCase())) path = path.slice(1);
  if (path.length > 2) throw unknownField(key);
  const [fieldKey, property] = [path[0]!, path[1]?.toLowerCase()];
  if (property !== undefined && property !== 'fnumber' && property !== 'fname') throw unknownField(key);
  const candidates: [Level, FieldDef[]][] = [
    ['header', allHeaderFields(form)],
    ['entry', form.entry.fields],
    ['sub', form.subEntry?.fields ?? []],
    ['second', form.secondEntry?.fields ?? []],
  ];
  for (const [level, list] of candidates) {
    const field = findField(list, fieldKey);
    if (!field) continue;
    if (property !== undefined && typeof field.type !== 'object' && field.type !== 'lot') throw unknownField(key);
    const pickFields = (row: RowContext) => (level === 'header' ? row.bill!.header : level === 'entry' ? row.entry!.fields : level === 'second' ? row.second!.fields : row.sub!.fields);
    return { level, get: (row) => cell(pickFields(row)[field.key], field, property) };
  }
  throw unknownField(key);
}

function resolveBaseKey(def: BaseFormDef, rawKey: string): ResolvedKey {
  const key = rawKey.trim();
  let path = key.split('.');
  // Sub-header prefix (SubHeadEntity.FBaseUnitId) names the same field as FBaseUnitId.
  if (path.length > 1 && def.subHeads.some((sub) => sub.key.toLowerCase() === path[0]!.toLowerCase())) path = path.slice(1);
  const [fieldKey, propertyRaw] = path;
  const lower = fieldKey!.toLowerCase();
  const property = propertyRaw?.toLowerCase();
  const org = (state: (row: RowContext) => number): ResolvedKey => ({ level: 'header', get: (row) => (property === undefined ? state(row) : property === 'fnumber' || property === 'fname' ? `${property}:${state(row)}` : null) });
  if (path.length > 2 || (property && property !== 'fnumber' && property !== 'fname')) throw unknownField(key);
  if (lower === def.pkField.toLowerCase() || lower === 'fid') return { level: 'header', get: (row) => row.record!.id };
  if (lower === 'fnumber' && !property) return { level: 'header', get: (row) => row.record!.number };
  if (lower === 'fname' && !property) return { level: 'header', get: (row) => row.record!.name };
  if (lower === 'fmasterid' && !property) return { level: 'header', get: (row) => row.record!.masterId };
  if (lower === 'fdocumentstatus' && !property) return { level: 'header', get: (row) => row.record!.status };
  if (lower === 'fforbidstatus' && !property) return { level: 'header', get: (row) => row.record!.forbidStatus };
  if (lower === 'fmodifydate' && !property) return { level: 'header', get: (row) => row.record!.modifyDate };
  if (lower === 'fcreatedate' && !property) return { level: 'header', get: (row) => row.record!.createDate };
  if (lower === 'fcreateorgid') return org((row) => row.record!.createOrgId);
  if (lower === 'fuseorgid') return org((row) => row.record!.useOrgId);
  const field = findField(allBaseFields(def), fieldKey!);
  if (!field) throw unknownField(key);
  if (property !== undefined && typeof field.type !== 'object') throw unknownField(key);
  return { level: 'header', get: (row) => cell(row.record!.fields[field.key], field, property) };
}

/** ExecuteBillQuery: rows of cells in FieldKeys order (header × entry view when entry fields are asked). */
export function executeBillQuery(state: KingdeeState, input: BillQueryInput): CellValue[][] {
  if (!input.FormId) throw new OperationError(5, [{ FieldName: null, Message: '单据标识(FormId)为空', DIndex: 0 }]);
  const inventory = isInventoryForm(input.FormId);
  const bills = inventory ? undefined : billForm(input.FormId);
  const base = bills || inventory ? undefined : baseForm(input.FormId);
  if (!bills && !base && !inventory) throw new OperationError(4, [{ FieldName: null, Message: '业务对象不存在', DIndex: 0 }]);
  const keys = String(input.FieldKeys ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  if (keys.length === 0) throw new OperationError(8, [{ FieldName: null, Message: '查询字段(FieldKeys)不能为空', DIndex: 0 }]);
  let filter;
  try {
    filter = parseFilter(String(input.FilterString ?? ''));
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      throw new OperationError(4, [{ FieldName: null, Message: `过滤条件(FilterString)语法错误：${error.message}`, DIndex: 0 }]);
    }
    throw error;
  }
  const order = String(input.OrderString ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [field, direction] = part.split(/\s+/);
      return { field: field!, desc: (direction ?? '').toUpperCase() === 'DESC' };
    });

  const resolveCache = new Map<string, ResolvedKey>();
  const resolve = (key: string): ResolvedKey => {
    const cacheKey = key.toLowerCase();
    let resolved = resolveCache.get(cacheKey);
    if (!resolved) {
      if (inventory) {
        const cellOf = resolveInventoryKey(state, key, unknownField);
        resolved = { level: 'header', get: (row) => cellOf(row.stock!) };
      } else resolved = bills ? resolveBillKey(bills, key) : resolveBaseKey(base!, key);
      resolveCache.set(cacheKey, resolved);
    }
    return resolved;
  };
  const columns = keys.map(resolve);
  const mentioned = [...columns, ...filterFields(filter).map(resolve), ...order.map((part) => resolve(part.field))];
  if (mentioned.some((key) => key.level === 'second') && mentioned.some((key) => key.level === 'entry' || key.level === 'sub')) {
    // Fields of two sibling entry tables in one query: refused rather than guessing a cross product (what a real
    // server answers is not verified; query each table on its own).
    throw new OperationError(9, [{ FieldName: null, Message: '不能同时查询两个单据体的字段', DIndex: 0 }]);
  }
  const depth: Level = mentioned.some((key) => key.level === 'second') ? 'second' : mentioned.some((key) => key.level === 'sub') ? 'sub' : mentioned.some((key) => key.level === 'entry') ? 'entry' : 'header';

  let rows: RowContext[] = [];
  if (bills) {
    for (const bill of [...state.billsOf(bills.formId).values()].sort((a, b) => a.id - b.id)) {
      if (depth === 'header') rows.push({ bill });
      else if (depth === 'second') for (const second of bill.second ?? []) rows.push({ bill, second });
      else
        for (const entry of bill.entries) {
          if (depth === 'entry') rows.push({ bill, entry });
          else for (const sub of entry.sub) rows.push({ bill, entry, sub });
        }
    }
  } else if (inventory) {
    rows = inventoryRows(state).map((stock) => ({ stock }));
  } else {
    rows = state.base.filter((record) => record.formId === base!.formId).map((record) => ({ record }));
  }
  const orgValue = (value: CellValue): CellValue => {
    // Org sub-properties of base data resolve lazily: `fnumber:<id>` → number.
    if (typeof value === 'string' && /^(fnumber|fname):\d+$/.test(value)) {
      const [property, id] = value.split(':');
      const org = state.orgById(Number(id));
      return org ? (property === 'fnumber' ? org.number : org.name) : null;
    }
    return value;
  };
  const get = (row: RowContext) => (key: string) => orgValue(resolve(key).get(row));
  rows = rows.filter((row) => evaluateFilter(filter, get(row)));
  if (order.length > 0) {
    rows.sort((a, b) => {
      for (const part of order) {
        const left = get(a)(part.field);
        const right = get(b)(part.field);
        const cmp = compareCells(left, right);
        if (cmp !== 0) return part.desc ? -cmp : cmp;
      }
      return 0;
    });
  }
  const start = Math.max(0, Number(input.StartRow ?? 0));
  const top = Number(input.TopRowCount ?? 0);
  if (top > 0) rows = rows.slice(0, top);
  const limit = Math.min(Number(input.Limit ?? 0) || 10_000, 10_000);
  return rows.slice(start, start + limit).map((row) => keys.map((key) => get(row)(key)));
}

function compareCells(left: CellValue, right: CellValue): number {
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  if ((left instanceof Decimal || typeof left === 'number') && (right instanceof Decimal || typeof right === 'number')) {
    return new Decimal(left).comparedTo(new Decimal(right));
  }
  return String(left) < String(right) ? -1 : String(left) > String(right) ? 1 : 0;
}

/** View answer body (ORM shape: property names, expanded references, multilingual names). */
export function viewDocument(state: KingdeeState, formId: string, data: { Number?: unknown; Id?: unknown }): Record<string, unknown> {
  const form = billForm(formId);
  const number = data.Number ? String(data.Number) : '';
  const id = data.Id ? Number(data.Id) : undefined;
  if (!form) {
    const def = baseForm(formId);
    if (!def) throw new OperationError(4, [{ FieldName: null, Message: '业务对象不存在', DIndex: 0 }]);
    const record = state.base.find((candidate) => candidate.formId === def.formId && (id ? candidate.id === id : candidate.number === number));
    if (!record) throw new OperationError(10, [{ FieldName: null, Message: '未找到对应数据', DIndex: 0 }]);
    return {
      Id: record.id,
      msterID: record.masterId,
      DocumentStatus: record.status,
      ForbidStatus: record.forbidStatus,
      Number: record.number,
      Name: [{ Key: 2052, Value: record.name }],
      CreateOrgId_Id: record.createOrgId,
      UseOrgId_Id: record.useOrgId,
      ...ormFields(record.fields, allBaseFields(def)),
    };
  }
  const bill = state.findBill(form.formId, id ? { id } : { number });
  if (!bill) throw new OperationError(10, [{ FieldName: null, Message: `未找到编号为“${number || String(id ?? '')}”的${form.caption}`, DIndex: 0 }]);
  return {
    Id: bill.id,
    BillNo: bill.billNo,
    DocumentStatus: bill.status,
    CancelStatus: bill.cancelStatus ?? 'A',
    CreateDate: bill.createDate,
    FModifyDate: bill.modifyDate,
    ApproveDate: bill.approveDate,
    ...ormFields(bill.header, allHeaderFields(form)),
    [form.entry.ormName]: bill.entries.map((entry) => ({
      Id: entry.entryId,
      Seq: entry.seq,
      ...ormFields(entry.fields, form.entry.fields),
      ...(form.priceField ? ormFields(entry.fields, ['FAllAmount', 'FAmount', 'FTaxAmount'].map((key) => ({ key, caption: key, type: 'decimal' as const, required: false }))) : {}),
      ...(form.subEntry ? { [form.subEntry.ormName]: entry.sub.map((sub) => ({ Id: sub.entryId, Seq: sub.seq, ...ormFields(sub.fields, form.subEntry!.fields) })) } : {}),
    })),
    ...(form.secondEntry ? { [form.secondEntry.ormName]: (bill.second ?? []).map((row) => ({ Id: row.entryId, Seq: row.seq, ...ormFields(row.fields, form.secondEntry!.fields) })) } : {}),
  };
}

function ormFields(values: Record<string, StoredValue>, fields: FieldDef[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!(field.key in values)) continue;
    const property = field.key.replace(/^F/, '');
    const value = values[field.key];
    if (typeof field.type === 'object') {
      const ref = value as StoredRef | null;
      out[`${property}_Id`] = ref ? ref.id : 0;
      out[property] = ref ? { Id: ref.id, Number: ref.number, Name: [{ Key: 2052, Value: ref.name }] } : null;
    } else if (field.type === 'lot') {
      out[`${property}_Text`] = value ?? '';
    } else {
      out[property] = value ?? null;
    }
  }
  return out;
}

/** QueryBusinessInfo: our own rendering of the form metadata (the real structure is undocumented). */
export function businessInfo(formId: string): Record<string, unknown> {
  const form = billForm(formId);
  const describe = (list: FieldDef[]) =>
    list.map((field) => ({
      Key: field.key,
      Name: [{ Key: 2052, Value: field.caption }],
      MustInput: field.required ? 1 : 0,
      ElementType: typeof field.type === 'object' ? 13 : field.type,
      LookUpObjectFormId: typeof field.type === 'object' ? field.type.ref : undefined,
    }));
  if (form) {
    return {
      Id: form.formId,
      Name: [{ Key: 2052, Value: form.caption }],
      Entrys: [
        { Key: 'FBillHead', Name: [{ Key: 2052, Value: '单据头' }], Fields: describe(form.header) },
        ...form.subHeads.map((sub) => ({ Key: sub.key, EntryType: 'SubHead', Fields: describe(sub.fields) })),
        { Key: form.entry.key, Name: [{ Key: 2052, Value: form.entry.caption }], Fields: describe(form.entry.fields) },
        ...(form.subEntry ? [{ Key: form.subEntry.key, Name: [{ Key: 2052, Value: form.subEntry.caption }], Fields: describe(form.subEntry.fields) }] : []),
        ...(form.secondEntry ? [{ Key: form.secondEntry.key, Name: [{ Key: 2052, Value: form.secondEntry.caption }], Fields: describe(form.secondEntry.fields) }] : []),
      ],
    };
  }
  const def = baseForm(formId);
  if (!def) throw new OperationError(4, [{ FieldName: null, Message: '业务对象不存在', DIndex: 0 }]);
  return {
    Id: def.formId,
    Name: [{ Key: 2052, Value: def.caption }],
    Entrys: [{ Key: 'FBillHead', Fields: describe(def.extra) }, ...def.subHeads.map((sub) => ({ Key: sub.key, EntryType: 'SubHead', Fields: describe(sub.fields) }))],
  };
}
