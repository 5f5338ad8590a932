/**
 * Aggregated (汇总) posting. Documents of an aggregated flow are not posted one by one: each is recorded as a
 * member of its group(s) — then its Kafka offset may be committed. A group closes on its schedule or when an
 * operator says so: its open members are frozen into summary bill records (insert-only, unique per group and
 * sequence), and each summary bill goes through the posting engine and ledger like any bill (claim → Save/Submit/Audit
 * → outcome; PENDING/IN_DOUBT resolved by query on its deterministic number). Design: docs/sink.md.
 */
import { ValidationError, errorMessage, type Logger } from '@yecai/common';
import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import { renderBillNumber, type CanonicalJson } from '../canonical';
import type { KitFlow } from '../config';
import type { Ledger } from '../ledger/ledger';
import { ledgerId, type TargetId } from '../ledger/model';
import { SinkPausedError, type PostingStage, type PostOptions, type PostRequest } from '../posting/engine';
import { Admission, type AggregatedFlow } from './admission';
import { AggregationMetrics } from './metrics';
import {
  AggregationStore,
  kindOf,
  revisionId,
  revisionOf,
  type DocumentRevisionRecord,
  type MemberRecord,
  type SealRecord,
  type SummaryBillRecord,
} from './store';
import { planBills, renderSummaryNumber, summaryDocument, type TracedMember } from './summary';

export interface AggregatorDeps {
  db: Db;
  ledger: Ledger;
  /** The stage behind aggregation: posts summary bills (and everything of non-aggregated flows). */
  next: PostingStage;
  /** The target account (first part of every ledger id). */
  acctId: string;
  /** The target form a flow's single bills and summary bills go to (the adapter's first form). */
  formOf: (documentType: string) => string;
  flows: Map<string, KitFlow>;
  metricsRegistry: Registry;
  logger: Logger;
  now?: () => Date;
}

/** One source document's place in aggregation, for the admin document history. */
export interface AggregationTrace {
  documentKey: string;
  slices: {
    flow: string;
    keyHash: string;
    key: Record<string, string>;
    version: string;
    /** The document revision this slice belongs to (1 = the first version recorded). */
    revision: number;
    /** open: waiting for its group to close; freezing/frozen: in a bill; superseded: a newer version replaced it first. */
    status: 'open' | 'freezing' | 'frozen' | 'superseded';
    arrivedAt: Date;
    closeAt: Date;
    /** null while the group is open, and for a superseded slice. */
    bill: { billNo: string; ledgerId: string; billSeq: number; kind: string; entries: number[]; state: string | null; fid: TargetId | null } | null;
  }[];
  /** The document's revision chain: versions, parked (ungroupable) versions, and the freeze that ends it. */
  revisions: { revision: number; kind: 'version' | 'parked' | 'frozen'; version: string; at: Date | null; billId?: string }[];
  /** Versions never posted: after_freeze (the document was in a summary bill already) or older (than the version held). */
  ignoredVersions: { version: string; reason: 'after_freeze' | 'older'; at: Date }[];
}

export interface CloseResult {
  /** Set when the target could not be written: the summary bills are posted later by themselves. */
  targetUnavailable?: string;
  bills: { billNo: string; ledgerId: string; kind: string; members: number; state: string | null }[];
}

const IN_FLIGHT = new Set(['PENDING', 'IN_DOUBT']);

/**
 * The stage in front of the posting engine: documents of aggregated flows become group members (their offsets may
 * then be committed); everything else, and the summary bills when groups close, goes on to `next`.
 */
export class Aggregator implements PostingStage {
  readonly store: AggregationStore;
  readonly metrics: AggregationMetrics;
  private readonly admission: Admission;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  /** Closes and sweeps run one at a time in this process (other instances are kept apart by the bill _id). */
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Ledger ids of the aggregated flows' single bills, read once (then again after a rebalance): a single bill of an
   * aggregated flow comes only from before aggregation was switched on, so one read replaces a ledger scan per
   * Kafka batch — which, with a flow's per-bill history in the ledger, is what a 双11 switch-over would have paid.
   */
  private singleBills: { ids: Promise<Set<string>>; generation: number } | undefined;

