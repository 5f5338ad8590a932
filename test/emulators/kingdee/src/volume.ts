/**
 * Audited bills and materials in volume, with FModifyDate spread over a range (same-second runs included), and late
 * modifications — what a reader of Kingdee (the Kingdee source's conformance suite) needs. FModifyDate is written as
 * Kingdee writes it: server time (Beijing), yyyy-MM-ddTHH:mm:ss.
 */
import { Decimal, parseBeijingTime, seededRandom } from '@yecai/common';
import { spreadModifiedTimes } from '@yecai/emulator-kit';
import { billForm } from './forms';
import { kingdeeDateTime, type KingdeeState, type StoredBill } from './state';

export const kingdeeModifyDate = kingdeeDateTime;
const modifiedMsOf = (text: string): number => parseBeijingTime(text.replace('T', ' ').slice(0, 19), 'FModifyDate');

export interface VolumeRange {
  fromMs: number;
  toMs: number;
  seed: number;
  sameSecondRatio?: number;
}

let nextId = 5_000_001;

/** `count` audited bills of a form (1–3 entries each); returns their FIDs. */
export function addAuditedBills(state: KingdeeState, formId: string, count: number, range: VolumeRange): number[] {
  const form = billForm(formId);
  if (!form) throw new Error(`addAuditedBills: unknown bill form ${formId}`);
  const random = seededRandom(range.seed);
  const qtyField = form.entry.fields.find((field) => field.type === 'decimal')?.key;
  return spreadModifiedTimes(random, count, range).map((modifiedMs, index) => {
    const id = nextId++;
    const modifyDate = kingdeeModifyDate(modifiedMs);
    const bill: StoredBill = {
      id,
      formId: form.formId,
      billNo: `${form.billNoPrefix}${id}`,
      status: 'C',
      header: { FDate: modifyDate.slice(0, 10) + 'T00:00:00', FNote: `seed ${range.seed} #${index}` },
      entries: Array.from({ length: 1 + (index % 3) }, (_, line) => ({
        entryId: id * 10 + line,
        seq: line + 1,
        fields: qtyField ? { [qtyField]: new Decimal(1 + Math.floor(random() * 20)) } : {},
        sub: [],
      })),
      createDate: modifyDate,
      modifyDate,
      approveDate: modifyDate,
    };
    state.billsOf(form.formId).set(id, bill);
    return id;
  });
}

/** `count` audited materials sold online (是否网销 ticked); returns their FMATERIALIDs. */
export function addOnlineMaterials(state: KingdeeState, count: number, range: VolumeRange): number[] {
  const random = seededRandom(range.seed);
  const org = state.base.find((record) => record.formId === 'ORG_Organizations');
  return spreadModifiedTimes(random, count, range).map((modifiedMs) => {
    const id = nextId++;
    const modifyDate = kingdeeModifyDate(modifiedMs);
    state.base.push({
      id,
      masterId: id,
      formId: 'BD_MATERIAL',
      number: `M${id}`,
      name: `物料 ${id}`,
      createOrgId: org?.id ?? 1,
      useOrgId: org?.id ?? 1,
      status: 'C',
      forbidStatus: 'A',
      fields: { F_YC_IsOnline: true, FSpecification: `${1 + Math.floor(random() * 9)}kg` },
      createDate: modifyDate,
      modifyDate,
    });
    return id;
  });
}

/**
 * Dates everything the emulator already holds (its fixture, created at start and so stamped "now") at `atMs`: data that
 * existed before a seeded range, so a reader's ground truth is what a sync of that range reads.
 */
export function dateExistingData(state: KingdeeState, atMs: number): void {
  const modifyDate = kingdeeModifyDate(atMs);
  for (const record of state.base) Object.assign(record, { createDate: modifyDate, modifyDate });
  for (const bills of state.bills.values()) for (const bill of bills.values()) Object.assign(bill, { createDate: modifyDate, modifyDate });
}

/** A late modification: the bill or material gets FModifyDate `atMs` and a changed remark/specification. */
export function modifyLate(state: KingdeeState, formId: string, id: number, atMs: number): void {
  const modifyDate = kingdeeModifyDate(atMs);
  if (formId === 'BD_MATERIAL') {
    const record = state.base.find((candidate) => candidate.formId === formId && candidate.id === id);
    if (!record) throw new Error(`modifyLate: no BD_MATERIAL ${id}`);
    Object.assign(record, { modifyDate, fields: { ...record.fields, FSpecification: `changed at ${modifyDate}` } });
    return;
  }
  const bill = state.billsOf(formId).get(id);
  if (!bill) throw new Error(`modifyLate: no ${formId} ${id}`);
  Object.assign(bill, { modifyDate, header: { ...bill.header, FNote: `changed at ${modifyDate}` } });
}

/** Ground truth of a reader: every audited bill (or audited online material) with its current FModifyDate. */
export function auditedVersions(state: KingdeeState, formId: string): { id: number; modifiedMs: number }[] {
  if (formId === 'BD_MATERIAL')
    return state.base
      .filter((record) => record.formId === formId && record.status === 'C' && record.fields.F_YC_IsOnline === true)
      .map((record) => ({ id: record.id, modifiedMs: modifiedMsOf(record.modifyDate) }));
  return [...state.billsOf(formId).values()]
    .filter((bill) => bill.status === 'C')
    .map((bill) => ({ id: bill.id, modifiedMs: modifiedMsOf(bill.modifyDate) }));
}
