/**
 * Pure parts of aggregated posting: which group(s) a document belongs to, when a group closes, how a closed
 * group's members become summary bills (summed or listed entries, split at maxEntries), and the bill numbers.
 */
import { createHash } from 'node:crypto';
import { ValidationError, parseBeijingTime, toDecimal } from '@yecai/common';
import type { CanonicalJson } from '../canonical';
import { placeholderName, type AggregationConfig } from './config';

/** Head fields that differ per source document and are not carried into a summary bill's head. */
const PER_DOCUMENT_HEAD_FIELDS = ['source', 'mapping', 'billNumber', 'remark', 'logisticsNumber', 'onlineOrderNumber', 'purchaseOrderNumber', 'returnReason', 'lines', 'aggregate'];
/** Line fields that do not make two lines different items when summing. */
const NON_IDENTITY_LINE_FIELDS = ['lineId', 'quantity', 'amount', 'note', 'sku'];
const DAY_MS = 86_400_000;

/** The part of one source document that belongs to one group. */
export interface MemberSlice {
  keyHash: string;
  /** groupBy field name (last part) → value, e.g. { customer: 'TM-YS01', warehouse: 'CK001', date: '2026-11-20' } (stored: no dots). */
  key: Record<string, string>;
  /** Business date (the document's `date`). */
  date: string;
  /** Indexes of the document's lines in this slice. */
  lineIndexes: number[];
  /** The document with only this slice's lines. */
  canonical: CanonicalJson;
}

/**
 * Splits a canonical document into its group slices. Throws ValidationError naming the field when a key value
 * is missing (the document is parked for a person, never guessed into a group).
 */
export function sliceDocument(documentType: string, aggregation: AggregationConfig, canonical: CanonicalJson): MemberSlice[] {
  const date = text(canonical.date, 'date');
  const lines = canonical.lines;
  if (!Array.isArray(lines) || lines.length === 0) throw new ValidationError('lines: a document needs at least one line to be aggregated', 'lines');
  const head: CanonicalJson = {};
  for (const [field, value] of Object.entries(canonical)) if (!PER_DOCUMENT_HEAD_FIELDS.includes(field)) head[field] = value;
  const headSignature = stableJson(head);
  const slices = new Map<string, MemberSlice>();
  lines.forEach((line: CanonicalJson, index) => {
    const key: Record<string, string> = {};
    for (const field of aggregation.groupBy) {
      key[placeholderName(field)] = field.startsWith('lines.') ? text(line?.[field.slice(6)], `lines.${index}.${field.slice(6)}`) : text(canonical[field], field);
    }
    const keyHash = createHash('sha256').update(stableJson([documentType, aggregation.groupBy.map((field) => key[placeholderName(field)]), headSignature])).digest('hex').slice(0, 12).toUpperCase();
    const slice = slices.get(keyHash) ?? { keyHash, key, date, lineIndexes: [], canonical: { ...canonical, lines: [] } };
    slice.lineIndexes.push(index);
    (slice.canonical.lines as unknown[]).push(line);
    slices.set(keyHash, slice);
  });
  return [...slices.values()];
}

/** When a group of business date `date` closes by itself (Beijing time). */
export function closeAtOf(date: string, close: AggregationConfig['close']): Date {
  return new Date(parseBeijingTime(`${date} ${close.at}:00`, 'date') + close.afterDays * DAY_MS);
}

/** One member of a closed group, in the close record's order. */
export interface ClosedMember {
  memberId: string;
  documentKey: string;
  version: string;
  billNumber: string;
  canonical: CanonicalJson;
}

/** A member's place in a summary bill: the 1-based rows of the bill's entry table that carry its lines. */
export interface MemberPlacement {
  memberId: string;
  documentKey: string;
  version: string;
  billNumber: string;
  entries: number[];
}

export interface PlannedBill {
  members: MemberPlacement[];
  lines: CanonicalJson[];
}

/**
 * Members (in order) → summary bills of at most `maxEntries` entries and `maxMembers` members. A member is never split across bills; a
 * member with more lines than `maxEntries` gets a bill of its own.
 */
export function planBills(members: ClosedMember[], mode: AggregationConfig['entries'], maxEntries: number, maxMembers = Number.MAX_SAFE_INTEGER): PlannedBill[] {
  const bills: PlannedBill[] = [];
  let current = emptyBill();
  for (const member of members) {
    let placed = place(current, member, mode);
    if ((placed.lines.length > maxEntries || placed.members.length > maxMembers) && current.members.length > 0) {
      bills.push(current);
      current = emptyBill();
      placed = place(current, member, mode);
    }
    current = placed;
  }
  if (current.members.length > 0) bills.push(current);
  return bills;
}

function emptyBill(): PlannedBill & { identities: string[] } {
  return { members: [], lines: [], identities: [] };
}

