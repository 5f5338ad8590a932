/**
 * The 聚水潭 (JST) target adapter of the posting kit: an audited, 是否网销 Kingdee material (canonical oms_goods) becomes
 * one goods item uploaded through `/open/jushuitan/itemsku/upload`, keyed by the 商品编码 `sku_id` = the Kingdee
 * material number — the key JST upserts by. An upload of the same sku_id updates the goods, so a write repeated after
 * a lost answer changes nothing twice; a write in doubt is still resolved by querying the sku_id
 * (`/open/sku/query?sku_ids=`) and comparing what JST holds with what was sent. Everything exactly-once needs is the
 * kit's; the one JST client (signing, tokens, error codes) is @yecai/source-jushuitan's transport.
 */
import { ValidationError, YecaiError } from '@yecai/common';
import { itemCallRecord, lookupUpserted, type BillStage, type CanonicalJson, type LedgerProblem, type TargetAdapter, type TargetDraft, type TargetState, type WorkItem, type WriteContext } from '@yecai/sink-kit';
import type { JushuitanTransport } from '@yecai/source-jushuitan';
import type { FlowConfig, JstSinkDocumentType } from './config';

type Item = WorkItem<FlowConfig>;

/** The JST document kind each canonical type is written as (ledger key part, metrics label) and its two calls. */
export const JST_FORM_OF: Record<JstSinkDocumentType, { formId: string; upload: string; query: string }> = {
  oms_goods: { formId: 'itemsku', upload: '/open/jushuitan/itemsku/upload', query: '/open/sku/query' },
};

/** Fields of a goods item the lookup compares with what was sent (what the upload sets). */
const COMPARED = ['i_id', 'name', 'properties_value', 'sku_code', 'unit', 'enabled'] as const;

/** JST refusals of one item, each naming the canonical field a person fixes in Kingdee. */
const ITEM_REFUSALS: Array<{ pattern: RegExp; code: string; field: string; fix: string }> = [
  { pattern: /sku_id/, code: 'JST_SKU_INVALID', field: 'sku', fix: '请核对金蝶物料编码 check the Kingdee material number' },
  { pattern: /i_id|款式编码/, code: 'JST_STYLE_INVALID', field: 'styleCode', fix: '请核对款式编码（默认为金蝶物料编码）check the style code' },
  { pattern: /\(name\)|名称/, code: 'JST_NAME_INVALID', field: 'name', fix: '请在金蝶填写物料名称 fill in the material name in Kingdee' },
  { pattern: /unit|单位/, code: 'JST_UNIT_INVALID', field: 'unit', fix: '请核对金蝶基本单位 check the base unit in Kingdee' },
  { pattern: /sku_code|国际码|条码/, code: 'JST_BARCODE_INVALID', field: 'barcode', fix: '请核对金蝶条码 check the barcode in Kingdee' },
  { pattern: /properties_value|规格/, code: 'JST_SPEC_INVALID', field: 'specification', fix: '请核对金蝶规格型号 check the specification in Kingdee' },
  { pattern: /enabled|启用/, code: 'JST_ENABLED_INVALID', field: 'enabled', fix: '请核对金蝶禁用状态 check the forbid status in Kingdee' },
];

export interface JstTargetDeps {
  transport: JushuitanTransport;
  /** The JST account name (config `jushuitan.name`): the first part of every ledger id. */
  account: string;
}

export class JstTarget implements TargetAdapter<FlowConfig> {
  readonly name = 'jushuitan';
  readonly label = '聚水潭';
  readonly account: string;
  private readonly transport: JushuitanTransport;

  constructor(deps: JstTargetDeps) {
    this.transport = deps.transport;
    this.account = deps.account;
  }

  formsOf(documentType: string): string[] {
    return [JST_FORM_OF[documentType as JstSinkDocumentType].formId];
  }

  draftsOf(documentType: string, canonical: CanonicalJson): TargetDraft[] {
    const item = goodsItem(canonical);
    return [{ formId: JST_FORM_OF[documentType as JstSinkDocumentType].formId, billNo: String(item.sku_id), model: item }];
  }

  /** Goods have no audit in JST: uploaded = done; a later version is uploaded onto the same sku_id (plan update). */
  wantedStage(): BillStage {
    return 'SAVED';
  }

  isUnavailable(error: unknown): boolean {
    return error instanceof YecaiError && error.level === 3;
  }

  /** One query of a sku that does not exist: proves app key, secret, token and the goods permission at once. */
  async probe(): Promise<void> {
    await this.transport.call(JST_FORM_OF.oms_goods.query, { sku_ids: '__yecai_probe__', page_index: 1, page_size: 1 });
  }

  /**
   * One query for up to 20 sku ids. A document never written (ledger stage NONE) counts as on JST only when JST holds
   * what was sent — otherwise the goods there predate our upload, and uploading again (an upsert) is what lands it;
   * a document written before is on JST whatever it holds now (its newer version is then uploaded as an update).
   */
  async lookup(items: Item[]): Promise<Map<string, TargetState>> {
    return lookupUpserted(items, { keysPerRead: 20, compared: COMPARED, read: (keys) => this.goodsBySku(keys) });
  }

