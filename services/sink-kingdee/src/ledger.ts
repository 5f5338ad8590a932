/**
 * The idempotency ledger: one MongoDB document per target bill (账套 + form + FBillNo), changed only by
 * single-document atomic writes guarded by a `revision` compare-and-set and a unique index (FerretDB has no
 * multi-document transactions). Kafka offsets are committed only after this ledger holds the outcome.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary, type Collection, type Db } from 'mongodb';
import type { CanonicalJson } from './convert';
import { ensureReadIndexes, insertManyNew } from '@yecai/store';

/**
 * PENDING   claimed; a Kingdee write may be under way (after a crash: resolve by ExecuteBillQuery on FBillNo);
 * IN_DOUBT  a write was sent and no answer came back: resolve by query before anything else;
 * POSTED    every configured step done (Save, Submit, Audit); `fid` is Kingdee's FID;
 * PARKED    level 1: Kingdee (or the converter) rejected the data; a person fixes it and re-pushes;
 * REJECTED  level 2: a business rule refused it (库存不足, closed period); retried on a ladder, or by a person;
 * SKIPPED   a person decided not to post it (who and why recorded);
 * AGGREGATED the document is carried by aggregated (汇总) posting instead: it was parked as AGGREGATION_KEY_INVALID
 *           and a later, valid version joined a group (the step names it). No person decided anything.
 */
export const LEDGER_STATES = ['PENDING', 'IN_DOUBT', 'POSTED', 'PARKED', 'REJECTED', 'SKIPPED', 'AGGREGATED'] as const;
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
  /** Master data: use orgs (numbers) the record has been allocated to (分配), besides its create org. */
  allocatedOrgs?: string[] | undefined;
  /** The canonical event of `version` as plain JSON: re-push and retries rebuild the bill from it. */
  canonical: CanonicalJson;
  /** The stored revision that holds `canonical` (it is written only when it changes). */
  canonicalRevision?: number | undefined;
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

/** One step of a change (the revision number is assigned when the change is written). */
export type LedgerStep = Omit<LedgerTransition, 'revision'>;

/**
 * One change of one entry: `current` is the revision it was read at (null = the entry is new), `entry` the state
 * after it, `steps` what happened in between (several steps may be written as one revision: e.g. reconciled →
 * saved → posted of one chunk). The write succeeds only if nobody wrote revision `current.revision + 1` first.
 */
export interface LedgerChange {
  current: LedgerEntry | null;
  entry: Omit<LedgerEntry, 'revision' | 'createdAt' | 'updatedAt'> & Partial<Pick<LedgerEntry, 'createdAt'>>;
  steps: LedgerStep[];
}

/** Entry fields stored as top-level fields of a revision: the ones queries filter or sort on. */
type QueriedFields = 'state' | 'formId' | 'documentType' | 'problem' | 'updatedAt' | 'revision';

/** Entry fields and the revision's steps, stored together as JSON text (see StoredRevision). */
type RevisionBody = Omit<LedgerEntry, '_id' | 'canonical' | 'canonicalRevision' | QueriedFields> & {
  canonicalRevision: number;
  step: LedgerStep;
  earlier?: LedgerStep[];
};

/**
 * How a revision is stored: the entry after the change, plus the step(s) that produced it. Fields queries use stay
 * fields; the rest is one deflated text (`packed`): the body's JSON, and in the revision that brought a canonical
 * event (`canonicalRevision` names it) a newline and the event's JSON. FerretDB's cost per write grows with the
 * number of fields and with the bytes (≈ 45 µs per KB): a claim as 13 fields with the texts plain cost it ~150 µs,
 * packed into 9 fields ~80 µs. On MongoDB the layout is neutral.
 *
 * Revisions written before packing (`body` and `canonicalJson` as plain text, `createdAt`, `nextRetryAt` and
 * `canonicalRevision` as fields) are read as they are.
 */
