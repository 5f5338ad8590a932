import type { Collection, Db, Filter } from 'mongodb';
import type { ExceptionLevel } from '@yecai/common';
import { insertOnce } from '@yecai/store';

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

interface StoredParked extends ParkInput {
  _id: string;
  parkedAt: Date;
}

/** The single move of a parked entry out of OPEN, stored as its own insert-only record (see ParkingStore). */
interface StoredTransition {
  _id: string;
  status: Exclude<ParkedStatus, 'OPEN'>;
  at: Date;
  note?: string;
  /** Who moved it: the admin token's name; absent when yecai moved it itself (master data added, superseded). */
  by?: string;
}

export interface ParkedDocument extends StoredParked {
  status: ParkedStatus;
  /** When the entry left OPEN, and why. */
  closedAt?: Date;
  note?: string;
  by?: string;
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
 * instead of adding a second one.
 *
 * Insert-only by design: an entry leaves OPEN exactly once, recorded as an insert into `parked_transitions` under
 * the entry's id, so two re-pushers racing for one entry cannot both win (the loser gets 11000). This needs no
 * transactions and no updates (FerretDB's SQLite backend handles unique inserts well; see docs/mapping.md).
 */
export class ParkingStore {
  readonly collection: Collection<StoredParked>;
  readonly transitions: Collection<StoredTransition>;

  constructor(db: Db, collectionName = 'parked_documents') {
    this.collection = db.collection<StoredParked>(collectionName);
    this.transitions = db.collection<StoredTransition>(`${collectionName}_transitions`);
  }

  static idOf(input: Pick<ParkInput, 'stage' | 'flow' | 'source'>): string {
    return `${input.stage}|${input.flow ?? '-'}|${input.source.topic}|${input.source.partition}|${input.source.offset}`;
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ stage: 1, code: 1, parkedAt: 1 }, { name: 'stage_code_parkedAt' });
    await this.collection.createIndex({ key: 1, parkedAt: -1 }, { name: 'key_parkedAt' });
  }

  /** Parks a document; returns true when new, false when this exact message was parked before (a replay). */
  async park(input: ParkInput): Promise<boolean> {
    return insertOnce(this.collection, { ...input, _id: ParkingStore.idOf(input), parkedAt: new Date() });
  }

  private async withStatus(entries: StoredParked[]): Promise<ParkedDocument[]> {
    if (entries.length === 0) return [];
    const transitions = await this.transitions.find({ _id: { $in: entries.map((entry) => entry._id) } }).toArray();
    const byId = new Map(transitions.map((transition) => [transition._id, transition]));
    return entries.map((entry) => {
      const transition = byId.get(entry._id);
      return transition
        ? { ...entry, status: transition.status, closedAt: transition.at, ...(transition.note ? { note: transition.note } : {}), ...(transition.by ? { by: transition.by } : {}) }
        : { ...entry, status: 'OPEN' as const };
    });
  }

  async get(id: string): Promise<ParkedDocument | null> {
    const entry = await this.collection.findOne({ _id: id });
    return entry ? ((await this.withStatus([entry]))[0] ?? null) : null;
  }

  /** Entries oldest first; filtering by status happens after joining the transitions (no $lookup on FerretDB). */
  async list(query: ParkedQuery = {}): Promise<ParkedDocument[]> {
    const filter: Filter<StoredParked> = {};
    if (query.stage) filter.stage = query.stage;
    if (query.code) filter.code = query.code;
    if (query.flow) filter.flow = query.flow;
    if (query.key) filter.key = query.key;
    const limit = Math.min(query.limit ?? 100, 10_000);
    const skip = query.skip ?? 0;
    if (!query.status) {
      return this.withStatus(await this.collection.find(filter).sort({ parkedAt: 1, _id: 1 }).skip(skip).limit(limit).toArray());
    }
    const matching: ParkedDocument[] = [];
    let skipped = 0;
    const pageSize = 1000;
    for (let offset = 0; matching.length < limit; offset += pageSize) {
      const page = await this.collection.find(filter).sort({ parkedAt: 1, _id: 1 }).skip(offset).limit(pageSize).toArray();
      for (const entry of await this.withStatus(page)) {
        if (entry.status !== query.status) continue;
        if (skipped < skip) skipped += 1;
        else if (matching.length < limit) matching.push(entry);
      }
      if (page.length < pageSize) break;
    }
    return matching;
  }

  async count(query: Pick<ParkedQuery, 'stage' | 'status' | 'code'> = {}): Promise<number> {
    if (query.status) return (await this.list({ ...query, limit: 10_000 })).length;
    const filter: Filter<StoredParked> = {};
    if (query.stage) filter.stage = query.stage;
    if (query.code) filter.code = query.code;
    return this.collection.countDocuments(filter);
  }

  /**
   * Moves an OPEN entry to its final status; false when it was not OPEN (someone else moved it first). `by` names
   * the person (admin token) who did it, kept with the move as its audit record.
   */
  async transition(id: string, status: Exclude<ParkedStatus, 'OPEN'>, note?: string, by?: string): Promise<boolean> {
    if (!(await this.collection.findOne({ _id: id }, { projection: { _id: 1 } }))) return false;
    return insertOnce(this.transitions, { _id: id, status, at: new Date(), ...(note ? { note } : {}), ...(by ? { by } : {}) });
  }
}
