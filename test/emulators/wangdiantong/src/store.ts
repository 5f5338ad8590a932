import { Decimal, formatBeijingTime } from '@yecai/common';
import { truncateToSecond } from '@yecai/emulator-kit';
import { buildDocument, documentNumber, type BuiltDocument, type MasterData, type WdtDocumentInput } from './documents';
import { WDT_DOCUMENT_TYPES, WDT_PROTOCOL, type WdtDocumentType } from './protocol';
import { at, type Fields } from './values';
import type { WdtGoodsInput, WdtProviderInput, WdtShopInput, WdtSpecInput, WdtWarehouseInput, WdtWorldInput } from './world';

/** One document: built fields plus the state that changes (status, modified, number). */
export interface StoredDocument {
  type: WdtDocumentType;
  id: number;
  no: string;
  status: number;
  modifiedMs: number;
  /** 发货/审核 time; null until the document is finished. */
  eventMs: number | null;
  built: BuiltDocument;
  overrides: Record<string, string | number>;
  /** Numbers this document had before a 驳回 + re-审核 renumbered it (old first). */
  previousNos: string[];
}

export interface WdtDocumentRef {
  type: WdtDocumentType;
  id: number;
  no: string;
  status: number;
  modified: string;
  modifiedMs: number;
  previousNos: string[];
  /** 外部单号 of a pushed document. */
  outerNo?: string;
}

export interface WdtDocumentChanges {
  status?: number;
  /** New 发货/审核 time (epoch ms); set automatically when the status becomes the finished one. */
  eventTime?: number;
  fields?: Record<string, string | number>;
}

type Shop = WdtShopInput & { shop_id: number; modifiedMs: number };
type Warehouse = WdtWarehouseInput & { warehouse_id: number; modifiedMs: number };
type Spec = WdtSpecInput & { spec_id: number };
type Goods = Omit<WdtGoodsInput, 'specs'> & { goods_id: number; modifiedMs: number; specs: Spec[] };
type Provider = WdtProviderInput & { provider_id: number; modifiedMs: number };

const ID_BASE: Record<WdtDocumentType, number> = {
  sales_out: 9_300_000,
  refund_in: 4_100_000,
  purchase_in: 4_500_000,
  purchase_return: 9_700_000,
  other_in: 4_800_000,
  other_out: 9_800_000,
  transfer: 300_000,
  stock_pd: 60_000,
  assembly: 20_000,
};

/**
 * In-memory WDT company: master data and documents. `modified` has one-second resolution, as in the real API;
 * queries return documents ordered by (time, id), both window ends inclusive.
 */
export class WdtStore implements MasterData {
  private readonly shops = new Map<string, Shop>();
  private readonly warehouses = new Map<string, Warehouse>();
  private readonly goodsByNo = new Map<string, Goods>();
  private readonly specs = new Map<string, { goods: Goods; spec: Spec }>();
  private readonly providers = new Map<string, Provider>();
  private readonly documents = new Map<WdtDocumentType, StoredDocument[]>();
  private readonly byId = new Map<WdtDocumentType, Map<number, StoredDocument>>();
  private readonly sortedCache = new Map<string, StoredDocument[]>();
  private nextId = new Map<WdtDocumentType, number>();
  private nextMasterId = 1;
  /** Applied goods_push writes (a test asserts how often goods were created vs. updated). */
  readonly goodsWrites: Array<{ goods_no: string; kind: 'created' | 'updated'; atMs: number }> = [];
  /** Stock per `<warehouse_no>|<spec_no>`, moved by pushes only (generated documents leave it alone). */
  private readonly stock = new Map<string, Decimal>();

  constructor(readonly now: () => number = Date.now) {
    for (const type of WDT_DOCUMENT_TYPES) {
      this.documents.set(type, []);
      this.byId.set(type, new Map());
      this.nextId.set(type, ID_BASE[type]);
    }
  }

  /** Adds (or replaces, by number) shops, warehouses, goods and providers. */
  seedWorld(world: WdtWorldInput): void {
    const nowMs = truncateToSecond(this.now());
    for (const shop of world.shops ?? []) {
      const existing = this.shops.get(shop.shop_no);
      this.shops.set(shop.shop_no, { ...shop, shop_id: existing?.shop_id ?? this.nextMasterId++, modifiedMs: nowMs });
    }
    for (const warehouse of world.warehouses ?? []) {
      const existing = this.warehouses.get(warehouse.warehouse_no);
      this.warehouses.set(warehouse.warehouse_no, {
        ...warehouse,
        warehouse_id: existing?.warehouse_id ?? this.nextMasterId++,
        modifiedMs: nowMs,
      });
    }
    for (const goods of world.goods ?? []) this.upsertGoods(goods);
    for (const provider of world.providers ?? []) {
      const existing = this.providers.get(provider.provider_no);
      this.providers.set(provider.provider_no, {
        ...provider,
        provider_id: existing?.provider_id ?? this.nextMasterId++,
        modifiedMs: nowMs,
      });
    }
  }

