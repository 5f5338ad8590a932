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

/** One step of a document's ledger history. */
export interface LedgerTransition {
  revision: number;
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

export type LedgerUpdate = Partial<Omit<LedgerEntry, '_id' | 'acctId' | 'formId' | 'billNo' | 'revision' | 'createdAt'>>;

/** How a revision is stored: the whole entry after the change, plus the step that produced it. */
interface StoredRevision extends Omit<LedgerEntry, '_id'> {
  /** `<ledgerId>#<revision>`: the unique _id is the compare-and-set — only one writer creates revision n+1. */
  _id: string;
  ledgerId: string;
  step: Omit<LedgerTransition, 'revision'>;
}

/**
 * Append-only: every change inserts the next revision of the entry as its own document, and the entry is its
 * latest revision. Single-document inserts guarded by the unique `_id` are the only writes — the one write
 * FerretDB makes atomic (no transactions; updates are neither atomic nor dependable there). History comes free.
 */
export class Ledger {
  readonly revisions: Collection<StoredRevision>;
  readonly calls: Collection<KingdeeCallRecord>;

  constructor(db: Db, prefix = 'sink_kingdee') {
    this.revisions = db.collection<StoredRevision>(`${prefix}_ledger`);
    this.calls = db.collection<KingdeeCallRecord>(`${prefix}_calls`);
  }

  /**
   * Read-only view of current entries with the few collection calls readers use (countDocuments, find → sort →
   * limit → toArray); filters apply to the current revision of each entry only.
   */
  get entries() {
    const current = (filter: Record<string, unknown>) => this.current(filter);
    return {
      collectionName: this.revisions.collectionName,
      countDocuments: async (filter: Record<string, unknown> = {}) => (await current(filter)).length,
      find: (filter: Record<string, unknown> = {}, _options?: unknown) => {
        let order: 1 | -1 = 1;
        let max = Number.MAX_SAFE_INTEGER;
        const cursor = {
          sort: (spec: Record<string, 1 | -1>) => ((order = Object.values(spec)[0] ?? 1), cursor),
          limit: (n: number) => ((max = n), cursor),
          toArray: async () =>
            (await current(filter)).sort((a, b) => order * (a.updatedAt.getTime() - b.updatedAt.getTime())).slice(0, max),
        };
        return cursor;
      },
    };
  }

  async ensureIndexes(): Promise<void> {
    await this.revisions.createIndex({ ledgerId: 1, revision: 1 }, { unique: true, name: 'ledger_revision' });
    await this.revisions.createIndex({ state: 1, nextRetryAt: 1 }, { name: 'state_retry' });
    await this.revisions.createIndex({ documentType: 1, state: 1 }, { name: 'flow_state' });
    await this.calls.createIndex({ ledgerId: 1, at: 1 }, { name: 'ledger_calls' });
  }

  async get(id: string): Promise<LedgerEntry | null> {
    const [latest] = await this.revisions.find({ ledgerId: id }).sort({ revision: -1 }).limit(1).toArray();
    return latest ? toEntry(latest) : null;
  }

  async getMany(ids: string[]): Promise<Map<string, LedgerEntry>> {
    if (ids.length === 0) return new Map();
    return latestOf(await this.revisions.find({ ledgerId: { $in: ids } }).toArray());
  }

  /** Every current entry matching `filter` (evaluated on current revisions only). */
  async current(filter: Record<string, unknown> = {}): Promise<LedgerEntry[]> {
    const candidates = await this.revisions.find(filter, { projection: { ledgerId: 1 } }).toArray();
    const ids = [...new Set(candidates.map((candidate) => candidate.ledgerId))];
    const latest = await this.getMany(ids);
    const matches = (entry: LedgerEntry) => candidates.some((candidate) => candidate._id === `${entry._id}#${entry.revision}`);
    return [...latest.values()].filter(matches);
  }

  /** Inserts a new entry; returns null when another writer created it first (duplicate key 11000). */
  async insert(entry: Omit<LedgerEntry, 'revision' | 'createdAt' | 'updatedAt'>, event: string): Promise<LedgerEntry | null> {
    const now = new Date();
    const full: LedgerEntry = { ...entry, revision: 1, createdAt: now, updatedAt: now };
    return this.write(full, { at: now, from: null, to: full.state, event, version: full.version });
  }

