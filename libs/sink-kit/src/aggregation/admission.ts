/**
 * Admission into aggregation (汇总): each document of an aggregated flow is recorded as a member of its group(s),
 * idempotently, with its versions ordered on a per-document revision chain that a freeze also takes a slot of — so a
 * version arriving after its document was frozen into a summary bill is recorded as ignored, never posted twice.
 * The hot path only inserts (FerretDB scans on every filtered read). Closing and posting: aggregator.ts.
 */
import { ValidationError, type Logger } from '@yecai/common';
import { documentKeyOf, isStaleVersion, sourceIdentity, type CanonicalJson } from '../canonical';
import type { KitFlow } from '../config';
import type { Ledger } from '../ledger/ledger';
import { ledgerId, type LedgerEntry } from '../ledger/model';
import type { PostRequest } from '../posting/engine';
import type { AggregationConfig } from './config';
import type { AggregationMetrics } from './metrics';
import {
  kindOf,
  memberId,
  revisionId,
  revisionOf,
  type AggregationStore,
  type DocumentRevisionRecord,
  type IgnoredVersionRecord,
  type MemberRecord,
  type RetiredMemberRecord,
} from './store';
import { closeAtOf, sliceDocument, type MemberSlice } from './summary';

export type AggregatedFlow = KitFlow & { aggregation: AggregationConfig };

export interface AdmissionDeps {
  store: AggregationStore;
  ledger: Ledger;
  metrics: AggregationMetrics;
  acctId: string;
  formOf: (documentType: string) => string;
  flows: Map<string, KitFlow>;
  logger: Logger;
  now: () => Date;
}

export class Admission {
  constructor(private readonly deps: AdmissionDeps) {}

  /**
   * Records each document as a member of its group(s). Resolves once every membership is durable. The hot path
   * only inserts (FerretDB scans on every filtered read): revision 1 of each document's chain, then its slices; a
   * duplicate revision 1 (redelivery or a new version) is the only case that reads (the document's chain).
   *
   * A newer version takes the next chain slot (compare-and-set against the freeze, which takes the same slot):
   * won → the earlier version's slices are retired and the new ones recorded (in whatever groups they fall now);
   * lost to a freeze → the version is recorded as ignored (the document is in a summary bill already).
   */
  async admit(requests: PostRequest[], parkedKnown: (ledgerId: string) => boolean = () => false): Promise<void> {
    if (requests.length === 0) return;
    const arrivedAt = this.deps.now();
    // The newest version per document (source modified time; the later one in the batch on a tie).
    const byDocument = new Map<string, Candidate>();
    for (const request of requests) {
      const flow = this.deps.flows.get(request.documentType)! as AggregatedFlow;
      const documentKey = documentKeyOf(request.canonical);
      const source = sourceIdentity(request.canonical);
      let slices: MemberSlice[] | null = null;
      let invalid: ValidationError | null = null;
      try {
        slices = sliceDocument(flow.documentType, flow.aggregation, request.canonical);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        invalid = error;
      }
      const candidate: Candidate = { flow, documentKey, version: source.contentHash, modifiedAt: source.sourceModifiedAt, canonical: request.canonical, slices, invalid };
      const id = `${flow.documentType}|${documentKey}`;
      const held = byDocument.get(id);
      if (held && held.version !== candidate.version && isStaleVersion(candidate.modifiedAt, held.modifiedAt)) continue;
      byDocument.set(id, candidate);
    }
    const candidates = [...byDocument.values()];
    const plan: AdmissionPlan = { members: [], retired: [], ignored: [], parks: [], supersede: [], lookups: [], parkedKnown: (documentKey, flow) => parkedKnown(this.parkedLedgerId(flow, documentKey)) };
    const firsts = candidates.map((candidate) => revisionRecord(candidate, 1, arrivedAt));
    const existed = await this.deps.store.insertNew(this.deps.store.documents, firsts);
    const slow: Candidate[] = [];
    candidates.forEach((candidate, index) => (existed.has(index) ? slow.push(candidate) : this.complete(candidate, [firsts[index]!], plan, arrivedAt)));
    if (slow.length > 0) await this.resolveVersions(slow, plan, arrivedAt);
    // Chain revisions written before chains recorded their groups: the slices to retire are read.
    for (const lookup of plan.lookups) {
      for (const member of await this.deps.store.membersOf(lookup.documentKey)) {
        if (member.flow === lookup.flow && (member.revision ?? 1) < lookup.byRevision) plan.retired.push({ _id: member._id, flow: member.flow, keyHash: member.keyHash, documentKey: member.documentKey, byRevision: lookup.byRevision, at: arrivedAt });
      }
    }
    await this.deps.store.insertNew(this.deps.store.retired, plan.retired);
    await this.deps.store.insertNew(this.deps.store.ignored, plan.ignored);
    // One round trip for the batch; duplicates (a redelivery after a crash) are the ones already recorded.
    const duplicates = await this.deps.store.insertMembers(plan.members);
    plan.members.forEach((record, index) => this.deps.metrics.members.inc({ flow: record.flow, outcome: duplicates.has(index) ? 'redelivered' : 'admitted' }));
    for (const candidate of plan.parks) await this.park(candidate.flow, candidate.documentKey, candidate.canonical, candidate.version, candidate.modifiedAt, candidate.invalid!);
    for (const candidate of plan.supersede) await this.supersedePark(candidate);
  }