  /** Adds or changes one goods item; its `modified` moves to `goods.modified` or now. */
  upsertGoods(goods: WdtGoodsInput): void {
    const existing = this.goodsByNo.get(goods.goods_no);
    const stored: Goods = {
      ...goods,
      goods_id: existing?.goods_id ?? this.nextMasterId++,
      modifiedMs: truncateToSecond(goods.modified ?? this.now()),
      specs: goods.specs.map((spec) => ({
        ...spec,
        spec_id: existing?.specs.find((old) => old.spec_no === spec.spec_no)?.spec_id ?? this.nextMasterId++,
      })),
    };
    this.goodsByNo.set(goods.goods_no, stored);
    for (const spec of stored.specs) this.specs.set(spec.spec_no, { goods: stored, spec });
  }

  /**
   * goods_push: the goods' fields given replace the stored ones, its specs are upserted by spec_no and the goods'
   * other specs are kept (a push names the specs it changes, not the whole list).
   */
  pushGoods(goods: WdtGoodsInput): 'created' | 'updated' {
    const existing = this.goodsByNo.get(goods.goods_no);
    const specs = [...(existing?.specs ?? [])].map((spec) => ({ ...spec }));
    for (const spec of goods.specs) {
      const at = specs.findIndex((old) => old.spec_no === spec.spec_no);
      if (at >= 0) specs[at] = { ...specs[at]!, ...spec };
      else specs.push({ ...spec, spec_id: 0 });
    }
    const { specs: _given, ...fields } = goods;
    this.upsertGoods({ ...(existing ?? {}), ...fields, modified: this.now(), specs });
    const kind = existing ? 'updated' : 'created';
    this.goodsWrites.push({ goods_no: goods.goods_no, kind, atMs: this.now() });
    return kind;
  }

  shop(no: string): Shop | undefined {
    return this.shops.get(no);
  }
  warehouse(no: string): Warehouse | undefined {
    return this.warehouses.get(no);
  }
  spec(no: string): { goods: Goods; spec: Spec } | undefined {
    return this.specs.get(no);
  }
  provider(no: string): Provider | undefined {
    return this.providers.get(no);
  }
  listShops(): Shop[] {
    return [...this.shops.values()];
  }
  listWarehouses(): Warehouse[] {
    return [...this.warehouses.values()];
  }
  listGoods(): Goods[] {
    return [...this.goodsByNo.values()].sort((a, b) => a.modifiedMs - b.modifiedMs || a.goods_id - b.goods_id);
  }
  listProviders(): Provider[] {
    return [...this.providers.values()];
  }

  /** Adds one document; throws DocumentInputError naming the field when the input does not fit the world. */
  addDocument(type: WdtDocumentType, input: WdtDocumentInput): WdtDocumentRef {
    const id = this.nextId.get(type)!;
    const modifiedMs = truncateToSecond(input.modified ?? this.now());
    const built = buildDocument(type, id, { ...input, modified: modifiedMs }, this, this.now());
    this.nextId.set(type, id + 1);
    const status = input.status ?? WDT_PROTOCOL[type].doneStatus;
    const finished = isFinished(type, status);
    const createdMs = (built.header.created as ReturnType<typeof at>).at ?? modifiedMs;
    const document: StoredDocument = {
      type,
      id,
      no: input.no ?? documentNumber(type, id, createdMs),
      status,
      modifiedMs,
      eventMs: input.eventTime !== undefined ? truncateToSecond(input.eventTime) : finished ? modifiedMs : null,
      built,
      overrides: { ...input.fields },
      previousNos: [],
    };
    this.documents.get(type)!.push(document);
    this.byId.get(type)!.set(id, document);
    this.invalidate(type);
    return toRef(document);
  }

  /**
   * A later change: `modified` moves to `modifiedMs` (the late update a sync must pick up again); status and
   * fields change as given. Becoming finished sets the 发货/审核 time unless one is given.
   */
  modifyDocument(type: WdtDocumentType, id: number, modifiedMs: number, changes: WdtDocumentChanges = {}): WdtDocumentRef {
    const document = this.get(type, id);
    if (!document) throw new Error(`no ${type} document with id ${id}`);
    if (changes.status !== undefined && changes.status !== document.status) {
      document.status = changes.status;
      if (isFinished(type, changes.status) && document.eventMs === null) document.eventMs = truncateToSecond(modifiedMs);
    }
    if (changes.eventTime !== undefined) document.eventMs = truncateToSecond(changes.eventTime);
    document.overrides = { ...document.overrides, ...changes.fields };
    document.modifiedMs = truncateToSecond(modifiedMs);
    this.invalidate(type);
    return toRef(document);
  }

  /** 驳回 then re-审核: the document keeps its id but gets a new number (source-apis §3.3 pitfall). */
  renumberDocument(type: WdtDocumentType, id: number, modifiedMs: number): WdtDocumentRef {
    const document = this.get(type, id);
    if (!document) throw new Error(`no ${type} document with id ${id}`);
    document.previousNos.push(document.no);
    document.no = `${document.no.replace(/-\d+$/, '')}-${document.previousNos.length}`;
    return this.modifyDocument(type, id, modifiedMs);
  }