function place(bill: PlannedBill, member: ClosedMember, mode: AggregationConfig['entries']): PlannedBill & { identities: string[] } {
  const lines = [...bill.lines];
  const identities = [...((bill as { identities?: string[] }).identities ?? [])];
  const entries = new Set<number>();
  ((member.canonical.lines as CanonicalJson[]) ?? []).forEach((line, index) => {
    if (mode === 'sum') {
      const identity = lineIdentity(line);
      const at = identities.indexOf(identity);
      if (at >= 0) {
        lines[at] = sumLines(lines[at]!, line, `${member.documentKey} lines.${index}`);
        entries.add(at + 1);
        return;
      }
      identities.push(identity);
      lines.push({ ...line, lineId: `E${lines.length + 1}`, note: null });
    } else {
      identities.push('');
      lines.push({ ...line, lineId: `E${lines.length + 1}`, note: member.billNumber });
    }
    entries.add(lines.length);
  });
  const placement: MemberPlacement = { memberId: member.memberId, documentKey: member.documentKey, version: member.version, billNumber: member.billNumber, entries: [...entries].sort((a, b) => a - b) };
  return { members: [...bill.members, placement], lines, identities };
}

function lineIdentity(line: CanonicalJson): string {
  const identity: CanonicalJson = {};
  for (const [field, value] of Object.entries(line)) if (!NON_IDENTITY_LINE_FIELDS.includes(field)) identity[field] = value;
  return stableJson(identity);
}

function sumLines(total: CanonicalJson, line: CanonicalJson, where: string): CanonicalJson {
  const quantity = toDecimal(total.quantity, `${where}.quantity`).plus(toDecimal(line.quantity, `${where}.quantity`)).toFixed();
  const amount = total.amount === null || total.amount === undefined || line.amount === null || line.amount === undefined ? null : toDecimal(total.amount, `${where}.amount`).plus(toDecimal(line.amount, `${where}.amount`)).toFixed();
  return { ...total, quantity, ...('amount' in total ? { amount } : {}) };
}

/** What the summary bill's canonical (hence every ledger revision of it) carries per member: kept small. */
export interface TracedMember {
  documentKey: string;
  billNumber: string;
  entries: number[];
}

export interface SummaryTrace {
  flow: string;
  keyHash: string;
  key: Record<string, string>;
  billSeq: number;
  members: TracedMember[];
}

/**
 * The canonical document of a summary bill: the members' common head, the planned lines, a synthetic source
 * identity (sourceId = the summary number, contentHash over the members) and the trace of every member.
 */
export function summaryDocument(head: CanonicalJson, summaryNumber: string, bill: PlannedBill, trace: Omit<SummaryTrace, 'members'>, closedAt: Date): CanonicalJson {
  const source = (head.source ?? {}) as CanonicalJson;
  const contentHash = createHash('sha256')
    .update(bill.members.map((member) => `${member.memberId}@${member.version}`).join('\n'))
    .digest('hex');
  const document: CanonicalJson = { ...head };
  for (const field of PER_DOCUMENT_HEAD_FIELDS) if (field in document && field !== 'source' && field !== 'mapping') document[field] = null;
  return {
    ...document,
    source: { ...source, sourceSystem: 'yecai', account: 'aggregate', sourceId: summaryNumber, sourceModifiedAt: closedAt.getTime(), contentHash },
    billNumber: summaryNumber,
    remark: `汇总 ${bill.members.length} 张单据 summary of ${bill.members.length} documents`,
    lines: bill.lines,
    aggregate: { ...trace, members: bill.members.map(({ documentKey, billNumber, entries }): TracedMember => ({ documentKey, billNumber, entries })) },
  };
}

/** Renders the summary bill number; key values are made safe for FBillNo (A-Z a-z 0-9 _ - .). */
export function renderSummaryNumber(pattern: string, values: { keyHash: string; seq: number; date: string; documentType: string; key: Record<string, string> }): string {
  const named: Record<string, string> = {
    keyHash: values.keyHash,
    seq: String(values.seq).padStart(3, '0'),
    date: values.date.replace(/-/g, ''),
    documentType: values.documentType,
  };
  for (const [name, value] of Object.entries(values.key)) named[name] ??= value.replace(/[^A-Za-z0-9_\-.]/g, '_').slice(0, 24);
  const rendered = pattern.replace(/\{(\w+)\}/g, (whole, name: string) => named[name] ?? whole);
  if (rendered.length > 80 || !/^[A-Za-z0-9_\-./]+$/.test(rendered)) {
    throw new ValidationError(`aggregation.billNumberPattern: "${rendered}" must be 1–80 characters of A-Z a-z 0-9 _ - . /`, 'aggregation.billNumberPattern');
  }
  return rendered;
}

function text(value: unknown, field: string): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field}: required for the aggregation key (汇总分组字段缺失)`, field);
  return value;
}

/** JSON with object keys sorted: equal content, equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
