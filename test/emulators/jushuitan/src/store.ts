import { JST_DOCUMENT_TYPES, JST_ENDPOINTS, type JstDocumentType } from './endpoints';
import { formatBeijingTime as formatTime, parseBeijingTime } from '@yecai/common';
import { spreadModifiedTimes, truncateToSecond } from '@yecai/emulator-kit';
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
  /** A document inserted as given (`insertExact`): served unchanged until it is modified. */
  exact?: Record<string, unknown>;
  /** Whether `modifyDocument` changed it since it was inserted. */
  modifiedSinceInsert?: boolean;
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
  /** Inserted documents by type and id (their ids are the source's own, outside the generated ranges). */
  private readonly inserted = new Map<JstDocumentType, Map<number, StoredDocument>>();
  private nextTs = FIRST_TS;

  constructor(readonly seed: number) {
    for (const type of JST_DOCUMENT_TYPES) {
      this.documents.set(type, []);
      this.inserted.set(type, new Map());
    }
  }

  /**
   * Inserts one document exactly as given (a real project's sample, replayed): every field is the caller's and
   * the query endpoints serve it unchanged. Throws naming the first missing or malformed required field.
   * A `ts` in the document is its rowversion (later generated changes get larger ones); without one the document
   * still takes its place in the `start_ts` order, but no `ts` is added to what is served.
   */
  insertExact(type: JstDocumentType, document: Record<string, unknown>): DocumentVersionRef {
    const { id, modifiedMs } = this.checkExact(type, document);
    const givenTs = document.ts;
    const ts = typeof givenTs === 'number' ? givenTs : this.nextTs++;
    this.nextTs = Math.max(this.nextTs, ts + 1);
    const stored: StoredDocument = {
      type,
      index: -1,
      id,
      modifiedMs,
      ts,
      status: String(document.status),
      overrides: {},
      exact: structuredClone(document),
    };
    this.inserted.get(type)!.set(id, stored);
    this.dirty.add(type);
    return toRef(stored);
  }

  /** Adds generated documents with modified times spread over a range (deterministic for a seed). */
  seedDocuments(options: SeedDocumentsOptions): void {
    const all: StoredDocument[] = [];
    for (const type of JST_DOCUMENT_TYPES) {
      const count = options.perType[type] ?? 0;
      if (count <= 0) continue;
      const random = prng(this.seed ^ (count * 7919) ^ type.length);
      const modifiedTimes = spreadModifiedTimes(random, count, options);
      const list = this.documents.get(type)!;
      const firstIndex = list.length;
      for (let i = 0; i < count; i++) {
        const index = firstIndex + i;
        all.push({
          type,
          index,
          id: documentId(type, index),
          modifiedMs: modifiedTimes[i]!,
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

  /** Inserts several documents exactly; all are checked first, so a refused one leaves the store unchanged. */
  insertExactAll(type: JstDocumentType, documents: Record<string, unknown>[]): DocumentVersionRef[] {
    const ids = new Set<number>();
    for (const document of documents) {
      this.checkExact(type, document);
      const id = Number(document[JST_ENDPOINTS[type].idField]);
      if (ids.has(id)) throw new ExactDocumentError(type, JST_ENDPOINTS[type].idField, `${id} 重复 / ${id} given twice`);
      ids.add(id);
    }
    return documents.map((document) => this.insertExact(type, document));
  }

  /** The required fields of the type, a positive integer id not yet used, a `modified` time, integer `ts`. */
  private checkExact(type: JstDocumentType, document: Record<string, unknown>): { id: number; modifiedMs: number } {
    const endpoint = JST_ENDPOINTS[type];
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new ExactDocumentError(type, '(document)', '必须是 JSON 对象 / must be a JSON object');
    }
    for (const field of endpoint.requiredFields) {
      const value = document[field];
      if (value === undefined || value === null || value === '') {
        throw new ExactDocumentError(type, field, '缺少必填字段 / required field is missing');
      }
    }
    if (!Array.isArray(document.items)) throw new ExactDocumentError(type, 'items', '必须是数组 / must be an array');
    const id = Number(document[endpoint.idField]);
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new ExactDocumentError(type, endpoint.idField, '必须是正整数 / must be a positive integer');
    }
    let modifiedMs: number;
    try {
      modifiedMs = parseBeijingTime(document.modified, 'modified');
    } catch {
      throw new ExactDocumentError(type, 'modified', '格式应为 yyyy-MM-dd HH:mm:ss / must be yyyy-MM-dd HH:mm:ss');
    }
    if (this.get(type, id)) {
      throw new ExactDocumentError(type, endpoint.idField, `${id} 已存在 / ${id} already exists`);
    }
    if (document.ts !== undefined && !Number.isSafeInteger(document.ts)) {
      throw new ExactDocumentError(type, 'ts', '必须是整数 / must be an integer');
    }
    return { id, modifiedMs };
  }

  /** Adds `count` new documents all modified at `modifiedMs` (second resolution). */
  addDocuments(type: JstDocumentType, count: number, modifiedMs: number, status?: string): DocumentVersionRef[] {
    const list = this.documents.get(type)!;
    const added: DocumentVersionRef[] = [];
    for (let i = 0; i < count; i++) {
      const index = list.length;
      if (this.inserted.get(type)!.has(documentId(type, index))) {
        throw new Error(`${type} ${documentId(type, index)} was inserted exactly; a generated document cannot take its id`);
      }
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
    document.modifiedSinceInsert = true;
    document.overrides = { ...document.overrides, ...fields };
    document.modifiedMs = truncateToSecond(modifiedMs);
    document.ts = this.nextTs++;
    this.dirty.add(type);
    return toRef(document);
  }

  get(type: JstDocumentType, id: number): StoredDocument | undefined {
    const inserted = this.inserted.get(type)!.get(id);
    if (inserted) return inserted;
    const document = this.documents.get(type)!.at(indexOfDocumentId(type, id));
    return document?.id === id ? document : undefined;
  }

  count(type: JstDocumentType): number {
    return this.documents.get(type)!.length + this.inserted.get(type)!.size;
  }

  /** Every document's current version (ground truth for tests). */
  versions(type: JstDocumentType): DocumentVersionRef[] {
    return this.all(type).map(toRef);
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
    if (document.exact) {
      if (!document.modifiedSinceInsert) return document.exact;
      return {
        ...document.exact,
        modified: formatTime(document.modifiedMs),
        status: document.status,
        ...('ts' in document.exact ? { ts: document.ts } : {}),
        ...document.overrides,
      };
    }
    const claim = document.type === 'aftersale_received' ? this.get('aftersale', documentId('aftersale', document.index)) : undefined;
    return generateDocument(this.seed, document.type, document.index, {
      modifiedMs: document.modifiedMs,
      ts: JST_ENDPOINTS[document.type].supportsStartTs ? document.ts : undefined,
      status: document.status,
      overrides: document.overrides,
      ...(claim && !claim.exact ? { claimModifiedMs: claim.modifiedMs } : {}),
    });
  }

  /** Generated and inserted documents of a type. */
  private all(type: JstDocumentType): StoredDocument[] {
    return [...this.documents.get(type)!, ...this.inserted.get(type)!.values()];
  }

  private sorted(type: JstDocumentType): { byModified: StoredDocument[]; byTs: StoredDocument[] } {
    if (this.dirty.has(type) || !this.byModified.has(type)) {
      const list = this.all(type);
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

/** An inserted document lacks a required field or has a malformed one; the message names the field. */
export class ExactDocumentError extends Error {
  constructor(
    readonly documentType: JstDocumentType,
    readonly field: string,
    problem: string,
  ) {
    super(`${documentType}.${field}: ${problem}`);
    this.name = 'ExactDocumentError';
  }
}

function toRef(document: StoredDocument): DocumentVersionRef {
  return {
    id: document.id,
    modified: formatTime(document.modifiedMs),
    modifiedMs: document.modifiedMs,
    ts: document.ts,
    status: document.status,
  };
}
