/**
 * The 旺店通 (WDT) target adapter of the posting kit. An audited Kingdee material (canonical oms_goods) becomes one
 * 企业版 `goods_push.php` call keyed by the spec number (= the material number), an upsert (wdt-goods.ts). An audited
 * Kingdee 采购入库单 (oms_purchase_instock), 采购退料单 (oms_purchase_return), 其他入库单 (oms_other_instock), 其他出库单
 * (oms_other_outstock), 直接调拨单 (oms_transfer) or 盘盈单/盘亏单 (oms_stock_count) becomes one 企业版 `stockin_purchase_push.php` /
 * `purchase_return_push.php` / `stockin_order_push.php` / `stockout_order_push.php` / `stock_transfer_push.php` /
 * `stock_sync_by_pd.php` call,
 * keyed by the 外部单号 (outer_no) rendered from the
 * Kingdee bill — the number WDT keeps unique. A lost answer is resolved by querying that number (the kind's query
 * with `outer_no=`); WDT's own "外部单号 … 已存在" answer means our earlier push landed: the document is adopted, not
 * an error. Everything exactly-once needs is the kit's; the one WDT client (signing, HTTP, error texts) is
 * @yecai/source-wangdiantong's transport.
 */
import { ValidationError, YecaiError } from '@yecai/common';
import {
  renderBillNumber,
  type BillStage,
  type CanonicalJson,
  type LedgerProblem,
  type TargetAdapter,
  type TargetCallRecord,
  type TargetDraft,
  type TargetState,
  type WorkItem,
  type WriteContext,
} from '@yecai/sink-kit';
import type { WangdiantongTransport, WdtAnswer } from '@yecai/source-wangdiantong';
import type { FlowConfig, WdtSinkDocumentType } from './config';
import { goodsOf, goodsProblemOf, holdsGoods } from './wdt-goods';

type Item = WorkItem<FlowConfig>;

/** A stock bill WDT is pushed (stock-in, return, other in/out, transfer, 盘点): what differs between them, the code path is one. */
interface StockBillKind {
  /** The push's one JSON parameter (none when the push takes flat parameters). */
  param?: string;
  /** Sent as flat parameters (lists as JSON text) plus these fixed ones, not as one JSON parameter (stock_sync_by_pd). */
  flat?: Record<string, string>;
  /** A 盘点单 sets the stock: the line's quantity sent is the counted stock (countedQuantity), not the difference. */
  counted?: true;
  /** A transfer names its two warehouses (from_warehouse_no / to_warehouse_no); the others one (warehouse_no). */
  transfer?: true;
  /** Its list of lines. */
  details: string;
  /** Line quantity and price in that parameter (a transfer has no price). */
  quantity: string;
  price?: string;
  /** Where the success answer gives WDT's number. */
  answerKey: string;
  /** The document in a person's words (messages). */
  label: string;
}