interface StoredRevision extends Pick<LedgerEntry, QueriedFields> {
  /** `<ledgerId>#<revision>`: the unique _id is the compare-and-set — only one writer creates revision n+1. */
  _id: string;
  ledgerId: string;
  /** deflate-raw of `<body JSON>` or `<body JSON>\n<canonical JSON>` (JSON text never holds a raw newline). */
  packed?: Binary;
  /** Before packing: JSON text of the body. */
  body?: string;
  /**
   * Before packing: the canonical event's JSON in the revision that carries it. Also set in memory on a read
   * revision once its entry's canonical text is known from another revision (`withCanonicalText`).
   */
  canonicalJson?: string;
  /** Before packing (now in the body). */
  canonicalRevision?: number;
  createdAt?: Date;
  nextRetryAt?: Date | null;
}

/** What one bill sent in a call and what came back. */
interface CalledBill {
  request?: unknown;
  outcome: string;
  fid?: number | null | undefined;
  msgCode?: number | undefined;
  messages?: string[] | undefined;
}

/**
 * One Kingdee call (BatchSave, Submit, …) for the bills it carried: stored once, not once per bill, its requests and
 * answers as deflated JSON text (decimals stay exact strings). Call records are most of the ledger's bytes — a
 * BatchSave of 100 bills is ~100 KB of Save models that compress ~25× (they repeat field names and base data) —
 * and FerretDB's cost per insert grows with the bytes (≈ 45 µs per KB); on MongoDB it is 25× less storage.
 */
interface StoredCall {
  at: Date;
  operation: string;
  ledgerIds: string[];
  /** The request when every bill shares it (Submit/Audit by numbers); otherwise in each bill. */
  request?: Binary;
  /** CalledBill[] in `ledgerIds` order. */
  bills: Binary;
}

/** States the scheduler may act on (level-2 retries, abandoned in-flight writes). */
const OPEN_STATES: LedgerState[] = ['REJECTED', 'PENDING', 'IN_DOUBT'];

/**
 * FerretDB 1.24 (SQLite) has no index for reads: an `_id` equality is filtered in SQL (≈ 6 µs per stored revision),
 * anything else — `$in` on `_id` too — decodes every revision (≈ 100 µs each; measured on 3,000 revisions). So up to
 * this many `_id` reads cost less than one scan; on MongoDB both are index seeks.
 */
const POINT_READS_PER_SCAN = 16;
/** Revisions an entry usually has (claimed, posted) plus the read that finds the next one missing. */
const READS_PER_ENTRY = 3;
/**
 * Above this many ids a read takes every revision and filters here instead of sending an `$in` list: FerretDB
 * tests each revision against the list (20,000 revisions: `$in` of 10,000 ids 4.8 s, all revisions 1.4 s), and on
 * MongoDB so long a list reads about what a scan does.
 */
const IN_LIST_LIMIT = 2_000;

/** Most entries the in-process current-state cache keeps (oldest forgotten first). */
const CACHE_LIMIT = 200_000;

/**
 * Append-only: every change inserts the next revision of the entry as its own document, and the entry is its
 * latest revision. Inserts guarded by the unique `_id` are the only writes — the one write FerretDB makes atomic
 * (no transactions; updates are neither atomic nor dependable there, and hang in its memory mode). History comes
 * free.
 *
 * Hot path without reads: the entries this process wrote or read are cached (the last revision it knows); a
 * change is written against that revision, and a stale cache only costs a duplicate key (someone else wrote
 * first: reload, decide again). Entries it has never seen are claimed by inserting revision 1 directly; a
 * duplicate key says the entry exists. Changes are written many at a time (insertMany, unordered, per-document
 * duplicate handling), so a chunk of bills costs one round trip per ledger step, not one per bill.
 */
