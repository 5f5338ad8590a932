/**
 * The contract between the posting engine and one target system (Kingdee, YonSuite, an OMS, the in-memory test
 * target). The engine owns everything exactly-once needs — ledger claim before any write, in-doubt resolution,
 * version order, exception levels, retries, pause — and asks the adapter only what depends on the target: what a
 * canonical event becomes there (documents with their idempotency key), what the target holds for a set of keys, and
 * how to write documents and drive them to the flow's wanted stage. docs/adding-a-target.md walks through one.
 */
import type { CanonicalJson } from '../canonical';
import type { KitFlow } from '../config';
import type { BillStage, DownstreamDocument, LedgerEntry, LedgerProblem, LedgerStep, LedgerUpdate, TargetCallRecord, TargetId } from '../ledger/model';

export type PostOrigin = 'kafka' | 'scheduler' | 'repush';

export interface PostRequest {
  /** The flow (canonical document type) the event belongs to. */
  documentType: string;
  /** The canonical event as plain JSON (decimals as strings). */
  canonical: CanonicalJson;
  origin: PostOrigin;
  actor?: string | undefined;
}

/** One document to write on the target for a canonical event. */
export interface TargetDraft {
  /** The target's document kind (Kingdee form id): a ledger key part and a metrics label. */
  formId: string;
  /** The idempotency key the target keeps unique (Kingdee FBillNo): looked up to resolve a write in doubt. */
  billNo: string;
  /** The target's write payload (Kingdee: the Save model). */
  model: Record<string, unknown>;
}

/** What the target holds for one key. */
export interface TargetState {
  fid: TargetId;
  stage: BillStage;
  /** Master data: use orgs holding an allocated copy (besides the create org). */
  allocatedOrgs?: string[] | undefined;
  /** The document the target derived from this one (下推), when there is one. */
  downstream?: DownstreamDocument | undefined;
}

/**
 * What a chunk does with one document: `save` a new one, `update` the one on the target (same id), `reverse-update`
 * reverse an audited one first; `none` = only drive it to its wanted stage (e.g. found SAVED, wanted AUDITED).
 */
export type WritePlan = 'none' | 'save' | 'update' | 'reverse-update';

/** One document of a chunk as the adapter sees it. */
export interface WorkItem<F extends KitFlow = KitFlow> {
  readonly request: PostRequest;
  readonly flow: F;
  readonly draft: TargetDraft;
  /** Ledger id: `<account>|<formId>|<billNo>`. */
  readonly id: string;
  /** Source version (contentHash) this chunk writes. */
  readonly version: string;
  /** The entry as this chunk sees it (written revision + the steps noted so far). Change it through the context. */
  readonly entry: LedgerEntry;
  /** Set by the adapter: the next thing to do with the document (see WritePlan). */
  plan: WritePlan;
  /** True once the document has its outcome (posted or a problem); the adapter skips done items. */
  readonly done: boolean;
}

/** What the adapter may do to a chunk's items; every change is written with the chunk's outcomes. */
export interface WriteContext {
  /** Applies an entry change and notes the step (e.g. `saved`, `allocated`, `write_in_doubt` with state IN_DOUBT). */
  setEntry(item: WorkItem, update: LedgerUpdate, event: string, detail?: string): void;
  /**
   * Changes the chunk's view of the entry without a step of its own: written with the item's next step (e.g. a
   * stage reached by Submit, which after a crash is re-read from the target anyway).
   */
  assume(item: WorkItem, update: LedgerUpdate): void;
  /** Records a problem: level 1 parks, level 2 goes to the retry ladder (`ladder: false`: a person decides now). */
  fail(item: WorkItem, problem: LedgerProblem, ladder?: boolean): void;
  /** Notes one target call for the items it carried (one record per item, stored as one call). */
  recordCall(records: TargetCallRecord[]): void;
  /** Runs `after` once the item's pending steps are written (metrics count what the ledger holds). */
  afterWrite(item: WorkItem, after: () => void): void;
  /** The ledger step list of an item (read-only: what was noted so far in this chunk). */
  steps(item: WorkItem): readonly LedgerStep[];
}

/** Level 3: the target is unreachable, overloaded or answering nonsense. The engine pauses and probes. */
export class TargetUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TargetUnavailableError';
  }
}

export interface TargetAdapter<F extends KitFlow = KitFlow> {
  /** Short name for logs, metrics and messages: 'kingdee', 'yonsuite', 'memory'. */
  readonly name: string;
  /** How a person calls the target, in messages they act on: '金蝶 Kingdee', '用友 YonSuite'. */
  readonly label: string;
  /** The target account (Kingdee 账套 acctId): the first part of every ledger id. */
  readonly account: string;
  /** Target document kinds a flow writes to (the first is used for metrics of undecodable events and summaries). */
  formsOf(documentType: string): string[];
  /** The documents a canonical event becomes. Throws ValidationError (naming the field) when it is unusable: parked. */
  draftsOf(documentType: string, canonical: CanonicalJson, flow: F): TargetDraft[];
  /** Looks the items' keys up on the target. Absent from the map = not on the target. */
  lookup(items: WorkItem<F>[]): Promise<Map<string, TargetState>>;
  /**
   * Writes the items (by their plans) and drives them to the flow's wanted stage, noting every step and outcome
   * through `context`. A write that was sent without a usable answer marks the item IN_DOUBT (setEntry) before the
   * adapter throws. Throws an error `isUnavailable` recognises for level 3.
   */
  write(items: WorkItem<F>[], context: WriteContext): Promise<void>;
  /** The stage a flow's documents must reach to be POSTED (Kingdee: AUDITED when the flow audits). */
  wantedStage(flow: F): BillStage;
  /** Whether an item at its wanted stage is complete (Kingdee master data: allocated to every use org). Default yes. */
  isComplete?(item: WorkItem<F>): boolean;
  /** Level 3: the target cannot be written now (pause and probe). */
  isUnavailable(error: unknown): boolean;
  /** One cheap call that succeeds when the target answers again. */
  probe(): Promise<void>;
}
