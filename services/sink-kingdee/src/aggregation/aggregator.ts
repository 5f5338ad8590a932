/**
 * Aggregated (汇总) posting. Documents of an aggregated flow are not posted one by one: each is recorded as a
 * member of its group(s) — then its Kafka offset may be committed. A group closes on its schedule or when an
 * operator says so: its open members are frozen into summary bill records (insert-only, unique per group and
 * sequence), and each summary bill goes through the Poster and ledger like any bill (claim → Save/Submit/Audit
 * → outcome; PENDING/IN_DOUBT resolved by query on its deterministic number). Design: docs/sink.md.
 */
import { ValidationError, errorMessage, type Logger } from '@yecai/common';
import type { Db } from 'mongodb';
import type { Registry } from 'prom-client';
import type { FlowConfig } from '../config';
import { renderBillNumber, sourceIdentity, type CanonicalJson } from '../convert';
import { formsOf, type SinkDocumentType } from '../master-data';
import { ledgerId, type Ledger, type LedgerEntry } from '../ledger';
import { SinkPausedError, type PostOptions, type Poster, type PostRequest } from '../poster';
import type { AggregationConfig } from './config';
import { AggregationMetrics } from './metrics';
import { AggregationStore, type DocumentClaimRecord, type MemberRecord, type SummaryBillRecord } from './store';
import { closeAtOf, planBills, renderSummaryNumber, sliceDocument, summaryDocument, type TracedMember } from './summary';

export interface AggregatorDeps {
  db: Db;
  ledger: Ledger;
  /** Posts summary bills (and everything of non-aggregated flows). */
  poster: Poster;
  acctId: string;
  flows: Map<string, FlowConfig>;
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
    arrivedAt: Date;
    closeAt: Date;
    /** null while the group is open. */
    bill: { billNo: string; ledgerId: string; billSeq: number; kind: string; entries: number[]; state: string | null; fid: number | null } | null;
  }[];
  ignoredVersions: { version: string; at: Date }[];
}

export interface CloseResult {
  kingdeeUnavailable?: string;
  bills: { billNo: string; ledgerId: string; kind: string; members: number; state: string | null }[];
}

const IN_FLIGHT = new Set(['PENDING', 'IN_DOUBT']);

