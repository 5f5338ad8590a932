/**
 * Insert-only writes, the one write FerretDB makes atomic: a unique `_id` (or unique index) decides who wrote
 * first, and a duplicate key (11000) is an answer, not an error.
 */
import type { Collection, Db, Document, IndexSpecification, OptionalUnlessRequiredId } from 'mongodb';

const DUPLICATE_KEY = 11000;

/**
 * Inserts `documents` in one unordered insertMany; returns the indexes that already existed (duplicate key). Any
 * other write error is thrown.
 */
export async function insertManyNew<T extends Document>(collection: Collection<T>, documents: OptionalUnlessRequiredId<T>[]): Promise<Set<number>> {
  if (documents.length === 0) return new Set();
  try {
    await collection.insertMany(documents, { ordered: false });
    return new Set();
  } catch (error) {
    const writeErrors = (error as { writeErrors?: { index: number; code: number }[] | { index: number; code: number } }).writeErrors;
    const list = writeErrors === undefined ? [] : Array.isArray(writeErrors) ? writeErrors : [writeErrors];
    // A one-document insertMany may fail as a plain duplicate-key error without a writeErrors list.
    if (list.length === 0 && documents.length === 1 && (error as { code?: number }).code === DUPLICATE_KEY) return new Set([0]);
    if (list.length === 0 || list.some((writeError) => writeError.code !== DUPLICATE_KEY)) throw error;
    return new Set(list.map((writeError) => writeError.index));
  }
}

/** Inserts `document`; false when its key already existed. */
export async function insertOnce<T extends Document>(collection: Collection<T>, document: OptionalUnlessRequiredId<T>): Promise<boolean> {
  try {
    await collection.insertOne(document);
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
    throw error;
  }
}

const ferretDbAnswers = new WeakMap<Db, Promise<boolean>>();

/** Whether the store is FerretDB (its buildInfo names a `ferretdbVersion`). */
export function isFerretDb(db: Db): Promise<boolean> {
  let answer = ferretDbAnswers.get(db);
  if (!answer) {
    answer = db.admin().command({ buildInfo: 1 }).then((info) => info.ferretdbVersion !== undefined);
    ferretDbAnswers.set(db, answer);
  }
  return answer;
}

/** An index that serves reads (uniqueness is always the `_id`'s job here). */
export interface ReadIndex {
  collection: Pick<Collection, 'createIndex' | 'dropIndex'>;
  key: IndexSpecification;
  name: string;
}

const INDEX_NOT_FOUND = 27;
const NAMESPACE_NOT_FOUND = 26;

/**
 * Creates the read indexes on MongoDB. On FerretDB 1.24 (SQLite) no read uses an index, so an index there is only
 * upkeep on every insert (~10 µs per index and document, more as the table grows): none is created, and those an
 * earlier release created are dropped.
 */
export async function ensureReadIndexes(db: Db, indexes: ReadIndex[]): Promise<void> {
  const ferretDb = await isFerretDb(db);
  for (const { collection, key, name } of indexes) {
    if (!ferretDb) {
      await collection.createIndex(key, { name });
      continue;
    }
    try {
      await collection.dropIndex(name);
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code !== INDEX_NOT_FOUND && code !== NAMESPACE_NOT_FOUND) throw error;
    }
  }
}