  /**
   * Documents whose chain exists: read the chains (one read per flow) and decide per document — redelivery of the
   * current version (complete it), an older or superseded version (nothing), the document is frozen (ignored), or
   * a newer version (take the next slot; a lost slot reloads and decides again).
   */
  private async resolveVersions(candidates: Candidate[], plan: AdmissionPlan, at: Date): Promise<void> {
    let open = candidates;
    for (let round = 0; round < 5 && open.length > 0; round++) {
      const next: Candidate[] = [];
      const claims: { candidate: Candidate; chain: DocumentRevisionRecord[]; record: DocumentRevisionRecord }[] = [];
      for (const [flow, ofFlow] of groupByFlow(open)) {
        const chains = await this.deps.store.chainsOf(flow, ofFlow.map((candidate) => candidate.documentKey));
        for (const candidate of ofFlow) {
          const chain = chains.get(candidate.documentKey) ?? [];
          const decision = await this.decideVersion(candidate, chain);
          if (decision.kind === 'claim') {
            const record: DocumentRevisionRecord = decision.frozenBy
              ? { _id: revisionId(flow, candidate.documentKey, decision.revision), flow, documentKey: candidate.documentKey, revision: decision.revision, kind: 'frozen', billId: decision.frozenBy }
              : revisionRecord(candidate, decision.revision, at);
            claims.push({ candidate, chain, record });
          }
          else this.applyDecision(candidate, chain, decision, plan, at);
        }
      }
      const lost = await this.deps.store.insertNew(this.deps.store.documents, claims.map((claim) => claim.record));
      for (const [index, { candidate, chain, record }] of claims.entries()) {
        if (lost.has(index)) {
          next.push(candidate);
          continue;
        }
        if (record.kind === 'frozen') {
          // A freeze recorded for a bill written before chains existed: the version is ignored like any after a freeze.
          this.applyDecision(candidate, [...chain, record], { kind: 'ignore', reason: 'after_freeze', held: chain.at(-1)!.version ?? '' }, plan, at);
          continue;
        }
        if (revisionOf(record) > 1) {
          this.deps.metrics.members.inc({ flow: candidate.flow.documentType, outcome: 'version_replaced' });
          this.deps.logger.info({ documentKey: candidate.documentKey, version: candidate.version, revision: record.revision }, 'newer version replaces the open one in aggregation');
        }
        this.complete(candidate, [...chain, record], plan, at);
      }
      open = next;
    }
    // Never seen: five writers in a row moved one document's chain. The batch is not acknowledged and comes back.
    if (open.length > 0) throw new Error(`aggregation: revision chain of ${open.map((candidate) => candidate.documentKey).join(', ')} kept changing; the batch is retried`);
  }

