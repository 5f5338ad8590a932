import { z } from 'zod';

/**
 * Master-data entities the mapping rules look up. Each has a natural key (unique index) and is keyed, where it
 * comes from a source system, by (sourceSystem, source code): the same code can mean different things in JST and WDT.
 */
const code = z.string().trim().min(1, 'must not be empty');
const sourceSystem = z.enum(['jushuitan', 'wangdiantong', 'lingxing', 'saihu', 'kingdee']);

export const ENTITY_SCHEMAS = {
  /** 组织: Kingdee organisations by number (root org typically 100). */
  org: z.object({ number: code, name: code }).strict(),
  /** 仓库: source warehouse code → Kingdee stock number and the stock org that owns it. */
  warehouse: z
    .object({ sourceSystem, sourceCode: code, name: z.string().optional(), kingdeeStockNumber: code, stockOrg: code })
    .strict(),
  /** 店铺: shop → Kingdee customer (shop = customer) and the delivery org that ships its orders. */
  shop: z
    .object({
      sourceSystem,
      shopCode: code,
      shopName: z.string().optional(),
      customerNumber: code,
      deliveryOrg: code,
      saleOrg: z.string().optional(),
    })
    .strict(),
  /** SKU → Kingdee material, unit and how its batch (批号) is decided. */
  sku: z
    .object({
      sourceSystem,
      skuCode: code,
      materialNumber: code,
      unit: code,
      /**
       * The SKU's override of its source's lot policy (services/mapping/rules/<source>/lot-policy.yaml): flow = the
       * policy decides (the source's batch, else its derivation); source = only the source's batch; fixed =
       * always `fixedBatch`; none = never a lot. A `kingdee/<material>` record (pulled) says flow when Kingdee
       * batch-manages the material, none when not; the lot policy reads it to park a batch-managed line without a lot.
       */
      batchRule: z.enum(['flow', 'source', 'fixed', 'none']).default('flow'),
      fixedBatch: z.string().optional(),
    })
    .strict()
    .refine((sku) => sku.batchRule !== 'fixed' || (sku.fixedBatch ?? '') !== '', {
      path: ['fixedBatch'],
      message: 'required when batchRule is fixed',
    }),
  supplier: z
    .object({ sourceSystem, sourceCode: code, name: z.string().optional(), kingdeeSupplierNumber: code })
    .strict(),
  /** 费用类型 → 会计科目 (and optionally 费用项目). */
  feeType: z.object({ sourceSystem, feeType: code, accountNumber: code, expenseItem: z.string().optional() }).strict(),
  /** `amountDigits`: decimals of an amount in the currency (JPY 0; 2 when left out) — fee allocation rounds to it. */
  currency: z
    .object({
      code,
      kingdeeCurrencyNumber: code,
      name: z.string().optional(),
      amountDigits: z.union([z.number().int().min(0).max(6), z.string().regex(/^[0-6]$/, 'must be 0–6')]).optional(),
    })
    .strict(),
  /**
   * 月汇率: the source's rate of a currency to the local currency for one month (领星 currencyMonth, kept as its
   * decimal text), so a document in USD carries the rate of its month, never a silent CNY assumption.
   */
  currencyRate: z
    .object({
      sourceSystem,
      month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month yyyy-MM'),
      code,
      rate: z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive decimal like 7.1884'),
    })
    .strict(),
} as const;

export type EntityName = keyof typeof ENTITY_SCHEMAS;
export type EntityRecord<E extends EntityName> = z.infer<(typeof ENTITY_SCHEMAS)[E]>;

/** Natural key fields per entity, in key order: unique index and lookup key. */
export const ENTITY_KEYS: { [E in EntityName]: readonly string[] } = {
  org: ['number'],
  warehouse: ['sourceSystem', 'sourceCode'],
  shop: ['sourceSystem', 'shopCode'],
  sku: ['sourceSystem', 'skuCode'],
  supplier: ['sourceSystem', 'sourceCode'],
  feeType: ['sourceSystem', 'feeType'],
  currency: ['code'],
  currencyRate: ['sourceSystem', 'month', 'code'],
};

/** Chinese + English names of the entities, for messages a person acts on. */
export const ENTITY_LABELS: { [E in EntityName]: { zh: string; en: string } } = {
  org: { zh: '组织', en: 'org' },
  warehouse: { zh: '仓库', en: 'warehouse' },
  shop: { zh: '店铺', en: 'shop' },
  sku: { zh: '商品', en: 'SKU' },
  supplier: { zh: '供应商', en: 'supplier' },
  feeType: { zh: '费用类型', en: 'fee type' },
  currency: { zh: '币别', en: 'currency' },
  currencyRate: { zh: '月汇率', en: 'monthly exchange rate' },
};

/** The systems yecai connects, as people name them: messages say which system a mapping or document belongs to. */
export const SYSTEM_LABELS = {
  kingdee: { zh: '金蝶', en: 'Kingdee' },
  yonyou: { zh: '用友', en: 'YonSuite' },
  jushuitan: { zh: '聚水潭', en: 'Jushuitan' },
  wangdiantong: { zh: '旺店通', en: 'WDT' },
  lingxing: { zh: '领星', en: 'LingXing' },
  saihu: { zh: '赛狐', en: 'Saihu' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type SystemName = keyof typeof SYSTEM_LABELS;

/** A system's words; a system not in the table is named by its id in both languages. */
export function systemLabel(system: string): { zh: string; en: string } {
  return (SYSTEM_LABELS as Record<string, { zh: string; en: string }>)[system] ?? { zh: system, en: system };
}

export const ENTITY_NAMES = Object.keys(ENTITY_SCHEMAS) as EntityName[];

export function isEntityName(value: string): value is EntityName {
  return Object.hasOwn(ENTITY_SCHEMAS, value);
}

/** Whether the entity's key starts with the source system (lookups add it from the document being mapped). */
export function isSourceScoped(entity: EntityName): boolean {
  return ENTITY_KEYS[entity][0] === 'sourceSystem';
}

/** The stored `_id`: key parts joined by `/`, e.g. `jushuitan/WH-09`. */
export function keyOf(entity: EntityName, record: Record<string, unknown>): string {
  return ENTITY_KEYS[entity].map((field) => String(record[field])).join('/');
}

/**
 * A reverse lookup (Kingdee → OMS flows): the one record of `system` whose `field` equals `value`, e.g. the
 * 旺店通 warehouse whose `kingdeeStockNumber` is CK001 — the same record the forward flow maps WDT → Kingdee with,
 * read the other way. Encoded as a key so caches and lookups stay key-based; it never collides with a stored key
 * (those start with a system or a code, not `~`). No record, or more than one (ambiguous), answers null: the
 * document parks naming the Kingdee code.
 */
const REVERSE_PREFIX = '~reverse/';

export function reverseKey(system: string, field: string, value: string): string {
  return `${REVERSE_PREFIX}${system}/${field}/${value}`;
}

export function parseReverseKey(key: string): { system: string; field: string; value: string } | null {
  if (!key.startsWith(REVERSE_PREFIX)) return null;
  const rest = key.slice(REVERSE_PREFIX.length);
  const first = rest.indexOf('/');
  const second = rest.indexOf('/', first + 1);
  if (first <= 0 || second <= first + 1) return null;
  return { system: rest.slice(0, first), field: rest.slice(first + 1, second), value: rest.slice(second + 1) };
}
