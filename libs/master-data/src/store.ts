import type { Collection, Db } from 'mongodb';
import { parseWith } from '@yecai/common';
import { ENTITY_KEYS, ENTITY_NAMES, ENTITY_SCHEMAS, keyOf, type EntityName, type EntityRecord } from './entities';

export interface StoredRecord {
  _id: string;
  updatedAt: Date;
  [field: string]: unknown;
}

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * Master data in MongoDB: one collection per entity (`md_<entity>`), `_id` = natural key, plus a unique index
 * on the key fields. Uses only what FerretDB supports: single-document writes, no transactions.
 */
export class MasterDataStore {
  constructor(private readonly db: Db) {}

  collection(entity: EntityName): Collection<StoredRecord> {
    return this.db.collection<StoredRecord>(`md_${entity}`);
  }

  async ensureIndexes(): Promise<void> {
    for (const entity of ENTITY_NAMES) {
      const keys = Object.fromEntries(ENTITY_KEYS[entity].map((field) => [field, 1 as const]));
      await this.collection(entity).createIndex(keys, { unique: true, name: `${entity}_natural_key` });
      await this.collection(entity).createIndex({ updatedAt: -1 }, { name: `${entity}_updated` });
    }
  }

  /** Validates then writes records by natural key; a record identical to the stored one is left alone. */
  async upsert<E extends EntityName>(entity: E, records: unknown[], source: string = entity): Promise<UpsertResult> {
    const valid = records.map((record, index) => parseWith(ENTITY_SCHEMAS[entity], record, `${source}[${index}]`) as EntityRecord<E>);
    return this.upsertValid(entity, valid);
  }

  async upsertValid<E extends EntityName>(entity: E, records: EntityRecord<E>[]): Promise<UpsertResult> {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
    const collection = this.collection(entity);
    for (const record of records) {
      const _id = keyOf(entity, record as Record<string, unknown>);
      const existing = await collection.findOne({ _id });
      if (existing && sameContent(existing, record as Record<string, unknown>)) {
        result.unchanged += 1;
        continue;
      }
      await collection.replaceOne({ _id }, { ...(record as object), _id, updatedAt: new Date() }, { upsert: true });
      if (existing) result.updated += 1;
      else result.inserted += 1;
    }
    return result;
  }

  async get<E extends EntityName>(entity: E, key: string): Promise<(EntityRecord<E> & { updatedAt: Date }) | null> {
    const found = await this.collection(entity).findOne({ _id: key });
    if (!found) return null;
    const { _id, ...rest } = found;
    return rest as unknown as EntityRecord<E> & { updatedAt: Date };
  }

  async list(entity: EntityName, limit = 1000, skip = 0): Promise<Record<string, unknown>[]> {
    const rows = await this.collection(entity).find({}).sort({ _id: 1 }).skip(skip).limit(limit).toArray();
    return rows.map(({ _id, ...rest }) => ({ key: _id, ...rest }));
  }

  async remove(entity: EntityName, key: string): Promise<boolean> {
    const { deletedCount } = await this.collection(entity).deleteOne({ _id: key });
    return deletedCount === 1;
  }

  /**
   * The latest change time over all entities plus the total count (a removal lowers the count):
   * caches compare it to decide whether to drop their entries.
   */
  async changeMarker(): Promise<string> {
    const parts = await Promise.all(
      ENTITY_NAMES.map(async (entity) => {
        const collection = this.collection(entity);
        const [latest] = await collection.find({}, { projection: { updatedAt: 1 } }).sort({ updatedAt: -1 }).limit(1).toArray();
        const count = await collection.countDocuments();
        return `${entity}:${count}:${latest?.updatedAt?.getTime() ?? 0}`;
      }),
    );
    return parts.join('|');
  }
}

function sameContent(stored: StoredRecord, record: Record<string, unknown>): boolean {
  const { _id, updatedAt, ...rest } = stored;
  const left = Object.keys(rest).filter((key) => rest[key] !== undefined).sort();
  const right = Object.keys(record).filter((key) => record[key] !== undefined).sort();
  return JSON.stringify(left) === JSON.stringify(right) && left.every((key) => JSON.stringify(rest[key]) === JSON.stringify(record[key]));
}