  private async decideVersion(candidate: Candidate, chain: DocumentRevisionRecord[]): Promise<VersionDecision> {
    const latest = chain.at(-1);
    if (!latest) return { kind: 'claim', revision: 1 };
    // The same version: same content and (when recorded) the same modified time — a source that changes a document
    // back to earlier content makes a new version, a redelivery does not.
    const same = chain.findLastIndex((record) => kindOf(record) !== 'frozen' && record.version === candidate.version && (record.sourceModifiedAt === undefined || record.sourceModifiedAt === candidate.modifiedAt));
    if (kindOf(latest) === 'frozen') {
      const frozen = chain[chain.length - 2];
      if (frozen && same === chain.length - 2) return { kind: 'complete', upTo: chain.length - 1 };
      if (same >= 0) return { kind: 'redelivered' };
      return { kind: 'ignore', reason: 'after_freeze', held: frozen?.version ?? '' };
    }
    if (same === chain.length - 1) return { kind: 'complete', upTo: chain.length };
    if (same >= 0) return { kind: 'redelivered' };
    if (latest.sourceModifiedAt !== undefined && isStaleVersion(candidate.modifiedAt, latest.sourceModifiedAt)) return { kind: 'ignore', reason: 'older', held: latest.version ?? '' };
    if (latest.sourceModifiedAt === undefined && kindOf(latest) === 'version') {
      // Revision 1 written before chains existed (no freeze markers then): a bill holding it counts as the freeze.
      const members = await this.deps.store.membersOf(candidate.documentKey);
      const ids = members.filter((member) => member.flow === candidate.flow.documentType).map((member) => member._id);
      const [bill] = ids.length > 0 ? await this.deps.store.bills.find({ memberIds: { $in: ids } }, { projection: { _id: 1 } }).toArray() : [];
      if (bill) return { kind: 'claim', revision: 2, frozenBy: bill._id };
    }
    return { kind: 'claim', revision: revisionOf(latest) + 1 };
  }

  private applyDecision(candidate: Candidate, chain: DocumentRevisionRecord[], decision: Exclude<VersionDecision, { kind: 'claim' }>, plan: AdmissionPlan, at: Date): void {
    const flow = candidate.flow.documentType;
    if (decision.kind === 'complete') {
      this.complete(candidate, chain.slice(0, decision.upTo), plan, at);
      return;
    }
    if (decision.kind === 'redelivered') {
      this.deps.metrics.members.inc({ flow, outcome: 'redelivered' });
      return;
    }
    plan.ignored.push({
      _id: `${flow}|${candidate.documentKey}|${candidate.version}`,
      flow,
      documentKey: candidate.documentKey,
      version: candidate.version,
      memberVersion: decision.held,
      reason: decision.reason,
      at,
    });
    this.deps.metrics.members.inc({ flow, outcome: decision.reason === 'older' ? 'version_stale' : 'version_ignored' });
    if (decision.reason === 'after_freeze') {
      this.deps.logger.warn({ documentKey: candidate.documentKey, version: candidate.version }, 'aggregated document changed after it was frozen into a summary bill; new version not posted (see admin history)');
    }
  }

  /**
   * The candidate's version is the chain's last revision (just written, or found on a redelivery): plan what makes
   * it whole — retire the slices of every earlier version, record its own slices (or park it), and let a parked
   * entry of an earlier version go. All idempotent: a redelivery after a crash plans the same inserts again.
   */
  private complete(candidate: Candidate, chain: DocumentRevisionRecord[], plan: AdmissionPlan, at: Date): void {
    const flow = candidate.flow;
    const current = chain.at(-1)!;
    const revision = revisionOf(current);
    for (const earlier of chain.slice(0, -1)) {
      if (kindOf(earlier) !== 'version') continue;
      if (!earlier.keyHashes) {
        plan.lookups.push({ flow: flow.documentType, documentKey: candidate.documentKey, byRevision: revision });
        continue;
      }
      for (const keyHash of earlier.keyHashes.split(',')) {
        plan.retired.push({ _id: memberId(flow.documentType, keyHash, candidate.documentKey, revisionOf(earlier)), flow: flow.documentType, keyHash, documentKey: candidate.documentKey, byRevision: revision, at });
      }
    }
    if (kindOf(current) === 'parked') {
      plan.parks.push(candidate);
      return;
    }
    for (const slice of candidate.slices ?? []) {
      const id = memberId(flow.documentType, slice.keyHash, candidate.documentKey, revision);
      if (plan.members.some((record) => record._id === id)) continue;
      plan.members.push({
        _id: id,
        flow: flow.documentType,
        keyHash: slice.keyHash,
        key: slice.key,
        date: slice.date,
        documentKey: candidate.documentKey,
        version: candidate.version,
        ...(revision > 1 ? { revision } : {}),
        billNumber: typeof candidate.canonical.billNumber === 'string' ? candidate.canonical.billNumber : candidate.documentKey,
        lineIndexes: slice.lineIndexes,
        canonical: slice.canonical,
        closeAt: closeAtOf(slice.date, flow.aggregation.close),
        arrivedAt: at,
      });
    }
    if (chain.slice(0, -1).some((record) => kindOf(record) === 'parked') || plan.parkedKnown(candidate.documentKey, flow.documentType)) plan.supersede.push(candidate);
  }

