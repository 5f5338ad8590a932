/**
 * The 领星 target adapter of the posting kit: an audited, 是否网销 Kingdee material (canonical oms_goods) becomes one
 * 本地产品 written through `/erp/sc/routing/storage/product/set`, keyed by `sku` = the Kingdee material number — the
 * key 领星 creates or updates the product by. A write of the same sku updates the product, so a write repeated after
 * a lost answer changes nothing twice; a write in doubt is still resolved by reading the product back
 * (productList by `sku_list`) and comparing what 领星 holds with what was sent. Everything exactly-once needs is the
 * kit's; the one 领星 client (tokens, signing, envelopes, codes, buckets) is @yecai/source-lingxing's transport.
 */
import { ValidationError, YecaiError } from '@yecai/common';
import { itemCallRecord, lookupUpserted, type BillStage, type CanonicalJson, type LedgerProblem, type TargetAdapter, type TargetDraft, type TargetState, type WorkItem, type WriteContext } from '@yecai/sink-kit';
import type { LingxingTransport } from '@yecai/source-lingxing';
import type { FlowConfig, LingxingSinkDocumentType } from './config';

type Item = WorkItem<FlowConfig>;

/** The 领星 document kind each canonical type is written as (ledger key part, metrics label) and its two calls. */
export const LINGXING_FORM_OF: Record<LingxingSinkDocumentType, { formId: string; write: string; read: string }> = {
  oms_goods: { formId: 'product', write: '/erp/sc/routing/storage/product/set', read: '/erp/sc/routing/data/local_inventory/productList' },
};

/** Products read back per productList call (`sku_list`); the documented page is up to 1000 rows. */
const SKUS_PER_READ = 20;

/** Fields of a product the read-back compares with what was sent (what product/set sets). */
const COMPARED = ['product_name', 'unit', 'model', 'status'] as const;

/**
 * 领星 refusals (code 102 参数不合法, the text names the request field), each naming the canonical field a person fixes
 * in Kingdee. Most specific first: a refusal text names the sku it is about as well.
 */
const REFUSALS: Array<{ pattern: RegExp; code: string; field: string; fix: string }> = [
  { pattern: /product_name|品名|名称/, code: 'LINGXING_NAME_INVALID', field: 'name', fix: '请在金蝶填写物料名称 fill in the material name in Kingdee' },
  { pattern: /\bunit\b|单位/, code: 'LINGXING_UNIT_INVALID', field: 'unit', fix: '请核对金蝶基本单位 check the base unit in Kingdee' },
  { pattern: /\bmodel\b|型号/, code: 'LINGXING_MODEL_INVALID', field: 'specification', fix: '请核对金蝶规格型号 check the specification in Kingdee' },
  { pattern: /\bstatus\b|状态/, code: 'LINGXING_STATUS_INVALID', field: 'enabled', fix: '请核对金蝶禁用状态 check the forbid status in Kingdee' },
  { pattern: /\bsku\b|SKU/, code: 'LINGXING_SKU_INVALID', field: 'sku', fix: '请核对金蝶物料编码 check the Kingdee material number' },
];

export interface LingxingTargetDeps {
  transport: LingxingTransport;
  /** The 领星 account name (config `lingxing.name`): the first part of every ledger id. */
  account: string;
}

export class LingxingTarget implements TargetAdapter<FlowConfig> {
  readonly name = 'lingxing';
  readonly label = '领星';
  readonly account: string;
  private readonly transport: LingxingTransport;

  constructor(deps: LingxingTargetDeps) {
    this.transport = deps.transport;
    this.account = deps.account;
  }

  formsOf(documentType: string): string[] {
    return [LINGXING_FORM_OF[documentType as LingxingSinkDocumentType].formId];
  }

  draftsOf(documentType: string, canonical: CanonicalJson): TargetDraft[] {
    const product = productOf(canonical);
    return [{ formId: LINGXING_FORM_OF[documentType as LingxingSinkDocumentType].formId, billNo: String(product.sku), model: product }];
  }

  /** Products have no audit in 领星: written = done; a later version is written onto the same sku (plan update). */
  wantedStage(): BillStage {
    return 'SAVED';
  }

  isUnavailable(error: unknown): boolean {
    return error instanceof YecaiError && error.level === 3;
  }

