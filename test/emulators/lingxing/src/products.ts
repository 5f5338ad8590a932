/**
 * 领星 本地产品 writes (`/erp/sc/routing/storage/product/set`, source-apis.md §4.7): create or update one local product
 * by `sku`. Request fields [assumed, named as productList answers them]: `sku` (required), `product_name` (required
 * for a new product), `unit`, `model` (规格型号), `status` (1 在售 / 0 停售). Answer [assumed]: the ERP envelope with
 * `data = {product_id, sku}`; a refused product is code 102 naming the field and changes nothing.
 * Written products are served by productList (by window or `sku_list`) like the generated ones.
 */
export const PRODUCT_SET_PATH = '/erp/sc/routing/storage/product/set';

export const PRODUCT_ERRORS = {
  sku: 'sku 不能为空 / sku is required',
  productName: (sku: string) => `sku ${sku}: product_name 不能为空 / product_name is required for a new product`,
  status: (sku: string) => `sku ${sku}: status 只能为 0 或 1 / status must be 0 or 1`,
  text: (sku: string, field: string) => `sku ${sku}: ${field} 须为字符串 / ${field} must be a string`,
} as const;

const TEXT_FIELDS = ['product_name', 'unit', 'model'] as const;

export interface LingxingProduct {
  id: number;
  sku: string;
  product_name: string;
  unit: string;
  model: string;
  status: number;
  status_text: string;
  create_time: number;
  update_time: number;
}

/** One applied write (a test asserts how often a sku was created vs. updated). */
export interface ProductWrite {
  sku: string;
  kind: 'created' | 'updated';
  atMs: number;
}

export class LingxingProductStore {
  private readonly products = new Map<string, LingxingProduct>();
  readonly writes: ProductWrite[] = [];
  private nextId = 50_000;

  get(sku: string): LingxingProduct | undefined {
    const found = this.products.get(sku);
    return found ? { ...found } : undefined;
  }

  list(): LingxingProduct[] {
    return [...this.products.values()].map((row) => ({ ...row }));
  }

  /** Checks and applies one product/set body: the written row, or the refusal text naming the field. */
  set(body: Record<string, unknown>, nowMs: number): { data: { product_id: number; sku: string } } | { error: string } {
    const sku = typeof body.sku === 'string' ? body.sku.trim() : '';
    if (sku === '') return { error: PRODUCT_ERRORS.sku };
    for (const field of TEXT_FIELDS)
      if (body[field] !== undefined && typeof body[field] !== 'string') return { error: PRODUCT_ERRORS.text(sku, field) };
    if (body.status !== undefined && body.status !== 0 && body.status !== 1) return { error: PRODUCT_ERRORS.status(sku) };
    const existing = this.products.get(sku);
    const name = typeof body.product_name === 'string' ? body.product_name.trim() : '';
    if (!existing && name === '') return { error: PRODUCT_ERRORS.productName(sku) };
    const seconds = Math.floor(nowMs / 1000);
    const status = body.status === undefined ? (existing?.status ?? 1) : Number(body.status);
    const row: LingxingProduct = {
      id: existing?.id ?? ++this.nextId,
      sku,
      product_name: name || existing!.product_name,
      unit: typeof body.unit === 'string' ? body.unit : (existing?.unit ?? ''),
      model: typeof body.model === 'string' ? body.model : (existing?.model ?? ''),
      status,
      status_text: status === 1 ? '在售' : '停售',
      create_time: existing?.create_time ?? seconds,
      update_time: seconds,
    };
    this.products.set(sku, row);
    this.writes.push({ sku, kind: existing ? 'updated' : 'created', atMs: nowMs });
    return { data: { product_id: row.id, sku } };
  }
}
