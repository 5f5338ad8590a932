/**
 * How ledger revisions and target calls are stored (MongoDB documents): which entry fields stay fields (the ones
 * queries use) and which are packed into one deflated JSON text. The Ledger (ledger.ts) reads and writes only through
 * these functions.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary } from 'mongodb';
import type { CanonicalJson } from '../canonical';
import type { LedgerEntry, LedgerStep, TargetCallRecord, TargetId } from './model';

/** Entry fields stored as top-level fields of a revision: the ones queries filter or sort on. */
export type QueriedFields = 'state' | 'formId' | 'documentType' | 'problem' | 'updatedAt' | 'revision';

/** Entry fields and the revision's steps, stored together as JSON text (see StoredRevision). */
export type RevisionBody = Omit<LedgerEntry, '_id' | 'canonical' | 'canonicalRevision' | QueriedFields> & {
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
export interface StoredRevision extends Pick<LedgerEntry, QueriedFields> {
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
export interface CalledBill {
  request?: unknown;
  outcome: string;
  fid?: TargetId | null | undefined;
  msgCode?: number | undefined;
  messages?: string[] | undefined;
}

/**
 * One target call (Kingdee: BatchSave, Submit, …) for the bills it carried: stored once, not once per bill, its requests and
 * answers as deflated JSON text (decimals stay exact strings). Call records are most of the ledger's bytes — a
 * BatchSave of 100 bills is ~100 KB of Save models that compress ~25× (they repeat field names and base data) —
 * and FerretDB's cost per insert grows with the bytes (≈ 45 µs per KB); on MongoDB it is 25× less storage.
 */
export interface StoredCall {
  at: Date;
  operation: string;
  ledgerIds: string[];
  /** The request when every bill shares it (Submit/Audit by numbers); otherwise in each bill. */
  request?: Binary;
  /** CalledBill[] in `ledgerIds` order. */
  bills: Binary;
}

export function storedCall(records: TargetCallRecord[]): StoredCall {
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
export function deflateText(text: string): Binary {
  return new Binary(deflateRawSync(text, { level: 1 }));
}

export function inflateText(stored: Binary): string {
  return inflateRawSync(stored.buffer).toString('utf8');
}

export function deflateJson(value: unknown): Binary {
  return deflateText(JSON.stringify(value));
}

export function inflateJson<T>(stored: Binary): T {
  return JSON.parse(inflateText(stored)) as T;
}

export function toEntry(revision: StoredRevision, canonical: CanonicalJson): LedgerEntry {
  const { step: _step, earlier: _earlier, ...rest } = contentOf(revision).body;
  const { ledgerId, state, formId, documentType, problem, updatedAt, revision: number } = revision;
  return { ...rest, state, formId, documentType, problem, updatedAt, revision: number, _id: ledgerId, canonical };
}

/** A stored revision's body and, in the revision that carries it, the canonical event's JSON text. */
export interface RevisionContent {
  body: RevisionBody;
  canonicalText: string | undefined;
}

/** Decoded once per read revision: the hydration of one entry asks several times. */
const decodedRevisions = new WeakMap<StoredRevision, RevisionContent>();

export function contentOf(revision: StoredRevision): RevisionContent {
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
export function canonicalTextOf(revision: StoredRevision): string | undefined {
  if (revision.canonicalJson !== undefined) return revision.canonicalJson;
  return revision.packed ? contentOf(revision).canonicalText : undefined;
}

/** A revision's body with its dates as Dates again (JSON text holds them as ISO strings). */
export function parseBody(body: string): RevisionBody {
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
export function withCanonicalText(latest: Map<string, StoredRevision>, read: StoredRevision[]): Map<string, StoredRevision> {
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
export function latestOf(revisions: StoredRevision[]): Map<string, StoredRevision> {
  const latest = new Map<string, StoredRevision>();
  for (const revision of revisions) {
    const known = latest.get(revision.ledgerId);
    if (!known || known.revision < revision.revision) latest.set(revision.ledgerId, revision);
  }
  return latest;
}