  async write(items: Item[], ctx: WriteContext): Promise<void> {
    for (const item of items.filter((one) => !one.done && one.plan !== 'none')) {
      if (item.plan === 'reverse-update') {
        ctx.fail(item, { level: 2, code: 'JST_NOT_REVERSIBLE', message: '聚水潭商品没有审核，无需反审核；请把流程 onModified 设为 update_if_not_audited 后重推 JST goods have no audit; set onModified to update_if_not_audited and re-push' }, false);
        continue;
      }
      await this.upload(item, ctx);
    }
  }

  private async upload(item: Item, ctx: WriteContext): Promise<void> {
    const form = formOf(item.draft.formId);
    const biz = { items: [item.draft.model] };
    const event = item.plan === 'update' ? 'updated' : 'saved';
    let data: unknown;
    try {
      data = await this.transport.call(form.upload, biz);
    } catch (error) {
      if (error instanceof YecaiError && error.level === 1) {
        // The whole call refused as a business error (JST answered, nothing written): our request is wrong.
        ctx.recordCall([itemCallRecord(item, 'upload', biz, 'refused', { messages: [error.message] })]);
        ctx.fail(item, { level: 1, code: error.code, field: 'model', message: `聚水潭拒绝了商品上传：${error.userMessage}；请核对物料 check the material` });
        return;
      }
      // Sent without a usable answer (timeout, cut connection, 5xx, throttling): the goods may be written. IN_DOUBT until looked up.
      ctx.recordCall([itemCallRecord(item, 'upload', biz, 'no_answer', { messages: [String((error as Error).message)] })]);
      ctx.setEntry(item, { state: 'IN_DOUBT' }, 'write_in_doubt', (error as Error).message);
      throw error;
    }
    const rows = ((data as { datas?: unknown } | null)?.datas ?? []) as Array<{ sku_id?: unknown; is_success?: unknown; msg?: unknown }>;
    const answer = rows.find((row) => String(row.sku_id ?? '') === item.draft.billNo) ?? (rows.length === 1 ? rows[0] : undefined);
    if (answer?.is_success === true) {
      ctx.recordCall([itemCallRecord(item, 'upload', biz, 'ok', { fid: item.draft.billNo })]);
      ctx.setEntry(item, { fid: item.draft.billNo, stage: 'SAVED', postedVersion: item.version, problem: null }, event, `sku_id ${item.draft.billNo}`);
      return;
    }
    const message = answer ? String(answer.msg ?? '') : `no answer for sku_id ${item.draft.billNo} in ${JSON.stringify(data)}`;
    ctx.recordCall([itemCallRecord(item, 'upload', biz, 'item_refused', { messages: [message] })]);
    ctx.fail(item, problemOf(message));
  }

  private async goodsBySku(skuIds: string[]): Promise<Map<string, Record<string, unknown>>> {
    const data = (await this.transport.call(JST_FORM_OF.oms_goods.query, { sku_ids: skuIds.join(','), page_index: 1, page_size: 50 })) as { datas?: unknown } | null;
    const rows = Array.isArray(data?.datas) ? (data.datas as Array<Record<string, unknown>>) : [];
    return new Map(rows.map((row) => [String(row.sku_id ?? ''), row]));
  }
}

/** A refused item as a ledger problem: the data (level 1, naming the field) or anything else (level 2, retried). */
export function problemOf(message: string): LedgerProblem {
  const refusal = ITEM_REFUSALS.find((entry) => entry.pattern.test(message));
  if (refusal) {
    return { level: 1, code: refusal.code, field: refusal.field, message: `聚水潭拒绝了商品：${message}；${refusal.fix} / JST refused the goods` };
  }
  return { level: 2, code: 'JST_ITEM_REFUSED', message: `聚水潭未接受商品：${message}（自动重试）/ JST did not accept the goods, retrying` };
}

/** The upload item of an oms_goods event: JST field names, optional fields only when the material has them. */
export function goodsItem(canonical: CanonicalJson): Record<string, unknown> {
  const sku = canonical.sku;
  if (typeof sku !== 'string' || sku.trim() === '' || sku.includes('|')) throw new ValidationError('sku: the goods code (Kingdee material number) is missing or contains "|"', 'sku');
  const optional = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  const item: Record<string, unknown> = { sku_id: sku };
  const fields: Array<[string, unknown]> = [
    ['i_id', canonical.styleCode],
    ['name', canonical.name],
    ['properties_value', canonical.specification],
    ['sku_code', canonical.barcode],
    ['unit', canonical.unit],
  ];
  for (const [field, value] of fields) if (optional(value) !== undefined) item[field] = value;
  item.enabled = canonical.enabled === false ? -1 : 1;
  return item;
}

function formOf(formId: string) {
  const form = Object.values(JST_FORM_OF).find((candidate) => candidate.formId === formId);
  if (!form) throw new Error(`unknown JST document kind ${formId}`);
  return form;
}
