import type { Collection, Db, Filter } from 'mongodb';
import { searchPattern } from '@yecai/common';
import { ensureReadIndexes, insertManyNew } from '@yecai/store';
import type { RawDocument } from '@yecai/contracts';
import type { SourcePosition } from './store';

/** The document version: identity, the source's modification time and content hash, as the raw envelope has them. */
export type DocumentVersion = Pick<RawDocument, 'sourceSystem' | 'account' | 'documentType' | 'sourceId' | 'sourceModifiedAt' | 'contentHash'>;

/**
 * One document version a mapping rule's filter left out (not synced, not an exception): e.g. a JST return whose
 * 实退数量 is 0 on every line, or a sales out-stock not shipped yet. Recorded so a person can find out, document by
 * document, why something never reached Kingdee.
 */
export interface FilteredInput extends DocumentVersion {
  /** Flow (rule) whose filter dropped the document, and the rule's version (`<version>+<file hash>`). */
  flow: string;
  ruleVersion: string;
  /** Document key `<system>/<account>/<type>/<id>`. A later version of the same document is another record. */
  key: string;
  /** Filter name(s); for `lines`, every line filter of the rule (each line failed one of them). */
  filter: string;
  /** The filter's description from the rule (Chinese, as in docs/field-mapping.md). */
  description: string;
  /** `document`: a header filter was false; `lines`: every line was filtered out, so the document was too. */
  scope: 'document' | 'lines';
  source: SourcePosition;
}

export interface FilteredDocument extends FilteredInput {
  _id: string;
  filteredAt: Date;
}

export interface FilteredQuery {
  flow?: string;
  key?: string;
  filter?: string;
  /** The query box: text in the key, the filter's name or its description, ignoring case. */
  q?: string;
  limit?: number;
  skip?: number;
}

/**
 * Filtered documents in MongoDB (`filtered_documents`), insert-only. The id is flow + document key + version
 * (sourceModifiedAt and contentHash), so a replay or a re-push of the same version finds the existing record
 * (duplicate key) instead of adding a second one, and a chunk's records are one unordered insertMany.
 */
export class FilteredStore {
  readonly collection: Collection<FilteredDocument>;

  constructor(
    private readonly db: Db,
    collectionName = 'filtered_documents',
  ) {
    this.collection = db.collection<FilteredDocument>(collectionName);
  }

  static idOf(input: Pick<FilteredInput, 'flow' | 'key' | 'sourceModifiedAt' | 'contentHash'>): string {
    return `${input.flow}|${input.key}|${input.sourceModifiedAt}|${input.contentHash}`;
  }

  /** Read indexes on MongoDB only (on FerretDB they would cost every insert and serve no read). */
  async ensureIndexes(): Promise<void> {
    await ensureReadIndexes(this.db, [
      { collection: this.collection, key: { filteredAt: -1 }, name: 'filteredAt' },
      { collection: this.collection, key: { key: 1, filteredAt: -1 }, name: 'key_filteredAt' },
      { collection: this.collection, key: { flow: 1, filteredAt: -1 }, name: 'flow_filteredAt' },
    ]);
  }

  /** Records a chunk's filtered documents in one write; returns how many were new (the rest were replays). */
  async record(inputs: FilteredInput[], at = new Date()): Promise<number> {
    if (inputs.length === 0) return 0;
    const unique = new Map<string, FilteredDocument>();
    for (const input of inputs) {
      const _id = FilteredStore.idOf(input);
      if (!unique.has(_id)) unique.set(_id, { ...input, _id, filteredAt: at });
    }
    const existed = await insertManyNew(this.collection, [...unique.values()]);
    return unique.size - existed.size;
  }

  private filter(query: FilteredQuery): Filter<FilteredDocument> {
    const pattern = query.q ? searchPattern(query.q) : undefined;
    return {
      ...(query.flow ? { flow: query.flow } : {}),
      ...(query.key ? { key: query.key } : {}),
      ...(query.filter ? { filter: query.filter } : {}),
      ...(pattern ? { $or: [{ key: pattern }, { filter: pattern }, { description: pattern }] } : {}),
    };
  }

  /** Newest first. */
  async list(query: FilteredQuery = {}): Promise<FilteredDocument[]> {
    const limit = Math.min(query.limit ?? 100, 10_000);
    return this.collection
      .find(this.filter(query))
      .sort({ filteredAt: -1, _id: 1 })
      .skip(query.skip ?? 0)
      .limit(limit)
      .toArray();
  }

  count(query: FilteredQuery = {}): Promise<number> {
    return this.collection.countDocuments(this.filter(query));
  }
}
