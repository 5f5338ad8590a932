import type { Collection, Db, Filter } from 'mongodb';
import type { ExceptionLevel } from '@yecai/common';

export type ParkedStatus = 'OPEN' | 'REPUSHED' | 'RESOLVED' | 'SKIPPED' | 'SUPERSEDED';

/** Where a parked document was read from: enough to find it again and to keep re-parking idempotent. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

export interface ParkInput {
  /** Pipeline stage that parked it: mapping, sink-kingdee, … */
  stage: string;
  /** Flow (rule) concerned, null when no rule applies (unknown document type, unreadable envelope). */
  flow: string | null;
  /** Document key (`<system>/<account>/<type>/<id>`), or null when it could not be read. */
  key: string | null;
  level: ExceptionLevel;
  code: string;
  /** Chinese first, English beside: what a person must do something about. */
  reasonZh: string;
  reasonEn: string;
  field?: string;
  /** Master data whose absence parked the document (entity + natural key); re-processing waits for them. */
  missing?: { entity: string; key: string }[];
  /** The raw document exactly as read (decoded envelope), for re-push; or base64 bytes when undecodable. */
  raw: Record<string, unknown> | null;
  rawBytesBase64?: string;
  source: SourcePosition;
}

export interface ParkedDocument extends ParkInput {
  _id: string;
  status: ParkedStatus;
  parkedAt: Date;
  updatedAt: Date;
  repushCount: number;
  note?: string;
}

export interface ParkedQuery {
  stage?: string;
  status?: ParkedStatus;
  code?: string;
  flow?: string;
  key?: string;
  limit?: number;
  skip?: number;
}

/**
 * Parked documents in MongoDB (`parked_documents`). The id is derived from stage + flow + source position, so
 * parking the same message again after a crash-and-replay finds the existing entry (unique `_id`, code 11000)
 * instead of adding a second one. Single-document writes only (FerretDB has no transactions).
 */
export class ParkingStore {
  readonly collection: Collection<ParkedDocument>;

  constructor(db: Db, collectionName = 'parked_documents') {
    this.collection = db.collection<ParkedDocument>(collectionName);
  }

  static idOf(input: Pick<ParkInput, 'stage' | 'flow' | 'source'>): string {
    return `${input.stage}|${input.flow ?? '-'}|${input.source.topic}|${input.source.partition}|${input.source.offset}`;
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ stage: 1, status: 1, code: 1 }, { name: 'stage_status_code' });
    await this.collection.createIndex({ key: 1, parkedAt: -1 }, { name: 'key_parkedAt' });
  }

  /** Parks a document; returns true when new, false when this exact message was parked before (a replay). */
  async park(input: ParkInput): Promise<boolean> {
    const now = new Date();
    try {
      await this.collection.insertOne({ ...input, _id: ParkingStore.idOf(input), status: 'OPEN', parkedAt: now, updatedAt: now, repushCount: 0 });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  get(id: string): Promise<ParkedDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  async list(query: ParkedQuery = {}): Promise<ParkedDocument[]> {
    const filter: Filter<ParkedDocument> = {};
    if (query.stage) filter.stage = query.stage;
    if (query.status) filter.status = query.status;
    if (query.code) filter.code = query.code;
    if (query.flow) filter.flow = query.flow;
    if (query.key) filter.key = query.key;
    return this.collection
      .find(filter)
      .sort({ parkedAt: 1, _id: 1 })
      .skip(query.skip ?? 0)
      .limit(Math.min(query.limit ?? 100, 10_000))
      .toArray();
  }

  async count(query: Pick<ParkedQuery, 'stage' | 'status' | 'code'> = {}): Promise<number> {
    const filter: Filter<ParkedDocument> = {};
    if (query.stage) filter.stage = query.stage;
    if (query.status) filter.status = query.status;
    if (query.code) filter.code = query.code;
    return this.collection.countDocuments(filter);
  }

  /** Moves an entry to a new status; only OPEN entries move, so two re-pushers cannot both push one entry. */
  async transition(id: string, status: Exclude<ParkedStatus, 'OPEN'>, note?: string): Promise<boolean> {
    const { modifiedCount } = await this.collection.updateOne(
      { _id: id, status: 'OPEN' },
      { $set: { status, updatedAt: new Date(), ...(note ? { note } : {}) }, $inc: { repushCount: status === 'REPUSHED' ? 1 : 0 } },
    );
    return modifiedCount === 1;
  }
}
