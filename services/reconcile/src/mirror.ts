/**
 * The Kingdee mirror: what Kingdee holds now, per bill with its lines and status, refreshed incrementally by
 * FModifyDate (with an overlap) and fully re-swept per period on demand — a delete leaves no modified row, only a
 * sweep sees it. Pages are keyset pages ordered by the unique (FID, entry id), never StartRow offsets (finance-flows
 * §2.5: a non-unique order lost rows without an error). Every FieldKey is validated once at start.
 */
import type { Collection, Db } from 'mongodb';
import { createLogger, Decimal } from '@yecai/common';
import { KingdeeError, type KingdeeClient, type QueryRow } from '@yecai/kingdee';
import { COMMON_FIELD_KEYS, type ReconcileFlow } from './flows';
import type { LineFacts, MirrorBill } from './model';

const logger = createLogger('reconcile-mirror');

/** Rows per ExecuteBillQuery page (Kingdee allows up to 10,000). */
const PAGE_SIZE = 2_000;
/** Incremental refreshes re-read this much before the last change seen (clock skew, late commits, page shifts). */
export const MIRROR_OVERLAP_MS = 10 * 60_000;

/** Where a mirror's incremental refresh of one form stands. */
export interface MirrorState {
  _id: string;
  /** Latest change time seen, as the finance system writes it (Kingdee FModifyDate, YonSuite pubts). */
  modifiedUntil: string;
  refreshedAt: Date;
}

/**
 * A change time (`yyyy-MM-dd HH:mm:ss` or with a T) minus the overlap, in the same clock: the finance system's wall
 * time, no zone arithmetic.
 */
export function minusOverlap(modified: string): string {
  const at = Date.parse(`${modified.replace(' ', 'T')}Z`) - MIRROR_OVERLAP_MS;
  return new Date(at).toISOString().slice(0, 19).replace('T', ' ');
}

/** A cell as text: a query's exact Decimal, a string, or '' for none. */
export const cellText = (value: unknown): string =>
  value === null || value === undefined ? '' : value instanceof Decimal ? value.toString() : String(value);

export class FieldKeyError extends Error {}

/**
 * The finance system's side of reconciliation: what it holds now, per bill with its lines and status, kept in a
 * local mirror. One implementation per finance system (Kingdee here, YonSuite in yonyou-mirror.ts).
 */
export interface FinanceMirror {
  /** Fails loudly, named, when the system does not accept a field or list the mirror reads. */
  validate(): Promise<void>;
  /** Pulls every bill changed since the last refresh (all bills the first time); returns how many. */
  refresh(): Promise<number>;
  /** Re-reads every bill dated in `period` (YYYY-MM): bills deleted there leave the mirror. */
  sweep(period: string): Promise<number>;
  all(): Promise<MirrorBill[]>;
}

const text = cellText;

export class KingdeeMirror implements FinanceMirror {
  readonly bills: Collection<MirrorBill>;
  readonly state: Collection<MirrorState>;

  constructor(
    db: Db,
    private readonly client: KingdeeClient,
    private readonly flows: readonly ReconcileFlow[],
    private readonly pageSize = PAGE_SIZE,
  ) {
    this.bills = db.collection<MirrorBill>('reconcile_kingdee_mirror');
    this.state = db.collection<MirrorState>('reconcile_mirror_state');
  }

  static fieldKeys(flow: ReconcileFlow): string[] {
    return [...Object.values(COMMON_FIELD_KEYS), ...Object.values(flow.fields)];
  }

  validate(): Promise<void> {
    return this.validateFieldKeys();
  }

  /** Asks Kingdee for every configured FieldKey once; a key the form rejects fails loudly, named (never dropped). */
  async validateFieldKeys(): Promise<void> {
    for (const flow of this.flows) {
      const keys = KingdeeMirror.fieldKeys(flow);
      try {
        await this.client.executeBillQuery({ formId: flow.formId, fieldKeys: keys, topRowCount: 1, limit: 1 });
      } catch (error) {
        if (!(error instanceof KingdeeError)) throw error;
        const rejected: string[] = [];
        for (const key of keys) {
          await this.client
            .executeBillQuery({ formId: flow.formId, fieldKeys: [key], topRowCount: 1, limit: 1 })
            .catch((cause: unknown) => {
              if (cause instanceof KingdeeError) rejected.push(`${key} (${cause.message})`);
              else throw cause;
            });
        }
        throw new FieldKeyError(
          `金蝶表单 ${flow.formId} 不接受字段 ${rejected.join(', ') || keys.join(',')} · Kingdee form ${flow.formId} rejects FieldKey(s): ${rejected.join(', ') || error.message} (flow ${flow.documentType}, libs: services/reconcile/src/flows.ts)`,
        );
      }
    }
  }

  /** Pulls every bill changed since the last refresh (all bills the first time). */
  async refresh(): Promise<number> {
    let changed = 0;
    for (const flow of this.flows) {
      const state = await this.state.findOne({ _id: flow.formId });
      const since = state ? minusOverlap(state.modifiedUntil) : null;
      const bills = await this.pull(flow, since ? `FModifyDate >= '${since}'` : '');
      await this.replace(bills);
      const latest = bills.reduce(
        (max, bill) => (bill.modifyDate > max ? bill.modifyDate : max),
        state?.modifiedUntil ?? '',
      );
      if (latest) {
        await this.state.deleteOne({ _id: flow.formId });
        await this.state.insertOne({ _id: flow.formId, modifiedUntil: latest, refreshedAt: new Date() });
      }
      changed += bills.length;
    }
    return changed;
  }

