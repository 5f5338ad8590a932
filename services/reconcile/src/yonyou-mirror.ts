/**
 * The YonSuite mirror: what YonSuite holds now for the reconciled flows, per document with its lines and status, read
 * through the documented list APIs (yonyou-api.md §3.6: one row per line with `isSum: false`, `simpleVOs` filters),
 * incrementally by `pubts` (the server's change time, with an overlap) and fully re-read per period by `vouchdate` on
 * a sweep. The lists page by `pageIndex` only — there is no keyset order as on Kingdee — so a document saved while a
 * refresh pages may shift a row to the next page; the next refresh's overlap reads it again.
 */
import type { Collection, Db } from 'mongodb';
import { createLogger, Decimal } from '@yecai/common';
import { YonyouError, type YonyouClient } from '@yecai/yonyou';
import type { ReconcileFlow } from './flows';
import type { LineFacts, MirrorBill } from './model';
import { cellText, dropStaleBills, FieldKeyError, minusOverlap, periodBounds, replaceBills, type FinanceMirror, type MirrorState } from './mirror';

const logger = createLogger('reconcile-mirror-yonyou');

/** Rows per list page (the research does not state the maximum; 500 is what the sink's lookups stay under). */
const PAGE_SIZE = 500;
const text = cellText;

export class YonyouMirror implements FinanceMirror {
  readonly bills: Collection<MirrorBill>;
  readonly state: Collection<MirrorState>;

  constructor(
    db: Db,
    private readonly client: YonyouClient,
    private readonly flows: readonly ReconcileFlow[],
    private readonly pageSize = PAGE_SIZE,
  ) {
    this.bills = db.collection<MirrorBill>('reconcile_yonyou_mirror');
    this.state = db.collection<MirrorState>('reconcile_yonyou_mirror_state');
  }

  /** One row of each list: a list the tenant does not expose (or the app may not call) fails loudly, named. */
  async validate(): Promise<void> {
    for (const flow of this.flows) {
      try {
        await this.client.list(flow.yonyou.listPath, { pageIndex: 1, pageSize: 1, isSum: false });
      } catch (error) {
        if (!(error instanceof YonyouError)) throw error;
        throw new FieldKeyError(
          `用友列表接口 ${flow.yonyou.listPath} 不可用 · YonSuite list ${flow.yonyou.listPath} refused: ${error.message} (flow ${flow.documentType}, services/reconcile/src/flows.ts)`,
        );
      }
    }
  }

  async refresh(): Promise<number> {
    let changed = 0;
    for (const flow of this.flows) {
      const state = await this.state.findOne({ _id: flow.yonyou.formId });
      const filters = state ? [{ field: 'pubts', op: 'egt', value1: minusOverlap(state.modifiedUntil) }] : [];
      const bills = await this.pull(flow, filters);
      await replaceBills(this.bills, bills);
      const latest = bills.reduce((max, bill) => (bill.modifyDate > max ? bill.modifyDate : max), state?.modifiedUntil ?? '');
      if (latest) {
        await this.state.deleteOne({ _id: flow.yonyou.formId });
        await this.state.insertOne({ _id: flow.yonyou.formId, modifiedUntil: latest, refreshedAt: new Date() });
      }
      changed += bills.length;
    }
    return changed;
  }

  async sweep(period: string): Promise<number> {
    const { from, until } = periodBounds(period);
    const last = new Date(Date.parse(`${until}T00:00:00Z`) - 1_000).toISOString().slice(0, 19).replace('T', ' ');
    let swept = 0;
    for (const flow of this.flows) {
      const bills = await this.pull(flow, [{ field: 'vouchdate', op: 'between', value1: `${from} 00:00:00`, value2: last }]);
      const deleted = await dropStaleBills(this.bills, flow.yonyou.formId, period, new Set(bills.map((bill) => bill._id)));
      await replaceBills(this.bills, bills);
      swept += bills.length;
      logger.info({ formId: flow.yonyou.formId, period, bills: bills.length, deleted }, 'mirror swept');
    }
    return swept;
  }

  async all(): Promise<MirrorBill[]> {
    return this.bills.find({ formId: { $in: this.flows.map((flow) => flow.yonyou.formId) } }).toArray();
  }

  /** Every line row the filters select, page by page, grouped into documents (lines in row order). */
  private async pull(flow: ReconcileFlow, simpleVOs: Record<string, unknown>[]): Promise<MirrorBill[]> {
    const bills = new Map<string, MirrorBill>();
    for (let pageIndex = 1; ; pageIndex++) {
      const page = await this.client.list(flow.yonyou.listPath, { pageIndex, pageSize: this.pageSize, isSum: false, ...(simpleVOs.length ? { simpleVOs } : {}) });
      for (const row of page.recordList) this.addRow(flow, bills, row);
      if (page.recordList.length < this.pageSize || pageIndex * this.pageSize >= page.recordCount) break;
    }
    return [...bills.values()];
  }

  private addRow(flow: ReconcileFlow, bills: Map<string, MirrorBill>, row: Record<string, unknown>): void {
    const id = text(row.id);
    const columns = flow.yonyou;
    let bill = bills.get(id);
    if (!bill) {
      const status = text(row.status);
      bill = {
        _id: `${columns.formId}|${id}`,
        formId: columns.formId,
        fid: id,
        flow: flow.documentType,
        ref: text(row.out_sys_id),
        billNo: text(row.code),
        org: text(row[columns.org]),
        date: text(row.vouchdate).slice(0, 10),
        shop: text(row[columns.shop]),
        // 0 开立 / 1 已审核 as Kingdee's letters, which the comparison reads.
        status: status === '1' || (status === '0' && columns.savedIsFinal) ? 'C' : 'A',
        cancelStatus: 'A',
        modifyDate: text(row.pubts),
        lines: [],
      };
      bills.set(id, bill);
    }
    const line: LineFacts = {
      seq: bill.lines.length + 1,
      material: text(row.product_cCode),
      warehouse: text(row.warehouse_code),
      lot: text(row.batchno),
      qty: new Decimal(text(row.qty) || '0').toString(),
      amount: new Decimal(text(row.oriSum) || '0').toString(),
    };
    bill.lines.push(line);
  }
}
