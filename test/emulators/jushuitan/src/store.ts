import { formatBeijingTime } from '@yecai/common';
import { JST_DOCUMENT_TYPES, JST_ENDPOINTS, type JstDocumentType } from './endpoints';
import { documentId, generateDocument, indexOfDocumentId, initialStatus, prng } from './generator';

/** One document's current state; the payload is regenerated from (seed, type, index) plus these. */
interface StoredDocument {
  type: JstDocumentType;
  index: number;
  id: number;
  modifiedMs: number;
  ts: number;
  status: string;
  overrides: Record<string, unknown>;
}

export interface DocumentVersionRef {
  id: number;
  modified: string;
  modifiedMs: number;
  ts: number;
  status: string;
}

export interface SeedDocumentsOptions {
  /** Documents per type to create at start. */
  perType: Partial<Record<JstDocumentType, number>>;
  /** Modified times spread over [fromMs, toMs]. */
  fromMs: number;
  toMs: number;
  /**
   * Probability that a document shares the previous one's modified second (batch operations such as 波次发货).
   * Default 0.3; with 1 every document of a type shares one second.
   */
  sameSecondRatio?: number;
}

const FIRST_TS = 100_000_000_000; // rowversion values look like this in real responses

/**
 * In-memory documents of one JST company. `ts` is one monotonically increasing rowversion per company,
 * bumped on every change; `modified` has one-second resolution, as in the real API.
 */
export class JstDocumentStore {
  private readonly documents = new Map<JstDocumentType, StoredDocument[]>();
  private readonly byModified = new Map<JstDocumentType, StoredDocument[]>();
  private readonly byTs = new Map<JstDocumentType, StoredDocument[]>();
  private readonly dirty = new Set<JstDocumentType>();
  private nextTs = FIRST_TS;

  constructor(readonly seed: number) {
    for (const type of JST_DOCUMENT_TYPES) this.documents.set(type, []);
  }

  /** Adds generated documents with modified times spread over a range (deterministic for a seed). */
  seedDocuments(options: SeedDocumentsOptions): void {
    const ratio = options.sameSecondRatio ?? 0.3;
    const all: StoredDocument[] = [];
    for (const type of JST_DOCUMENT_TYPES) {
      const count = options.perType[type] ?? 0;
      if (count <= 0) continue;
      const random = prng(this.seed ^ (count * 7919) ^ type.length);
      const span = Math.max(0, Math.floor((options.toMs - options.fromMs) / 1000));
      // Increasing seconds with ties: walk gaps, then scale into the range.
      const raw: number[] = [];
      let position = 0;
      for (let i = 0; i < count; i++) {
        if (i > 0 && random() >= ratio) position += 1 + random() * 4;
        raw.push(position);
      }
      const scale = position > 0 ? span / position : 0;
      const list = this.documents.get(type)!;
      const firstIndex = list.length;
      for (let i = 0; i < count; i++) {
        const index = firstIndex + i;
        all.push({
          type,
          index,
          id: documentId(type, index),
          modifiedMs: truncateToSecond(options.fromMs) + Math.floor(raw[i]! * scale) * 1000,
          ts: 0,
          status: initialStatus(this.seed, type, index),
          overrides: {},
        });
      }
    }
    // rowversion follows modification order across all types of the company.
    all.sort((a, b) => a.modifiedMs - b.modifiedMs || a.id - b.id);
    for (const document of all) {
      document.ts = this.nextTs++;
      this.documents.get(document.type)!.push(document);
      this.dirty.add(document.type);
    }
  }

  /** Adds `count` new documents all modified at `modifiedMs` (second resolution). */
  addDocuments(type: JstDocumentType, count: number, modifiedMs: number, status?: string): DocumentVersionRef[] {
    const list = this.documents.get(type)!;
    const added: DocumentVersionRef[] = [];
    for (let i = 0; i < count; i++) {
      const index = list.length;
      const document: StoredDocument = {
        type,
        index,
        id: documentId(type, index),
        modifiedMs: truncateToSecond(modifiedMs),
        ts: this.nextTs++,
        status: status ?? initialStatus(this.seed, type, index),
        overrides: {},
      };
      list.push(document);
      added.push(toRef(document));
    }
    this.dirty.add(type);
    return added;
  }

