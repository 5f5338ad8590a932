import type { Collection, Db, Filter } from 'mongodb';
import { searchPattern, type ExceptionLevel } from '@yecai/common';
import { insertOnce, isFerretDb } from '@yecai/store';

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

/** Up to this many closed entries, an OPEN listing excludes them in the query (`$nin`) and the database pages. */
const CLOSED_IN_QUERY_LIMIT = 5_000;

export interface ParkedQuery {
  stage?: string;
  status?: ParkedStatus;
  code?: string;
  flow?: string;
  key?: string;
  /** The query box: text in the key, the reason code or the reason (Chinese or English), ignoring case. */
  q?: string;
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

  constructor(
    private readonly db: Db,
    collectionName = 'parked_documents',
  ) {
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
        ? {
            ...entry,
            status: transition.status,
            closedAt: transition.at,
            ...(transition.note ? { note: transition.note } : {}),
            ...(transition.by ? { by: transition.by } : {}),
          }
        : { ...entry, status: 'OPEN' as const };
    });
  }

  async get(id: string): Promise<ParkedDocument | null> {
    const entry = await this.collection.findOne({ _id: id });
    return entry ? ((await this.withStatus([entry]))[0] ?? null) : null;
  }

  /**
   * Entries in `parkedAt` order, sorted in memory by the server on FerretDB: the collection is insert-only and
   * `parkedAt` is the insert time, so there its natural (insertion) order is that order without a sort — FerretDB
   * sorts by loading every matching document (1.2 s for 20,000 parked entries; a sort-less page takes milliseconds).
   * MongoDB sorts with the index.
   */
  private async ordered(filter: Filter<StoredParked>, skip: number, limit: number): Promise<StoredParked[]> {
    const cursor = this.collection.find(filter);
    if (!(await isFerretDb(this.db))) cursor.sort({ parkedAt: 1, _id: 1 });
    return cursor.skip(skip).limit(limit).toArray();
  }

  /** Entries oldest first; filtering by status happens after joining the transitions (no $lookup on FerretDB). */
  async list(query: ParkedQuery = {}): Promise<ParkedDocument[]> {
    const filter: Filter<StoredParked> = {};
    if (query.stage) filter.stage = query.stage;
    if (query.code) filter.code = query.code;
    if (query.flow) filter.flow = query.flow;
    if (query.key) filter.key = query.key;
    if (query.q) {
      const pattern = searchPattern(query.q);
      filter.$or = [{ key: pattern }, { code: pattern }, { reasonZh: pattern }, { reasonEn: pattern }];
    }
    const limit = Math.min(query.limit ?? 100, 10_000);
    const skip = query.skip ?? 0;
    if (!query.status) {
      return this.withStatus(await this.ordered(filter, skip, limit));
    }
    if (query.status === 'OPEN') {
      // Usually few entries have left OPEN: leave those out in the query itself, so the database pages (one read,
      // any depth) instead of this process reading every page up to the one asked for.
      const closed = await this.transitions
        .find({}, { projection: { _id: 1 } })
        .limit(CLOSED_IN_QUERY_LIMIT + 1)
        .toArray();
      if (closed.length <= CLOSED_IN_QUERY_LIMIT) {
        const page = await this.ordered(
          closed.length === 0 ? filter : { $and: [filter, { _id: { $nin: closed.map((entry) => entry._id) } }] },
          skip,
          limit,
        );
        // An entry moved between the two reads is left out rather than shown OPEN.
        return (await this.withStatus(page)).filter((entry) => entry.status === 'OPEN');
      }
    }
    const matching: ParkedDocument[] = [];
    let skipped = 0;
    const pageSize = Math.min(1000, Math.max(100, (skip + limit) * 2));
    for (let offset = 0; matching.length < limit; offset += pageSize) {
      const page = await this.ordered(filter, offset, pageSize);
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
    return insertOnce(this.transitions, {
      _id: id,
      status,
      at: new Date(),
      ...(note ? { note } : {}),
      ...(by ? { by } : {}),
    });
  }
}
