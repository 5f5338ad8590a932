/**
 * The idempotency ledger: one MongoDB document per target bill (账套 + form + FBillNo), changed only by
 * single-document atomic writes guarded by a `revision` compare-and-set and a unique index (FerretDB has no
 * multi-document transactions). Kafka offsets are committed only after this ledger holds the outcome.
 */
import type { Collection, Db } from 'mongodb';
import type { CanonicalJson } from './convert';

/**
 * PENDING   claimed; a Kingdee write may be under way (after a crash: resolve by ExecuteBillQuery on FBillNo);
 * IN_DOUBT  a write was sent and no answer came back: resolve by query before anything else;
 * POSTED    every configured step done (Save, Submit, Audit); `fid` is Kingdee's FID;
 * PARKED    level 1: Kingdee (or the converter) rejected the data; a person fixes it and re-pushes;
 * REJECTED  level 2: a business rule refused it (库存不足, closed period); retried on a ladder, or by a person;
 * SKIPPED   a person decided not to post it (who and why recorded).
 */
export const LEDGER_STATES = ['PENDING', 'IN_DOUBT', 'POSTED', 'PARKED', 'REJECTED', 'SKIPPED'] as const;
export type LedgerState = (typeof LEDGER_STATES)[number];

/** How far the bill got in Kingdee (independent of state: a REJECTED bill may be saved but not audited). */
export type BillStage = 'NONE' | 'SAVED' | 'SUBMITTED' | 'AUDITED';

export interface LedgerProblem {
  level: 1 | 2 | 3;
  code: string;
  /** Kingdee's own message (Chinese) or ours, for the person who acts on it. */
  message: string;
  field?: string | null | undefined;
  msgCode?: number | undefined;
}

export interface LedgerTransition {
  at: Date;
  from: LedgerState | null;
  to: LedgerState;
  event: string;
  version: string;
  detail?: string | undefined;
  actor?: string | undefined;
}

export interface LedgerEntry {
  _id: string;
  acctId: string;
  formId: string;
  billNo: string;
  documentType: string;
  documentKey: string;
  state: LedgerState;
  stage: BillStage;
  fid: number | null;
  /** Version (source contentHash) the ledger is working on / has posted. */
  version: string;
  sourceModifiedAt: number;
  /** Version that is in Kingdee now (null until saved). */
  postedVersion: string | null;
  /** The canonical event of `version` as plain JSON: re-push and retries rebuild the bill from it. */
  canonical: CanonicalJson;
  problem: LedgerProblem | null;
  attempts: number;
  /** Level-2 automatic retries used (index into the retry ladder). */
  level2Retries: number;
  nextRetryAt: Date | null;
  skipped: { by: string; reason: string; at: Date } | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  history: LedgerTransition[];
}

/** One Kingdee request and its answer for one bill (the document history's middle part). */
export interface KingdeeCallRecord {
  ledgerId: string;
  at: Date;
  operation: string;
  request: unknown;
  outcome: string;
  fid?: number | null | undefined;
  msgCode?: number | undefined;
  messages?: string[] | undefined;
}

export function ledgerId(acctId: string, formId: string, billNo: string): string {
  return `${acctId}|${formId}|${billNo}`;
}

export type LedgerUpdate = Partial<Omit<LedgerEntry, '_id' | 'acctId' | 'formId' | 'billNo' | 'revision' | 'history' | 'createdAt'>>;

export class Ledger {
  readonly entries: Collection<LedgerEntry>;
  readonly calls: Collection<KingdeeCallRecord>;

  constructor(db: Db, prefix = 'sink_kingdee') {
    this.entries = db.collection<LedgerEntry>(`${prefix}_ledger`);
    this.calls = db.collection<KingdeeCallRecord>(`${prefix}_calls`);
  }

  async ensureIndexes(): Promise<void> {
    await this.entries.createIndex({ acctId: 1, formId: 1, billNo: 1 }, { unique: true, name: 'bill_unique' });
    await this.entries.createIndex({ state: 1, nextRetryAt: 1 }, { name: 'state_retry' });
    await this.entries.createIndex({ documentType: 1, state: 1 }, { name: 'flow_state' });
    await this.calls.createIndex({ ledgerId: 1, at: 1 }, { name: 'ledger_calls' });
  }