/** The WDT document kind each canonical type is pushed as (ledger key part, metrics label). */
export const WDT_FORM_OF: Record<WdtSinkDocumentType, { formId: string; push: string; query: string; listKey: string; bill?: StockBillKind }> = {
  oms_goods: { formId: 'goods', push: 'goods_push.php', query: 'goods_query.php', listKey: 'goods_list' },
  oms_purchase_instock: {
    formId: 'stockin_purchase',
    push: 'stockin_purchase_push.php',
    query: 'stockin_order_query_purchase.php',
    listKey: 'stockin_list',
    bill: { param: 'purchase_info', details: 'details_list', quantity: 'stockin_num', price: 'stockin_price', answerKey: 'stockin_no', label: '采购入库单' },
  },
  oms_purchase_return: {
    formId: 'purchase_return',
    push: 'purchase_return_push.php',
    query: 'stockout_order_query_return.php',
    listKey: 'stockout_list',
    bill: { param: 'purchase_return_info', details: 'details_list', quantity: 'num', price: 'price', answerKey: 'return_no', label: '采购退货单' },
  },
  // The generic 其他入库 / 其他出库 pushes, parameters as WDT's official 企业版 demos send them; a lost answer is looked
  // up on the generic in/out queries by outer_no.
  oms_other_instock: {
    formId: 'other_instock',
    push: 'stockin_order_push.php',
    query: 'stockin_order_query.php',
    listKey: 'stockin_list',
    bill: { param: 'stockin_info', details: 'goods_list', quantity: 'stockin_num', price: 'stockin_price', answerKey: 'stockin_no', label: '其他入库单' },
  },
  oms_other_outstock: {
    formId: 'other_outstock',
    push: 'stockout_order_push.php',
    query: 'stockout_order_query.php',
    listKey: 'stockout_list',
    bill: { param: 'stockout_info', details: 'detail_list', quantity: 'num', price: 'price', answerKey: 'stockout_no', label: '其他出库单' },
  },
  // 调拨: one call moves the stock out of one warehouse into the other; a lost answer is looked up on the transfer query.
  oms_transfer: {
    formId: 'transfer',
    push: 'stock_transfer_push.php',
    query: 'stock_transfer_query.php',
    listKey: 'transfer_list',
    bill: { param: 'transfer_info', transfer: true, details: 'skus', quantity: 'num', answerKey: 'transfer_no', label: '调拨单' },
  },
  // 盘点: one 盘点单 sets each spec's stock to the counted quantity (WDT overwrites the stock); a lost answer is looked up
  // on the 盘点单 query.
  oms_stock_count: {
    formId: 'stock_pd',
    push: 'stock_sync_by_pd.php',
    query: 'stock_pd_order_query.php',
    listKey: 'pd_list',
    bill: { flat: { is_adjust_stock: '0' }, counted: true, details: 'goods_list', quantity: 'stock_num', answerKey: 'pd_no', label: '盘点单' },
  },
};

/** Our own earlier push landed (the answer names the stock-in it made). */
const DUPLICATE = /外部单号.*已存在/;

/** WDT refusals of the data, each naming the canonical field a person fixes (master data or the Kingdee bill). */
const DATA_REFUSALS: Array<{ pattern: RegExp; code: string; field: string; fix: string }> = [
  // A transfer's refusals name the side (before the one-warehouse texts, which they also match).
  { pattern: /调出仓库.*不存在|调出仓库.*无权限/, code: 'WDT_WAREHOUSE_UNKNOWN', field: 'fromWarehouse', fix: '请核对调出仓库映射（旺店通仓库编号）check the source warehouse mapping' },
  { pattern: /调入仓库.*不存在|调入仓库.*无权限/, code: 'WDT_WAREHOUSE_UNKNOWN', field: 'toWarehouse', fix: '请核对调入仓库映射（旺店通仓库编号）check the destination warehouse mapping' },
  { pattern: /调出仓库和调入仓库不能相同/, code: 'WDT_WAREHOUSE_SAME', field: 'toWarehouse', fix: '两个金蝶仓库对应同一个旺店通仓库，请核对仓库映射 both Kingdee stocks map to one WDT warehouse; check the mapping' },
  { pattern: /仓库.*不存在|仓库.*无权限/, code: 'WDT_WAREHOUSE_UNKNOWN', field: 'warehouse', fix: '请核对仓库映射（旺店通仓库编号）check the warehouse mapping' },
  { pattern: /商家编码.*不存在|货品.*不存在/, code: 'WDT_SPEC_UNKNOWN', field: 'lines[].sku', fix: '请核对商品映射（旺店通商家编码）check the SKU mapping' },
  { pattern: /盘点数量/, code: 'WDT_QUANTITY_INVALID', field: 'lines[].countedQuantity', fix: '请核对金蝶盘点数量 check the counted quantity on the Kingdee bill' },
  { pattern: /商家编码.*重复/, code: 'WDT_SPEC_REPEATED', field: 'lines[].sku', fix: '同一商家编码出现在多行（多个批号或物料映射到同一商家编码），请拆单 one SKU on several lines; split the bill' },
  { pattern: /供应商.*不存在/, code: 'WDT_PROVIDER_UNKNOWN', field: 'provider', fix: '请核对供应商映射 check the supplier mapping' },
  { pattern: /数量/, code: 'WDT_QUANTITY_INVALID', field: 'lines[].quantity', fix: '请核对金蝶单据数量 check the quantities on the Kingdee bill' },
  { pattern: /缺少参数|JSON|参数/, code: 'WDT_PARAMETER_INVALID', field: 'model', fix: '请核对单据内容 check the document' },
];