export class Ledger {
  readonly revisions: Collection<StoredRevision>;
  readonly calls: Collection<StoredCall>;
  private readonly cache = new Map<string, LedgerEntry>();
  /**
   * Open entries (REJECTED, PENDING, IN_DOUBT) this process wrote, read or found in its last sweep: what the
   * scheduler looks at between sweeps, so a tick costs no read (on FerretDB a query by state scans every revision).
   */
  private readonly open = new Map<string, LedgerEntry>();
  private lastSweepAt = 0;
  /** The shared scan waiting to start (see `scanFor`), and whether one is running. */
  private nextScan: { ids: Set<string>; done: Promise<Map<string, StoredRevision>>; resolve: (found: Map<string, StoredRevision>) => void; reject: (error: unknown) => void } | undefined;
  private scanning = false;
  /** Moves on each `forgetCache` (a rebalance): readers holding snapshots of the ledger know to take a new one. */
  private generation = 0;
  /** Entry counts by `<formId>|<state>`: loaded once by `loadCounts`, then moved by this process's writes. */
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly db: Db,
    prefix = 'sink_kingdee',
  ) {
    this.revisions = db.collection<StoredRevision>(`${prefix}_ledger`);
    this.calls = db.collection<StoredCall>(`${prefix}_calls`);
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
    // On MongoDB "latest revision of K" is one seek of ledger_revision; FerretDB 1.24 (SQLite) uses no index for
    // reads (see POINT_READS_PER_SCAN), which is why the hot path reads nothing. The compare-and-set is the `_id`.
    await ensureReadIndexes(this.db, [
      { collection: this.revisions, key: { ledgerId: 1, revision: 1 }, name: 'ledger_revision' },
      { collection: this.revisions, key: { state: 1, updatedAt: 1 }, name: 'state_updated' },
      { collection: this.revisions, key: { documentType: 1, state: 1 }, name: 'flow_state' },
      { collection: this.calls, key: { ledgerIds: 1, at: 1 }, name: 'calls_by_bill' },
    ]);
  }

  /** The latest revision this process knows of `id`, without a read (undefined = not known here). */
  peek(id: string): LedgerEntry | undefined {
    return this.cache.get(id);
  }

  /** Forget cached entries (after a rebalance: another instance may have moved the partitions' entries). */
  forgetCache(): void {
    this.cache.clear();
    this.generation++;
    this.lastSweepAt = 0; // the next scheduler run sweeps: the new partitions' open entries were written elsewhere
  }

  async get(id: string): Promise<LedgerEntry | null> {
    return (await this.getMany([id])).get(id) ?? null;
  }

  async getMany(ids: string[]): Promise<Map<string, LedgerEntry>> {
    if (ids.length === 0) return new Map();
    return this.hydrate(await this.latestRevisions(ids));
  }

  /**
   * The latest stored revision of each id. One or two ids (an operator action, a single lost claim): `_id` reads of
   * `<id>#1`, `<id>#2`, … until one is missing (revisions have no gaps); more: one scan (see POINT_READS_PER_SCAN).
   */
  private async latestRevisions(ids: string[]): Promise<StoredRevision[]> {
    if (ids.length * READS_PER_ENTRY > POINT_READS_PER_SCAN) {
      const found = await this.scanFor(ids);
      return [...new Set(ids)].flatMap((id) => found.get(id) ?? []);
    }
    const latest: StoredRevision[] = [];
    let probing = [...new Set(ids)].map((id) => ({ id, revision: 1, found: undefined as StoredRevision | undefined }));
    while (probing.length > 0) {
      const read = await Promise.all(probing.map((probe) => this.revisions.findOne({ _id: `${probe.id}#${probe.revision}` })));
      const next: typeof probing = [];
      for (const [index, probe] of probing.entries()) {
        const revision = read[index];
        if (revision) next.push({ id: probe.id, revision: probe.revision + 1, found: revision });
        else if (probe.found) latest.push(probe.found);
      }
      probing = next;
    }
    return latest;
  }

  /**
   * The latest revisions of `ids` by one scan, shared: ids asked for while a scan runs wait for the next one, which
   * reads them all — so a replay's concurrent chunks (every claim lost: the bills exist) cost one scan at a time,
   * not one each.
   */
  private scanFor(ids: string[]): Promise<Map<string, StoredRevision>> {
    if (!this.nextScan) {
      let resolve!: (found: Map<string, StoredRevision>) => void;
      let reject!: (error: unknown) => void;
      const done = new Promise<Map<string, StoredRevision>>((onFound, onError) => ((resolve = onFound), (reject = onError)));
      this.nextScan = { ids: new Set(), done, resolve, reject };
      if (!this.scanning) setImmediate(() => void this.runScan());
    }
    for (const id of ids) this.nextScan.ids.add(id);
    return this.nextScan.done;
  }

  private async runScan(): Promise<void> {
    const scan = this.nextScan;
    if (!scan || this.scanning) return;
    this.nextScan = undefined;
    this.scanning = true;
    try {
      // An `$in` list however long: a scan would ship every revision whole (see IN_LIST_LIMIT for projected reads).
      const revisions = await this.revisions.find({ ledgerId: { $in: [...scan.ids] } }).toArray();
      scan.resolve(withCanonicalText(latestOf(revisions), revisions));
    } catch (error) {
      scan.reject(error);
    } finally {
      this.scanning = false;
      if (this.nextScan) setImmediate(() => void this.runScan());
    }
  }

  /** Stored revisions by `_id`: `_id` reads for a few, one `$in` read (a scan on FerretDB) for many. */
  private async revisionsById(ids: string[], projection: Record<string, 1>): Promise<StoredRevision[]> {
    if (ids.length > IN_LIST_LIMIT) {
      const wanted = new Set(ids);
      return (await this.revisions.find({}, { projection }).toArray()).filter((revision) => wanted.has(revision._id));
    }
    if (ids.length > POINT_READS_PER_SCAN) return this.revisions.find({ _id: { $in: ids } }, { projection }).toArray();
    const read = await Promise.all(ids.map((id) => this.revisions.findOne({ _id: id }, { projection })));
    return read.filter((revision): revision is NonNullable<typeof revision> => revision !== null);
  }

  /**
   * The latest revision of each entry as this process knows it, reading only the ones it does not know (the same
   * trust as the hot path: a revision written elsewhere since shows as a lost compare-and-set on the next write).
   */
  async known(ids: string[]): Promise<Map<string, LedgerEntry>> {
    const entries = new Map<string, LedgerEntry>();
    const unknown: string[] = [];
    for (const id of ids) {
      const cached = this.cache.get(id);
      if (cached) entries.set(id, cached);
      else unknown.push(id);
    }
    for (const [id, entry] of await this.getMany(unknown)) entries.set(id, entry);
    return entries;
  }

  /** Entries from their latest revisions, with the canonical event read from the revision that holds it. */
  private async hydrate(latest: StoredRevision[]): Promise<Map<string, LedgerEntry>> {
    const holders = latest.filter((revision) => canonicalTextOf(revision) === undefined).map((revision) => `${revision.ledgerId}#${contentOf(revision).body.canonicalRevision}`);
    const canonicalOf = new Map<string, string>();
    if (holders.length > 0) {
      for (const holder of await this.revisionsById(holders, { ledgerId: 1, packed: 1, canonicalJson: 1 })) {
        const text = canonicalTextOf(holder);
        if (text !== undefined) canonicalOf.set(holder.ledgerId, text);
      }
    }
    const entries = new Map<string, LedgerEntry>();
    for (const revision of latest) {
      const text = canonicalTextOf(revision) ?? canonicalOf.get(revision.ledgerId);
      if (text === undefined) throw new Error(`ledger ${revision.ledgerId}: revision ${contentOf(revision).body.canonicalRevision} holding the canonical event is missing`);
      const entry = toEntry(revision, JSON.parse(text) as CanonicalJson);
      this.remember(entry);
      entries.set(entry._id, entry);
    }
    return entries;
  }

  /**
   * Every current entry matching `filter` (evaluated on current revisions only). Not for the hot path: it reads the
   * revision numbers of every entry that ever matched (every entry has a PENDING revision 1), but loads only the
   * entries whose latest revision matches.
   */
  async current(filter: Record<string, unknown> = {}): Promise<LedgerEntry[]> {
    const candidates = await this.revisions.find(filter, { projection: { ledgerId: 1, revision: 1 } }).toArray();
    // Which candidates are their entry's latest revision, from revision numbers only: only those are read whole
    // (a sweep of open entries matches every claim, and few are still open).
    const latestRevision = await this.latestRevisionNumbers([...new Set(candidates.map((candidate) => candidate.ledgerId))]);
    const heads = candidates.filter((candidate) => latestRevision.get(candidate.ledgerId) === candidate.revision);
    const headIds = new Set(heads.map((head) => head._id));
    const latest = await this.getMany(heads.map((head) => head.ledgerId));
    // An entry that moved on since is not what matched.
    return [...latest.values()].filter((entry) => headIds.has(`${entry._id}#${entry.revision}`));
  }

  /** The latest revision number of each of `ids` (projected revisions; `IN_LIST_LIMIT` decides list or scan). */
  private async latestRevisionNumbers(ids: string[]): Promise<Map<string, number>> {
    const latest = new Map<string, number>();
    if (ids.length === 0) return latest;
    const wanted = new Set(ids);
    const filter = ids.length > IN_LIST_LIMIT ? {} : { ledgerId: { $in: ids } };
    for (const revision of await this.revisions.find(filter, { projection: { ledgerId: 1, revision: 1 } }).toArray()) {
      if (wanted.has(revision.ledgerId) && revision.revision > (latest.get(revision.ledgerId) ?? 0)) latest.set(revision.ledgerId, revision.revision);
    }
    return latest;
  }

  /** Inserts a new entry; returns null when another writer created it first (duplicate key 11000). */
  async insert(entry: Omit<LedgerEntry, 'revision' | 'createdAt' | 'updatedAt'>, event: string): Promise<LedgerEntry | null> {
    const [written] = await this.apply([{ current: null, entry, steps: [{ at: new Date(), from: null, to: entry.state, event, version: entry.version }] }]);
    return written ?? null;
  }

  /**
   * Compare-and-set on `revision`: applies `update` only if nobody changed the entry since `current` was read.
   * Returns the new entry, or null when the entry moved on (the caller reloads and decides again).
   */
  async transition(current: LedgerEntry, update: LedgerUpdate, event: string, extra: { detail?: string; actor?: string } = {}): Promise<LedgerEntry | null> {
    const entry = { ...current, ...update };
    const step: LedgerStep = {
      at: new Date(),
      from: current.state,
      to: entry.state,
      event,
      version: entry.version,
      ...(extra.detail !== undefined ? { detail: extra.detail } : {}),
      ...(extra.actor !== undefined ? { actor: extra.actor } : {}),
    };
    const [written] = await this.apply([{ current, entry, steps: [step] }]);
    return written ?? null;
  }

  /**
   * Writes many changes in one unordered insertMany. Result i is the new entry of change i, or null when its
   * compare-and-set lost (another writer created that revision first).
   */
  async apply(changes: LedgerChange[]): Promise<(LedgerEntry | null)[]> {
    if (changes.length === 0) return [];
    const now = new Date();
    const nexts: LedgerEntry[] = changes.map(({ current, entry }) => {
      const revision = (current?.revision ?? 0) + 1;
      // The canonical event is written again only when it changed (or the revision holding it is unknown).
      const keepsCanonical = current?.canonicalRevision !== undefined && entry.canonical === current.canonical;
      return {
        ...entry,
        createdAt: current?.createdAt ?? entry.createdAt ?? now,
        updatedAt: now,
        revision,
        canonicalRevision: keepsCanonical ? current.canonicalRevision : revision,
      };
    });
    const documents: StoredRevision[] = nexts.map((next, index) => {
      const { _id: id, canonical, canonicalRevision, state, formId, documentType, problem, updatedAt, revision, ...rest } = next;
      const steps = changes[index]!.steps.map((step) => (step.detail !== undefined ? { ...step, detail: step.detail.slice(0, 2000) } : step));
      const body: RevisionBody = {
        ...rest,
        canonicalRevision: canonicalRevision!,
        step: steps[steps.length - 1]!,
        ...(steps.length > 1 ? { earlier: steps.slice(0, -1) } : {}),
      };
      const text = canonicalRevision === revision ? `${JSON.stringify(body)}\n${JSON.stringify(canonical)}` : JSON.stringify(body);
      return { _id: `${id}#${revision}`, ledgerId: id, revision, state, formId, documentType, problem, updatedAt, packed: deflateText(text) };
    });
    const lost = await insertManyNew(this.revisions, documents);
    return nexts.map((next, index) => {
      if (lost.has(index)) {
        this.cache.delete(next._id);
        return null;
      }
      const previous = changes[index]!.current;
      if (previous) this.count(previous.formId, previous.state, -1);
      this.count(next.formId, next.state, 1);
      this.remember(next);
      return next;
    });
  }

  /** The document's ledger transitions, oldest first. */
  async history(id: string): Promise<LedgerTransition[]> {
    const revisions: StoredRevision[] = [];
    for (let revision = 1; ; revision++) {
      const [found] = await this.revisionsById([`${id}#${revision}`], { body: 1, packed: 1, revision: 1 });
      if (!found) break;
      revisions.push(found);
    }
    return revisions.flatMap((revision) => {
      const { step, earlier } = contentOf(revision).body;
      return [...(earlier ?? []), step].map((one) => ({ revision: revision.revision, ...one }));
    });
  }

  /** Records one Kingdee call per list (each list: that call's records, one per bill it carried). */
  async recordCallBatches(calls: KingdeeCallRecord[][]): Promise<void> {
    const documents = calls.filter((records) => records.length > 0).map(storedCall);
    if (documents.length > 0) await this.calls.insertMany(documents);
  }

  /** Records calls given per bill; records of one operation are stored as one call. */
  async recordCalls(records: KingdeeCallRecord[]): Promise<void> {
    const byOperation = new Map<string, KingdeeCallRecord[]>();
    for (const record of records) byOperation.set(record.operation, [...(byOperation.get(record.operation) ?? []), record]);
    await this.recordCallBatches([...byOperation.values()]);
  }

  async callsOf(id: string): Promise<KingdeeCallRecord[]> {
    const calls = await this.calls.find({ ledgerIds: id }).sort({ at: 1 }).toArray();
    return calls.map((call) => {
      const { request, ...answer } = inflateJson<CalledBill[]>(call.bills)[call.ledgerIds.indexOf(id)]!;
      const shared = call.request === undefined ? undefined : inflateJson<unknown>(call.request);
      return { ledgerId: id, at: call.at, operation: call.operation, request: request ?? shared ?? null, ...answer };
    });
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
  /**
   * Entries due for the scheduler: REJECTED whose retry time has come, PENDING/IN_DOUBT untouched for `staleMs`.
   * Reads the ledger (a sweep of every open entry) only when `sweepEveryMs` has passed since the last sweep, or after
   * a rebalance; in between it answers from the open entries this process knows. Entries opened by other instances
   * are therefore seen within one sweep interval.
   */
  async due(now: Date, staleMs: number, limit: number, sweepEveryMs = 0): Promise<LedgerEntry[]> {
    if (Date.now() - this.lastSweepAt >= sweepEveryMs) {
      const swept = await this.current({ state: { $in: OPEN_STATES } });
      this.open.clear();
      for (const entry of swept) {
        this.open.set(entry._id, entry);
        this.remember(entry);
      }
      this.lastSweepAt = Date.now();
    }
    const staleBefore = now.getTime() - staleMs;
    const isDue = (entry: LedgerEntry) =>
      entry.state === 'REJECTED'
        ? entry.nextRetryAt !== null && new Date(entry.nextRetryAt).getTime() <= now.getTime()
        : new Date(entry.updatedAt).getTime() <= staleBefore;
    return [...this.open.values()]
      .filter(isDue)
      .sort((a, b) => new Date(a.updatedAt).getTime() - new Date(b.updatedAt).getTime())
      .slice(0, limit);
  }

  /** Which `forgetCache` generation the cache is in (see `generation`). */
  cacheGeneration(): number {
    return this.generation;
  }

  /** Ids of every entry of these document types (one projected read of first revisions; a scan on FerretDB). */
  async idsOf(documentTypes: string[]): Promise<Set<string>> {
    const firsts = await this.revisions.find({ revision: 1, documentType: { $in: documentTypes } }, { projection: { ledgerId: 1 } }).toArray();
    return new Set(firsts.map((first) => first.ledgerId));
  }

  /** Entry counts by form and state, read from the database (a projected read of every revision). */
  async countsByFormAndState(): Promise<{ formId: string; state: LedgerState; count: number }[]> {
    const revisions = await this.revisions.find({}, { projection: { ledgerId: 1, revision: 1, formId: 1, state: 1 } }).toArray();
    const latest = latestOf(revisions);
    const counts = new Map<string, { formId: string; state: LedgerState; count: number }>();
    for (const entry of latest.values()) {
      const key = `${entry.formId}|${entry.state}`;
      const row = counts.get(key) ?? { formId: entry.formId, state: entry.state, count: 0 };
      row.count++;
      counts.set(key, row);
    }
    return [...counts.values()];
  }

  /**
   * (Re)loads the entry counts from the database; afterwards `stateCounts` follows this process's own writes
   * without reading (writes by other instances show at the next load).
   */
  async loadCounts(): Promise<void> {
    const before = new Map(this.counts);
    const rows = await this.countsByFormAndState();
    // Writes made while the scan ran are kept: the scan may or may not have seen them (small, transient error).
    const during = new Map([...this.counts].map(([key, count]) => [key, count - (before.get(key) ?? 0)]));
    this.counts.clear();
    for (const row of rows) this.counts.set(`${row.formId}|${row.state}`, row.count);
    for (const [key, delta] of during) if (delta !== 0) this.counts.set(key, (this.counts.get(key) ?? 0) + delta);
  }

  /** Entry counts by form and state as this process knows them (no read; see `loadCounts`). */
  stateCounts(): { formId: string; state: LedgerState; count: number }[] {
    return [...this.counts].map(([key, count]) => {
      const [formId, state] = key.split('|') as [string, LedgerState];
      return { formId, state, count };
    });
  }

  private count(formId: string, state: LedgerState, delta: number): void {
    const key = `${formId}|${state}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + delta);
  }

  private remember(entry: LedgerEntry): void {
    const known = this.cache.get(entry._id);
    if (known && known.revision > entry.revision) return;
    this.cache.delete(entry._id);
    this.cache.set(entry._id, entry);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    if (OPEN_STATES.includes(entry.state)) this.open.set(entry._id, entry);
    else this.open.delete(entry._id);
  }
}

function storedCall(records: KingdeeCallRecord[]): StoredCall {
  const first = records[0]!;
  const shared = records.every((record) => record.request === first.request);
  const bills: CalledBill[] = records.map(({ ledgerId: _id, at: _at, operation: _operation, request, ...answer }) => ({ ...(shared ? {} : { request: request ?? null }), ...answer }));
  // JSON text: decimals become exact strings (BSON would store Decimal internals).
  return {
    at: first.at,
    operation: first.operation,
    ledgerIds: records.map((record) => record.ledgerId),
    ...(shared ? { request: deflateJson(first.request ?? null) } : {}),
    bills: deflateJson(bills),
  };
}

/** Level 1: the texts are repetitive, so it compresses nearly as well as the default at half the CPU. */
function deflateText(text: string): Binary {
  return new Binary(deflateRawSync(text, { level: 1 }));
}

function inflateText(stored: Binary): string {
  return inflateRawSync(stored.buffer).toString('utf8');
}

function deflateJson(value: unknown): Binary {
  return deflateText(JSON.stringify(value));
}

function inflateJson<T>(stored: Binary): T {
  return JSON.parse(inflateText(stored)) as T;
}

function toEntry(revision: StoredRevision, canonical: CanonicalJson): LedgerEntry {
  const { step: _step, earlier: _earlier, ...rest } = contentOf(revision).body;
  const { ledgerId, state, formId, documentType, problem, updatedAt, revision: number } = revision;
  return { ...rest, state, formId, documentType, problem, updatedAt, revision: number, _id: ledgerId, canonical };
}

/** A stored revision's body and, in the revision that carries it, the canonical event's JSON text. */
interface RevisionContent {
  body: RevisionBody;
  canonicalText: string | undefined;
}

/** Decoded once per read revision: the hydration of one entry asks several times. */
const decodedRevisions = new WeakMap<StoredRevision, RevisionContent>();

function contentOf(revision: StoredRevision): RevisionContent {
  let content = decodedRevisions.get(revision);
  if (content) return content;
  if (revision.packed) {
    const text = inflateText(revision.packed);
    const newline = text.indexOf('\n');
    content = { body: parseBody(newline < 0 ? text : text.slice(0, newline)), canonicalText: newline < 0 ? undefined : text.slice(newline + 1) };
  } else {
    // Written before packing: the entry fields that are now in the body were fields of the revision.
    const parsed = parseBody(revision.body ?? '{}');
    content = {
      body: { ...parsed, canonicalRevision: revision.canonicalRevision ?? revision.revision, createdAt: revision.createdAt ?? revision.updatedAt, nextRetryAt: revision.nextRetryAt ?? null },
      canonicalText: revision.canonicalJson,
    };
  }
  decodedRevisions.set(revision, content);
  return content;
}

/** The canonical JSON text a read revision holds, if it holds it (carried, or attached by `withCanonicalText`). */
function canonicalTextOf(revision: StoredRevision): string | undefined {
  if (revision.canonicalJson !== undefined) return revision.canonicalJson;
  return revision.packed ? contentOf(revision).canonicalText : undefined;
}

/** A revision's body with its dates as Dates again (JSON text holds them as ISO strings). */
function parseBody(body: string): RevisionBody {
  const parsed = JSON.parse(body) as RevisionBody;
  const asDate = <T extends { at: Date }>(value: T): T => ({ ...value, at: new Date(value.at) });
  return {
    ...parsed,
    step: asDate(parsed.step),
    ...(parsed.earlier ? { earlier: parsed.earlier.map(asDate) } : {}),
    skipped: parsed.skipped ? asDate(parsed.skipped) : null,
    ...(parsed.createdAt !== undefined ? { createdAt: new Date(parsed.createdAt) } : {}),
    ...(parsed.nextRetryAt !== undefined ? { nextRetryAt: parsed.nextRetryAt === null ? null : new Date(parsed.nextRetryAt) } : {}),
  };
}

/**
 * The latest revisions, each given its entry's canonical text when `read` holds the revision that carries it (a
 * read of all of an entry's revisions does): `hydrate` then needs no second read — on FerretDB a second scan.
 */
function withCanonicalText(latest: Map<string, StoredRevision>, read: StoredRevision[]): Map<string, StoredRevision> {
  const holders = new Map(read.map((revision) => [revision._id, revision]));
  for (const [id, revision] of latest) {
    if (canonicalTextOf(revision) !== undefined) continue;
    const holder = holders.get(`${id}#${contentOf(revision).body.canonicalRevision}`);
    const text = holder ? canonicalTextOf(holder) : undefined;
    if (text !== undefined) {
      const withText = { ...revision, canonicalJson: text };
      decodedRevisions.set(withText, contentOf(revision));
      latest.set(id, withText);
    }
  }
  return latest;
}

/** The latest revision of each entry among `revisions`. */
function latestOf(revisions: StoredRevision[]): Map<string, StoredRevision> {
  const latest = new Map<string, StoredRevision>();
  for (const revision of revisions) {
    const known = latest.get(revision.ledgerId);
    if (!known || known.revision < revision.revision) latest.set(revision.ledgerId, revision);
  }
  return latest;
}