  get(id: string): Promise<LedgerEntry | null> {
    return this.entries.findOne({ _id: id });
  }

  async getMany(ids: string[]): Promise<Map<string, LedgerEntry>> {
    if (ids.length === 0) return new Map();
    const found = await this.entries.find({ _id: { $in: ids } }).toArray();
    return new Map(found.map((entry) => [entry._id, entry]));
  }

  /** Inserts a new entry; returns null when another writer inserted it first (duplicate key 11000). */
  async insert(entry: Omit<LedgerEntry, 'revision' | 'createdAt' | 'updatedAt' | 'history'>, event: string): Promise<LedgerEntry | null> {
    const now = new Date();
    const full: LedgerEntry = {
      ...entry,
      revision: 1,
      createdAt: now,
      updatedAt: now,
      history: [{ at: now, from: null, to: entry.state, event, version: entry.version }],
    };
    try {
      await this.entries.insertOne(full);
      return full;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return null;
      throw error;
    }
  }

  /**
   * Compare-and-set on `revision`: applies `update` only if nobody changed the entry since `current` was read.
   * Returns the new entry, or null when the entry moved on (the caller reloads and decides again).
   */
  async transition(current: LedgerEntry, update: LedgerUpdate, event: string, extra: { detail?: string; actor?: string } = {}): Promise<LedgerEntry | null> {
    const now = new Date();
    const to = update.state ?? current.state;
    const transition: LedgerTransition = {
      at: now,
      from: current.state,
      to,
      event,
      version: update.version ?? current.version,
      ...(extra.detail !== undefined ? { detail: extra.detail } : {}),
      ...(extra.actor !== undefined ? { actor: extra.actor } : {}),
    };
    const result = await this.entries.updateOne(
      { _id: current._id, revision: current.revision },
      { $set: { ...update, updatedAt: now, revision: current.revision + 1 }, $push: { history: transition } },
    );
    if (result.matchedCount === 0) return null;
    return { ...current, ...update, updatedAt: now, revision: current.revision + 1, history: [...current.history, transition] };
  }

  async recordCalls(records: KingdeeCallRecord[]): Promise<void> {
    if (records.length > 0) await this.calls.insertMany(records.map((record) => ({ ...record })));
  }

  async callsOf(id: string): Promise<KingdeeCallRecord[]> {
    return this.calls.find({ ledgerId: id }).sort({ at: 1 }).toArray();
  }

  async list(filter: { state?: LedgerState | undefined; documentType?: string | undefined; formId?: string | undefined }, limit: number, skip: number): Promise<LedgerEntry[]> {
    const query: Record<string, unknown> = {};
    if (filter.state) query.state = filter.state;
    if (filter.documentType) query.documentType = filter.documentType;
    if (filter.formId) query.formId = filter.formId;
    return this.entries
      .find(query, { projection: { canonical: 0, history: 0 } })
      .sort({ updatedAt: -1 })
      .skip(skip)
      .limit(limit)
      .toArray();
  }

  /** Level-2 retries that are due, and in-flight entries nobody has touched for `staleMs` (their message is gone). */
  async due(now: Date, staleMs: number, limit: number): Promise<LedgerEntry[]> {
    return this.entries
      .find({
        $or: [
          { state: 'REJECTED', nextRetryAt: { $lte: now } },
          { state: { $in: ['PENDING', 'IN_DOUBT'] }, updatedAt: { $lte: new Date(now.getTime() - staleMs) } },
        ],
      })
      .sort({ updatedAt: 1 })
      .limit(limit)
      .toArray();
  }

  /** Entry counts by form and state (metrics). */
  async countsByFormAndState(): Promise<{ formId: string; state: LedgerState; count: number }[]> {
    const rows = await this.entries
      .aggregate<{ _id: { formId: string; state: LedgerState }; count: number }>([{ $group: { _id: { formId: '$formId', state: '$state' }, count: { $sum: 1 } } }])
      .toArray();
    return rows.map((row) => ({ formId: row._id.formId, state: row._id.state, count: row.count }));
  }
}