  /** One read of a sku that does not exist: proves appId, secret, token, IP whitelist and the product permission. */
  async probe(): Promise<void> {
    await this.transport.call(LINGXING_FORM_OF.oms_goods.read, { sku_list: ['__yecai_probe__'], offset: 0, length: 1 });
  }

  /** Reads the products back by sku (productList `sku_list`); what counts as written is the kit's lookupUpserted. */
  async lookup(items: Item[]): Promise<Map<string, TargetState>> {
    return lookupUpserted(items, { keysPerRead: SKUS_PER_READ, compared: COMPARED, read: (keys) => this.productsBySku(keys) });
  }

  async write(items: Item[], ctx: WriteContext): Promise<void> {
    for (const item of items.filter((one) => !one.done && one.plan !== 'none')) {
      if (item.plan === 'reverse-update') {
        ctx.fail(item, { level: 2, code: 'LINGXING_NOT_REVERSIBLE', message: '领星产品没有审核，无需反审核；请把流程 onModified 设为 update_if_not_audited 后重推 LingXing products have no audit; set onModified to update_if_not_audited and re-push' }, false);
        continue;
      }
      await this.writeProduct(item, ctx);
    }
  }

  private async writeProduct(item: Item, ctx: WriteContext): Promise<void> {
    const body = item.draft.model;
    const event = item.plan === 'update' ? 'updated' : 'saved';
    try {
      await this.transport.call(LINGXING_FORM_OF.oms_goods.write, body);
    } catch (error) {
      if (error instanceof YecaiError && error.level === 1) {
        // 领星 answered and refused the product (nothing written): the data or our request is wrong.
        ctx.recordCall([itemCallRecord(item, 'product_set', body, 'refused', { messages: [error.message] })]);
        ctx.fail(item, problemOf(error.message, error.code));
        return;
      }
      // Sent without a usable answer (timeout, cut connection, 5xx, 3001008, token trouble): the product may be
      // written. IN_DOUBT until read back; the kit retries (level 3) once 领星 answers again.
      ctx.recordCall([itemCallRecord(item, 'product_set', body, 'no_answer', { messages: [String((error as Error).message)] })]);
      ctx.setEntry(item, { state: 'IN_DOUBT' }, 'write_in_doubt', (error as Error).message);
      throw error;
    }
    ctx.recordCall([itemCallRecord(item, 'product_set', body, 'ok', { fid: item.draft.billNo })]);
    ctx.setEntry(item, { fid: item.draft.billNo, stage: 'SAVED', postedVersion: item.version, problem: null }, event, `sku ${item.draft.billNo}`);
  }

  private async productsBySku(skus: string[]): Promise<Map<string, Record<string, unknown>>> {
    const envelope = await this.transport.call(LINGXING_FORM_OF.oms_goods.read, { sku_list: skus, offset: 0, length: 1000 });
    const rows = Array.isArray(envelope.data) ? (envelope.data as Array<Record<string, unknown>>) : [];
    return new Map(rows.map((row) => [String(row.sku ?? ''), row]));
  }
}

/** A refused product as a ledger problem: level 1 (our data or request; a retry cannot fix it), naming the field. */
export function problemOf(message: string, code = 'LINGXING_PRODUCT_REFUSED'): LedgerProblem {
  const refusal = REFUSALS.find((entry) => entry.pattern.test(message));
  if (refusal) return { level: 1, code: refusal.code, field: refusal.field, message: `领星拒绝了产品：${message}；${refusal.fix} / LingXing refused the product` };
  return { level: 1, code, field: 'model', message: `领星拒绝了产品：${message}；请核对物料 check the material / LingXing refused the product` };
}

/** The product/set body of an oms_goods event: 领星 field names, optional fields only when the material has them. */
export function productOf(canonical: CanonicalJson): Record<string, unknown> {
  const sku = canonical.sku;
  if (typeof sku !== 'string' || sku.trim() === '' || sku.includes('|')) throw new ValidationError('sku: the product code (Kingdee material number) is missing or contains "|"', 'sku');
  const optional = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  const product: Record<string, unknown> = { sku };
  const fields: Array<[string, unknown]> = [
    ['product_name', canonical.name],
    ['unit', canonical.unit],
    ['model', canonical.specification],
  ];
  for (const [field, value] of fields) if (optional(value) !== undefined) product[field] = value;
  product.status = canonical.enabled === false ? 0 : 1;
  return product;
}