  constructor(private readonly deps: AggregatorDeps) {
    this.now = deps.now ?? (() => new Date());
    this.store = new AggregationStore(deps.db);
    this.metrics = new AggregationMetrics(deps.metricsRegistry, this.store, () => this.aggregatedFlows().map((flow) => flow.documentType));
    this.admission = new Admission({ store: this.store, ledger: deps.ledger, metrics: this.metrics, acctId: deps.acctId, formOf: deps.formOf, flows: deps.flows, logger: deps.logger, now: this.now });
  }


  aggregatedFlows(): AggregatedFlow[] {
    return [...this.deps.flows.values()].filter((flow): flow is AggregatedFlow => flow.aggregation !== undefined);
  }

  async start(): Promise<void> {
    const flows = this.aggregatedFlows();
    if (flows.length === 0) return;
    await this.store.ensureIndexes();
    const interval = Math.min(...flows.map((flow) => flow.aggregation.checkIntervalMs));
    this.timer = setInterval(() => void this.tick(), interval);
    setImmediate(() => void this.tick()); // after a restart: finish bills frozen before the crash
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.serial(async () => undefined);
  }

  // ---------------------------------------------------------------- membership (Kafka path)

  /** Routes documents of aggregated flows into their groups and posts the rest through the next stage. */
  async post(requests: PostRequest[], options?: PostOptions): Promise<void> {
    const candidates = requests.filter((request) => this.deps.flows.get(request.documentType)?.aggregation !== undefined && !isSummary(request.canonical));
    if (candidates.length === 0) return this.deps.next.post(requests, options);
    // A document that already has a bill of its own (posted before aggregation was switched on) stays on that
    // bill: its new versions follow the flow's onModified policy instead of landing in a summary as a second copy.
    const started = Date.now();
    const { single, known } = await this.withOwnBill(candidates);
    const checked = Date.now();
    const members = candidates.filter((request) => !single.has(request));
    // Parked entries the ledger read already knows of (also those parked before revision chains recorded parks).
    await this.admission.admit(members, (id) => known.has(id) || this.deps.ledger.peek(id) !== undefined);
    this.deps.logger.debug({ documents: members.length, ownBillCheckMs: checked - started, admitMs: Date.now() - checked }, 'aggregation members recorded');
    const rest = requests.filter((request) => !members.includes(request));
    if (rest.length === 0) return;
    try {
      await this.deps.next.post(rest);
    } catch (error) {
      // Mixed input: admission is idempotent, so "nothing completed" is safe to report.
      if (error instanceof SinkPausedError && members.length > 0) throw new SinkPausedError(error.cause, 0);
      throw error;
    }
  }

  private async withOwnBill(requests: PostRequest[]): Promise<{ single: Set<PostRequest>; known: Set<string> }> {
    const ids = new Map<PostRequest, string>();
    for (const request of requests) {
      const flow = this.deps.flows.get(request.documentType)!;
      try {
        ids.set(request, ledgerId(this.deps.acctId, this.deps.formOf(flow.documentType), renderBillNumber(flow.billNumberPattern, request.canonical)));
      } catch {
        // No valid single-bill number: it never had a bill of its own.
      }
    }
    const generation = this.deps.ledger.cacheGeneration();
    if (this.singleBills?.generation !== generation) {
      // One read shared by the partitions' concurrent batches; a failed read is retried by the next batch.
      const ids = this.deps.ledger.idsOf(this.aggregatedFlows().map((flow) => flow.documentType));
      this.singleBills = { ids, generation };
      ids.catch(() => {
        if (this.singleBills?.ids === ids) this.singleBills = undefined;
      });
    }
    const known = await this.singleBills.ids;
    return { single: new Set([...ids].filter(([, id]) => known.has(id) || this.deps.ledger.peek(id) !== undefined).map(([request]) => request)), known };
  }

  // ---------------------------------------------------------------- closing and posting

