/**
 * Aggregation records in MongoDB, insert-only (FerretDB: single-document inserts guarded by a unique _id are the
 * only atomic write; updates of existing documents are not dependable):
 * - documents: each source document's revision chain (`<flow>|<documentKey>`, then `…#2`, `#3` …): a version, a
 *   parked (ungroupable) version, or the freeze that ends the chain; the unique _id of revision n+1 is the
 *   compare-and-set between "a newer version arrived" and "the current version was frozen into a bill";
 * - members: one per (flow, group, source document revision) — a version's slice belongs to a group;
 * - retired: members whose version was replaced by a newer one before it was frozen (never closed again);
 * - bills: one per summary bill, `_id = <flow>|<keyHash>|<billSeq>`: the unique _id is the compare-and-set
 *   that freezes its members (only one writer creates bill n of a group);
 * - sealed: a bill whose members' freeze was decided one by one (the bill as it is posted: the members whose
 *   version was still current);
 * - settled: a bill whose ledger entry has an outcome (the ledger takes it from there);
 * - ignored versions: versions that are never posted (arrived after the freeze, or older than the one held).
 */
import type { Collection, Db, OptionalUnlessRequiredId } from 'mongodb';
import type { CanonicalJson } from '../convert';
import { ensureReadIndexes, insertManyNew, insertOnce } from '@yecai/store';

export interface MemberRecord {
  /** `<flow>|<keyHash>|<documentKey>`: one slice of one document per group, whatever the redeliveries. */
  _id: string;
  flow: string;
  keyHash: string;
  key: Record<string, string>;
  date: string;
  documentKey: string;
  version: string;
  /** The document revision (chain position) this slice belongs to; absent = 1. */
  revision?: number;
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
  /** Per member id: its document revision (absent = all 1). The seal freezes revision n by taking chain slot n+1. */
  memberRevisions?: number[];
  memberCount: number;
  /** The summary bill's canonical document (lines and `aggregate.members` placements). */
  document: CanonicalJson;
}

/**
 * One revision of a source document's chain; `_id` = revisionId(flow, documentKey, revision). Kinds:
 * - version: a groupable version (its slices are members with this revision);
 * - parked: a version that cannot be grouped (ledger entry AGGREGATION_KEY_INVALID); it replaces the slices before it;
 * - frozen: revision − 1 was frozen into a summary bill; the chain ends here (later versions are ignored).
 * Absent `revision` = 1, absent `kind` = version: revision 1 of a version is written as small as the claim it
 * replaces (FerretDB's cost per insert grows with fields), and records written before chains (no
 * `sourceModifiedAt` either) read as what they were, the version first recorded.
 */
export interface DocumentRevisionRecord {
  _id: string;
  flow: string;
  documentKey: string;
  revision?: number;
  kind?: 'version' | 'parked' | 'frozen';
  /** contentHash of the version (absent for 'frozen': the revision before it is the one frozen). */
  version?: string;
  sourceModifiedAt?: number;
  /** kind version: the groups of its slices, comma-separated (its member ids without a read). */
  keyHashes?: string;
  /** kind frozen: the bill that took the freeze first. */
  billId?: string;
  /** When the version was recorded (absent for 'frozen': the bill has its closedAt). */
  at?: Date;
}

/** The chain slot of revision `revision` (revision 1 keeps the id the first version always had). */
export function revisionId(flow: string, documentKey: string, revision: number): string {
  return revision === 1 ? `${flow}|${documentKey}` : `${flow}|${documentKey}#${revision}`;
}

/** The member id of one slice of one document revision. */
export function memberId(flow: string, keyHash: string, documentKey: string, revision: number): string {
  return revision === 1 ? `${flow}|${keyHash}|${documentKey}` : `${flow}|${keyHash}|${documentKey}#${revision}`;
}

export const revisionOf = (record: { revision?: number | undefined }): number => record.revision ?? 1;
export const kindOf = (record: DocumentRevisionRecord): 'version' | 'parked' | 'frozen' => record.kind ?? 'version';

export interface RetiredMemberRecord {
  /** The member id. */
  _id: string;
  flow: string;
  keyHash: string;
  documentKey: string;
  /** The revision that replaced it. */
  byRevision: number;
  at: Date;
}

export interface SealRecord {
  /** The bill id. */
  _id: string;
  /** Members the bill carries (their revision was frozen). */
  memberIds: string[];
  /** Members planned into the bill whose document had a newer revision first: not carried. */
  excluded: { memberId: string; documentKey: string; byRevision: number }[];
  /** The bill's document when members were excluded (else the bill record's own). */
  document?: CanonicalJson;
  at: Date;
}

export interface IgnoredVersionRecord {
  _id: string;
  flow: string;
  documentKey: string;
  version: string;
  memberVersion: string;
  /** after_freeze: the document was already in a summary bill; older: modified before the version held. Absent = after_freeze. */
  reason?: 'after_freeze' | 'older';
  at: Date;
}

export class AggregationStore {
  readonly members: Collection<StoredMember>;
  readonly bills: Collection<SummaryBillRecord>;
  readonly settled: Collection<{ _id: string; at: Date; state: string }>;
  readonly ignored: Collection<IgnoredVersionRecord>;
  readonly documents: Collection<DocumentRevisionRecord>;
  readonly retired: Collection<RetiredMemberRecord>;
  readonly sealed: Collection<SealRecord>;