  /** The document pushed with this 外部单号 (`outer_no`), if any. */
  findByOuterNo(type: WdtDocumentType, outerNo: string): StoredDocument | undefined {
    return this.documents.get(type)!.find((document) => document.overrides.outer_no === outerNo);
  }

  /** Stock of a spec in a warehouse (0 when never moved), 4 decimals as WDT sends quantities. */
  stockOf(warehouseNo: string, specNo: string): string {
    return (this.stock.get(`${warehouseNo}|${specNo}`) ?? new Decimal(0)).toFixed(4);
  }

  addStock(warehouseNo: string, specNo: string, quantity: Decimal): void {
    const key = `${warehouseNo}|${specNo}`;
    this.stock.set(key, (this.stock.get(key) ?? new Decimal(0)).plus(quantity));
  }

  /** Every stock row that moved: warehouse, spec, quantity. */
  listStock(): Array<{ warehouse_no: string; spec_no: string; stock_num: string }> {
    return [...this.stock.entries()].map(([key, quantity]) => {
      const [warehouse_no, spec_no] = key.split('|') as [string, string];
      return { warehouse_no, spec_no, stock_num: quantity.toFixed(4) };
    });
  }

  get(type: WdtDocumentType, id: number): StoredDocument | undefined {
    return this.byId.get(type)!.get(id);
  }

  count(type: WdtDocumentType): number {
    return this.documents.get(type)!.length;
  }

  /** Every document's current version (ground truth for tests). */
  versions(type: WdtDocumentType): WdtDocumentRef[] {
    return this.documents.get(type)!.map(toRef);
  }

  /**
   * Documents whose `modified` (or 发货/审核 time) lies in [fromMs, toMs], both ends inclusive, ordered by
   * (that time, id) so pages are stable.
   */
  query(
    type: WdtDocumentType,
    by: 'modified' | 'event',
    fromMs: number,
    toMs: number,
    accept: (document: StoredDocument) => boolean = () => true,
  ): StoredDocument[] {
    const sorted = this.sorted(type, by);
    const timeOf = by === 'modified' ? (d: StoredDocument) => d.modifiedMs : (d: StoredDocument) => d.eventMs ?? -1;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (timeOf(sorted[mid]!) < fromMs) low = mid + 1;
      else high = mid;
    }
    const result: StoredDocument[] = [];
    for (let i = low; i < sorted.length && timeOf(sorted[i]!) <= toMs; i++) {
      if (accept(sorted[i]!)) result.push(sorted[i]!);
    }
    return result;
  }

  /** The document's fields with its current number, status, times and overrides (rendered per edition later). */
  fields(document: StoredDocument): Fields {
    const protocol = WDT_PROTOCOL[document.type];
    const { header, details, products } = document.built;
    const numbering: Fields =
      protocol.idField === 'stockout_id' ? { order_no: document.no, stockout_no: document.no } : { [protocol.noField]: document.no };
    return {
      [protocol.idField]: document.id,
      ...numbering,
      ...header,
      status: document.status,
      [protocol.eventTimeField]: at(document.eventMs),
      modified: at(document.modifiedMs),
      ...document.overrides,
      details_list: details,
      ...(products ? { goods_list: products } : {}),
    };
  }

  private sorted(type: WdtDocumentType, by: 'modified' | 'event'): StoredDocument[] {
    const key = `${type}:${by}`;
    let sorted = this.sortedCache.get(key);
    if (!sorted) {
      const list = this.documents.get(type)!;
      sorted =
        by === 'modified'
          ? [...list].sort((a, b) => a.modifiedMs - b.modifiedMs || a.id - b.id)
          : list.filter((d) => d.eventMs !== null).sort((a, b) => a.eventMs! - b.eventMs! || a.id - b.id);
      this.sortedCache.set(key, sorted);
    }
    return sorted;
  }

  private invalidate(type: WdtDocumentType): void {
    this.sortedCache.delete(`${type}:modified`);
    this.sortedCache.delete(`${type}:event`);
  }
}

/** A document counts as finished (has a 发货/审核 time) at or past the type's done status. */
export function isFinished(type: WdtDocumentType, status: number): boolean {
  const done = WDT_PROTOCOL[type].doneStatus;
  if (type === 'sales_out') return status >= 95; // 已发货 and later, 113 异常发货 included
  if (type === 'stock_pd') return status === done;
  return status >= done;
}

function toRef(document: StoredDocument): WdtDocumentRef {
  return {
    type: document.type,
    id: document.id,
    no: document.no,
    status: document.status,
    modified: formatBeijingTime(document.modifiedMs),
    modifiedMs: document.modifiedMs,
    previousNos: [...document.previousNos],
    ...(document.overrides.outer_no !== undefined ? { outerNo: String(document.overrides.outer_no) } : {}),
  };
}
