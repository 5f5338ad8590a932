/**
 * Insert-only writes, the one write FerretDB makes atomic: a unique `_id` (or unique index) decides who wrote
 * first, and a duplicate key (11000) is an answer, not an error.
 */
import type { Collection, Document, OptionalUnlessRequiredId } from 'mongodb';

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