  /**
   * A later change to an existing document: modified moves to `modifiedMs`, ts is bumped, and the given
   * fields (e.g. status, remark) are overridden — the late update that lands after a window was scanned.
   */
  modifyDocument(
    type: JstDocumentType,
    id: number,
    modifiedMs: number,
    changes: Record<string, unknown> = {},
  ): DocumentVersionRef {
    const document = this.get(type, id);
    if (!document) throw new Error(`no ${type} document with id ${id}`);
    const { status, ...fields } = changes;
    if (typeof status === 'string') document.status = status;
    document.overrides = { ...document.overrides, ...fields };
    document.modifiedMs = truncateToSecond(modifiedMs);
    document.ts = this.nextTs++;
    this.dirty.add(type);
    return toRef(document);
  }

  get(type: JstDocumentType, id: number): StoredDocument | undefined {
    const document = this.documents.get(type)!.at(indexOfDocumentId(type, id));
    return document?.id === id ? document : undefined;
  }

  count(type: JstDocumentType): number {
    return this.documents.get(type)!.length;
  }

  /** Every document's current version (ground truth for tests). */
  versions(type: JstDocumentType): DocumentVersionRef[] {
    return this.documents.get(type)!.map(toRef);
  }

  /** Documents with fromMs ≤ modified ≤ toMs (both ends inclusive, like the API), ordered by (modified, ts). */
  queryByModified(
    type: JstDocumentType,
    fromMs: number,
    toMs: number,
    accept: (d: StoredDocument) => boolean,
  ): StoredDocument[] {
    const sorted = this.sorted(type).byModified;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (sorted[mid]!.modifiedMs < fromMs) low = mid + 1;
      else high = mid;
    }
    const result: StoredDocument[] = [];
    for (let i = low; i < sorted.length && sorted[i]!.modifiedMs <= toMs; i++) {
      if (accept(sorted[i]!)) result.push(sorted[i]!);
    }
    return result;
  }

  /** Documents with ts ≥ startTs, ascending by ts (the `start_ts` cursor mode). */
  queryByTs(
    type: JstDocumentType,
    startTs: number,
    accept: (d: StoredDocument) => boolean,
    limit: number,
  ): StoredDocument[] {
    const sorted = this.sorted(type).byTs;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (sorted[mid]!.ts < startTs) low = mid + 1;
      else high = mid;
    }
    const result: StoredDocument[] = [];
    for (let i = low; i < sorted.length && result.length < limit; i++) {
      if (accept(sorted[i]!)) result.push(sorted[i]!);
    }
    return result;
  }

  render(document: StoredDocument): Record<string, unknown> {
    return generateDocument(this.seed, document.type, document.index, {
      modifiedMs: document.modifiedMs,
      ts: JST_ENDPOINTS[document.type].supportsStartTs ? document.ts : undefined,
      status: document.status,
      overrides: document.overrides,
    });
  }

  private sorted(type: JstDocumentType): { byModified: StoredDocument[]; byTs: StoredDocument[] } {
    if (this.dirty.has(type) || !this.byModified.has(type)) {
      const list = this.documents.get(type)!;
      this.byModified.set(
        type,
        [...list].sort((a, b) => a.modifiedMs - b.modifiedMs || a.ts - b.ts),
      );
      this.byTs.set(
        type,
        [...list].sort((a, b) => a.ts - b.ts),
      );
      this.dirty.delete(type);
    }
    return { byModified: this.byModified.get(type)!, byTs: this.byTs.get(type)! };
  }
}

export type { StoredDocument };

function truncateToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function toRef(document: StoredDocument): DocumentVersionRef {
  return {
    id: document.id,
    modified: formatBeijingTime(document.modifiedMs),
    modifiedMs: document.modifiedMs,
    ts: document.ts,
    status: document.status,
  };
}
