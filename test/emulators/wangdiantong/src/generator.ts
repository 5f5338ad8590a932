import { pick, seededRandom, spreadModifiedTimes } from '@yecai/emulator-kit';
import type { WdtDocumentInput, WdtLineInput } from './documents';
import { WDT_DOCUMENT_TYPES, WDT_PROTOCOL, type WdtDocumentType } from './protocol';
import type { WdtStore } from './store';
import { defaultWorld, type WdtWorldInput } from './world';

export interface GenerateDocumentsOptions {
  /** Documents per type. */
  perType: Partial<Record<WdtDocumentType, number>>;
  /** Modified times spread over [fromMs, toMs]. */
  fromMs: number;
  toMs: number;
  /**
   * Probability that a document shares the previous one's modified second (波次发货, batch 审核). Default 0.3;
   * 1 puts every document of a type in one second.
   */
  sameSecondRatio?: number;
  /** Share of documents in the finished status (the rest draw other statuses). Default 0.85. */
  finishedRatio?: number;
  /** Every generated document gets this status (overrides finishedRatio). */
  status?: number;
}

/**
 * Seeded documents for every type over the store's world (the default world is seeded first when the store has
 * no warehouses). The same seed and options always give the same documents.
 */
export function generateDocuments(store: WdtStore, seed: number, options: GenerateDocumentsOptions): void {
  if (store.listWarehouses().length === 0) store.seedWorld(defaultWorld());
  const shops = store.listShops();
  const warehouses = store.listWarehouses();
  const providers = store.listProviders();
  const specs = store.listGoods().flatMap((goods) => goods.specs.map((spec) => spec.spec_no));
  if (shops.length === 0 || specs.length === 0 || providers.length === 0) {
    throw new Error('generateDocuments needs shops, goods and providers in the world');
  }
  const finishedRatio = options.finishedRatio ?? 0.85;
  WDT_DOCUMENT_TYPES.forEach((type, typeIndex) => {
    const count = options.perType[type] ?? 0;
    if (count <= 0) return;
    const random = seededRandom((seed * 31 + typeIndex * 7919 + store.count(type) * 104_729) >>> 0);
    const modifiedTimes = spreadModifiedTimes(random, count, options);
    const statuses = WDT_PROTOCOL[type].statuses;
    for (let i = 0; i < count; i++) {
      const modified = modifiedTimes[i]!;
      const lines: WdtLineInput[] = Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
        spec_no: pick(random, specs),
        num: type === 'stock_pd' ? (random() < 0.5 ? -1 : 1) * (1 + Math.floor(random() * 5)) : 1 + Math.floor(random() * 3),
        ...(type === 'sales_out' && random() < 0.05 ? { gift: true } : {}),
        ...(type === 'sales_out' && random() < 0.03 ? { suite_no: 'TZ-GIFTBOX' } : {}),
      }));
      const warehouse = pick(random, warehouses);
      const others = warehouses.filter((w) => w.warehouse_no !== warehouse.warehouse_no);
      const input: WdtDocumentInput = {
        status: options.status ?? (random() < finishedRatio ? statuses[0]! : pick(random, statuses.slice(1))),
        modified,
        created: modified - Math.floor(random() * 86_400) * 1000,
        shop_no: pick(random, shops).shop_no,
        warehouse_no: warehouse.warehouse_no,
        to_warehouse_no: others.length > 0 ? pick(random, others).warehouse_no : warehouse.warehouse_no,
        provider_no: pick(random, providers).provider_no,
        lines,
        ...(type === 'sales_out' && random() < 0.05
          ? { src_tids: [String(3e17 + Math.floor(random() * 1e15)), String(3e17 + Math.floor(random() * 1e15))] }
          : {}),
        ...(type === 'assembly'
          ? { assembly_type: random() < 0.8 ? (1 as const) : (2 as const), products: [{ spec_no: pick(random, specs), num: 1 }] }
          : {}),
      };
      store.addDocument(type, input);
    }
  });
}

/** Convenience: a fresh world plus documents, what main.ts and volume tests use. */
export function seedDefaultCompany(store: WdtStore, seed: number, options: GenerateDocumentsOptions, world: WdtWorldInput = defaultWorld()): void {
  store.seedWorld(world);
  generateDocuments(store, seed, options);
}
