/**
 * Aggregation records in MongoDB, insert-only (FerretDB: single-document inserts guarded by a unique _id are the
 * only atomic write; updates of existing documents are not dependable):
 * - members: one per (flow, group, source document) — a document's slice belongs to a group;
 * - bills: one per summary bill, `_id = <flow>|<keyHash>|<billSeq>`: the unique _id is the compare-and-set
 *   that freezes its members (only one writer creates bill n of a group);
 * - settled: a bill whose ledger entry has an outcome (the ledger takes it from there);
 * - documents: the version of each source document aggregation took (a claim by unique _id, no lookups);
 * - ignored versions: later versions of a document that is already a member.
 */
import type { Collection, Db, OptionalUnlessRequiredId } from 'mongodb';
import type { CanonicalJson } from '../convert';
import { insertManyNew, insertOnce } from '../insert-only';

export interface MemberRecord {
  /** `<flow>|<keyHash>|<documentKey>`: one slice of one document per group, whatever the redeliveries. */
  _id: string;
  flow: string;
  keyHash: string;
  key: Record<string, string>;
  date: string;
  documentKey: string;
  version: string;
  billNumber: string;
  lineIndexes: number[];
  canonical: CanonicalJson;
  /** When the group closes by itself for this member (schedule). */
  closeAt: Date;
  arrivedAt: Date;
}

/** A member as stored: the slice's canonical document as JSON text (FerretDB writes text far cheaper than nesting). */
type StoredMember = Omit<MemberRecord, 'canonical'> & { canonicalJson: string };

function toStoredMember({ canonical, ...rest }: MemberRecord): StoredMember {
  return { ...rest, canonicalJson: JSON.stringify(canonical) };
}

function fromStoredMember({ canonicalJson, ...rest }: StoredMember): MemberRecord {
  return { ...rest, canonical: JSON.parse(canonicalJson) as CanonicalJson };
}

export interface SummaryBillRecord {
  /** `<flow>|<keyHash>|<billSeq>`. */
  _id: string;
  flow: string;
  keyHash: string;
  key: Record<string, string>;
  date: string;
  billSeq: number;
  /** The FBillNo written to Kingdee and the ledger entry that carries it. */
  billNo: string;
  ledgerId: string;
  /** First bill of its group, or a supplementary bill closed after an earlier one. */
  kind: 'first' | 'supplementary';
  closedAt: Date;
  closedBy: string;
  /** Frozen membership (member ids), queried by member. */
  memberIds: string[];
  memberCount: number;
  /** The summary bill's canonical document (lines and `aggregate.members` placements). */
  document: CanonicalJson;
}

/** The version of a source document that aggregation took (first seen); `_id = <flow>|<documentKey>`. */
export interface DocumentClaimRecord {
  _id: string;
  flow: string;
  documentKey: string;
  version: string;
  at: Date;
}

export interface IgnoredVersionRecord {
  _id: string;
  flow: string;
  documentKey: string;
  version: string;
  memberVersion: string;
  at: Date;
}

export class AggregationStore {
  readonly members: Collection<StoredMember>;
  readonly bills: Collection<SummaryBillRecord>;
  readonly settled: Collection<{ _id: string; at: Date; state: string }>;
  readonly ignored: Collection<IgnoredVersionRecord>;
  readonly documents: Collection<DocumentClaimRecord>;

  constructor(db: Db, prefix = 'sink_kingdee_agg') {
    this.members = db.collection<StoredMember>(`${prefix}_members`);
    this.bills = db.collection<SummaryBillRecord>(`${prefix}_bills`);
    this.settled = db.collection(`${prefix}_settled`);
    this.ignored = db.collection<IgnoredVersionRecord>(`${prefix}_ignored_versions`);
    this.documents = db.collection<DocumentClaimRecord>(`${prefix}_documents`);
  }

  async ensureIndexes(): Promise<void> {
    await this.members.createIndex({ flow: 1, keyHash: 1 }, { name: 'member_group' });
    await this.members.createIndex({ documentKey: 1 }, { name: 'member_document' });
    await this.members.createIndex({ flow: 1, closeAt: 1 }, { name: 'member_close_at' });
    await this.bills.createIndex({ flow: 1, keyHash: 1 }, { name: 'bill_group' });
    await this.bills.createIndex({ memberIds: 1 }, { name: 'bill_member' });
  }