  /** The ledger id of a document parked because it cannot be grouped. */
  parkedLedgerId(flow: string, documentKey: string): string {
    return ledgerId(this.deps.acctId, this.deps.formOf(flow), parkedBillNo(documentKey));
  }

  /** Level 1: a document that cannot be grouped is parked in the ledger with the missing field named. */
  private async park(flow: KitFlow, documentKey: string, canonical: CanonicalJson, version: string, modifiedAt: number, error: ValidationError): Promise<void> {
    const formId = this.deps.formOf(flow.documentType);
    const billNo = parkedBillNo(documentKey);
    const id = this.parkedLedgerId(flow.documentType, documentKey);
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
    this.deps.metrics.members.inc({ flow: flow.documentType, outcome: 'parked' });
  }

  /**
   * A valid version joined its group(s): the entry that parked an earlier, ungroupable version leaves PARKED as
   * AGGREGATED (no person decided anything; SKIPPED stays a person's word). The step names the group(s); the
   * admin history of the entry shows the summary bill once the group is closed.
   */
  private async supersedePark(candidate: Candidate): Promise<void> {
    const id = this.parkedLedgerId(candidate.flow.documentType, candidate.documentKey);
    const groups = (candidate.slices ?? []).map((slice) => `${Object.entries(slice.key).map(([name, value]) => `${name}=${value}`).join(', ')} (${slice.keyHash})`).join('; ');
    const detail = `新版本 ${candidate.version.slice(0, 12)} 可以归组，已进入汇总分组 ${groups}；汇总单见 GET /admin/aggregation/documents/${encodeURIComponent(candidate.documentKey)} — a later version (${candidate.version.slice(0, 12)}) joined aggregation group(s) ${groups}; its summary bill: see the aggregation trace`;
    for (let round = 0; round < 3; round++) {
      const current = await this.deps.ledger.get(id);
      if (!current || current.state !== 'PARKED') return;
      if (await this.deps.ledger.transition(current, { state: 'AGGREGATED', nextRetryAt: null }, 'superseded', { detail })) {
        this.deps.metrics.members.inc({ flow: candidate.flow.documentType, outcome: 'park_superseded' });
        return;
      }
    }
    this.deps.logger.warn({ id }, 'parked entry kept changing; left as it is');
  }
}

interface Candidate {
  flow: AggregatedFlow;
  documentKey: string;
  version: string;
  modifiedAt: number;
  canonical: CanonicalJson;
  /** Its group slices, or null when it cannot be grouped (`invalid` says why). */
  slices: MemberSlice[] | null;
  invalid: ValidationError | null;
}

/** What one Kafka batch writes, collected so that each kind is one round trip. */
interface AdmissionPlan {
  members: MemberRecord[];
  retired: RetiredMemberRecord[];
  ignored: IgnoredVersionRecord[];
  parks: Candidate[];
  supersede: Candidate[];
  /** Earlier revisions without recorded groups (written before chains): their slices are read to retire them. */
  lookups: { flow: string; documentKey: string; byRevision: number }[];
  /** Whether the ledger read of this batch knows a parked entry of the document (one parked before chains too). */
  parkedKnown: (documentKey: string, flow: string) => boolean;
}

type VersionDecision =
  | { kind: 'claim'; revision: number; frozenBy?: string }
  | { kind: 'complete'; upTo: number }
  | { kind: 'redelivered' }
  | { kind: 'ignore'; reason: 'after_freeze' | 'older'; held: string };

function revisionRecord(candidate: Candidate, revision: number, at: Date): DocumentRevisionRecord {
  const flow = candidate.flow.documentType;
  return {
    _id: revisionId(flow, candidate.documentKey, revision),
    flow,
    documentKey: candidate.documentKey,
    ...(revision > 1 ? { revision } : {}),
    ...(candidate.slices ? {} : { kind: 'parked' as const }),
    version: candidate.version,
    sourceModifiedAt: candidate.modifiedAt,
    ...(candidate.slices ? { keyHashes: candidate.slices.map((slice) => slice.keyHash).join(',') } : {}),
    at,
  };
}

function groupByFlow(candidates: Candidate[]): Map<string, Candidate[]> {
  const groups = new Map<string, Candidate[]>();
  for (const candidate of candidates) groups.set(candidate.flow.documentType, [...(groups.get(candidate.flow.documentType) ?? []), candidate]);
  return groups;
}

/** The ledger bill number of a document parked because it cannot be grouped. */
function parkedBillNo(documentKey: string): string {
  return `AGG-INVALID:${documentKey}`;
}
