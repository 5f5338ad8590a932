import { z } from 'zod';

/**
 * The mapping rules as people write them (services/mapping/rules/<source>/<flow>.yaml): the 《数据对接业务规范》
 * in machine-readable form. Every field spec says where its value comes from — exactly one of:
 * `value` (fixed), `from` (a source field path), `expr` (a JSONata expression) — plus the labels that the
 * generated docs/field-mapping.md shows to the finance lead.
 */
const expression = z.string().trim().min(1, 'must not be empty');

/**
 * What a field whose rule yields no value (nothing, or null — `""` is a value: explicitly empty) becomes: `empty`
 * leaves it empty (null), `park` parks the document naming the field. Declared where the business rule leaves a case
 * open (e.g. the JST batch rule names A and G styles only), so the generated document says what happens.
 */
export const onNoValueSchema = z.enum(['empty', 'park'], { error: 'must be empty or park' });

/** Named policies a field can apply instead of its own rule; `lot` is the source's 批号 policy (lot-policy.yaml). */
const policyName = z.enum(['lot'], { error: 'must name a policy of the source: lot' });

export const fieldSpecSchema = z
  .object({
    /** 中文 label of the target field as finance knows it, e.g. 单据编号. */
    label: z.string().min(1),
    /** Human name of the source field, e.g. 发货单号; shown in the mapping document. */
    sourceLabel: z.string().optional(),
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    from: z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, 'must be a field path like io_id or cb_finance.rate').optional(),
    expr: expression.optional(),
    /** The source's named policy (e.g. `lot`: the 批号 every stock flow of the source shares). */
    policy: policyName.optional(),
    onNoValue: onNoValueSchema.optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((spec) => [spec.value !== undefined, spec.from !== undefined, spec.expr !== undefined, spec.policy !== undefined].filter(Boolean).length === 1, {
    message: 'exactly one of value, from, expr, policy must be given',
  })
  .refine((spec) => spec.policy === undefined || spec.onNoValue === undefined, {
    message: 'a field applying a policy takes onNoValue from the policy',
    path: ['onNoValue'],
  });

export const lookupSpecSchema = z
  .object({
    entity: z.enum(['org', 'warehouse', 'shop', 'sku', 'supplier', 'feeType', 'currency', 'currencyRate']),
    /** JSONata expression giving the key (source systems are prefixed automatically for source-scoped entities). */
    key: expression,
    label: z.string().optional(),
    /** Missing record → the binding is null instead of parking the document. */
    optional: z.boolean().default(false),
    /**
     * Whose records: `source` (default) = the mapping people keep for the document's source system
     * (`jushuitan/<key>`); `kingdee` = the records `yecai master-data pull-kingdee` stored (`kingdee/<key>`, e.g. a
     * material by its Kingdee number). Only for entities kept per source system.
     */
    scope: z.enum(['source', 'kingdee'], { error: 'must be source or kingdee' }).default('source'),
    /**
     * A reverse lookup, for flows out of Kingdee: the key is a Kingdee code and the record is the one of `system`
     * whose `field` holds it (the 旺店通 warehouse whose kingdeeStockNumber is the bill's stock) — the forward
     * mapping read backwards, so one table serves both directions. None or several matching records park the document.
     */
    reverse: z
      .object({ system: z.enum(['jushuitan', 'wangdiantong', 'lingxing', 'saihu']), field: z.string().regex(/^[a-zA-Z]\w*$/) })
      .strict()
      .optional(),
  })
  .strict();

export const filterSpecSchema = z
  .object({
    name: z.string().min(1),
    /** 中文 description for the mapping document. */
    description: z.string().min(1),
    /** JSONata predicate: the document (or line) is kept when it is true. */
    keep: expression,
  })
  .strict();

const FIELD_PATH = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;

/** A line scope; `lines.lines` nests once more (e.g. assembly products → components). */
const linesSchema = z
  .object({
    /** Target array field in the canonical schema (e.g. lines). */
    target: z.string().default('lines'),
    /** Source array: a path in the parent (e.g. items), or a JSONata expression starting with `$` (e.g. `$doc.details_list`). */
    from: z.string().min(1),
    filters: z.array(filterSpecSchema).default([]),
    lookups: z.record(z.string().regex(/^[a-zA-Z]\w*$/), lookupSpecSchema).default({}),
    fields: z.record(z.string(), fieldSpecSchema),
  })
  .strict();

/** The OMSs a reverse flow (Kingdee → OMS) can write to: each has a sink. */
export const OMS_SYSTEMS = ['jushuitan', 'wangdiantong', 'lingxing', 'saihu'] as const;
const omsSystemSchema = z.enum(OMS_SYSTEMS);

/** The OMSs a rule's canonical events are written to (none for a rule into Kingdee). */
export function targetSystems(target: { system?: string | readonly string[] | undefined }): string[] {
  return target.system === undefined ? [] : typeof target.system === 'string' ? [target.system] : [...target.system];
}

/**
 * The system(s) a rule's events are for, as its target names them: the deployment's finance target for a
 * `kingdeeForm` (and a `readBy` level, compared with the finance books), YonSuite for a `yonyouForm`, the OMS(s) of
 * `system`.
 */
export function ruleTargetSystems(
  target: { kingdeeForm?: string | undefined; yonyouForm?: string | undefined; system?: string | readonly string[] | undefined },
  financeTarget: FinanceTarget = 'kingdee',
): string[] {
  if (target.yonyouForm !== undefined) return ['yonyou'];
  if (target.system !== undefined) return targetSystems(target);
  // A Kingdee form names the finance document; the deployment's finance sink (Kingdee or YonSuite) posts it.
  return [financeTarget];
}

/** The finance systems a deployment may post the finance rules' events to (MAPPING_FINANCE_TARGET). */
export const FINANCE_TARGETS = ['kingdee', 'yonyou'] as const;
export type FinanceTarget = (typeof FINANCE_TARGETS)[number];

export const ruleFileSchema = z
  .object({
    flow: z.string().regex(/^[a-z0-9_]+\/[a-z0-9_]+$/, 'must look like <source>/<name>'),
    version: z.number().int().positive(),
    title: z.string().min(1),
    description: z.string().optional(),
    source: z.object({ system: z.string().min(1), documentType: z.string().regex(/^[a-z0-9_]+$/) }).strict(),
    /**
     * Where the canonical event goes: a Kingdee form (flows into Kingdee), an OMS (`system`, flows out of Kingdee; a
     * list when one canonical type feeds several OMS sinks, e.g. Kingdee materials → 聚水潭 and 旺店通 goods), or no
     * sink at all (`readBy`: a level such as an inventory snapshot, which a service reads and nothing posts).
     */
    target: z
      .object({
        documentType: z.string().min(1),
        kingdeeForm: z.string().min(1).optional(),
        /** A YonSuite document kind (e.g. purinrecord): a flow whose events only YonSuite posts (sink-yonyou). */
        yonyouForm: z.string().min(1).optional(),
        system: z.union([omsSystemSchema, z.array(omsSystemSchema).min(1)]).optional(),
        readBy: z.enum(['reconcile']).optional(),
      })
      .strict()
      .refine((target) => [target.kingdeeForm, target.yonyouForm, target.system, target.readBy].filter((set) => set !== undefined).length === 1, {
        message: 'give exactly one of kingdeeForm (into Kingdee), yonyouForm (into YonSuite), system (out of Kingdee to an OMS) or readBy (no sink: the service that reads it)',
      }),
    filters: z.array(filterSpecSchema).default([]),
    lookups: z.record(z.string().regex(/^[a-zA-Z]\w*$/), lookupSpecSchema).default({}),
    fields: z.record(z.string(), fieldSpecSchema),
    /**
     * One canonical event per element of a source array instead of one per document (e.g. WDT goods → one
     * material per spec): filters, lookups, fields and lines then read the element, `$doc` is the whole document,
     * and the event key is the document key + `/` + the element's `id`. A document is parked as a whole.
     */
    each: z
      .object({
        from: z.string().regex(FIELD_PATH, 'must be a field path like spec_list'),
        id: z.string().regex(FIELD_PATH, 'must be a field path like spec_no'),
      })
      .strict()
      .optional(),
    lines: linesSchema.extend({ lines: linesSchema.optional() }).optional(),
  })
  .strict();

/**
 * A source's 批号 (lot) policy, `rules/<source>/lot-policy.yaml`: the one rule every flow of the source that moves
 * stock applies (`policy: lot`), so a lot is the same end to end (flows.md F17). In order: the SKU's `batchRule`
 * (`none` → no lot, `fixed` → its `fixedBatch`), else the source's batch when the line carries one, else (batchRule
 * `flow`, the default) the derivation; no value → `onNoValue`. A material Kingdee batch-manages (pulled
 * `kingdee/<material>` record) whose line ends with no lot parks instead of failing in Kingdee.
 */
export const lotPolicySchema = z
  .object({
    lotPolicy: z
      .object({
        source: z.string().min(1),
        title: z.string().min(1),
        description: z.string().optional(),
        /** The line fields holding the source's batch number, first non-empty wins. */
        sourceBatch: z.object({ label: z.string().min(1), fields: z.array(z.string().regex(/^[A-Za-z_]\w*$/, 'must be a line field name')).min(1) }).strict(),
        /** When the line has no batch: a JSONata expression over the line (and its bindings); `""` = no lot. */
        derive: z.object({ label: z.string().min(1), expr: expression, note: z.string().optional() }).strict().optional(),
        onNoValue: onNoValueSchema,
        note: z.string().optional(),
      })
      .strict(),
  })
  .strict();

export type LotPolicySpec = z.infer<typeof lotPolicySchema>['lotPolicy'];
export type FieldSpec = z.infer<typeof fieldSpecSchema>;
export type LookupSpec = z.infer<typeof lookupSpecSchema>;
export type FilterSpec = z.infer<typeof filterSpecSchema>;
export type RuleFile = z.infer<typeof ruleFileSchema>;