  /** Inserts records whose _id may already exist (redelivery) in one round trip; returns the indexes that existed. */
  insertNew<T extends { _id: string }>(collection: Collection<T>, records: T[]): Promise<Set<number>> {
    return insertManyNew(collection, records as OptionalUnlessRequiredId<T>[]);
  }

  /** Records group members in one round trip; returns the indexes already recorded (a redelivery). */
  insertMembers(records: MemberRecord[]): Promise<Set<number>> {
    return this.insertNew(this.members, records.map(toStoredMember));
  }

  /** Every group slice of one source document. */
  async membersOf(documentKey: string): Promise<MemberRecord[]> {
    return (await this.members.find({ documentKey }).toArray()).map(fromStoredMember);
  }

  /** Creates bill `record._id`; false when another writer created that bill first (the caller reloads). */
  insertBill(record: SummaryBillRecord): Promise<boolean> {
    return insertOnce(this.bills, record as OptionalUnlessRequiredId<SummaryBillRecord>);
  }

  async markSettled(billId: string, state: string): Promise<void> {
    await insertOnce(this.settled, { _id: billId, at: new Date(), state });
  }

  /** Bills whose ledger outcome is not yet confirmed (crash after the freeze, Kingdee unavailable, …). */
  async unsettledBills(): Promise<SummaryBillRecord[]> {
    const settled = new Set((await this.settled.find({}, { projection: { _id: 1 } }).toArray()).map((record) => record._id));
    const all = await this.bills.find({}, { projection: { _id: 1 } }).toArray();
    const open = all.map((bill) => bill._id).filter((id) => !settled.has(id));
    if (open.length === 0) return [];
    return (await this.bills.find({ _id: { $in: open } }).toArray()).sort((a, b) => a._id.localeCompare(b._id) || a.billSeq - b.billSeq);
  }

  /**
   * Per group of `flow`: members recorded, members frozen into bills (open = recorded − frozen), and whether any
   * member's close time is at or before `dueBy` (a cheap prefilter: projected read, no documents).
   */
  async groupCounts(flow: string, dueBy: Date = new Date(0)): Promise<Map<string, { members: number; frozen: number; due: boolean }>> {
    const counts = new Map<string, { members: number; frozen: number; due: boolean }>();
    for (const member of await this.members.find({ flow }, { projection: { keyHash: 1, closeAt: 1 } }).toArray()) {
      const row = counts.get(member.keyHash) ?? { members: 0, frozen: 0, due: false };
      row.members++;
      if (member.closeAt.getTime() <= dueBy.getTime()) row.due = true;
      counts.set(member.keyHash, row);
    }
    for (const bill of await this.bills.find({ flow }, { projection: { keyHash: 1, memberCount: 1 } }).toArray()) {
      const row = counts.get(bill.keyHash);
      if (row) row.frozen += bill.memberCount;
    }
    return counts;
  }

  /** Per group: its members not frozen into any bill (arrival order) and the last bill sequence used. One read each. */
  async openMembers(flow: string, keyHashes: string[]): Promise<Map<string, { open: MemberRecord[]; lastSeq: number }>> {
    const result = new Map<string, { open: MemberRecord[]; lastSeq: number }>(keyHashes.map((keyHash) => [keyHash, { open: [], lastSeq: 0 }]));
    if (keyHashes.length === 0) return result;
    const inGroups = keyHashes.length === 1 ? keyHashes[0]! : { $in: keyHashes };
    const bills = await this.bills.find({ flow, keyHash: inGroups }, { projection: { keyHash: 1, memberIds: 1, billSeq: 1 } }).toArray();
    const frozen = new Set(bills.flatMap((bill) => bill.memberIds));
    for (const bill of bills) {
      const group = result.get(bill.keyHash);
      if (group) group.lastSeq = Math.max(group.lastSeq, bill.billSeq);
    }
    for (const member of await this.members.find({ flow, keyHash: inGroups }).toArray()) {
      if (!frozen.has(member._id)) result.get(member.keyHash)?.open.push(fromStoredMember(member));
    }
    for (const group of result.values()) group.open.sort((a, b) => a.arrivedAt.getTime() - b.arrivedAt.getTime() || a._id.localeCompare(b._id));
    return result;
  }
}
