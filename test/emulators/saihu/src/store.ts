/**
 * The emulator's documents: generated from a seed (the ground truth tests compare the raw topics with), late
 * updates, soft deletes (`isDel`) and same-second bursts added on demand. A document is (type, index, modified,
 * isDel, overrides); its record is rendered when asked, so 100,000+ documents cost little memory.
 */
import { mixSeed, seededRandom, spreadModifiedTimes, truncateToSecond } from '@yecai/emulator-kit';
import { SAIHU_DOCUMENT_TYPES, endpointOf, type SaihuDocumentType } from './endpoints';
import { documentId, renderRecord, type RenderOptions } from './generator';

export interface VersionRef {
  id: string;
  modifiedMs: number;
  isDel: boolean;
}

export interface SeedOptions {
  /** Documents per type. */
  perType: Partial<Record<string, number>>;
  fromMs: number;
  toMs: number;
  /** Share of documents modified in the same second as the one before (ties across pages); 0.3 by default. */
  sameSecondRatio?: number;
}

interface StoredDocument {
  index: number;
  id: string;
  modifiedMs: number;
  isDel: boolean;
  overrides: Record<string, unknown>;
}

export function isSaihuDocumentType(type: string): type is SaihuDocumentType {
  return (SAIHU_DOCUMENT_TYPES as readonly string[]).includes(type);
}

export class SaihuStore {
  private readonly documents = new Map<SaihuDocumentType, Map<string, StoredDocument>>();
  private readonly nextIndex = new Map<SaihuDocumentType, number>();

  constructor(readonly seed: number) {
    for (const type of SAIHU_DOCUMENT_TYPES) this.documents.set(type, new Map());
  }

  private of(type: string): Map<string, StoredDocument> {
    if (!isSaihuDocumentType(type))
      throw new Error(`unknown document type "${type}" (known: ${SAIHU_DOCUMENT_TYPES.join(', ')})`);
    return this.documents.get(type)!;
  }

  /** Increasing whole-second modified times over the range, per type, the same for a seed. */
  seedDocuments(options: SeedOptions): void {
    for (const [type, count] of Object.entries(options.perType)) {
      if (!count) continue;
      const random = seededRandom(mixSeed(this.seed, SAIHU_DOCUMENT_TYPES.indexOf(type as SaihuDocumentType), count));
      for (const modifiedMs of spreadModifiedTimes(random, count, options)) this.add(type, modifiedMs);
    }
  }

  add(type: string, modifiedMs: number): VersionRef {
    const documents = this.of(type);
    const typed = type as SaihuDocumentType;
    const index = this.nextIndex.get(typed) ?? 0;
    this.nextIndex.set(typed, index + 1);
    const document = {
      index,
      id: documentId(typed, index),
      modifiedMs: truncateToSecond(modifiedMs),
      isDel: false,
      overrides: {},
    };
    documents.set(document.id, document);
    this.touchSettlement(type, document);
    return refOf(document);
  }

  /** `count` documents modified in the same second. */
  addDocuments(type: string, count: number, atMs: number): VersionRef[] {
    return Array.from({ length: count }, () => this.add(type, atMs));
  }

  /** A late update: a new version with a later modified time and changed fields (a late settlement row, a status). */
  modifyDocument(type: string, id: string, modifiedMs: number, changes: Record<string, unknown> = {}): VersionRef {
    const current = this.get(type, id);
    Object.assign(current.overrides, changes);
    current.modifiedMs = truncateToSecond(modifiedMs);
    this.touchSettlement(type, current);
    return refOf(current);
  }

  /** A soft delete (settlement detail): the row stays, `isDel` becomes "1" and its update time moves to `atMs`. */
  softDelete(type: string, id: string, atMs: number): VersionRef {
    const current = this.get(type, id);
    current.isDel = true;
    current.modifiedMs = truncateToSecond(atMs);
    this.touchSettlement(type, current);
    return refOf(current);
  }

  /**
   * A settlement detail row changed (late row, soft delete): its settlement summary's update time moves with it, so
   * the summary is read again and the settlement document gets a new version (assumed 赛狐 behaviour, docs/saihu.md).
   */
  private touchSettlement(type: string, detail: StoredDocument): void {
    if (type !== 'settlement_detail') return;
    const settlementId = String(this.render('settlement_detail', detail, {}).settlementId);
    const summary = this.of('settlement_summary').get(settlementId);
    if (summary && summary.modifiedMs < detail.modifiedMs) summary.modifiedMs = detail.modifiedMs;
  }

  private get(type: string, id: string): StoredDocument {
    const current = this.of(type).get(id);
    if (!current) throw new Error(`${type} ${id} does not exist`);
    return current;
  }

  /**
   * Records with fromMs ≤ update time ≤ toMs (every record when the range is null), in a stable order (update
   * time, id); soft-deleted rows only when `withDeleted` (the API's `queryDel`).
   */
  query(
    type: SaihuDocumentType,
    range: { fromMs: number; toMs: number } | null,
    options: RenderOptions & { withDeleted?: boolean; settlementId?: string } = {},
  ): Record<string, unknown>[] {
    return [...this.of(type).values()]
      .filter(
        (d) =>
          (!range || (d.modifiedMs >= range.fromMs && d.modifiedMs <= range.toMs)) && (options.withDeleted || !d.isDel),
      )
      .sort((a, b) => a.modifiedMs - b.modifiedMs || a.index - b.index)
      .map((d) => this.render(type, d, options))
      .filter((record) => options.settlementId === undefined || String(record.settlementId) === options.settlementId);
  }

  private render(type: SaihuDocumentType, document: StoredDocument, options: RenderOptions): Record<string, unknown> {
    const record = renderRecord(this.seed, type, document.index, document.modifiedMs, {
      ...options,
      isDel: document.isDel,
    });
    return {
      ...record,
      ...document.overrides,
      [endpointOf(type).modifiedField]: record[endpointOf(type).modifiedField],
    };
  }

  /** The current version of every document: what the raw topics must hold (each exactly once). */
  versions(type: string): VersionRef[] {
    return [...this.of(type).values()].map(refOf);
  }
}

const refOf = (d: StoredDocument): VersionRef => ({ id: d.id, modifiedMs: d.modifiedMs, isDel: d.isDel });