/** Credentials, permission and throttling texts: the transport classifies them (level 3). */
const TRANSPORT_TEXTS = /签名|卖家账号|appkey|timestamp|时间戳|白名单|接口不存在|未授权|频率|并发|稍后重试/i;

export interface WdtTargetDeps {
  transport: WangdiantongTransport;
  /** The seller account (sid): the first part of every ledger id. */
  sid: string;
}

export class WdtTarget implements TargetAdapter<FlowConfig> {
  readonly name = 'wangdiantong';
  readonly label = '旺店通';
  readonly account: string;
  private readonly transport: WangdiantongTransport;

  constructor(deps: WdtTargetDeps) {
    this.transport = deps.transport;
    this.account = deps.sid;
  }

  formsOf(documentType: string): string[] {
    return [WDT_FORM_OF[documentType as WdtSinkDocumentType].formId];
  }

  draftsOf(documentType: string, canonical: CanonicalJson, flow: FlowConfig): TargetDraft[] {
    if (documentType === 'oms_goods') {
      // The key is WDT's own: the spec number it upserts by (billNumberPattern is fixed to {sku} in config.ts).
      const goods = goodsOf(canonical);
      return [{ formId: WDT_FORM_OF.oms_goods.formId, billNo: String(canonical.sku), model: goods }];
    }
    const outerNo = renderBillNumber(flow.billNumberPattern, canonical);
    const form = WDT_FORM_OF[documentType as WdtSinkDocumentType];
    return [{ formId: form.formId, billNo: outerNo, model: stockBillInfo(canonical, outerNo, form.bill!) }];
  }

  /**
   * A pushed stock bill is finished in WDT (status 80 / 110 已完成, stock moved): nothing to drive further, nothing
   * to edit.
   * Goods have no audit: pushed = done, and a later version is pushed onto the same goods (plan update).
   */
  wantedStage(flow: FlowConfig): BillStage {
    return flow.documentType === 'oms_goods' ? 'SAVED' : 'AUDITED';
  }

  isUnavailable(error: unknown): boolean {
    return error instanceof YecaiError && error.level === 3;
  }

  async probe(): Promise<void> {
    const result = await this.transport.check();
    if (!result.ok) throw new YecaiError(`WDT probe: ${result.message}`, { code: result.code ?? 'WDT_UNAVAILABLE', level: 3, retriable: true, userMessage: result.message });
  }

  /** One query per outer number (the API filters by one). */
  async lookup(items: Item[]): Promise<Map<string, TargetState>> {
    const result = new Map<string, TargetState>();
    for (const item of items) {
      const form = formOf(item.draft.formId);
      if (form === WDT_FORM_OF.oms_goods) {
        const state = await this.lookupGoods(item);
        if (state) result.set(item.id, state);
        continue;
      }
      const answer = await this.transport.call({ api: form.query }, { outer_no: item.draft.billNo }, { pageNo: 0, pageSize: 10 });
      const rows = (answer.body[form.listKey] ?? []) as Array<Record<string, unknown>>;
      const found = rows.find((row) => String(row.outer_no ?? '') === item.draft.billNo);
      if (found) result.set(item.id, { fid: String(found.order_no ?? found.transfer_no ?? found.pd_no ?? found.stockin_id ?? found.stockout_id), stage: 'AUDITED' });
    }
    return result;
  }

  async write(items: Item[], ctx: WriteContext): Promise<void> {
    for (const item of items.filter((one) => !one.done && one.plan !== 'none')) {
      if (item.draft.formId === WDT_FORM_OF.oms_goods.formId) {
        await this.pushGoods(item, ctx);
        continue;
      }
      if (item.plan !== 'save') {
        // A pushed WDT stock bill cannot be changed through the API; the engine parks later versions before they get here.
        const label = formOf(item.draft.formId).bill!.label;
        ctx.fail(item, { level: 2, code: 'WDT_NOT_UPDATABLE', message: `旺店通${label}推送后不能修改，请在旺店通手工调整后跳过 a pushed WDT ${item.draft.formId} cannot be changed; adjust it in WDT and skip` }, false);
        continue;
      }
      await this.push(item, ctx);
    }
  }

