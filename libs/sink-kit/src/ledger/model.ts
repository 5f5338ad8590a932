/**
 * The ledger's model: one entry per target document (target account + form/kind + idempotency key — for Kingdee
 * 账套 + form + FBillNo), its states and history. Stored by ledger.ts (append-only revisions, codec.ts).
 */
import type { CanonicalJson } from '../canonical';

/**
 * PENDING   claimed; a target write may be under way (after a crash: resolve by looking the key up on the target);
 * IN_DOUBT  a write was sent and no answer came back: resolve by query before anything else;
 * POSTED    every configured step done (Kingdee: Save, Submit, Audit); `fid` is the target's id of the document;
 * PARKED    level 1: the target (or the converter) rejected the data; a person fixes it and re-pushes;
 * REJECTED  level 2: a business rule refused it (库存不足, closed period); retried on a ladder, or by a person;
 * SKIPPED   a person decided not to post it (who and why recorded);
 * AGGREGATED the document is carried by aggregated (汇总) posting instead: it was parked as AGGREGATION_KEY_INVALID
 *           and a later, valid version joined a group (the step names it). No person decided anything.
 */
/** The target's id of a written document. */
export type TargetId = number | string;

export const LEDGER_STATES = ['PENDING', 'IN_DOUBT', 'POSTED', 'PARKED', 'REJECTED', 'SKIPPED', 'AGGREGATED'] as const;
export type LedgerState = (typeof LEDGER_STATES)[number];

/**
 * How far the document got on the target (independent of state: a REJECTED bill may be saved but not audited).
 * Targets without a review workflow use NONE and SAVED only.
 */
export const BILL_STAGES = ['NONE', 'SAVED', 'SUBMITTED', 'AUDITED'] as const;
export type BillStage = (typeof BILL_STAGES)[number];

/** Whether a document at `stage` has got at least as far as `wanted`. */
export function stageReached(stage: BillStage, wanted: BillStage): boolean {
  return BILL_STAGES.indexOf(stage) >= BILL_STAGES.indexOf(wanted);
}

export interface LedgerProblem {
  level: 1 | 2 | 3;
  code: string;
  /** The target's own message (Chinese) or ours, for the person who acts on it. */
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

/** A document the target derived from this one and linked to it (Kingdee 下推: the 应收单 pushed from a 销售出库单). */
export interface DownstreamDocument {
  formId: string;
  fid: TargetId;
  billNo: string;
  stage: BillStage;
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
  /** The target's id of the document (Kingdee FID; big ids of other targets as decimal strings). */
  fid: TargetId | null;
  /** Version (source contentHash) the ledger is working on / has posted. */
  version: string;
  sourceModifiedAt: number;
  /** Version that is on the target now (null until saved). */
  postedVersion: string | null;
  /** Master data: use orgs (numbers) the record has been allocated to (分配), besides its create org. */
  allocatedOrgs?: string[] | undefined;
  /** The document the target derived from this one (下推), once it exists. */
  downstream?: DownstreamDocument | undefined;
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

/** One target request and its answer for one document (the document history's middle part). */
export interface TargetCallRecord {
  ledgerId: string;
  at: Date;
  operation: string;
  request: unknown;
  outcome: string;
  fid?: TargetId | null | undefined;
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