export class Aggregator {
  readonly store: AggregationStore;
  readonly metrics: AggregationMetrics;
  /** The poster the service uses: documents of aggregated flows become members; the rest (and summary bills) post. */
  readonly poster: Poster;
  /** The Poster's own entry point: writes bills through the ledger. */
  private readonly post: Poster['post'];
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
    // The service keeps using the same Poster object; only its entry point routes through aggregation first.
    this.post = deps.poster.post.bind(deps.poster);
    deps.poster.post = (requests, options) => this.route(requests, options);
    this.poster = deps.poster;
  }

  aggregatedFlows(): (FlowConfig & { aggregation: AggregationConfig })[] {
    return [...this.deps.flows.values()].filter((flow): flow is FlowConfig & { aggregation: AggregationConfig } => flow.aggregation !== undefined);
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

  private async route(requests: PostRequest[], options?: PostOptions): Promise<void> {
    const candidates = requests.filter((request) => this.deps.flows.get(request.documentType)?.aggregation !== undefined && !isSummary(request.canonical));
    if (candidates.length === 0) return this.post(requests, options);
    // A document that already has a bill of its own (posted before aggregation was switched on) stays on that
    // bill: its new versions follow the flow's onModified policy instead of landing in a summary as a second copy.
    const started = Date.now();
    const single = await this.withOwnBill(candidates);
    const checked = Date.now();
    const members = candidates.filter((request) => !single.has(request));
    await this.admit(members);
    this.deps.logger.debug({ documents: members.length, ownBillCheckMs: checked - started, admitMs: Date.now() - checked }, 'aggregation members recorded');
    const rest = requests.filter((request) => !members.includes(request));
    if (rest.length === 0) return;
    try {
      await this.post(rest);
    } catch (error) {
      // Mixed input: admission is idempotent, so "nothing completed" is safe to report.
      if (error instanceof SinkPausedError && members.length > 0) throw new SinkPausedError(error.cause, 0);
      throw error;
    }
  }

  private async withOwnBill(requests: PostRequest[]): Promise<Set<PostRequest>> {
    const ids = new Map<PostRequest, string>();
    for (const request of requests) {
      const flow = this.deps.flows.get(request.documentType)!;
      try {
        ids.set(request, ledgerId(this.deps.acctId, formsOf(flow.documentType)[0]!, renderBillNumber(flow.billNumberPattern, request.canonical)));
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
    return new Set([...ids].filter(([, id]) => known.has(id) || this.deps.ledger.peek(id) !== undefined).map(([request]) => request));
  }

  /**
   * Records each document as a member of its group(s). Resolves once every membership is durable. The hot path
   * only inserts (FerretDB scans on every filtered read): a claim per document, then its slices; a duplicate claim
   * (redelivery or a new version) is the only case that reads.
   */
  async admit(requests: PostRequest[]): Promise<void> {
    if (requests.length === 0) return;
    const arrivedAt = this.now();
    const candidates: { flow: FlowConfig; documentKey: string; version: string; canonical: CanonicalJson; slices: ReturnType<typeof sliceDocument> }[] = [];
    for (const request of requests) {
      const flow = this.deps.flows.get(request.documentType)!;
      const documentKey = documentKeyOf(request.canonical);
      const source = sourceIdentity(request.canonical);
      try {
        candidates.push({ flow, documentKey, version: source.contentHash, canonical: request.canonical, slices: sliceDocument(flow.documentType, flow.aggregation!, request.canonical) });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        await this.park(flow, documentKey, request.canonical, source.contentHash, source.sourceModifiedAt, error);
      }
    }
    // First version seen wins: claims are unique per document; a batch holding two versions claims the first.
    const claims = new Map<string, DocumentClaimRecord>();
    for (const candidate of candidates) {
      const id = `${candidate.flow.documentType}|${candidate.documentKey}`;
      if (!claims.has(id)) claims.set(id, { _id: id, flow: candidate.flow.documentType, documentKey: candidate.documentKey, version: candidate.version, at: arrivedAt });
    }
    const claimList = [...claims.values()];
    const existed = await this.store.insertNew(this.store.documents, claimList);
    const taken = new Map(claimList.map((claim) => [claim._id, claim.version]));
    if (existed.size > 0) {
      const ids = [...existed].map((index) => claimList[index]!._id);
      for (const earlier of await this.store.documents.find({ _id: { $in: ids } }).toArray()) taken.set(earlier._id, earlier.version);
    }
    const records: MemberRecord[] = [];
    for (const candidate of candidates) {
      const flow = candidate.flow;
      const claimed = taken.get(`${flow.documentType}|${candidate.documentKey}`)!;
      if (claimed !== candidate.version) {
        // A document is aggregated in the version first seen; a later version never makes a second entry.
        await this.store.insertNew(this.store.ignored, [{ _id: `${flow.documentType}|${candidate.documentKey}|${candidate.version}`, flow: flow.documentType, documentKey: candidate.documentKey, version: candidate.version, memberVersion: claimed, at: arrivedAt }]);
        this.metrics.members.inc({ flow: flow.documentType, outcome: 'version_ignored' });
        this.deps.logger.warn({ documentKey: candidate.documentKey, version: candidate.version }, 'aggregated document changed after it was recorded; new version not posted (see admin history)');
        continue;
      }
      for (const slice of candidate.slices) {
        const id = `${flow.documentType}|${slice.keyHash}|${candidate.documentKey}`;
        if (records.some((record) => record._id === id)) continue; // the same version twice in one batch
        records.push({
          _id: id,
          flow: flow.documentType,
          keyHash: slice.keyHash,
          key: slice.key,
          date: slice.date,
          documentKey: candidate.documentKey,
          version: candidate.version,
          billNumber: typeof candidate.canonical.billNumber === 'string' ? candidate.canonical.billNumber : candidate.documentKey,
          lineIndexes: slice.lineIndexes,
          canonical: slice.canonical,
          closeAt: closeAtOf(slice.date, flow.aggregation!.close),
          arrivedAt,
        });
      }
    }
    // One round trip for the batch; duplicates (a redelivery after a crash) are the ones already recorded.
    const duplicates = await this.store.insertMembers(records);
    records.forEach((record, index) => this.metrics.members.inc({ flow: record.flow, outcome: duplicates.has(index) ? 'redelivered' : 'admitted' }));
  }

  /** Level 1: a document that cannot be grouped is parked in the ledger with the missing field named. */
  private async park(flow: FlowConfig, documentKey: string, canonical: CanonicalJson, version: string, modifiedAt: number, error: ValidationError): Promise<void> {
    const formId = formsOf(flow.documentType)[0]!;
    const billNo = `AGG-INVALID:${documentKey}`;
    const id = ledgerId(this.deps.acctId, formId, billNo);
    const problem = { level: 1 as const, code: 'AGGREGATION_KEY_INVALID', message: `无法归入汇总分组 cannot be grouped for aggregation: ${error.message}`, field: error.field };
    const current = await this.deps.ledger.get(id);
    if (current && current.version === version) return;
    const fields: Omit<LedgerEntry, 'revision' | 'createdAt' | 'updatedAt'> = {
      _id: id,
      acctId: this.deps.acctId,
      formId,
      billNo,
      documentType: flow.documentType,
      documentKey,
      state: 'PARKED',
      stage: 'NONE',
      fid: null,
      version,
      sourceModifiedAt: modifiedAt,
      postedVersion: null,
      canonical,
      problem,
      attempts: 0,
      level2Retries: 0,
      nextRetryAt: null,
      skipped: null,
    };
    if (!current) await this.deps.ledger.insert(fields, 'aggregation_invalid');
    else await this.deps.ledger.transition(current, { ...fields, state: 'PARKED' }, 'aggregation_invalid', { detail: error.message });
    this.metrics.members.inc({ flow: flow.documentType, outcome: 'parked' });
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
      return {
        ...(unavailable ? { kingdeeUnavailable: `金蝶不可用，汇总单稍后自动提交 Kingdee unavailable, summary bills are posted later: ${unavailable}` } : {}),
        bills: frozen.map((bill) => ({ billNo: bill.billNo, ledgerId: bill.ledgerId, kind: bill.kind, members: bill.memberCount, state: entries.get(bill.ledgerId)?.state ?? null })) };
    });
  }

  /** Freezes open members of due groups (dueBy null = every open group) into bill records; returns the new bills. */
  private async closeGroups(flow: FlowConfig & { aggregation: AggregationConfig }, closedBy: string, dueBy: Date | null, onlyKeyHash?: string): Promise<SummaryBillRecord[]> {
    const counts = await this.store.groupCounts(flow.documentType, dueBy ?? undefined);
    const candidates = [...counts]
      .filter(([keyHash, count]) => count.members > count.frozen && (dueBy === null || count.due) && (onlyKeyHash === undefined || keyHash === onlyKeyHash))
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
   * so a member is in at most one bill; a member recorded after the read simply waits for the next close.
   */
  private async closeGroup(
    flow: FlowConfig & { aggregation: AggregationConfig },
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
    flow: FlowConfig & { aggregation: AggregationConfig },
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
      ledgerId: ledgerId(this.deps.acctId, formsOf(flow.documentType)[0]!, billNo),
      kind,
      closedAt,
      closedBy,
      memberIds: bill.members.map((member) => member.memberId),
      memberCount: bill.members.length,
      document,
    };
  }

  /**
   * Posts every frozen bill whose ledger entry has no outcome yet. Origin 'kafka' gives first-delivery semantics:
   * no entry → Save; PENDING/IN_DOUBT → resolved by query; an outcome already recorded → nothing.
   */
  private async postUnsettled(): Promise<string | null> {
    const bills = await this.store.unsettledBills();
    if (bills.length === 0) return null;
    const requests: PostRequest[] = bills.map((bill) => ({ documentType: bill.flow as SinkDocumentType, canonical: bill.document, origin: 'kafka' }));
    let unavailable: string | null = null;
    try {
      await this.post(requests);
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

  // ---------------------------------------------------------------- admin

  /** Where a source document went: its group(s), bill number(s), entry rows and the bill's ledger state. */
  async trace(documentKey: string): Promise<AggregationTrace | null> {
    const members = await this.store.membersOf(documentKey);
    const ignored = await this.store.ignored.find({ documentKey }).toArray();
    if (members.length === 0 && ignored.length === 0) return null;
    const slices = [];
    for (const member of members) {
      const [bill] = await this.store.bills.find({ memberIds: member._id }).toArray();
      const placement = bill ? ((bill.document.aggregate as { members: TracedMember[] }).members.find((candidate) => candidate.documentKey === member.documentKey) ?? null) : null;
      const entry = bill ? await this.deps.ledger.get(bill.ledgerId) : null;
      slices.push({
        flow: member.flow,
        keyHash: member.keyHash,
        key: member.key,
        version: member.version,
        arrivedAt: member.arrivedAt,
        closeAt: member.closeAt,
        bill: bill ? { billNo: bill.billNo, ledgerId: bill.ledgerId, billSeq: bill.billSeq, kind: bill.kind, entries: placement?.entries ?? [], state: entry?.state ?? null, fid: entry?.fid ?? null } : null,
      });
    }
    return { documentKey, slices, ignoredVersions: ignored.map((record) => ({ version: record.version, at: record.at })) };
  }

  /** Groups with open members, per aggregated flow. */
  async openGroups(documentType?: string): Promise<{ flow: string; keyHash: string; key: Record<string, string>; openMembers: number; closeAt: Date | null }[]> {
    const result = [];
    for (const flow of this.aggregatedFlows()) {
      if (documentType && flow.documentType !== documentType) continue;
      const counts = await this.store.groupCounts(flow.documentType);
      const openHashes = [...counts].filter(([, count]) => count.members > count.frozen).map(([keyHash]) => keyHash);
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

function isSummary(canonical: CanonicalJson): boolean {
  return typeof canonical.aggregate === 'object' && canonical.aggregate !== null;
}

/** The same document key the poster and ledger use. */
export function documentKeyOf(canonical: CanonicalJson): string {
  const source = sourceIdentity(canonical);
  return `${source.sourceSystem}/${source.account}/${source.documentType}/${source.sourceId}`;
}