  /**
   * The goods holding this spec number. Never pushed before (ledger stage NONE): on WDT only when it holds what was
   * sent — goods that predate our push are not taken for it, the push (an upsert) lands it. Pushed before: on WDT
   * whatever it holds now (a newer version is then pushed as an update).
   */
  private async lookupGoods(item: Item): Promise<TargetState | undefined> {
    const form = WDT_FORM_OF.oms_goods;
    const answer = await this.transport.call({ api: form.query }, { spec_no: item.draft.billNo }, { pageNo: 0, pageSize: 10 });
    const rows = (answer.body[form.listKey] ?? []) as Array<Record<string, unknown>>;
    const found = rows.find((row) => ((row.spec_list ?? []) as Array<Record<string, unknown>>).some((spec) => String(spec.spec_no ?? '') === item.draft.billNo));
    if (!found) return undefined;
    if (item.entry.stage === 'NONE' && !holdsGoods(found, item.draft.model)) return undefined;
    return { fid: item.draft.billNo, stage: 'SAVED' };
  }

  /**
   * One push. Sent without a usable answer (timeout, cut connection, 5xx), the document may exist on WDT: the item is
   * left IN_DOUBT — the engine looks it up by its key before anything else — and the error goes up.
   */
  private async sendOrInDoubt(api: string, business: Record<string, string>, item: Item, ctx: WriteContext): Promise<WdtAnswer> {
    try {
      return await this.transport.send({ api }, business, null);
    } catch (error) {
      ctx.recordCall([callRecord(item, 'push', business, 'no_answer', { messages: [String((error as Error).message)] })]);
      ctx.setEntry(item, { state: 'IN_DOUBT' }, 'write_in_doubt', (error as Error).message);
      throw error;
    }
  }

  private async pushGoods(item: Item, ctx: WriteContext): Promise<void> {
    if (item.plan === 'reverse-update') {
      ctx.fail(item, { level: 2, code: 'WDT_NOT_REVERSIBLE', message: '旺店通货品没有审核，无需反审核；请把流程 onModified 设为 update_if_not_audited 后重推 WDT goods have no audit; set onModified to update_if_not_audited and re-push' }, false);
      return;
    }
    const form = WDT_FORM_OF.oms_goods;
    const business = { goods_list: JSON.stringify([item.draft.model]) };
    // An upsert: after a lost answer, pushing again would be safe too; the lookup decides all the same.
    const answer = await this.sendOrInDoubt(form.push, business, item, ctx);
    if (answer.code === 0) {
      ctx.recordCall([callRecord(item, 'push', business, 'ok', { fid: item.draft.billNo })]);
      ctx.setEntry(item, { fid: item.draft.billNo, stage: 'SAVED', postedVersion: item.version, problem: null }, item.plan === 'update' ? 'updated' : 'saved', `商家编码 ${item.draft.billNo}`);
      return;
    }
    ctx.recordCall([callRecord(item, 'push', business, `code_${answer.code}`, { messages: [answer.message] })]);
    if (TRANSPORT_TEXTS.test(answer.message)) throw this.transport.classify(form.push, answer);
    ctx.fail(item, goodsProblemOf(answer));
  }

  private async push(item: Item, ctx: WriteContext): Promise<void> {
    const form = formOf(item.draft.formId);
    const bill = form.bill!;
    const business = bill.flat ? flatParams(item.draft.model, bill.flat) : { [bill.param!]: JSON.stringify(item.draft.model) };
    const answer = await this.sendOrInDoubt(form.push, business, item, ctx);
    if (answer.code === 0) {
      const wdtNo = String(answer.body[bill.answerKey] ?? '');
      ctx.recordCall([callRecord(item, 'push', business, 'ok', { fid: wdtNo })]);
      ctx.setEntry(item, { fid: wdtNo, stage: 'AUDITED', postedVersion: item.version, problem: null }, 'saved', `${bill.label} ${wdtNo}`);
      return;
    }
    ctx.recordCall([callRecord(item, 'push', business, `code_${answer.code}`, { messages: [answer.message] })]);
    if (DUPLICATE.test(answer.message)) {
      const found = (await this.lookup([item])).get(item.id);
      if (found) {
        ctx.setEntry(item, { fid: found.fid, stage: found.stage, postedVersion: item.version, problem: null }, 'adopted_existing', `outer_no ${item.draft.billNo} already in WDT: ${found.fid}`);
        return;
      }
      ctx.fail(item, { level: 2, code: 'WDT_OUTER_NO_TAKEN', message: `旺店通说外部单号 ${item.draft.billNo} 已存在，但查不到该${bill.label}；请在旺店通核对后重推或跳过 WDT says the outer number exists but it cannot be found; check, then re-push or skip (${answer.message})` }, false);
      return;
    }
    if (TRANSPORT_TEXTS.test(answer.message)) throw this.transport.classify(form.push, answer);
    ctx.fail(item, problemOf(answer));
  }
}