  /** Re-reads every bill dated in `period` (YYYY-MM): bills deleted in Kingdee leave the mirror. */
  async sweep(period: string): Promise<number> {
    const { from, until } = periodBounds(period);
    let swept = 0;
    for (const flow of this.flows) {
      const bills = await this.pull(flow, `${flow.fields.date} >= '${from}' and ${flow.fields.date} < '${until}'`);
      const deleted = await dropStaleBills(this.bills, flow.formId, period, new Set(bills.map((bill) => bill._id)));
      await this.replace(bills);
      swept += bills.length;
      logger.info({ formId: flow.formId, period, bills: bills.length, deleted }, 'mirror swept');
    }
    return swept;
  }

  async all(): Promise<MirrorBill[]> {
    return this.bills.find({ formId: { $in: this.flows.map((flow) => flow.formId) } }).toArray();
  }

  /** Keyset paging over (FID, entry id): each page continues strictly after the last row of the previous one. */
  private async pull(flow: ReconcileFlow, filter: string): Promise<MirrorBill[]> {
    const keys = KingdeeMirror.fieldKeys(flow);
    const entryKey = flow.fields.entryId;
    const bills = new Map<string, MirrorBill>();
    let after: { fid: string; entry: string } | null = null;
    for (;;) {
      const keyset = after ? `(FID > ${after.fid} or (FID = ${after.fid} and ${entryKey} > ${after.entry}))` : '';
      const rows: QueryRow[] = await this.client.executeBillQuery({
        formId: flow.formId,
        fieldKeys: keys,
        filter: [filter && `(${filter})`, keyset].filter(Boolean).join(' and '),
        orderBy: `FID ASC, ${entryKey} ASC`,
        startRow: 0,
        limit: this.pageSize,
      });
      for (const row of rows) this.addRow(flow, bills, row);
      if (rows.length < this.pageSize) break;
      const last = rows[rows.length - 1]!;
      after = { fid: text(last[COMMON_FIELD_KEYS.fid]), entry: text(last[entryKey]) };
    }
    return [...bills.values()];
  }

  private addRow(flow: ReconcileFlow, bills: Map<string, MirrorBill>, row: QueryRow): void {
    const fid = text(row[COMMON_FIELD_KEYS.fid]);
    let bill = bills.get(fid);
    if (!bill) {
      bill = {
        _id: `${flow.formId}|${fid}`,
        formId: flow.formId,
        fid,
        flow: flow.documentType,
        ref: text(row[flow.fields.ref]),
        billNo: text(row[COMMON_FIELD_KEYS.billNo]),
        org: text(row[flow.fields.org]),
        date: text(row[flow.fields.date]).slice(0, 10),
        shop: text(row[flow.fields.shop]),
        status: text(row[COMMON_FIELD_KEYS.status]),
        cancelStatus: text(row[COMMON_FIELD_KEYS.cancelStatus]) || 'A',
        modifyDate: text(row[COMMON_FIELD_KEYS.modifyDate]),
        lines: [],
      };
      bills.set(fid, bill);
    }
    const line: LineFacts = {
      seq: bill.lines.length + 1,
      material: text(row[flow.fields.material]),
      warehouse: text(row[flow.fields.warehouse]),
      lot: text(row[flow.fields.lot]),
      qty: new Decimal(text(row[flow.fields.baseQty]) || '0').toString(),
      amount: new Decimal(text(row[flow.fields.amount]) || '0').toString(),
    };
    bill.lines.push(line);
  }

  private replace(bills: MirrorBill[]): Promise<void> {
    return replaceBills(this.bills, bills);
  }
}

/** Delete + insert (FerretDB-safe); a mirror is a cache, a crash in between is healed by the next refresh or sweep. */
export async function replaceBills(collection: Collection<MirrorBill>, bills: MirrorBill[]): Promise<void> {
  for (let start = 0; start < bills.length; start += 1_000) {
    const chunk = bills.slice(start, start + 1_000);
    await collection.deleteMany({ _id: { $in: chunk.map((bill) => bill._id) } });
    await collection.insertMany(chunk);
  }
}

/**
 * Removes the mirror's bills of `formId` dated in `period` that a full re-read did not return (deleted there).
 * Returns how many.
 */
export async function dropStaleBills(collection: Collection<MirrorBill>, formId: string, period: string, present: Set<string>): Promise<number> {
  const { from, until } = periodBounds(period);
  const stale = (await collection.find({ formId, date: { $gte: from, $lt: until } }, { projection: { _id: 1 } }).toArray())
    .map((bill) => bill._id)
    .filter((id) => !present.has(id));
  if (stale.length > 0) await collection.deleteMany({ _id: { $in: stale } });
  return stale.length;
}

/** First day of the period and first day of the next one (YYYY-MM-DD). */
export function periodBounds(period: string): { from: string; until: string } {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const until = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
  return { from: `${period}-01`, until };
}
