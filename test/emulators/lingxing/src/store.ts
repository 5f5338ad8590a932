/**
 * The emulator's documents: generated from a seed (the ground truth tests compare the raw topics with), late
 * updates and same-second bursts added on demand.
 */
import { mixSeed, seededRandom, spreadModifiedTimes, truncateToSecond } from '@yecai/emulator-kit';
import { generateDocument, type GeneratedDocument } from './generator';

export interface VersionRef {
  id: number;
  modifiedMs: number;
  status: string;
}

export interface SeedOptions {
  /** Documents per type. */
  perType: Record<string, number>;
  fromMs: number;
  toMs: number;
  /** Share of documents modified in the same second as the one before (ties across pages); 0.3 by default. */
  sameSecondRatio?: number;
}

export class LingxingStore {
  private readonly documents = new Map<string, Map<number, GeneratedDocument>>();
  private nextIndex = new Map<string, number>();

  constructor(
    readonly seed: number,
    readonly types: readonly string[],
  ) {
    for (const type of types) this.documents.set(type, new Map());
  }

  private of(type: string): Map<number, GeneratedDocument> {
    const documents = this.documents.get(type);
    if (!documents) throw new Error(`unknown document type "${type}" (known: ${this.types.join(', ')})`);
    return documents;
  }

  private put(type: string, document: GeneratedDocument): void {
    this.of(type).set(document.id, document);
  }

  /** Increasing whole-second modified times over the range, per type, the same for a seed. */
  seedDocuments(options: SeedOptions): void {
    for (const [type, count] of Object.entries(options.perType)) {
      const random = seededRandom(mixSeed(this.seed, this.types.indexOf(type), count));
      for (const modifiedMs of spreadModifiedTimes(random, count, options)) this.add(type, modifiedMs);
    }
  }

  add(type: string, modifiedMs: number): GeneratedDocument {
    const index = this.nextIndex.get(type) ?? 0;
    this.nextIndex.set(type, index + 1);
    const document = generateDocument(this.seed, type, index, modifiedMs);
    this.put(type, document);
    return document;
  }

  /** `count` documents modified in the same second. */
  addDocuments(type: string, count: number, atMs: number): VersionRef[] {
    return Array.from({ length: count }, () => this.add(type, atMs)).map((d) => ({
      id: d.id,
      modifiedMs: d.modifiedMs,
      status: d.status,
    }));
  }

  /** A late update: a new version with a later modified time and changed content. */
  modifyDocument(
    type: string,
    id: number,
    modifiedMs: number,
    changes: Partial<Pick<GeneratedDocument, 'status' | 'amount'>> = {},
  ): VersionRef {
    const current = this.of(type).get(id);
    if (!current) throw new Error(`${type} ${id} does not exist`);
    const next = { ...current, ...changes, modifiedMs: truncateToSecond(modifiedMs) };
    this.put(type, next);
    return { id, modifiedMs: next.modifiedMs, status: next.status };
  }

  /** Current documents with fromMs ≤ modified ≤ toMs, in a stable order (modified, id). */
  query(type: string, fromMs: number, toMs: number): GeneratedDocument[] {
    return [...this.of(type).values()]
      .filter((d) => d.modifiedMs >= fromMs && d.modifiedMs <= toMs)
      .sort((a, b) => a.modifiedMs - b.modifiedMs || a.id - b.id);
  }

  /** The current version of every document: what the raw topics must hold (each exactly once). */
  versions(type: string): VersionRef[] {
    return [...this.of(type).values()].map((d) => ({ id: d.id, modifiedMs: d.modifiedMs, status: d.status }));
  }
}