  /**
   * Compare-and-set on `revision`: applies `update` only if nobody changed the entry since `current` was read.
   * Returns the new entry, or null when the entry moved on (the caller reloads and decides again).
   */
  async transition(current: LedgerEntry, update: LedgerUpdate, event: string, extra: { detail?: string; actor?: string } = {}): Promise<LedgerEntry | null> {
    const now = new Date();
    const next: LedgerEntry = { ...current, ...update, updatedAt: now, revision: current.revision + 1 };
    return this.write(next, {
      at: now,
      from: current.state,
      to: next.state,
      event,
      version: next.version,
      ...(extra.detail !== undefined ? { detail: extra.detail.slice(0, 2000) } : {}),
      ...(extra.actor !== undefined ? { actor: extra.actor } : {}),
    });
  }

  private async write(next: LedgerEntry, step: Omit<LedgerTransition, 'revision'>): Promise<LedgerEntry | null> {
    const { _id: ledgerIdValue, ...rest } = next;
    try {
      await this.revisions.insertOne({ ...rest, _id: `${ledgerIdValue}#${next.revision}`, ledgerId: ledgerIdValue, step });
      return next;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return null;
      throw error;
    }
  }

  /** The document's ledger transitions, oldest first. */
  async history(id: string): Promise<LedgerTransition[]> {
    const revisions = await this.revisions.find({ ledgerId: id }, { projection: { step: 1, revision: 1 } }).sort({ revision: 1 }).toArray();
    return revisions.map((revision) => ({ revision: revision.revision, ...revision.step }));
  }

  async recordCalls(records: KingdeeCallRecord[]): Promise<void> {
    if (records.length > 0) await this.calls.insertMany(records.map((record) => ({ ...record })));
  }

  async callsOf(id: string): Promise<KingdeeCallRecord[]> {
    return this.calls.find({ ledgerId: id }).sort({ at: 1 }).toArray();
  }

  async list(filter: { state?: LedgerState | undefined; documentType?: string | undefined; formId?: string | undefined }, limit: number, skip: number): Promise<Omit<LedgerEntry, 'canonical'>[]> {
    const query: Record<string, unknown> = {};
    if (filter.state) query.state = filter.state;
    if (filter.documentType) query.documentType = filter.documentType;
    if (filter.formId) query.formId = filter.formId;
    const entries = await this.current(query);
    return entries
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
      .slice(skip, skip + limit)
      .map(({ canonical: _canonical, ...rest }) => rest);
  }

  /** Level-2 retries that are due, and in-flight entries nobody has touched for `staleMs` (their message is gone). */
  async due(now: Date, staleMs: number, limit: number): Promise<LedgerEntry[]> {
    const rejected = await this.current({ state: 'REJECTED', nextRetryAt: { $lte: now } });
    const stale = await this.current({ state: { $in: ['PENDING', 'IN_DOUBT'] }, updatedAt: { $lte: new Date(now.getTime() - staleMs) } });
    return [...rejected, ...stale].sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime()).slice(0, limit);
  }

  /** Entry counts by form and state (metrics). */
  async countsByFormAndState(): Promise<{ formId: string; state: LedgerState; count: number }[]> {
    const revisions = await this.revisions.find({}, { projection: { ledgerId: 1, revision: 1, formId: 1, state: 1 } }).toArray();
    const counts = new Map<string, { formId: string; state: LedgerState; count: number }>();
    for (const entry of latestOf(revisions).values()) {
      const key = `${entry.formId}|${entry.state}`;
      const row = counts.get(key) ?? { formId: entry.formId, state: entry.state, count: 0 };
      row.count++;
      counts.set(key, row);
    }
    return [...counts.values()];
  }
}

function toEntry(revision: StoredRevision): LedgerEntry {
  const { _id: _revisionId, ledgerId: id, step: _step, ...rest } = revision;
  return { ...rest, _id: id };
}

function latestOf(revisions: StoredRevision[]): Map<string, LedgerEntry> {
  const latest = new Map<string, StoredRevision>();
  for (const revision of revisions) {
    const known = latest.get(revision.ledgerId);
    if (!known || known.revision < revision.revision) latest.set(revision.ledgerId, revision);
  }
  return new Map([...latest].map(([id, revision]) => [id, toEntry(revision)]));
}
