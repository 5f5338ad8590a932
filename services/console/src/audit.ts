/**
 * The console's audit log: one insert-only record per operator action (who, what, on which document, why, when,
 * and the outcome), in MongoDB `console_audit`. Readable in the console; there is no route that changes or deletes it.
 */
import type { Collection, Db } from 'mongodb';

export const CONSOLE_AUDIT_COLLECTION = 'console_audit';

export interface AuditRecord {
  at: Date;
  actor: string;
  role: string;
  /** e.g. exception.repush, exception.skip, flow.pause, master-data.put, reconcile.run */
  action: string;
  target: string;
  reason: string | null;
  /** ok, or the refusal (status + message) the service answered. */
  outcome: 'ok' | 'failed';
  detail?: string;
}

export class AuditLog {
  readonly collection: Collection<AuditRecord>;

  constructor(db: Db) {
    this.collection = db.collection<AuditRecord>(CONSOLE_AUDIT_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ at: -1 }, { name: 'at' });
  }

  async record(record: AuditRecord): Promise<void> {
    await this.collection.insertOne({ ...record });
  }

  async list(limit: number, skip: number, actor?: string): Promise<{ records: AuditRecord[]; hasMore: boolean }> {
    const rows = await this.collection
      .find(actor ? { actor } : {}, { projection: { _id: 0 } })
      .sort({ at: -1 })
      .skip(skip)
      .limit(limit + 1)
      .toArray();
    return { records: rows.slice(0, limit), hasMore: rows.length > limit };
  }
}