  /** Scheduled work: close due groups, then post every frozen bill without a confirmed outcome. */
  tick(): Promise<void> {
    return this.serial(async () => {
      try {
        for (const flow of this.aggregatedFlows()) await this.closeGroups(flow, 'schedule', this.now());
        const unavailable = await this.postUnsettled();
        if (unavailable) this.deps.logger.warn({ err: unavailable }, 'summary bills wait for Kingdee; next tick retries');
      } catch (error) {
        this.deps.logger.warn({ err: errorMessage(error) }, 'aggregation tick stopped early; next tick continues');
      }
    });
  }

  /** Operator "close now": freezes the open members of every group of `flow` (or one group) and posts them. */
  closeNow(documentType: string, actor: string, keyHash?: string): Promise<CloseResult> {
    return this.serial(async () => {
      const flow = this.aggregatedFlows().find((candidate) => candidate.documentType === documentType);
      if (!flow) throw new ValidationError(`flow ${documentType} has no aggregation configured`, 'flow');
      const started = Date.now();
      const frozen = await this.closeGroups(flow, `operator:${actor}`, null, keyHash);
      const frozenAt = Date.now();
      const unavailable = await this.postUnsettled();
      this.deps.logger.info({ flow: documentType, actor, bills: frozen.length, freezeMs: frozenAt - started, postMs: Date.now() - frozenAt }, 'operator closed aggregation groups');
      const entries = await this.deps.ledger.known(frozen.map((bill) => bill.ledgerId));
      const seals = await this.store.sealsOf(frozen.map((bill) => bill._id));
      return {
        ...(unavailable ? { targetUnavailable: `目标系统不可用，汇总单稍后自动提交 target unavailable, summary bills are posted later: ${unavailable}` } : {}),
        bills: frozen.map((bill) => ({ billNo: bill.billNo, ledgerId: bill.ledgerId, kind: bill.kind, members: seals.get(bill._id)?.memberIds.length ?? bill.memberCount, state: entries.get(bill.ledgerId)?.state ?? null })) };
    });
  }

  /** Freezes open members of due groups (dueBy null = every open group) into bill records; returns the new bills. */
  private async closeGroups(flow: AggregatedFlow, closedBy: string, dueBy: Date | null, onlyKeyHash?: string): Promise<SummaryBillRecord[]> {
    const counts = await this.store.groupCounts(flow.documentType, dueBy ?? undefined);
    const candidates = [...counts]
      .filter(([keyHash, count]) => count.members > count.accounted && (dueBy === null || count.due) && (onlyKeyHash === undefined || keyHash === onlyKeyHash))
      .map(([keyHash]) => keyHash);
    // Every candidate group's members in one read (FerretDB scans per query); a group that loses a race reloads alone.
    const snapshots = await this.store.openMembers(flow.documentType, candidates);
    const frozen: SummaryBillRecord[] = [];
    for (const keyHash of candidates) frozen.push(...(await this.closeGroup(flow, keyHash, closedBy, dueBy, snapshots.get(keyHash))));
    return frozen;
  }

