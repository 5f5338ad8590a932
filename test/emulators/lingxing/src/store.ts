/**
 * The emulator's documents: generated from a seed (the ground truth tests compare the raw topics with), late
 * updates (status changes, refunds after shipment), same-second bursts and late settlement rows added on demand.
 */
import { mixSeed, seededRandom, spreadModifiedTimes, truncateToSecond } from '@yecai/emulator-kit';
import { LINGXING_DOCUMENT_TYPES, newDocument, type LingxingDocumentType, type StoredDocument } from './generator';

export interface VersionRef {
  id: string;
  modifiedMs: number;
  status: string | number;
}

export interface SeedOptions {
  /** Documents per type. */
  perType: Partial<Record<string, number>>;
  fromMs: number;
  toMs: number;
  /** Share of documents modified in the same second as the one before (ties across pages); 0.3 by default. */
  sameSecondRatio?: number;
}

/** Which time a query filters on: the last change (what a connector must ask for) or the creation. */
export type TimeBasis = 'modified' | 'created';

export function documentType(type: string): LingxingDocumentType {
  const found = LINGXING_DOCUMENT_TYPES.find((known) => known === type);
  if (!found) throw new Error(`unknown document type "${type}" (known: ${LINGXING_DOCUMENT_TYPES.join(', ')})`);
  return found;
}

export class LingxingStore {
  private readonly documents = new Map<LingxingDocumentType, Map<string, StoredDocument>>();
  private readonly nextIndex = new Map<LingxingDocumentType, number>();

  constructor(readonly seed: number) {
    for (const type of LINGXING_DOCUMENT_TYPES) this.documents.set(type, new Map());
  }

  private of(type: string): Map<string, StoredDocument> {
    return this.documents.get(documentType(type))!;
  }

  /** Increasing whole-second modified times over the range, per type, the same for a seed. */
  seedDocuments(options: SeedOptions): void {
    for (const [type, count] of Object.entries(options.perType)) {
      if (!count) continue;
      const random = seededRandom(mixSeed(this.seed, LINGXING_DOCUMENT_TYPES.indexOf(documentType(type)), count));
      for (const modifiedMs of spreadModifiedTimes(random, count, options)) this.add(type, modifiedMs);
    }
  }

  add(type: string, modifiedMs: number): StoredDocument {
    const known = documentType(type);
    const index = this.nextIndex.get(known) ?? 0;
    this.nextIndex.set(known, index + 1);
    const document = newDocument(this.seed, known, index, truncateToSecond(modifiedMs));
    this.of(known).set(document.id, document);
    return document;
  }

  /** `count` documents modified in the same second. */
  addDocuments(type: string, count: number, atMs: number): VersionRef[] {
    return Array.from({ length: count }, () => refOf(this.add(type, atMs)));
  }

  /**
   * Settlement rows that arrive late: settled (`postedDateLocale`) `postedDaysBefore` days before they appear,
   * with `gmtModified` at `atMs` — a connector reading by posting date would never see them.
   */
  addLateSettlementRows(count: number, atMs: number, postedDaysBefore: number): VersionRef[] {
    return Array.from({ length: count }, () => {
      const row = this.add('fee_settlement', atMs);
      row.postedMs = row.modifiedMs - postedDaysBefore * 86_400_000;
      row.createdMs = row.postedMs;
      return refOf(row);
    });
  }

  /** A late update: a new version with a later modified time and a changed status and/or a refund. */
  modifyDocument(
    type: string,
    id: string,
    modifiedMs: number,
    changes: { status?: string | number; refunded?: boolean } = {},
  ): VersionRef {
    const current = this.of(type).get(id);
    if (!current) throw new Error(`${type} ${id} does not exist`);
    const next: StoredDocument = { ...current, ...changes, modifiedMs: truncateToSecond(modifiedMs) };
    this.of(type).set(id, next);
    return refOf(next);
  }

  /** An order shipped earlier is refunded now: Amazon order and its WMS out-stock both change. */
  refundAfterShipment(type: 'sales_order' | 'sales_outstock', id: string, atMs: number): VersionRef {
    return this.modifyDocument(type, id, atMs, { refunded: true });
  }

  get(type: string, id: string): StoredDocument | undefined {
    return this.of(type).get(id);
  }

  /**
   * Documents whose `basis` time lies in the range, in a stable order (modified, id). `toExclusive` for the
   * endpoints whose end bound is open (Amazon orders: [start, end)).
   */
  query(
    type: string,
    range: { fromMs: number; toMs: number; toExclusive?: boolean; basis?: TimeBasis },
    filter: (document: StoredDocument) => boolean = () => true,
  ): StoredDocument[] {
    const at = (d: StoredDocument) => (range.basis === 'created' ? d.createdMs : d.modifiedMs);
    return [...this.of(type).values()]
      .filter(
        (d) => at(d) >= range.fromMs && (range.toExclusive ? at(d) < range.toMs : at(d) <= range.toMs) && filter(d),
      )
      .sort((a, b) => a.modifiedMs - b.modifiedMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The current version of every document: what the raw topics must hold (each exactly once). */
  versions(type: string): VersionRef[] {
    return [...this.of(type).values()].map(refOf);
  }

  counts(): Record<string, number> {
    return Object.fromEntries(LINGXING_DOCUMENT_TYPES.map((type) => [type, this.of(type).size]));
  }
}

const refOf = (d: StoredDocument): VersionRef => ({ id: d.id, modifiedMs: d.modifiedMs, status: d.status });