/** A WDT refusal as a ledger problem: the data (level 1, naming the field) or a business rule (level 2, retried). */
export function problemOf(answer: WdtAnswer): LedgerProblem {
  const refusal = DATA_REFUSALS.find((entry) => entry.pattern.test(answer.message));
  if (refusal) {
    return { level: 1, code: refusal.code, field: refusal.field, message: `旺店通拒绝了单据：${answer.message}；${refusal.fix} / WDT refused the document (${answer.code})` };
  }
  return { level: 2, code: `WDT_BUSINESS_${answer.code}`, message: `旺店通业务规则拒绝：${answer.message}（自动重试）/ WDT business rule refused (${answer.code}), retrying` };
}

/**
 * The 企业版 JSON parameter of a stock-bill push (`purchase_info`, `purchase_return_info`, `stockin_info`,
 * `stockout_info`, `transfer_info`): decimals as their exact text, never through a float; the lines and their quantity
 * and price under the kind's own names; provider and purchase order only when the event has them (the purchase kinds);
 * a transfer's two warehouses.
 */
export function stockBillInfo(canonical: CanonicalJson, outerNo: string, bill: StockBillKind = WDT_FORM_OF.oms_purchase_instock.bill!): Record<string, unknown> {
  const text = (value: unknown, field: string): string => {
    if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field}: required text is missing`, field);
    return value;
  };
  const lines = canonical.lines;
  if (!Array.isArray(lines) || lines.length === 0) throw new ValidationError(`lines: a ${bill.label} needs at least one line`, 'lines');
  const optional = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    outer_no: outerNo,
    ...(bill.transfer
      ? { from_warehouse_no: text(canonical.fromWarehouse, 'fromWarehouse'), to_warehouse_no: text(canonical.toWarehouse, 'toWarehouse') }
      : { warehouse_no: text(canonical.warehouse, 'warehouse') }),
    ...(optional(canonical.provider) ? { provider_no: canonical.provider } : {}),
    ...(optional(canonical.purchaseOrderNumber) ? { purchase_no: canonical.purchaseOrderNumber } : {}),
    ...(optional(canonical.remark) ? { remark: canonical.remark } : {}),
    [bill.details]: (lines as Array<Record<string, unknown>>).map((line, index) => ({
      spec_no: text(line.sku, `lines[${index}].sku`),
      [bill.quantity]: bill.counted ? text(line.countedQuantity, `lines[${index}].countedQuantity`) : text(line.quantity, `lines[${index}].quantity`),
      ...(bill.price && optional(line.price) ? { [bill.price]: line.price } : {}),
      ...(optional(line.batch) ? { batch_no: line.batch } : {}),
    })),
  };
}

/** A flat-parameter push: each field its own parameter, lists as their JSON text, plus the kind's fixed parameters. */
function flatParams(model: Record<string, unknown>, fixed: Record<string, string>): Record<string, string> {
  return { ...fixed, ...Object.fromEntries(Object.entries(model).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])) };
}

function formOf(formId: string) {
  const form = Object.values(WDT_FORM_OF).find((candidate) => candidate.formId === formId);
  if (!form) throw new Error(`unknown WDT document kind ${formId}`);
  return form;
}

function callRecord(item: Item, operation: string, request: unknown, outcome: string, extra: Partial<TargetCallRecord>): TargetCallRecord {
  return { ledgerId: item.id, at: new Date(), operation, request, outcome, ...extra };
}