  /**
   * Freezes one group's open members. Each bill record is inserted with the next sequence as its _id: the insert
   * is the compare-and-set. A writer that loses (another instance froze that sequence) reloads and plans again,
   * so a member is in at most one bill; a member recorded after the read simply waits for the next close. Each
   * bill is then sealed (`seal`): only members whose version is still the document's current one stay in it.
   */
  private async closeGroup(
    flow: AggregatedFlow,
    keyHash: string,
    closedBy: string,
    dueBy: Date | null,
    snapshot?: { open: MemberRecord[]; lastSeq: number },
  ): Promise<SummaryBillRecord[]> {
    const aggregation = flow.aggregation;
    const written: SummaryBillRecord[] = [];
    for (let round = 0; round < 5; round++) {
      const { open, lastSeq } = (round === 0 ? snapshot : undefined) ?? (await this.store.openMembers(flow.documentType, [keyHash])).get(keyHash)!;
      if (open.length === 0) return written;
      if (dueBy && !open.some((member) => member.closeAt.getTime() <= dueBy.getTime())) return written;
      const closedAt = this.now();
      const planned = planBills(
        open.map((member) => ({ memberId: member._id, documentKey: member.documentKey, version: member.version, billNumber: member.billNumber, canonical: member.canonical })),
        aggregation.entries,
        aggregation.maxEntries,
        aggregation.maxMembers,
      );
      const first = open[0]!;
      let lost = false;
      for (const [index, bill] of planned.entries()) {
        const billSeq = lastSeq + 1 + index;
        const record = this.billRecord(flow, first, bill, billSeq, lastSeq === 0 ? 'first' : 'supplementary', closedAt, closedBy, open);
        if (!(await this.store.insertBill(record))) {
          lost = true;
          break;
        }
        written.push(record);
        this.metrics.bills.inc({ flow: flow.documentType, kind: record.kind });
        await this.seal(record);
      }
      if (!lost) {
        this.metrics.closes.inc({ flow: flow.documentType, trigger: closedBy.startsWith('operator') ? 'operator' : 'schedule' });
        this.deps.logger.info({ flow: flow.documentType, keyHash, bills: written.map((bill) => bill.billNo), members: open.length }, 'aggregation group closed');
        return written;
      }
    }
    this.deps.logger.warn({ flow: flow.documentType, keyHash }, 'group kept changing under us; leaving it to the next tick');
    return written;
  }

  private billRecord(
    flow: AggregatedFlow,
    first: MemberRecord,
    bill: ReturnType<typeof planBills>[number],
    billSeq: number,
    kind: SummaryBillRecord['kind'],
    closedAt: Date,
    closedBy: string,
    open: MemberRecord[],
  ): SummaryBillRecord {
    const summaryNumber = renderSummaryNumber(flow.aggregation.billNumberPattern, { keyHash: first.keyHash, seq: billSeq, date: first.date, documentType: flow.documentType, key: first.key });
    const headMember = open.find((member) => member._id === bill.members[0]!.memberId)!;
    const revisions = new Map(open.map((member) => [member._id, member.revision ?? 1]));
    const document = summaryDocument(headMember.canonical, summaryNumber, bill, { flow: flow.documentType, keyHash: first.keyHash, key: first.key, billSeq }, closedAt);
    // The flow's own pattern applies on top (it is `{billNumber}` by default): this is the FBillNo Kingdee gets.
    const billNo = renderBillNumber(flow.billNumberPattern, document);
    return {
      _id: `${flow.documentType}|${first.keyHash}|${billSeq}`,
      flow: flow.documentType,
      keyHash: first.keyHash,
      key: first.key,
      date: first.date,
      billSeq,
      billNo,
      ledgerId: ledgerId(this.deps.acctId, this.deps.formOf(flow.documentType), billNo),
      kind,
      closedAt,
      closedBy,
      memberIds: bill.members.map((member) => member.memberId),
      memberRevisions: bill.members.map((member) => revisions.get(member.memberId) ?? 1),
      memberCount: bill.members.length,
      document,
    };
  }

  /**
   * Posts every frozen bill whose ledger entry has no outcome yet. Origin 'kafka' gives first-delivery semantics:
   * no entry → Save; PENDING/IN_DOUBT → resolved by query; an outcome already recorded → nothing.
   */
  private async postUnsettled(): Promise<string | null> {
    const unsettled = await this.store.unsettledBills();
    if (unsettled.length === 0) return null;
    // A bill is posted as sealed; a crash between the bill's insert and its seal is finished here.
    const seals = await this.store.sealsOf(unsettled.map((bill) => bill._id));
    for (const bill of unsettled) if (!seals.has(bill._id)) seals.set(bill._id, await this.seal(bill));
    const bills: SummaryBillRecord[] = [];
    for (const bill of unsettled) {
      if (seals.get(bill._id)!.memberIds.length > 0) bills.push(bill);
      else await this.store.markSettled(bill._id, 'EMPTY'); // every member had a newer version first: nothing to post
    }
    if (bills.length === 0) return null;
    const requests: PostRequest[] = bills.map((bill) => ({ documentType: bill.flow, canonical: seals.get(bill._id)!.document ?? bill.document, origin: 'kafka' }));
    let unavailable: string | null = null;
    try {
      await this.deps.next.post(requests);
    } catch (error) {
      if (!(error instanceof SinkPausedError)) throw error;
      unavailable = errorMessage(error.cause); // level 3: the bills stay unsettled and a later tick posts them
    }
    // Just written by the poster: known here without a read (a scan of the whole ledger on FerretDB).
    const entries = await this.deps.ledger.known(bills.map((bill) => bill.ledgerId));
    for (const bill of bills) {
      const entry = entries.get(bill.ledgerId);
      if (entry && !IN_FLIGHT.has(entry.state)) await this.store.markSettled(bill._id, entry.state);
    }
    return unavailable;
  }

