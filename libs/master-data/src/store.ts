import type { Collection, Db } from 'mongodb';
import { parseWith } from '@yecai/common';
import { ensureReadIndexes, insertManyNew, isFerretDb } from '@yecai/store';
import { ENTITY_KEYS, ENTITY_NAMES, ENTITY_SCHEMAS, keyOf, parseReverseKey, type EntityName, type EntityRecord } from './entities';

export interface StoredRecord {
  _id: string;
  updatedAt: Date;
  [field: string]: unknown;
}

/** Who changed master data and why (recorded with every change). */
export interface ChangeAudit {
  /** A person (the CLI's --by, else the OS user) or a process (kingdee-pull, admin-api). */
  by: string;
  reason?: string;
  /** cli, admin-api, kingdee-pull, … */
  via: string;
}

/** One change of one record, insert-only in `md_changes`: the record after it (or, for a delete, before it). */
export interface MasterDataChange extends ChangeAudit {
  entity: EntityName;
  key: string;
  action: 'insert' | 'update' | 'delete';
  record: Record<string, unknown>;
  at: Date;
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
  readonly changes: Collection<MasterDataChange>;

  constructor(private readonly db: Db) {
    this.changes = db.collection<MasterDataChange>('md_changes');
  }

  collection(entity: EntityName): Collection<StoredRecord> {
    return this.db.collection<StoredRecord>(`md_${entity}`);
  }

  async ensureIndexes(): Promise<void> {
    for (const entity of ENTITY_NAMES) {
      const keys = Object.fromEntries(ENTITY_KEYS[entity].map((field) => [field, 1 as const]));
      await this.collection(entity).createIndex(keys, { unique: true, name: `${entity}_natural_key` });
      await this.collection(entity).createIndex({ updatedAt: -1 }, { name: `${entity}_updated` });
    }
    await ensureReadIndexes(this.db, [{ collection: this.changes, key: { entity: 1, key: 1, at: -1 }, name: 'changes_by_key' }]);
  }

  /** Validates then writes records by natural key; a record identical to the stored one is left alone. */
  async upsert<E extends EntityName>(entity: E, records: unknown[], source: string = entity): Promise<UpsertResult> {
    const valid = records.map((record, index) => parseWith(ENTITY_SCHEMAS[entity], record, `${source}[${index}]`) as EntityRecord<E>);
    return this.upsertValid(entity, valid);
  }

  /** Writes validated records; with `audit`, each insert or update is also recorded in `md_changes` (who, why). */
  async upsertValid<E extends EntityName>(entity: E, records: EntityRecord<E>[], audit?: ChangeAudit): Promise<UpsertResult> {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
    const collection = this.collection(entity);
    const changes: MasterDataChange[] = [];
    // The stored versions in reads of 1,000 keys, not one read per record (an import may hold tens of thousands).
    const stored = new Map<string, StoredRecord>();
    const ids = records.map((record) => keyOf(entity, record as Record<string, unknown>));
    for (let from = 0; from < ids.length; from += 1000) {
      for (const found of await collection.find({ _id: { $in: ids.slice(from, from + 1000) } }).toArray()) stored.set(found._id, found);
    }
    for (const [index, record] of records.entries()) {
      const _id = ids[index]!;
      const existing = stored.get(_id);
      if (existing && sameContent(existing, record as Record<string, unknown>)) {
        result.unchanged += 1;
        continue;
      }
      await this.write(entity, _id, record as Record<string, unknown>, existing);
      if (existing) result.updated += 1;
      else result.inserted += 1;
      if (audit) changes.push({ ...audit, entity, key: _id, action: existing ? 'update' : 'insert', record: record as Record<string, unknown>, at: new Date() });
    }
    await insertManyNew(this.changes, changes);
    return result;
  }

  /**
   * Writes one record by natural key. On FerretDB without updating a stored document (its in-memory mode, the test
   * stacks', hangs on updates of existing documents): a changed record is removed and inserted again; a lookup in
   * between misses (the document parks as waiting for master data and is re-pushed once the record is back). On
   * MongoDB one replaceOne.
   */
  async write(entity: EntityName, _id: string, record: Record<string, unknown>, existing: StoredRecord | undefined): Promise<void> {
    const collection = this.collection(entity);
    if (!(await isFerretDb(this.db))) {
      await collection.replaceOne({ _id }, { ...record, _id, updatedAt: new Date() }, { upsert: true });
      return;
    }
    if (existing) await collection.deleteOne({ _id, updatedAt: existing.updatedAt });
    try {
      await collection.insertOne({ ...record, _id, updatedAt: new Date() });
    } catch (error) {
      // Another writer stored the same key at the same moment: its record is as current as ours.
      if ((error as { code?: number }).code !== 11000) throw error;
    }
  }

  async get<E extends EntityName>(entity: E, key: string): Promise<(EntityRecord<E> & { updatedAt: Date }) | null> {
    const reverse = parseReverseKey(key);
    if (reverse) {
      // Exactly one record of that system with that field value; none or several (ambiguous) → null.
      const matches = await this.collection(entity)
        .find({ sourceSystem: reverse.system, [reverse.field]: reverse.value } as never)
        .limit(2)
        .toArray();
      if (matches.length !== 1) return null;
      const { _id, ...rest } = matches[0]!;
      return rest as unknown as EntityRecord<E> & { updatedAt: Date };
    }
    const found = await this.collection(entity).findOne({ _id: key });
    if (!found) return null;
    const { _id, ...rest } = found;
    return rest as unknown as EntityRecord<E> & { updatedAt: Date };
  }

  async list(entity: EntityName, limit = 1000, skip = 0): Promise<Record<string, unknown>[]> {
    const rows = await this.collection(entity).find({}).sort({ _id: 1 }).skip(skip).limit(limit).toArray();
    return rows.map(({ _id, ...rest }) => ({ key: _id, ...rest }));
  }

  async remove(entity: EntityName, key: string, audit?: ChangeAudit): Promise<boolean> {
    const existing = audit ? await this.collection(entity).findOne({ _id: key }) : null;
    const { deletedCount } = await this.collection(entity).deleteOne({ _id: key });
    if (deletedCount === 1 && audit && existing) {
      const { _id, updatedAt: _updatedAt, ...record } = existing;
      await this.changes.insertOne({ ...audit, entity, key, action: 'delete', record, at: new Date() });
    }
    return deletedCount === 1;
  }

  /** Recorded changes, newest first (optionally of one entity, one key). */
  async history(entity?: EntityName, key?: string, limit = 50): Promise<MasterDataChange[]> {
    const filter = { ...(entity ? { entity } : {}), ...(key ? { key } : {}) };
    return this.changes.find(filter, { projection: { _id: 0 } }).sort({ at: -1 }).limit(limit).toArray();
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