  constructor(
    private readonly db: Db,
    prefix = 'sink_kingdee_agg',
  ) {
    this.members = db.collection<StoredMember>(`${prefix}_members`);
    this.bills = db.collection<SummaryBillRecord>(`${prefix}_bills`);
    this.settled = db.collection(`${prefix}_settled`);
    this.ignored = db.collection<IgnoredVersionRecord>(`${prefix}_ignored_versions`);
    this.documents = db.collection<DocumentRevisionRecord>(`${prefix}_documents`);
    this.retired = db.collection<RetiredMemberRecord>(`${prefix}_retired`);
    this.sealed = db.collection<SealRecord>(`${prefix}_sealed`);
  }

  async ensureIndexes(): Promise<void> {
    await ensureReadIndexes(this.db, [
      { collection: this.members, key: { flow: 1, keyHash: 1 }, name: 'member_group' },
      { collection: this.members, key: { documentKey: 1 }, name: 'member_document' },
      { collection: this.members, key: { flow: 1, closeAt: 1 }, name: 'member_close_at' },
      { collection: this.bills, key: { flow: 1, keyHash: 1 }, name: 'bill_group' },
      { collection: this.bills, key: { memberIds: 1 }, name: 'bill_member' },
      { collection: this.documents, key: { documentKey: 1 }, name: 'document_chain' },
    ]);
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

  /** Revision chains of `documentKeys` (one read), each oldest first. */
  async chainsOf(flow: string, documentKeys: string[]): Promise<Map<string, DocumentRevisionRecord[]>> {
    const chains = new Map<string, DocumentRevisionRecord[]>(documentKeys.map((key) => [key, []]));
    if (documentKeys.length === 0) return chains;
    const filter = documentKeys.length === 1 ? { flow, documentKey: documentKeys[0]! } : { flow, documentKey: { $in: documentKeys } };
    for (const record of await this.documents.find(filter).toArray()) chains.get(record.documentKey)?.push(record);
    for (const chain of chains.values()) chain.sort((a, b) => revisionOf(a) - revisionOf(b));
    return chains;
  }

  async sealsOf(billIds: string[]): Promise<Map<string, SealRecord>> {
    if (billIds.length === 0) return new Map();
    return new Map((await this.sealed.find(billIds.length === 1 ? { _id: billIds[0]! } : { _id: { $in: billIds } }).toArray()).map((seal) => [seal._id, seal]));
  }

  /** Seals bill `seal._id`; false when a seal was there first (the caller reads it: every seal of a bill is equal). */
  insertSeal(seal: SealRecord): Promise<boolean> {
    return insertOnce(this.sealed, seal as OptionalUnlessRequiredId<SealRecord>);
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
   * Per group of `flow`: members recorded, members accounted for (in a bill, or retired by a newer version: open =
   * members − accounted), members frozen (in a bill and not retired), and whether any open member's close time is
   * at or before `dueBy` (projected reads, no documents).
   */
  async groupCounts(flow: string, dueBy: Date = new Date(0)): Promise<Map<string, { members: number; accounted: number; frozen: number; due: boolean }>> {
    const counts = new Map<string, { members: number; accounted: number; frozen: number; due: boolean }>();
    const inBills = new Set<string>();
    for (const bill of await this.bills.find({ flow }, { projection: { memberIds: 1 } }).toArray()) for (const id of bill.memberIds) inBills.add(id);
    const retired = new Set((await this.retired.find({ flow }, { projection: { _id: 1 } }).toArray()).map((record) => record._id));
    for (const member of await this.members.find({ flow }, { projection: { keyHash: 1, closeAt: 1 } }).toArray()) {
      const row = counts.get(member.keyHash) ?? { members: 0, accounted: 0, frozen: 0, due: false };
      row.members++;
      const billed = inBills.has(member._id);
      const gone = retired.has(member._id);
      if (billed || gone) row.accounted++;
      if (billed && !gone) row.frozen++;
      if (!billed && !gone && member.closeAt.getTime() <= dueBy.getTime()) row.due = true;
      counts.set(member.keyHash, row);
    }
    return counts;
  }

  /**
   * Per group: its members neither frozen into a bill nor retired by a newer version (arrival order) and the last
   * bill sequence used. One read each.
   */
  async openMembers(flow: string, keyHashes: string[]): Promise<Map<string, { open: MemberRecord[]; lastSeq: number }>> {
    const result = new Map<string, { open: MemberRecord[]; lastSeq: number }>(keyHashes.map((keyHash) => [keyHash, { open: [], lastSeq: 0 }]));
    if (keyHashes.length === 0) return result;
    const inGroups = keyHashes.length === 1 ? keyHashes[0]! : { $in: keyHashes };
    const bills = await this.bills.find({ flow, keyHash: inGroups }, { projection: { keyHash: 1, memberIds: 1, billSeq: 1 } }).toArray();
    const closed = new Set(bills.flatMap((bill) => bill.memberIds));
    for (const record of await this.retired.find({ flow, keyHash: inGroups }, { projection: { _id: 1 } }).toArray()) closed.add(record._id);
    for (const bill of bills) {
      const group = result.get(bill.keyHash);
      if (group) group.lastSeq = Math.max(group.lastSeq, bill.billSeq);
    }
    for (const member of await this.members.find({ flow, keyHash: inGroups }).toArray()) {
      if (!closed.has(member._id)) result.get(member.keyHash)?.open.push(fromStoredMember(member));
    }
    for (const group of result.values()) group.open.sort((a, b) => a.arrivedAt.getTime() - b.arrivedAt.getTime() || a._id.localeCompare(b._id));
    return result;
  }

  /** Member records by id (one read; the seal's re-plan when members were excluded). */
  async membersById(ids: string[]): Promise<Map<string, MemberRecord>> {
    if (ids.length === 0) return new Map();
    const found = await this.members.find(ids.length === 1 ? { _id: ids[0]! } : { _id: { $in: ids } }).toArray();
    return new Map(found.map((member) => [member._id, fromStoredMember(member)]));
  }
}