  /**
   * Decides, member by member, whether a frozen bill carries it: the freeze of revision n takes the document's chain
   * slot n+1 (the same slot a newer version takes). Won, or taken by another bill's freeze of the same revision (a
   * document in two groups) → carried; taken by a newer version → not carried (that version is open in its group
   * and goes into a later bill). Once every slot is taken the outcome is fixed, so any instance, and a restart
   * after a crash, computes the same seal; the first seal inserted is the one posted.
   */
  private async seal(bill: SummaryBillRecord): Promise<SealRecord> {
    const at = this.now();
    const traced = (bill.document.aggregate as { members: TracedMember[] }).members;
    const markers: DocumentRevisionRecord[] = bill.memberIds.map((id, index) => {
      const revision = (bill.memberRevisions?.[index] ?? 1) + 1;
      const documentKey = traced[index]!.documentKey;
      return { _id: revisionId(bill.flow, documentKey, revision), flow: bill.flow, documentKey, revision, kind: 'frozen', billId: bill._id };
    });
    const taken = await this.store.insertNew(this.store.documents, markers);
    const excluded: SealRecord['excluded'] = [];
    if (taken.size > 0) {
      const ids = [...taken].map((index) => markers[index]!._id);
      const found = new Map((await this.store.documents.find(ids.length === 1 ? { _id: ids[0]! } : { _id: { $in: ids } }).toArray()).map((record) => [record._id, record]));
      for (const index of taken) {
        const holder = found.get(markers[index]!._id);
        if (!holder) throw new Error(`aggregation: chain slot ${markers[index]!._id} reported taken but not found; the next tick seals ${bill._id}`);
        if (kindOf(holder) !== 'frozen') excluded.push({ memberId: bill.memberIds[index]!, documentKey: markers[index]!.documentKey, byRevision: revisionOf(holder) });
      }
    }
    let seal: SealRecord = { _id: bill._id, memberIds: bill.memberIds, excluded: [], at };
    if (excluded.length > 0) {
      const out = new Set(excluded.map((member) => member.memberId));
      const carried = bill.memberIds.filter((id) => !out.has(id));
      seal = { _id: bill._id, memberIds: carried, excluded, at };
      if (carried.length > 0) {
        const members = await this.store.membersById(carried);
        const flow = this.deps.flows.get(bill.flow) as AggregatedFlow;
        const ordered = carried.map((id) => members.get(id)!);
        const [planned] = planBills(
          ordered.map((member) => ({ memberId: member._id, documentKey: member.documentKey, version: member.version, billNumber: member.billNumber, canonical: member.canonical })),
          flow.aggregation.entries,
          Number.MAX_SAFE_INTEGER,
        );
        seal.document = summaryDocument(ordered[0]!.canonical, String(bill.document.billNumber), planned!, { flow: bill.flow, keyHash: bill.keyHash, key: bill.key, billSeq: bill.billSeq }, bill.closedAt);
      }
      // Retired so that no close plans them again (they are in this bill's member list too; both say "not open").
      await this.store.insertNew(
        this.store.retired,
        excluded.map((member) => ({ _id: member.memberId, flow: bill.flow, keyHash: bill.keyHash, documentKey: member.documentKey, byRevision: member.byRevision, at })),
      );
      this.deps.logger.info({ bill: bill.billNo, excluded: excluded.map((member) => member.documentKey) }, 'members replaced by a newer version before the freeze are not carried by the summary bill');
    }
    if (!(await this.store.insertSeal(seal))) seal = (await this.store.sealsOf([bill._id])).get(bill._id)!;
    return seal;
  }

