/**
 * The idempotency ledger store: one entry per target document, changed only by single-document atomic writes
 * guarded by a `revision` compare-and-set and the unique `_id` (FerretDB has no multi-document transactions). Kafka
 * offsets are committed only after this ledger holds the outcome. Model: model.ts; storage layout: codec.ts.
 */
import type { Collection, Db } from 'mongodb';
import { matchesSearch, searchPattern } from '@yecai/common';
import { ensureReadIndexes, insertManyNew } from '@yecai/store';
import type { CanonicalJson } from '../canonical';
import {
  canonicalTextOf,
  contentOf,
  inflateJson,
  latestOf,
  storedCall,
  toEntry,
  withCanonicalText,
  deflateText,
  type CalledBill,
  type RevisionBody,
  type StoredCall,
  type StoredRevision,
} from './codec';
import type { LedgerChange, LedgerEntry, LedgerState, LedgerStep, LedgerTransition, LedgerUpdate, TargetCallRecord } from './model';


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

/** What readers (admin API, CLI, console) select entries by; each field filters the current revision. */
export interface LedgerQuery {
  state?: LedgerState | undefined;
  documentType?: string | undefined;
  formId?: string | undefined;
  /** The problem code of a PARKED or REJECTED entry, e.g. LOT_REQUIRED. */
  problemCode?: string | undefined;
  /** The source document's key (every bill made from it), e.g. jushuitan/demo/sales_outstock/1001; matched on the
   *  current entries (it is inside the packed revision, not a field the database can filter on). */
  documentKey?: string | undefined;
  /** The query box: text in the document key, the bill number, the problem code or its message, ignoring case (also
   *  matched on the current entries: the key and bill number are inside the packed revision). */
  q?: string | undefined;
}

/** The in-process part of a query: the fields the database cannot filter on. */
function matchesInProcess(query: LedgerQuery): (entry: LedgerEntry) => boolean {
  const pattern = query.q ? searchPattern(query.q) : undefined;
  return (entry) =>
    (!query.documentKey || entry.documentKey === query.documentKey) &&
    (!pattern || matchesSearch(pattern, [entry.documentKey, entry.billNo, entry.problem?.code, entry.problem?.message]));
}

function filterOf(query: LedgerQuery): Record<string, unknown> {
  return {
    ...(query.state ? { state: query.state } : {}),
    ...(query.documentType ? { documentType: query.documentType } : {}),
    ...(query.formId ? { formId: query.formId } : {}),
    ...(query.problemCode ? { 'problem.code': query.problemCode } : {}),
  };
}

/**
 * Most entries the in-process current-state cache keeps (oldest forgotten first). An entry holds its canonical event
 * (a few KB in memory): 200,000 made the sink's peak RSS 530 MB in the pipeline benchmark. A document not in the cache
 * costs nothing when it is new (its claim inserts revision 1) and one read when it is not (a redelivery, a replay).
 */
const CACHE_LIMIT = 20_000;

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

  /** Whether this ledger has ever been written in this database (readers tell "never ran here" from "empty"). */
  async exists(): Promise<boolean> {
    return (await this.db.listCollections({ name: this.revisions.collectionName }, { nameOnly: true }).toArray()).length > 0;
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
      if (previous) this.moveCount(previous.formId, previous.state, -1);
      this.moveCount(next.formId, next.state, 1);
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
  async recordCallBatches(calls: TargetCallRecord[][]): Promise<void> {
    const documents = calls.filter((records) => records.length > 0).map(storedCall);
    if (documents.length > 0) await this.calls.insertMany(documents);
  }

  /** Records calls given per bill; records of one operation are stored as one call. */
  async recordCalls(records: TargetCallRecord[]): Promise<void> {
    const byOperation = new Map<string, TargetCallRecord[]>();
    for (const record of records) byOperation.set(record.operation, [...(byOperation.get(record.operation) ?? []), record]);
    await this.recordCallBatches([...byOperation.values()]);
  }

  async callsOf(id: string): Promise<TargetCallRecord[]> {
    const calls = await this.calls.find({ ledgerIds: id }).sort({ at: 1 }).toArray();
    return calls.map((call) => {
      const { request, ...answer } = inflateJson<CalledBill[]>(call.bills)[call.ledgerIds.indexOf(id)]!;
      const shared = call.request === undefined ? undefined : inflateJson<unknown>(call.request);
      return { ledgerId: id, at: call.at, operation: call.operation, request: request ?? shared ?? null, ...answer };
    });
  }

  /** Current entries matching `query`, newest first (or oldest first), without their canonical events. */
  async list(query: LedgerQuery, limit: number, skip: number, order: 'newest' | 'oldest' = 'newest'): Promise<Omit<LedgerEntry, 'canonical'>[]> {
    const direction = order === 'newest' ? -1 : 1;
    const entries = (await this.current(filterOf(query))).filter(matchesInProcess(query));
    return entries
      .sort((a, b) => direction * (a.updatedAt.getTime() - b.updatedAt.getTime()))
      .slice(skip, skip + limit)
      .map(({ canonical: _canonical, ...rest }) => rest);
  }

  /** How many current entries match `query`. */
  async count(query: LedgerQuery = {}): Promise<number> {
    return (await this.current(filterOf(query))).filter(matchesInProcess(query)).length;
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
      const swept = await this.openEntries();
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

  /**
   * Every entry whose latest revision is open, by one projected read of every revision (ledger id, number, state) and
   * then only the open entries whole. A filter on the open states would match every entry's PENDING claim and need a
   * second read to find which are still open (two scans on FerretDB: 7.7 s for 10,000 posted entries, now half).
   */
  private async openEntries(): Promise<LedgerEntry[]> {
    const heads = new Map<string, { revision: number; state: LedgerState }>();
    for (const revision of await this.revisions.find({}, { projection: { ledgerId: 1, revision: 1, state: 1 } }).toArray()) {
      const known = heads.get(revision.ledgerId);
      if (!known || known.revision < revision.revision) heads.set(revision.ledgerId, { revision: revision.revision, state: revision.state });
    }
    const open = [...heads].filter(([, head]) => OPEN_STATES.includes(head.state)).map(([id]) => id);
    const entries = await this.getMany(open);
    // An entry that moved on between the two reads is judged by what was read last.
    return [...entries.values()].filter((entry) => OPEN_STATES.includes(entry.state));
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

  private moveCount(formId: string, state: LedgerState, delta: number): void {
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