  // ---------------------------------------------------------------- admin

  /**
   * Where a source document went: its revisions, each version's group(s), bill number(s), entry rows and the
   * bill's ledger state; slices of a version replaced before the freeze are `superseded` (no bill).
   */
  async trace(documentKey: string): Promise<AggregationTrace | null> {
    const members = await this.store.membersOf(documentKey);
    const ignored = await this.store.ignored.find({ documentKey }).toArray();
    const chain = await this.store.documents.find({ documentKey }).toArray();
    if (members.length === 0 && ignored.length === 0 && chain.length === 0) return null;
    const retired = new Set((await this.store.retired.find({ documentKey }, { projection: { _id: 1 } }).toArray()).map((record) => record._id));
    const slices: AggregationTrace['slices'] = [];
    for (const member of members.sort((a, b) => (a.revision ?? 1) - (b.revision ?? 1) || a._id.localeCompare(b._id))) {
      const [bill] = await this.store.bills.find({ memberIds: member._id }).toArray();
      const seal = bill ? (await this.store.sealsOf([bill._id])).get(bill._id) : undefined;
      const carried = bill !== undefined && !seal?.excluded.some((excluded) => excluded.memberId === member._id);
      const document = carried ? (seal?.document ?? bill.document) : null;
      const placement = document ? ((document.aggregate as { members: TracedMember[] }).members.find((candidate) => candidate.documentKey === member.documentKey) ?? null) : null;
      const entry = carried ? await this.deps.ledger.get(bill.ledgerId) : null;
      slices.push({
        flow: member.flow,
        keyHash: member.keyHash,
        key: member.key,
        version: member.version,
        revision: member.revision ?? 1,
        status: carried ? (seal ? 'frozen' : 'freezing') : retired.has(member._id) || (bill && !carried) ? 'superseded' : 'open',
        arrivedAt: member.arrivedAt,
        closeAt: member.closeAt,
        bill: carried ? { billNo: bill.billNo, ledgerId: bill.ledgerId, billSeq: bill.billSeq, kind: bill.kind, entries: placement?.entries ?? [], state: entry?.state ?? null, fid: entry?.fid ?? null } : null,
      });
    }
    return {
      documentKey,
      slices,
      revisions: chain
        .sort((a, b) => revisionOf(a) - revisionOf(b))
        // A freeze slot names the version it froze: the revision before it.
        .map((record, index, ordered) => ({ revision: revisionOf(record), kind: kindOf(record), version: record.version ?? ordered[index - 1]?.version ?? '', at: record.at ?? null, ...(record.billId ? { billId: record.billId } : {}) })),
      ignoredVersions: ignored.map((record) => ({ version: record.version, reason: record.reason ?? 'after_freeze', at: record.at })),
    };
  }

  /** Groups with open members, per aggregated flow. */
  async openGroups(documentType?: string): Promise<{ flow: string; keyHash: string; key: Record<string, string>; openMembers: number; closeAt: Date | null }[]> {
    const result = [];
    for (const flow of this.aggregatedFlows()) {
      if (documentType && flow.documentType !== documentType) continue;
      const counts = await this.store.groupCounts(flow.documentType);
      const openHashes = [...counts].filter(([, count]) => count.members > count.accounted).map(([keyHash]) => keyHash);
      for (const [keyHash, { open }] of await this.store.openMembers(flow.documentType, openHashes)) {
        if (open.length === 0) continue;
        result.push({ flow: flow.documentType, keyHash, key: open[0]!.key, openMembers: open.length, closeAt: new Date(Math.min(...open.map((member) => member.closeAt.getTime()))) });
      }
    }
    return result;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}


/** One source document version offered to aggregation. */
function isSummary(canonical: CanonicalJson): boolean {
  return typeof canonical.aggregate === 'object' && canonical.aggregate !== null;
}

/** The same document key the poster and ledger use. */
